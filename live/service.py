"""What makes the serving process live: the ingest worker, the inbox watcher and the control file, started
with the server and stopped with it."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import flask

import callback_gate
import store
from live import control
from live.inbox import InboxWatcher
from live.worker import IngestWorker
from settings import Settings


class Live:
    def __init__(self, db: store.Database, settings: Settings, server: flask.Flask | None = None) -> None:
        self.db = db
        self.settings = settings
        self.worker = IngestWorker(db, settings, callback_gate.AppTurns(server) if server is not None else None)
        self.inbox = InboxWatcher(settings.resolve(settings.data.inbox_dir), self.worker, settings.data.inbox_settle_s)
        self.control: control.Control | None = None

    @property
    def uploads(self) -> Path:
        """Where API uploads wait for the worker: hidden inside the inbox, so the watcher leaves them alone."""
        return self.inbox.folder / ".uploads"

    def start(self, url: str) -> Live:
        self.worker.start()
        self.inbox.start()
        self.uploads.mkdir(parents=True, exist_ok=True)
        self.control = control.publish(self.db.path, url)
        return self

    def stop(self) -> None:
        if self.control is not None:
            control.withdraw(self.db.path, self.control)
        self.inbox.stop()
        self.worker.stop()


@contextlib.contextmanager
def serving_live(server: flask.Flask, db: store.Database, settings: Settings, host: str, port: int) -> Iterator[Live]:
    """Start the live services for an app about to serve on host:port; stop them when it stops."""
    local = "127.0.0.1" if host in ("0.0.0.0", "", "::") else host  # noqa: S104 - names the wildcard, binds nothing
    live = Live(db, settings, server).start(f"http://{local}:{port}")
    server.extensions["floorview_live"] = live
    try:
        yield live
    finally:
        server.extensions.pop("floorview_live", None)
        live.stop()
