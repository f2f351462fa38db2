"""When the inbox judges a file complete: unchanged for `settle_s`, watched for that long only when it was
written more recently; files that arrive together load as one job (the server-level behaviour is in
test_live.py)."""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import Future

from live.inbox import InboxWatcher
from loaders.canonical import LoadResult

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
    assert watcher._candidates.get_nowait() == [growing]


class RecordingWorker:
    """Notes each job the inbox submits and answers it as loaded."""

    def __init__(self) -> None:
        self.jobs: list[list[str]] = []
        self.done = threading.Event()

    def submit(self, paths, source: str) -> Future:
        self.jobs.append(sorted(p.name for p in paths))
        self.done.set()
        answer: Future = Future()
        answer.set_result([LoadResult(str(p), "contacts", "loaded") for p in paths])
        return answer


def test_files_renamed_in_together_load_as_one_job(tmp_path):
    """A quarter-hour's contacts, states and schedule land together: one job loads them, so their interval
    facts are rebuilt once and open pages see all three at once (each used to be its own job, depending on
    which thread ran first)."""
    inbox, staging = tmp_path / "inbox", tmp_path / "staging"
    staging.mkdir()
    names = ["agent_states.csv", "contacts.csv", "schedule.csv"]
    for name in names:
        (staging / name).write_text("x\n1\n")
        os.utime(staging / name, (time.time() - 10,) * 2)  # written a while ago: ready once renamed in
    worker = RecordingWorker()
    watcher = InboxWatcher(inbox, worker, settle_s=1.0).start()  # type: ignore[arg-type]
    try:
        for name in names:
            (staging / name).rename(inbox / name)
        assert worker.done.wait(20)
        deadline = time.monotonic() + 20
        while watcher.handled < len(names) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert worker.jobs == [names]
    finally:
        watcher.stop()


def test_one_batch_of_changes_is_offered_as_one(tmp_path, monkeypatch):
    """What the watcher sees at once stays together in the queue, whatever the loading thread does meanwhile."""
    import watchfiles

    names = ["agent_states.csv", "contacts.csv", "schedule.csv"]
    for name in names:
        (tmp_path / name).write_text("x\n1\n")
    changes = {(watchfiles.Change.added, str(tmp_path / n)) for n in names}
    changes.add((watchfiles.Change.modified, str(tmp_path / "contacts.csv")))  # added and written: offered once
    monkeypatch.setattr(watchfiles, "watch", lambda *a, **k: iter([changes]))
    watcher = InboxWatcher(tmp_path, worker=None)  # type: ignore[arg-type]
    watcher._watch()
    assert watcher._candidates.get_nowait() == [tmp_path / n for n in names]
    assert watcher._candidates.empty()
