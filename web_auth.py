"""Sign-in for the web app: a server-rendered sign-in page, the session cookie, and a guard on every request.

Signed-out page requests are sent to /login; signed-out callback requests get 401. Which pages a role
may open is decided here; which data a request may see is decided from `current_user()` in each callback.
"""

from __future__ import annotations

import html
import ipaddress
import secrets
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, urlparse

import flask

import accounts
import store
from roles import ROLE_WORDS, pages_for
from settings import AuthSettings, Settings

PUBLIC_PREFIXES = ("/assets/", "/_dash-component-suites/", "/login", "/logout", "/favicon.ico")
MAX_FAILURES = 5  # per username and address within WINDOW_S
WINDOW_S = 300


def secret_key(path: Path) -> str:
    """The session-signing key: generated on first run into a file outside version control, readable by us only."""
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    path.write_text(key + "\n")
    path.chmod(0o600)
    return key


@dataclass(frozen=True)
class SingleSignOn:
    """The SSO header and the networks allowed to send it, parsed once at start-up."""

    header: str
    proxies: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]

    @classmethod
    def from_settings(cls, auth: AuthSettings) -> SingleSignOn:
        return cls(auth.sso_header, tuple(ipaddress.ip_network(p, strict=False) for p in auth.trusted_proxies))


def sso_username(sso: SingleSignOn) -> str | None:
    """The user a trusted proxy names in the SSO header; None when SSO is off or the request is not from it."""
    if not sso.header:
        return None
    name = flask.request.headers.get(sso.header, "").strip().lower()
    try:
        address = ipaddress.ip_address(flask.request.remote_addr or "")
    except ValueError:
        return None
    return name if name and any(address in network for network in sso.proxies) else None


def current_user() -> accounts.User | None:
    """The signed-in user of this request, read on the server (never from what the browser sends):
    the trusted proxy's SSO header when configured, else the signed session cookie."""
    if "user" not in flask.g:
        username = sso_username(flask.current_app.config["FLOORVIEW_SSO"]) or flask.session.get("username")
        db: store.Database = flask.current_app.config["FLOORVIEW_DB"]
        user = None
        if username:
            with db.session() as cur:
                user = accounts.get_user(cur, username)
        flask.g.user = user
    return flask.g.user


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
    """Refuses sign-in after repeated failures for the same name from the same address."""

    def __init__(self) -> None:
        self._failures: dict[tuple[str, str], deque[float]] = defaultdict(deque)

    def blocked(self, key: tuple[str, str]) -> bool:
        recent = self._failures[key]
        while recent and recent[0] < time.monotonic() - WINDOW_S:
            recent.popleft()
        return len(recent) >= MAX_FAILURES

    def fail(self, key: tuple[str, str]) -> None:
        self._failures[key].append(time.monotonic())

    def clear(self, key: tuple[str, str]) -> None:
        self._failures.pop(key, None)


def install(server: flask.Flask, db: store.Database, settings: Settings) -> None:
    server.config.update(
        SECRET_KEY=secret_key(settings.resolve(settings.app.secret_key_file)),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        FLOORVIEW_DB=db,
        FLOORVIEW_SSO=SingleSignOn.from_settings(settings.auth),
    )
    throttle = _Throttle()

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
        error = ""
        next_path = flask.request.values.get("next", "")
        if flask.request.method == "POST":
            username = flask.request.form.get("username", "").strip().lower()
            key = (username, flask.request.remote_addr or "")
            if throttle.blocked(key):
                return _login_page(settings, "Too many attempts. Wait five minutes and try again.", next_path), 429
            with db.session() as cur:
                user = accounts.authenticate(cur, username, flask.request.form.get("password", ""))
            if user:
                throttle.clear(key)
                flask.session.clear()
                flask.session["username"] = user.username
                target = next_path if _safe(next_path) and may_open(user, next_path) else user.home
                return flask.redirect(target)
            throttle.fail(key)
            error = "That user name and password do not match."
        return _login_page(settings, error, next_path)

    @server.route("/logout")
    def logout():  # noqa: ANN202
        flask.session.clear()
        return flask.redirect("/login")


def _safe(path: str) -> bool:
    """Only same-site paths may be redirected to after sign-in."""
    parsed = urlparse(path)
    return bool(path) and path.startswith("/") and not path.startswith("//") and not parsed.netloc


def _notice_page(title: str, text: str, user: accounts.User) -> str:
    """A plain server-rendered page saying why a request was refused, with the way back."""
    home = "" if not user.has_scope else f'<a class="btn btn-primary me-2" href="{html.escape(user.home)}">Go to my page</a>'
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{html.escape(title)} · Floorview</title><link rel="stylesheet" href="/assets/bootstrap.min.css"></head>
<body class="bg-light"><main class="container" style="max-width: 560px; margin-top: 12vh">
<h1 class="h3 mb-3 fw-bold">Floorview</h1>
<div class="alert alert-warning" role="alert"><strong>✕ {html.escape(title)}.</strong> {html.escape(text)}</div>
<p class="text-muted">Signed in as {html.escape(user.display_name)} ({html.escape(user.username)}).</p>
{home}<a class="btn btn-outline-secondary" href="/logout">Sign out</a></main></body></html>"""


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
<label class="form-label" for="username">User name</label>
<input class="form-control mb-3" id="username" name="username" autocomplete="username" required autofocus>
<label class="form-label" for="password">Password</label>
<input class="form-control mb-3" id="password" name="password" type="password" autocomplete="current-password" required>
<button class="btn btn-primary" type="submit">Sign in</button>
</form>{hint}</main></body></html>"""
