"""When the inbox judges a file complete: unchanged for `settle_s`, watched for that long only when it was
written more recently (the server-level behaviour is in test_live.py)."""

from __future__ import annotations

import os
import time

from live.inbox import InboxWatcher

SETTLE_S = 60.0


def watcher_with_a_clock(tmp_path, during_wait=None) -> tuple[InboxWatcher, list[float]]:
    """A watcher whose settle wait is recorded (and runs `during_wait`) instead of taking a minute."""
    watcher = InboxWatcher(tmp_path, worker=None, settle_s=SETTLE_S)  # type: ignore[arg-type]
    waits: list[float] = []

    def wait(timeout: float) -> bool:
        waits.append(timeout)
        if during_wait:
            during_wait()
        return False

    watcher._stop.wait = wait  # type: ignore[method-assign]
    return watcher, waits


def test_a_file_last_written_longer_ago_than_the_settle_time_is_ready_at_once(tmp_path):
    dropped = tmp_path / "renamed-in.csv"
    dropped.write_text("contact_id\nA\n")
    old = time.time() - 2 * SETTLE_S
    os.utime(dropped, (old, old))
    watcher, waits = watcher_with_a_clock(tmp_path)
    assert watcher._settled([dropped]) == [dropped]
    assert waits == []


def test_a_file_written_just_now_is_watched_for_the_settle_time_first(tmp_path):
    fresh = tmp_path / "fresh.csv"
    fresh.write_text("contact_id\nA\n")
    old = tmp_path / "old.csv"
    old.write_text("contact_id\nB\n")
    os.utime(old, (time.time() - 2 * SETTLE_S,) * 2)
    watcher, waits = watcher_with_a_clock(tmp_path)
    assert watcher._settled([old, fresh]) == [old, fresh]
    assert waits == [SETTLE_S]


def test_a_file_that_grows_while_watched_goes_back_in_the_queue(tmp_path):
    growing = tmp_path / "growing.csv"
    growing.write_text("contact_id\nA\n")

    def more() -> None:
        with growing.open("a") as fh:
            fh.write("B\n")

    watcher, waits = watcher_with_a_clock(tmp_path, during_wait=more)
    assert watcher._settled([growing]) == []
    assert waits == [SETTLE_S]
    assert watcher._candidates.get_nowait() == growing
