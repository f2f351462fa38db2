"""The web front: which requests came over HTTPS or through a trusted proxy, the security headers on every
response, and the production WSGI server (waitress) that serves the app."""

from __future__ import annotations

import ipaddress
import os
import sys
import threading
from collections.abc import Callable, Iterable, Sequence

import flask

import callback_gate
from callback_gate import WSGIApp
from settings import ServerSettings, Settings

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


def parse_networks(items: Sequence[str]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(p, strict=False) for p in items)


def from_trusted_proxy(proxies: tuple[Network, ...]) -> bool:
    """Whether this request's peer is one of the configured reverse proxies."""
    try:
        address = ipaddress.ip_address(flask.request.remote_addr or "")
    except ValueError:
        return False
    return any(address in network for network in proxies)


def is_https(proxies: tuple[Network, ...]) -> bool:
    """HTTPS directly, or as a trusted proxy says in X-Forwarded-Proto (anyone else's header is ignored)."""
    if flask.request.scheme == "https":
        return True
    forwarded = flask.request.headers.get("X-Forwarded-Proto", "").split(",")[0].strip().lower()
    return forwarded == "https" and from_trusted_proxy(proxies)


def client_address(proxies: tuple[Network, ...]) -> str:
    """The client's address: the peer, or the address a trusted proxy appended to X-Forwarded-For."""
    peer = flask.request.remote_addr or ""
    forwarded = [a.strip() for a in flask.request.headers.get("X-Forwarded-For", "").split(",") if a.strip()]
    return forwarded[-1] if forwarded and from_trusted_proxy(proxies) else peer


def content_security_policy(script_hashes: Sequence[str]) -> str:
    """Scripts only from this server, plus Dash's own inline scripts by hash; nothing may frame the app."""
    return "; ".join([
        "default-src 'self'",
        "script-src 'self' " + " ".join(script_hashes),
        "style-src 'self' 'unsafe-inline'",  # Plotly and AG Grid add <style> elements at run time
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ])


def install_headers(server: flask.Flask, settings: Settings, script_hashes: Callable[[], Sequence[str]]) -> None:
    """Security headers on every response. `script_hashes` is asked once, on the first response, when every
    callback (and so every inline script) is registered."""
    proxies = parse_networks(settings.auth.trusted_proxies)
    policy: list[str] = []

    @server.after_request
    def secure(response: flask.Response) -> flask.Response:
        if not policy:
            policy.append(content_security_policy(script_hashes()))
        response.headers["Content-Security-Policy"] = policy[0]
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
        response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=(), payment=()"
        if is_https(proxies):
            response.headers["Strict-Transport-Security"] = "max-age=31536000"
        if flask.request.path.startswith(("/_dash-update-component", "/login", "/logout")):
            response.headers["Cache-Control"] = "no-store"  # personal data and forms are never cached
        return response


def listen(dash_app, settings: Settings, host: str, port: int) -> Callable[[], None]:  # noqa: ANN001 - a Dash app
    """Bind host:port and return what serves the app there: waitress in production (listening on return, so
    the command line's control file may name it), Flask's development server with Dash's dev tools only in
    debug (listening once called)."""
    if settings.app.debug:
        return lambda: dash_app.run(host=host, port=port, debug=True, use_reloader=False)  # one process owns the db
    server = create_server(dash_app.server, settings.server, host, port)
    return server.run


def nicer_threads(app: WSGIApp, nice: int) -> WSGIApp:
    """`app` with each thread that runs it made `nice` nicer the first time it does (Linux keeps a nice value
    per thread): request threads yield the CPU to the ingest worker, whose thread keeps the process's."""
    if nice <= 0 or not sys.platform.startswith("linux"):
        return app
    lowered = threading.local()

    def wsgi(environ: dict, start_response: Callable) -> Iterable[bytes]:
        if not getattr(lowered, "done", False):
            thread = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, thread, min(19, os.getpriority(os.PRIO_PROCESS, thread) + nice))
            lowered.done = True
        return app(environ, start_response)

    return wsgi


def create_server(app: flask.Flask, server: ServerSettings, host: str, port: int):  # noqa: ANN201 - waitress's
    """A waitress server: requests are read in full by its event loop before a worker thread takes them, so slow
    or half-sent clients hold a socket, not a thread, and are closed after `channel_timeout_s`. No Server banner.
    Dash callbacks take turns (callback_gate.py), in threads nicer than the ingest worker's."""
    import waitress.server

    gate = callback_gate.install(app, server.callbacks_at_once)
    return waitress.server.create_server(
        nicer_threads(gate.wrap(app), server.request_nice), host=host, port=port, threads=server.threads,
        connection_limit=server.connection_limit,
        channel_timeout=server.channel_timeout_s, cleanup_interval=max(1, min(30, server.channel_timeout_s // 2)),
        max_request_body_size=int(server.max_request_mb * 1024 * 1024),
        ident="")

