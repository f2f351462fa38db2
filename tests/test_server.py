"""`floorview serve` runs a production WSGI server: no banner, bounded request bodies, and slow or half-sent
clients that cannot take the server's threads. Run as a real process, as `make run` does."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser import free_port, listening

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def served(tmp_path):
    port = free_port()
    env = {**os.environ, "FLOORVIEW_APP__SECRET_KEY_FILE": str(tmp_path / "secret"),
           "FLOORVIEW_DATA__INBOX_DIR": str(tmp_path / "inbox"),
           "FLOORVIEW_SERVER__THREADS": "4", "FLOORVIEW_SERVER__CHANNEL_TIMEOUT_S": "3",
           "FLOORVIEW_SERVER__MAX_REQUEST_MB": "1"}
    process = subprocess.Popen([sys.executable, "-m", "cli", "serve", "--port", str(port), "--db",
                                str(tmp_path / "s.duckdb")], cwd=REPO, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while not listening(port) and time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"floorview serve exited: {process.stdout.read()}")
        time.sleep(0.2)
    yield port, process
    process.terminate()
    process.wait(timeout=10)


def get(port: int, path: str, method: str = "GET", body: bytes | None = None) -> http.client.HTTPResponse:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(method, path, body=body, headers={"Content-Type": "application/x-www-form-urlencoded"})
    return conn.getresponse()


def test_serve_uses_waitress_without_a_server_banner(served):
    port, process = served
    response = get(port, "/login")
    assert response.status == 200
    assert response.getheader("Server") is None  # neither Werkzeug/… nor waitress
    assert response.getheader("X-Frame-Options") == "DENY"


def test_a_request_body_over_the_limit_is_refused(served):
    port, _ = served
    # A 2 MB form is declared; the server answers 413 from the length alone and hangs up, without reading it
    # (a client still sending the rest would get a broken pipe instead of the answer: it stops at 1 KB).
    with socket.create_connection(("127.0.0.1", port), timeout=10) as s:
        s.sendall(b"POST /login HTTP/1.1\r\nHost: x\r\nContent-Type: application/x-www-form-urlencoded\r\n"
                  b"Content-Length: " + str(2 * 1024 * 1024).encode() + b"\r\n\r\nusername=x&password=" + b"a" * 1024)
        status_line = s.recv(200).split(b"\r\n", 1)[0]
    assert status_line.split()[1] == b"413", status_line


def test_half_sent_requests_hold_no_threads_and_are_closed_after_the_timeout(served):
    port, _ = served
    stalled = []
    for _ in range(100):  # far more than the server's 4 threads
        s = socket.create_connection(("127.0.0.1", port))
        s.sendall(b"GET /login HTTP/1.1\r\nHost: x\r\n")  # headers never finished
        stalled.append(s)
    started = time.monotonic()
    assert get(port, "/login").status == 200  # served at once all the same
    assert time.monotonic() - started < 5
    stalled[0].settimeout(15)
    assert stalled[0].recv(1024) == b""  # the server closed the stalled connection
    for s in stalled:
        s.close()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are Linux's")
def test_request_threads_run_nicer_than_the_rest_of_the_process():
    import threading

    from web_front import nicer_threads

    def priority() -> int:
        return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())

    seen: list[int] = []
    app = nicer_threads(lambda environ, start_response: seen.append(priority()) or [b""], 3)
    base = priority()

    def request_thread() -> None:
        app({}, None)
        app({}, None)  # lowered once per thread, not once per request

    worker = threading.Thread(target=request_thread)
    worker.start()
    worker.join()
    assert seen == [min(19, base + 3)] * 2
    assert priority() == base  # the process's other threads (the ingest worker's) keep theirs
    assert nicer_threads(app, 0) is app


def test_the_app_listens_before_its_live_services_tell_the_command_line_where(monkeypatch, settings):
    """The control file (written as the live services start) sends `floorview` commands to the app's URL: the
    port must be open by then, or a command run at that moment finds nothing there."""
    import contextlib

    import dash
    from dash import html

    import app as app_module
    import web_front

    dash_app = dash.Dash(__name__)
    dash_app.layout = html.Div()
    dash_app.server.extensions["floorview_db"] = None
    port = free_port()
    listening_when_started: list[bool] = []

    @contextlib.contextmanager
    def serving_live(server, db, settings, host, port):
        listening_when_started.append(listening(port))
        yield

    def listen_then_stop(*args):
        served = real_listen(*args)
        return served.__self__.close  # the waitress server: closed where it would have served

    real_listen = web_front.listen
    monkeypatch.setattr(app_module, "serving_live", serving_live)
    monkeypatch.setattr(web_front, "listen", listen_then_stop)
    monkeypatch.setattr(app_module.signal, "signal", lambda *_: None)  # the test process keeps its handlers
    monkeypatch.setattr(app_module.gc, "freeze", lambda: None)
    app_module.serve_app(dash_app, settings, "127.0.0.1", port)
    assert listening_when_started == [True]
