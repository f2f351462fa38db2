"""The ingest worker: one thread in the serving process that loads files, one job at a time, through the app's
single writer. A job is a list of files loaded like `floorview load` (roster first, one transaction per file,
the interval facts rebuilt at the end), so every way in keeps the same guarantees. The facts come in two
commits: each site's newest day first, what open dashboards wait for, then the earlier days the files touched.
The first goes ahead of the pages' callbacks (with the CPU to itself for its first seconds); the second waits
until the callbacks then computing or waiting (the pages asking for the new numbers) have had theirs. When idle,
the worker folds the write-ahead log into the database file, a cost DuckDB would otherwise add to the commit
everyone waits for (store.Database).

Live agent events are a job of their own: their states are stored at once (the real-time view reads them) and
their interval facts are left in the backlog, which the worker catches up every `adherence.live_facts_every_s`
— a few events a second would otherwise rebuild a day of facts a few times a second."""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import store
from loaders import load_file, load_paths
from loaders.canonical import LoadResult
from loaders.facts import pending as facts_pending
from loaders.run import build_backlog
from settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Job:
    paths: list[Path]
    source: str  # who asked: "inbox", "api:<token name>", "cli"
    kind: str | None = None
    fmt: str | None = None
    profile: str | None = None
    sites: tuple[str, ...] | None = None  # a manager's upload: only rows of their sites
    events: bool = False  # live agent events: facts caught up later, the "events" topic bumped
    future: Future = field(default_factory=Future)


@dataclass
class Progress:
    """What the worker is doing now, for the data page."""
    file: str | None = None
    stage: str = ""
    fraction: float = 0.0
    source: str = ""
    queued: int = 0


class Turns(Protocol):
    """How the worker shares the CPU with the pages' callbacks (callback_gate.AppTurns)."""

    # A turn before the callbacks waiting; every turn for the first all_turns_s seconds.
    def ahead(self, all_turns_s: float = 0.0) -> AbstractContextManager[None]: ...

    def after_callbacks_now(self, timeout_s: float) -> None: ...  # after the callbacks computing or waiting now


class NoTurns:
    def ahead(self, all_turns_s: float = 0.0) -> AbstractContextManager[None]:
        return nullcontext()

    def after_callbacks_now(self, timeout_s: float) -> None:
        return None


# A load's first commit has the CPU to itself this long (a live increment's takes about 1 s alone, twice that
# beside the pages' callbacks); a longer one, a backfill, gives the pages a turn back.
FIRST_COMMIT_ALL_TURNS_S = 2.0
# The earlier days a load touched wait at most this long for the pages asking for its newest numbers.
LOOK_BACK_WAITS_S = 10.0


class IngestWorker:
    def __init__(self, db: store.Database, settings: Settings, turns: Turns | None = None) -> None:
        self._db = db
        self._settings = settings
        self._turns = turns or NoTurns()
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="ingest", daemon=True)
        self.progress = Progress()
        self._facts_due: float | None = None  # when the backlog left by events is to be built

    def start(self) -> IngestWorker:
        # Facts a crash left unbuilt, or a fact table the semantic model changed, are built first.
        with self._db.session() as cur:
            if facts_pending(cur, self._settings):
                self._facts_due = time.monotonic()
        self._thread.start()
        return self

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=30)

    def submit(self, paths: list[Path], source: str, kind: str | None = None, fmt: str | None = None,
               profile: str | None = None, sites: tuple[str, ...] | None = None,
               events: bool = False) -> Future[list[LoadResult]]:
        """`events`: one file of live agent events (its facts are caught up later)."""
        job = Job([Path(p) for p in paths], source, kind, fmt, profile, sites, events)
        self._jobs.put(job)
        self.progress.queued = self._jobs.qsize()
        return job.future

    def _stage(self, path: Path, stage: str, fraction: float) -> None:
        self.progress.file, self.progress.stage, self.progress.fraction = path.name, stage, fraction

    def _run(self) -> None:
        while True:
            wait = None if self._facts_due is None else max(0.0, self._facts_due - time.monotonic())
            try:
                job = self._jobs.get(timeout=wait)
            except queue.Empty:
                self._catch_up_facts()
                self._fold_wal_when_idle()
                continue
            if job is None:
                return
            self.progress = Progress(source=job.source, queued=self._jobs.qsize())
            try:
                job.future.set_result(self._events(job) if job.events else self._files(job))
            except BaseException as err:  # noqa: BLE001 - handed to whoever waits for the job
                job.future.set_exception(err)
            finally:
                self.progress = Progress(queued=self._jobs.qsize())
            self._fold_wal_when_idle()

    def _fold_wal_when_idle(self) -> None:
        """After the new numbers are out, not while a load waits for them (store.WAL_FOLDED_AT_COMMIT)."""
        if not self._jobs.empty():
            return
        try:
            self._db.fold_wal()
        except Exception:  # the log stays (DuckDB folds it at its own threshold): the worker goes on
            log.exception("folding the write-ahead log into the database failed; trying again when next idle")

    def _files(self, job: Job) -> list[LoadResult]:
        # Two commits, each a new data version: the files with each site's newest day of facts, what open
        # dashboards are waiting for; then the earlier days they touched (their customers' FCR look-back, a
        # re-export's corrections), which take longer to build.
        with self._turns.ahead(FIRST_COMMIT_ALL_TURNS_S), self._db.exclusive() as cur:
            results = load_paths(cur, job.paths, self._settings, kind=job.kind, on_stage=self._stage, fmt=job.fmt,
                                 profile=job.profile, sites=job.sites, newest_first=True)
        # And any events left, so the backlog is empty.
        self._catch_up_facts("the earlier days the files touched", pages_first=True)
        return results

    def _events(self, job: Job) -> list[LoadResult]:
        with self._db.exclusive(topic="events") as cur:
            result = load_file(cur, job.paths[0], self._settings, fmt=job.fmt, defer_facts=True)
        if self._facts_due is None:
            self._facts_due = time.monotonic() + self._settings.adherence.live_facts_every_s
        return [result]

    def _catch_up_facts(self, what: str = "catching up with live events", pages_first: bool = False) -> None:
        """`pages_first`: the pages asking for the numbers just committed get them before this competes."""
        self._facts_due = None
        with self._db.session() as cur:
            if not facts_pending(cur, self._settings):
                return  # no commit, so no new data version for every open page to fetch again
        if pages_first:
            self._turns.after_callbacks_now(LOOK_BACK_WAITS_S)
        self.progress = Progress(file="interval facts", stage=what, source=self.progress.source or "events")
        try:
            with self._db.exclusive() as cur:
                build_backlog(cur, self._settings)
        except Exception:  # the backlog stays for the next try (or the next load): the worker goes on
            log.exception("building the interval facts left in the backlog failed; trying again later")
            self._facts_due = time.monotonic() + self._settings.adherence.live_facts_every_s
        finally:
            self.progress = Progress(queued=self._jobs.qsize())
