"""Dash callbacks take turns (callback_gate.py): no more than `at_once` compute together, other requests pass,
and a callback waiting for a load lets others run meanwhile."""

from __future__ import annotations

import os
import threading
import time

from callback_gate import CALLBACK_PATH, CallbackGate

WAIT_S = 5  # only reached when the behaviour is wrong


class Recorder:
    """A WSGI app that notes who is inside and stays there until told to leave."""

    def __init__(self) -> None:
        self.inside: list[str] = []
        self.entered = {name: threading.Event() for name in ("a", "b", "c", "static")}
        self.leave = {name: threading.Event() for name in ("a", "b", "c", "static")}
        self.during: dict[str, object] = {}

    def __call__(self, environ: dict, start_response) -> list[bytes]:
        name = environ["name"]
        self.inside.append(name)
        self.entered[name].set()
        if "inside" in environ:
            environ["inside"]()
        self.leave[name].wait(WAIT_S)
        self.inside.remove(name)
        return [name.encode()]

    def let_go(self, **threads: threading.Thread) -> None:
        """Let these requests (by name) leave, and wait until they have."""
        for name, thread in threads.items():
            self.leave[name].set()
            thread.join(WAIT_S)


def request(app, name: str, path: str = CALLBACK_PATH, **extra) -> threading.Thread:
    thread = threading.Thread(target=lambda: app({"PATH_INFO": path, "name": name, **extra}, None))
    thread.start()
    return thread


def test_one_turn_at_a_time_and_other_requests_pass():
    recorder = Recorder()
    app = CallbackGate(1).wrap(recorder)
    a = request(app, "a")
    assert recorder.entered["a"].wait(WAIT_S)
    b = request(app, "b")
    static = request(app, "static", path="/assets/floorview.css")
    assert recorder.entered["static"].wait(WAIT_S)  # not a callback: not kept waiting
    assert not recorder.entered["b"].is_set()  # a callback while a's turn lasts: waits
    assert recorder.inside == ["a", "static"]
    recorder.leave["a"].set()
    assert recorder.entered["b"].wait(WAIT_S)  # its turn comes when a's ends
    recorder.leave["b"].set()
    recorder.leave["static"].set()
    for t in (a, b, static):
        t.join(WAIT_S)


def test_a_callback_waiting_for_a_load_sets_its_turn_aside():
    gate = CallbackGate(1)
    recorder = Recorder()
    app = gate.wrap(recorder)
    b_ran_while_a_waited = threading.Event()

    def wait_for_a_load() -> None:
        with gate.set_aside():
            b = request(app, "b")
            assert recorder.entered["b"].wait(WAIT_S)
            b_ran_while_a_waited.set()
            recorder.leave["b"].set()
            b.join(WAIT_S)

    a = request(app, "a", inside=wait_for_a_load)
    assert b_ran_while_a_waited.wait(WAIT_S)
    recorder.let_go(a=a)
    assert recorder.inside == []


def test_no_setting_means_one_turn_per_core():
    assert CallbackGate(0).at_once == (os.cpu_count() or 1)
    assert CallbackGate(3).at_once == 3


def test_a_reserved_turn_is_taken_at_once_and_callbacks_share_the_rest():
    gate = CallbackGate(2)
    recorder = Recorder()
    app = gate.wrap(recorder)
    with gate.reserved():  # taken with nobody computing: callbacks have one turn left
        a = request(app, "a")
        assert recorder.entered["a"].wait(WAIT_S)
        b = request(app, "b")
        assert not recorder.entered["b"].wait(0.3)  # two turns, one of them reserved: b waits
    assert recorder.entered["b"].wait(WAIT_S)  # the reserved turn given back: b computes beside a
    assert sorted(recorder.inside) == ["a", "b"]
    recorder.let_go(a=a, b=b)


def test_a_load_ahead_holds_every_turn_for_its_first_seconds_then_shares():
    gate = CallbackGate(2)
    recorder = Recorder()
    app = gate.wrap(recorder)
    with gate.reserved(all_turns_s=0.6):
        started = time.monotonic()
        a = request(app, "a")
        assert not recorder.entered["a"].wait(0.3)  # a turn is free, but the load holds them all
        assert recorder.entered["a"].wait(WAIT_S)  # past its first seconds: callbacks share the other turn
        assert time.monotonic() - started >= 0.6
        b = request(app, "b")
        assert not recorder.entered["b"].wait(0.3)  # one turn still reserved
    assert recorder.entered["b"].wait(WAIT_S)
    recorder.let_go(a=a, b=b)


def test_a_load_ahead_that_ends_early_gives_every_turn_back_at_once():
    gate = CallbackGate(1)
    recorder = Recorder()
    app = gate.wrap(recorder)
    with gate.reserved(all_turns_s=WAIT_S * 10):
        a = request(app, "a")
        assert not recorder.entered["a"].wait(0.3)
    assert recorder.entered["a"].wait(WAIT_S)  # not after the 50 s it might have held them
    recorder.let_go(a=a)


def test_callbacks_always_keep_one_turn():
    gate = CallbackGate(1)
    recorder = Recorder()
    app = gate.wrap(recorder)
    with gate.reserved(), gate.reserved():
        a = request(app, "a")
        assert recorder.entered["a"].wait(WAIT_S)
    recorder.let_go(a=a)


def test_work_left_for_later_waits_for_the_callbacks_computing_or_waiting_then_and_no_longer():
    gate = CallbackGate(1)
    recorder = Recorder()
    app = gate.wrap(recorder)
    a = request(app, "a")
    assert recorder.entered["a"].wait(WAIT_S)
    b = request(app, "b")  # waits behind a
    in_line(gate, 1)
    released = threading.Event()
    later = threading.Thread(target=lambda: (gate.after_callbacks_now(WAIT_S), released.set()))
    later.start()
    assert not released.wait(0.3)  # a computes, b waits
    recorder.leave["a"].set()
    assert recorder.entered["b"].wait(WAIT_S)
    assert not released.wait(0.3)  # b computes
    recorder.leave["b"].set()
    assert released.wait(WAIT_S)  # both turns ended: the later work goes on
    started = time.monotonic()
    gate.after_callbacks_now(WAIT_S)  # no callback: at once
    assert time.monotonic() - started < WAIT_S / 2
    c = request(app, "c")  # computes until told: the later work waits no longer than it said
    assert recorder.entered["c"].wait(WAIT_S)
    started = time.monotonic()
    gate.after_callbacks_now(0.2)
    assert time.monotonic() - started < WAIT_S / 2
    recorder.leave["c"].set()
    for thread in (a, b, c, later):
        thread.join(WAIT_S)


def in_line(gate: CallbackGate, n: int) -> None:
    deadline = time.monotonic() + WAIT_S
    while gate._waiting != n and time.monotonic() < deadline:  # noqa: SLF001 - what the test waits for
        time.sleep(0.01)
    assert gate._waiting == n  # noqa: SLF001
