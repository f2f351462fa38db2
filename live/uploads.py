"""Files that arrive over HTTP (the upload API, the data page's upload box): each saved under a safe name in a
private folder, loaded by the ingest worker, audited, then filed in the inbox's done/ or failed/ like a file
dropped there."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from werkzeug.utils import secure_filename

import store
from actions import audit
from live.inbox import file_away
from live.service import Live
from loaders.canonical import LoadResult


def save(live: Live, name: str | None, stream: BinaryIO | bytes) -> Path:
    place = live.uploads / secrets.token_hex(8)
    place.mkdir(parents=True)
    path = place / (secure_filename(name or "") or "upload.csv")
    with path.open("wb") as out:
        if isinstance(stream, bytes):
            out.write(stream)
        else:
            while chunk := stream.read(1 << 20):
                out.write(chunk)
    return path


def load(live: Live, db: store.Database, paths: Iterable[Path], source: str, sites: tuple[str, ...] | None = None,
         kind: str | None = None, fmt: str | None = None, profile: str | None = None) -> list[LoadResult]:
    """Load saved uploads as one job; returns each file's result, in the order given."""
    paths = list(paths)
    results = live.worker.submit(paths, source=source, kind=kind, fmt=fmt, profile=profile, sites=sites).result()
    by_file = {Path(r.file): r for r in results}
    with db.write() as cur:
        for path in paths:
            audit.record(cur, source, "upload file", path.name, None, by_file[path].summary()[:300], sites=sites or ())
    for path in paths:
        file_away(live.inbox.folder, path, by_file[path])
        path.parent.rmdir()
    return [by_file[p] for p in paths]
