"""The ingest worker: one thread in the serving process that loads files, one job at a time, through the app's
single writer. A job is a list of files loaded like `floorview load` (roster first, one transaction per file,
the interval facts rebuilt once at the end), so every way in keeps the same guarantees."""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future
from dataclasses import dataclass, field
from pathlib import Path

import store
from loaders import load_paths
from loaders.canonical import LoadResult
from settings import Settings


@dataclass
class Job:
    paths: list[Path]
    source: str  # who asked: "inbox", "api:<token name>", "cli"
    kind: str | None = None
    fmt: str | None = None
    profile: str | None = None
    sites: tuple[str, ...] | None = None  # a manager's upload: only rows of their sites
    future: Future = field(default_factory=Future)


@dataclass
class Progress:
    """What the worker is doing now, for the data page."""
    file: str | None = None
    stage: str = ""
    fraction: float = 0.0
    source: str = ""
    queued: int = 0


class IngestWorker:
    def __init__(self, db: store.Database, settings: Settings) -> None:
        self._db = db
        self._settings = settings
        self._jobs: queue.Queue[Job | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="ingest", daemon=True)
        self.progress = Progress()

    def start(self) -> IngestWorker:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._jobs.put(None)
        self._thread.join(timeout=30)

    def submit(self, paths: list[Path], source: str, kind: str | None = None, fmt: str | None = None,
               profile: str | None = None, sites: tuple[str, ...] | None = None) -> Future[list[LoadResult]]:
        job = Job([Path(p) for p in paths], source, kind, fmt, profile, sites)
        self._jobs.put(job)
        self.progress.queued = self._jobs.qsize()
        return job.future

    def _stage(self, path: Path, stage: str, fraction: float) -> None:
        self.progress.file, self.progress.stage, self.progress.fraction = path.name, stage, fraction

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            self.progress = Progress(source=job.source, queued=self._jobs.qsize())
            try:
                with self._db.exclusive() as cur:
                    results = load_paths(cur, job.paths, self._settings, kind=job.kind, on_stage=self._stage,
                                         fmt=job.fmt, profile=job.profile, sites=job.sites)
                job.future.set_result(results)
            except BaseException as err:  # noqa: BLE001 - handed to whoever waits for the job
                job.future.set_exception(err)
            finally:
                self.progress = Progress(queued=self._jobs.qsize())
