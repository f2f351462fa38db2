"""At most a few Dash callbacks compute at once: one per core by default (`server.callbacks_at_once`).

Callbacks are CPU work under one GIL. Eight request threads all computing at once take no more in total than
two, but each waits longer, and they starve the ingest worker: its load is many short queries, each needing the
GIL back, so with eight threads queueing for it a 15-minute increment took 11 s to show instead of 5
(bench/bench_live.py). Callbacks past the limit wait their turn, first come first served; a callback that waits
for something else (the data page's upload waits for its load) sets its turn aside meanwhile.

A load that every open page is waiting for goes ahead of the line (`reserved`): for its first seconds it has
every turn (callbacks computing finish theirs, no new one starts), so a live increment commits as fast as it
would alone; past them, callbacks share the other turns (always at least one), so a long backfill never stops
the pages. What it leaves for later waits until the callbacks then computing or in line have had their turns
(`after_callbacks_now`): they are the pages asking for the new numbers."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext

import flask

WSGIApp = Callable[[dict, Callable], Iterable[bytes]]
CALLBACK_PATH = "/_dash-update-component"


class CallbackGate:
    def __init__(self, at_once: int) -> None:
        self.at_once = at_once or os.cpu_count() or 1
        lock = threading.Lock()
        self._changed = threading.Condition(lock)  # a turn ended, or a reserved one
        self._turn_ended = threading.Condition(lock)
        self._computing = 0  # callbacks holding a turn
        self._reserved = 0  # turns held by work outside the callbacks (`reserved`)
        self._all_turns_until = 0.0  # monotonic time until which reserved work holds every turn
        self._waiting = 0  # callbacks waiting for a turn
        self._ended = 0  # turns ended so far
        self._holding = threading.local()

    def wrap(self, app: WSGIApp) -> WSGIApp:
        """`app` with its Dash callbacks taking turns (other requests pass straight through)."""

        def gated(environ: dict, start_response: Callable) -> Iterable[bytes]:
            if environ.get("PATH_INFO") != CALLBACK_PATH:
                return app(environ, start_response)
            with self._turn():
                return list(app(environ, start_response))  # the response is made inside the turn

        return gated

    def _all_turns_held_s(self) -> float:
        """How much longer reserved work holds every turn (0: callbacks may have theirs)."""
        return max(0.0, self._all_turns_until - time.monotonic()) if self._reserved else 0.0

    def _acquire(self) -> None:
        with self._changed:
            self._waiting += 1
            while (held_s := self._all_turns_held_s()) or self._computing >= max(1, self.at_once - self._reserved):
                self._changed.wait(held_s or None)  # woken by a turn given back, or when every turn stops being held
            self._waiting -= 1
            self._computing += 1

    def _release(self) -> None:
        with self._changed:
            self._computing -= 1
            self._ended += 1
            self._changed.notify()
            self._turn_ended.notify_all()

    @contextmanager
    def _turn(self) -> Iterator[None]:
        self._acquire()
        self._holding.turn = True
        try:
            yield
        finally:
            self._holding.turn = False
            self._release()

    @contextmanager
    def reserved(self, all_turns_s: float = 0.0) -> Iterator[None]:
        """A turn for work outside the callbacks, taken at once: callbacks computing finish theirs, and no new
        one starts for the first `all_turns_s` seconds, nor afterwards until fewer than the others' turns
        compute."""
        with self._changed:
            self._reserved += 1
            self._all_turns_until = max(self._all_turns_until, time.monotonic() + all_turns_s)
        try:
            yield
        finally:
            with self._changed:
                self._reserved -= 1
                if not self._reserved:
                    self._all_turns_until = 0.0
                self._changed.notify_all()

    def after_callbacks_now(self, timeout_s: float) -> None:
        """Return once as many turns have ended as callbacks compute or wait now (theirs, first come first
        served), or after timeout_s."""
        with self._changed:
            due = self._ended + self._computing + self._waiting
            self._turn_ended.wait_for(lambda: self._ended >= due, timeout_s)

    @contextmanager
    def set_aside(self) -> Iterator[None]:
        """Give this thread's turn to others while it waits for something that is not CPU work here."""
        if not getattr(self._holding, "turn", False):
            yield
            return
        self._holding.turn = False
        self._release()
        try:
            yield
        finally:
            self._acquire()
            self._holding.turn = True


def install(app: flask.Flask, at_once: int) -> CallbackGate:
    gate = CallbackGate(at_once)
    app.extensions["callback_gate"] = gate
    return gate


class AppTurns:
    """An app's gate as its own background work sees it, looked up when needed: the gate comes with the
    production server (web_front.create_server); with none (Flask's development server under --debug), nothing
    waits."""

    def __init__(self, app: flask.Flask) -> None:
        self._app = app

    def _gate(self) -> CallbackGate | None:
        gate = self._app.extensions.get("callback_gate")
        return gate if isinstance(gate, CallbackGate) else None

    def ahead(self, all_turns_s: float = 0.0) -> AbstractContextManager[None]:
        gate = self._gate()
        return gate.reserved(all_turns_s) if gate else nullcontext()

    def after_callbacks_now(self, timeout_s: float) -> None:
        gate = self._gate()
        if gate:
            gate.after_callbacks_now(timeout_s)


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
