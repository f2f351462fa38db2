"""Sign-in for the web app: a server-rendered sign-in page, the session cookie, and a guard on every request.

Signed-out page requests are sent to /login; signed-out callback requests get 401. Which pages a role
may open is decided here; which data a request may see is decided from `current_user()` in each callback.
"""

from __future__ import annotations

import html
import os
import secrets
import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote, urlparse

import flask
from flask.sessions import SecureCookieSessionInterface

import accounts
import store
import web_front
from roles import ROLE_WORDS, pages_for
from settings import AuthSettings, Settings

# /api/v1/ authenticates each request itself, with a bearer token (live/api.py), never with the session.
PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/login", "/logout", "/favicon.ico", "/api/v1/")
SEEN_EVERY_S = 60  # how often a session's last-seen time is refreshed (each refresh re-sends the cookie)


def secret_key(path: Path) -> str:
    """The session-signing key: generated on first run into a file outside version control, readable by us only."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    # Created 0600 in one step, so the key is never readable by others, not even for a moment.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    return key


@dataclass(frozen=True)
class SingleSignOn:
    """The SSO header and the networks allowed to send it, parsed once at start-up."""

    header: str
    proxies: tuple[web_front.Network, ...]

    @classmethod
    def from_settings(cls, auth: AuthSettings) -> SingleSignOn:
        return cls(auth.sso_header, web_front.parse_networks(auth.trusted_proxies))


def sso_username(sso: SingleSignOn) -> str | None:
    """The user a trusted proxy names in the SSO header; None when SSO is off or the request is not from it."""
    if not sso.header:
        return None
    name = flask.request.headers.get(sso.header, "").strip().lower()
    return name if name and web_front.from_trusted_proxy(sso.proxies) else None


def current_user() -> accounts.User | None:
    """The signed-in user of this request, read on the server (never from what the browser sends):
    the trusted proxy's SSO header when configured, else the signed session cookie while it is current."""
    if "user" not in flask.g:
        sso = sso_username(flask.current_app.config["FLOORVIEW_SSO"])
        username = sso or flask.session.get("username")
        db: store.Database = flask.current_app.config["FLOORVIEW_DB"]
        user = None
        if username:
            with db.session() as cur:
                user = accounts.get_user(cur, username)
        if user is not None and not sso and not _session_current(user, flask.current_app.config["FLOORVIEW_AUTH"]):
            flask.session.clear()
            user = None
        flask.g.user = user
    return flask.g.user


def _session_current(user: accounts.User, auth: AuthSettings) -> bool:
    """A cookie session holds while its user's session version is unchanged (no sign-out, password reset,
    role or scope change, disabling since) and it is within its idle and absolute lifetimes."""
    session, now = flask.session, time.time()
    issued, seen = session.get("issued", 0), session.get("seen", 0)
    if session.get("version") != user.session_version:
        return False
    if now - issued > auth.session_max_hours * 3600 or now - seen > auth.session_idle_hours * 3600:
        return False
    if now - seen > SEEN_EVERY_S:
        session["seen"] = now
    return True


def _start_session(user: accounts.User) -> None:
    flask.session.clear()
    now = time.time()
    flask.session.update(username=user.username, version=user.session_version, issued=now, seen=now,
                         csrf=secrets.token_urlsafe(32))
    flask.session.permanent = True  # the cookie outlives the browser window, up to the absolute lifetime


def csrf_token() -> str:
    """This browser's form token (made on first use): forms that change state must send it back."""
    if "csrf" not in flask.session:
        flask.session["csrf"] = secrets.token_urlsafe(32)
    return flask.session["csrf"]


def _csrf_ok() -> bool:
    sent, kept = flask.request.form.get("csrf", ""), flask.session.get("csrf", "")
    return bool(sent and kept) and secrets.compare_digest(sent, kept)


class _SessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, with the cookie marked Secure per request as configured."""

    def __init__(self, mode: str, proxies: tuple[web_front.Network, ...]) -> None:
        self.mode, self.proxies = mode, proxies

    def get_cookie_secure(self, app: flask.Flask) -> bool:
        if self.mode != "auto":
            return self.mode == "always"
        return flask.has_request_context() and web_front.is_https(self.proxies)


def may_open(user: accounts.User, path: str) -> bool:
    """Only the pages declared for the user's role (roles.PAGES), and nothing without a usable scope."""
    return user.has_scope and path.rstrip("/") in {p.rstrip("/") for p in pages_for(user.role)}


def refusal(user: accounts.User) -> str:
    """Why this person sees nothing at all, in words they can pass on."""
    if user.role not in ROLE_WORDS:
        return (f"Your sign-in has the role {user.role!r}, which Floorview does not know, so it shows you no data. "
                "Ask whoever manages sign-ins to give you a role.")
    return (f"Your sign-in ({ROLE_WORDS[user.role].lower()}) is not linked to any agent, team or site, so it "
            "shows you no data. Ask whoever manages sign-ins to set your scope.")


class _Throttle:
    """Refuses sign-in after repeated failures for one name (from anywhere) or from one address (for any
    names), and lets only a few password checks run at once: each argon2 check takes 64 MiB."""

    def __init__(self, auth: AuthSettings) -> None:
        self._auth = auth
        self._failures: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()
        self.checks = threading.BoundedSemaphore(auth.password_checks_at_once)

    def _recent(self, key: str) -> int:
        recent = self._failures[key]
        while recent and recent[0] < time.monotonic() - self._auth.throttle_window_s:
            recent.popleft()
        return len(recent)

    def blocked(self, name: str, address: str) -> bool:
        with self._lock:
            return (self._recent(f"name:{name}") >= self._auth.failures_per_name
                    or self._recent(f"addr:{address}") >= self._auth.failures_per_address)

    def fail(self, name: str, address: str) -> None:
        with self._lock:
            for key in (f"name:{name}", f"addr:{address}"):
                self._failures[key].append(time.monotonic())

    def clear(self, name: str) -> None:
        with self._lock:
            self._failures.pop(f"name:{name}", None)


def install(server: flask.Flask, db: store.Database, settings: Settings) -> None:
    auth = settings.auth
    proxies = web_front.parse_networks(auth.trusted_proxies)
    server.config.update(
        SECRET_KEY=secret_key(settings.resolve(settings.app.secret_key_file)),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        # The signed cookie's own age limit; idle time and revocation are checked in current_user().
        PERMANENT_SESSION_LIFETIME=timedelta(hours=auth.session_max_hours),
        FLOORVIEW_DB=db,
        FLOORVIEW_SSO=SingleSignOn.from_settings(auth),
        FLOORVIEW_AUTH=auth,
    )
    server.session_interface = _SessionInterface(auth.secure_cookies, proxies)
    throttle = _Throttle(auth)

    @server.before_request
    def guard():  # noqa: ANN202 - Flask hook
        path = flask.request.path
        if path.startswith(PUBLIC_PREFIXES):
            return None
        user = current_user()
        if path.startswith("/_"):  # Dash's XHR endpoints: callbacks, layout, dependencies
            if user is None:
                return flask.jsonify(error="sign in first"), 401
            return None if user.has_scope else (flask.jsonify(error=refusal(user)), 403)
        if user is None:
            return flask.redirect(f"/login?next={quote(path)}")
        if not user.has_scope:
            return _notice_page("No data for this sign-in", refusal(user), user), 403
        if not may_open(user, path):
            return _notice_page("Not allowed", f"The page {path} is not open to your role "
                                f"({ROLE_WORDS[user.role].lower()}). Your own page is {user.home}.", user), 403
        return None

    @server.route("/login", methods=["GET", "POST"])
    def login():  # noqa: ANN202
        next_path = flask.request.values.get("next", "")
        if flask.request.method == "GET":
            return _login_page(settings, "", next_path)
        if not _csrf_ok():
            return _login_page(settings, "This sign-in form has expired. Please sign in again.", next_path), 400
        username = flask.request.form.get("username", "").strip().lower()
        address = web_front.client_address(proxies)
        if throttle.blocked(username, address):
            return _login_page(settings, "Too many attempts. Wait five minutes and try again.", next_path), 429
        if not throttle.checks.acquire(timeout=10):
            return _login_page(settings, "Many people are signing in at once. Try again in a moment.", next_path), 503
        try:
            with db.session() as cur:
                user = accounts.authenticate(cur, username, flask.request.form.get("password", ""))
        finally:
            throttle.checks.release()
        if user:
            throttle.clear(username)
            _start_session(user)
            target = next_path if _safe(next_path) and may_open(user, next_path) else user.home
            return flask.redirect(target)
        throttle.fail(username, address)
        return _login_page(settings, "That user name and password do not match.", next_path)

    @server.route("/logout", methods=["GET", "POST"])
    def logout():  # noqa: ANN202
        user = current_user()
        if flask.request.method == "GET":  # a link or an old bookmark: ask, since signing out is a POST
            return (_notice_page("Sign out", "Sign out of Floorview on every device?", user, refused=False)
                    if user else flask.redirect("/login"))
        if not _csrf_ok():
            return flask.redirect("/logout")
        if user is not None:
            with db.session() as cur:
                accounts.end_sessions(cur, user.username)
        flask.session.clear()
        return flask.redirect("/login")


def _safe(path: str) -> bool:
    """Only same-site paths may be redirected to after sign-in."""
    parsed = urlparse(path)
    return bool(path) and path.startswith("/") and not path.startswith("//") and not parsed.netloc


def _sign_out_form() -> str:
    return (f'<form method="post" action="/logout" class="d-inline"><input type="hidden" name="csrf" '
            f'value="{html.escape(csrf_token())}"><button class="btn btn-outline-secondary" type="submit">Sign out'
            '</button></form>')


def _notice_page(title: str, text: str, user: accounts.User, refused: bool = True) -> str:
    """A plain server-rendered page saying why a request was refused, with the way back."""
    home = ("" if not user.has_scope else
            f'<a class="btn btn-primary me-2" href="{html.escape(user.home)}">Go to my page</a>')
    mark, tone = ("✕ ", "warning") if refused else ("", "info")
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · Floorview</title><link rel="stylesheet" href="/assets/bootstrap.min.css"></head>
<body class="bg-light"><main class="container" style="max-width: 560px; margin-top: 12vh">
<h1 class="h3 mb-3 fw-bold">Floorview</h1>
<div class="alert alert-{tone}" role="alert"><strong>{mark}{html.escape(title)}.</strong> {html.escape(text)}</div>
<p class="text-muted">Signed in as {html.escape(user.display_name)} ({html.escape(user.username)}).</p>
{home}{_sign_out_form()}</main></body></html>"""


def _login_page(settings: Settings, error: str, next_path: str) -> str:
    alert = f'<div class="alert alert-danger" role="alert">{html.escape(error)}</div>' if error else ""
    hint = ""
    if settings.app.demo_hints:
        hint = ('<p class="text-muted small mt-3 mb-0">Demo: the users named in <code>data/demo/stories.json</code> '
                'and the README, e.g. <code>daniel.okafor</code>, <code>naledi.dlamini</code>, '
                '<code>grace.adams</code>, <code>control.desk</code>; password from <code>config.toml</code> '
                '(<code>app.demo_password</code>).</p>')
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Floorview</title><link rel="stylesheet" href="/assets/bootstrap.min.css"></head>
<body class="bg-light"><main class="container" style="max-width: 420px; margin-top: 12vh">
<h1 class="h3 mb-1 fw-bold">Floorview</h1><p class="text-muted">Sign in to see your dashboard.</p>
{alert}
<form method="post" action="/login" class="card card-body shadow-sm">
<input type="hidden" name="next" value="{html.escape(next_path)}">
<input type="hidden" name="csrf" value="{html.escape(csrf_token())}">
<label class="form-label" for="username">User name</label>
<input class="form-control mb-3" id="username" name="username" autocomplete="username" required autofocus>
<label class="form-label" for="password">Password</label>
<input class="form-control mb-3" id="password" name="password" type="password" autocomplete="current-password" required>
<button class="btn btn-primary" type="submit">Sign in</button>
</form>{hint}</main></body></html>"""
