"""The inbox folder: a file that appears in `data.inbox_dir` is loaded once it is complete, then moved to
`done/` or `failed/` beside a short result note. Works for a vendor's SFTP drop as for a copy by hand.

Complete means: a name not starting with "." and not ending ".part" or ".tmp" (write-then-rename), a regular
file, and a size and modification time that stay the same for `settle_s` (a file still growing is waited
for; one last written that long ago already is ready at once). watchfiles (inotify underneath) reports
changes; files already there at start are loaded too, so a file whose load a crash cut short is loaded again
after the restart.
"""

from __future__ import annotations

import queue
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import watchfiles

from live.worker import IngestWorker
from loaders.canonical import LoadResult
from loaders.csvfile import FileStamp
from loaders.run import waiting_name

DONE, FAILED = "done", "failed"


class InboxWatcher:
    def __init__(self, folder: Path, worker: IngestWorker, settle_s: float = 1.0) -> None:
        self.folder = Path(folder)
        self._worker = worker
        self._settle_s = settle_s
        self._stop = threading.Event()
        self._candidates: queue.Queue[list[Path] | None] = queue.Queue()  # files that arrived together
        self._pending: set[Path] = set()
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._watch, name="inbox-watch", daemon=True),
                         threading.Thread(target=self._handle, name="inbox-load", daemon=True)]
        self.handled = 0  # files moved to done/ or failed/, for tests and the data page

    def start(self) -> InboxWatcher:
        for sub in ("", DONE, FAILED):
            (self.folder / sub).mkdir(parents=True, exist_ok=True)
        self._offer(sorted(self.folder.iterdir()))  # what arrived while the app was down
        for t in self._threads:
            t.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        self._candidates.put(None)
        for t in self._threads:
            t.join(timeout=10)

    def _offer(self, paths: list[Path]) -> None:
        """Files that arrived together, offered together: one job loads them (roster first, one rebuild of the
        interval facts), whichever thread runs first."""
        # Once each (watchfiles may report a file added and modified in one batch).
        files = [p for p in dict.fromkeys(paths) if p.parent == self.folder and not waiting_name(p) and p.is_file()]
        with self._lock:
            fresh = [p for p in files if p not in self._pending]
            self._pending.update(fresh)
        if fresh:
            self._candidates.put(fresh)

    def _watch(self) -> None:
        for changes in watchfiles.watch(self.folder, stop_event=self._stop, recursive=False, debounce=200,
                                        rust_timeout=1000, yield_on_timeout=False, raise_interrupt=False):
            self._offer(sorted(Path(name) for change, name in changes if change != watchfiles.Change.deleted))

    def _handle(self) -> None:
        while (paths := self._candidates.get()) is not None:
            batch = [*paths, *self._drain()]
            ready: list[Path] = []
            try:
                ready = self._settled(batch)
                if ready:  # one job: roster first, one rebuild of the interval facts
                    results = self._worker.submit(ready, source="inbox").result()
                    for p, result in zip(ready, _in_order(ready, results), strict=True):
                        self._file_away(p, result)
            finally:
                with self._lock:
                    self._pending.difference_update(ready)
                    self._pending.difference_update(p for p in batch if not p.is_file())

    def _drain(self) -> list[Path]:
        """Other files offered meanwhile, so that one job loads them together."""
        drained = []
        while True:
            try:
                p = self._candidates.get_nowait()
            except queue.Empty:
                return drained
            if p is None:  # stopping: leave the signal for the loop
                self._candidates.put(None)
                return drained
            drained.extend(p)

    def _settled(self, batch: list[Path]) -> list[Path]:
        """The files of the batch that stop changing for `settle_s`; one still growing goes back in the queue
        (a file that went away, renamed or deleted, is dropped)."""
        stamps: dict[Path, FileStamp] = {}
        for p in batch:
            try:
                stamps[p] = FileStamp.of(p)
            except FileNotFoundError:
                continue
        # A file last written settle_s ago or more has already been still that long (a write-then-rename drop,
        # what arrived while the app was down): only a recent write is watched for another settle_s.
        written_since = time.time_ns() - int(self._settle_s * 1e9)
        if any(stamp.mtime_ns > written_since for stamp in stamps.values()):
            self._stop.wait(self._settle_s)
        ready, growing = [], []
        for p, before in stamps.items():
            try:
                now = FileStamp.of(p)
            except FileNotFoundError:
                continue
            (ready if now == before and p.is_file() else growing).append(p)
        if growing and not self._stop.is_set():
            self._candidates.put(growing)  # still being written: look again after the next settle time
        return ready

    def _file_away(self, path: Path, result: LoadResult) -> None:
        if file_away(self.folder, path, result) is not None:
            self.handled += 1


def file_away(inbox: Path, path: Path, result: LoadResult) -> Path | None:
    """Move a loaded file to done/ or failed/ of the inbox with a note of what happened (never overwriting an
    earlier file of the same name); returns where it went, or None if it had gone already."""
    folder = inbox / (DONE if result.status == "loaded" and not result.all_rejected else FAILED)
    folder.mkdir(parents=True, exist_ok=True)
    target = _free_name(folder / path.name)
    lines = [f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC", result.summary()]
    lines += [f"  line {ln}: {fld or '-'}: {why}" for ln, fld, _value, why in result.sample_rejects[:20]]
    if result.rows_rejected > 20:
        lines.append(f"  … {result.rows_rejected - 20:,} more rejected rows: see the data page")
    try:
        path.rename(target)
    except FileNotFoundError:
        return None
    target.with_name(target.name + ".result.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def _in_order(batch: list[Path], results: list[LoadResult]) -> list[LoadResult]:
    """The results in the order of the batch (a job loads roster first)."""
    by_file = {Path(r.file): r for r in results}
    return [by_file[p] for p in batch]


def _free_name(target: Path) -> Path:
    if not target.exists():
        return target
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    for n in range(1, 1000):
        candidate = target.with_name(f"{target.stem}.{stamp}-{n}{target.suffix}")
        if not candidate.exists():
            return candidate
    return target.with_name(f"{target.name}.{time.time_ns()}")
