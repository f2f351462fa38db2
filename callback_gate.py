"""At most a few Dash callbacks compute at once: one per core by default (`server.callbacks_at_once`).

Callbacks are CPU work under one GIL. Eight request threads all computing at once take no more in total than
two, but each waits longer, and they starve the ingest worker: its load is many short queries, each needing the
GIL back, so with eight threads queueing for it a 15-minute increment took 11 s to show instead of 5
(bench/bench_live.py). Callbacks past the limit wait their turn, first come first served; a callback that waits
for something else (the data page's upload waits for its load) sets its turn aside meanwhile."""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

import flask

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]
CALLBACK_PATH = "/_dash-update-component"


class CallbackGate:
    def __init__(self, at_once: int) -> None:
        self.at_once = at_once or os.cpu_count() or 1
        self._turns = threading.BoundedSemaphore(self.at_once)
        self._holding = threading.local()

    def wrap(self, app: WSGIApp) -> WSGIApp:
        """`app` with its Dash callbacks taking turns (other requests pass straight through)."""

        def gated(environ: dict, start_response: Callable) -> Iterable[bytes]:
            if environ.get("PATH_INFO") != CALLBACK_PATH:
                return app(environ, start_response)
            with self._turn():
                return list(app(environ, start_response))  # the response is made inside the turn

        return gated

    @contextmanager
    def _turn(self) -> Iterator[None]:
        with self._turns:
            self._holding.turn = True
            try:
                yield
            finally:
                self._holding.turn = False

    @contextmanager
    def set_aside(self) -> Iterator[None]:
        """Give this thread's turn to others while it waits for something that is not CPU work here."""
        if not getattr(self._holding, "turn", False):
            yield
            return
        self._holding.turn = False
        self._turns.release()
        try:
            yield
        finally:
            self._turns.acquire()
            self._holding.turn = True


def install(app: flask.Flask, at_once: int) -> CallbackGate:
    gate = CallbackGate(at_once)
    app.extensions["callback_gate"] = gate
    return gate


@contextmanager
def turn_set_aside() -> Iterator[None]:
    """Within a callback: let other callbacks run while this one waits (no gate, as under --debug, or no
    request at all: nothing)."""
    gate = flask.current_app.extensions.get("callback_gate") if flask.has_app_context() else None
    if gate is None:
        yield
        return
    with gate.set_aside():
        yield
