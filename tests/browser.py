"""Helpers for browser tests: serve the app on a free loopback port and drive Debian's Chromium."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Browser, sync_playwright

import web_front
from settings import ServerSettings

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


def listening(port: int) -> bool:
    """Whether something on this machine accepts connections on the port."""
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return True
    except OSError:
        return False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(flask_app) -> Iterator[str]:
    """The app behind the production server (waitress), as `floorview serve` runs it."""
    port = free_port()
    # Request threads as nice as the rest: here they share the machine with other test workers, not with a load.
    server = web_front.create_server(flask_app, ServerSettings(request_nice=0), "127.0.0.1", port)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.close()
        # Callbacks still running (or waiting their turn) finish before the caller closes the database.
        server.task_dispatcher.shutdown(cancel_pending=True, timeout=30)


@contextmanager
def chromium() -> Iterator[Browser]:
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()
