"""Load many files: expand folders, order by kind (roster first), show progress, summarise."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb

from loaders import facts, vocabulary
from loaders.canonical import LoadError, LoadResult, load_file, read_header, resolve_kind
from loaders.kinds import LOAD_ORDER
from settings import Settings
from store import transaction

LOADABLE_SUFFIXES = (".csv", ".parquet", ".pq", ".txt")


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and the loadable files inside any folder given (sorted, not recursive)."""
    files: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            files.extend(sorted(f for f in p.iterdir() if f.is_file() and f.suffix.lower() in LOADABLE_SUFFIXES))
        else:
            files.append(p)
    return files


def _order(path: Path, kind: str | None) -> int:
    """Roster kinds load before the facts that reference them; undetectable files go last."""
    try:
        detected = resolve_kind(path, read_header(path), kind).name
    except (LoadError, OSError):
        return len(LOAD_ORDER)
    return LOAD_ORDER.index(detected)


def load_paths(con: duckdb.DuckDBPyConnection, paths: Iterable[str | Path], settings: Settings,
               kind: str | None = None, on_file: Callable[[Path, LoadResult], None] | None = None,
               on_stage: Callable[[Path, str, float], None] | None = None) -> list[LoadResult]:
    """Load files (and folders) roster first; the interval facts of all of them are rebuilt once, at the end."""
    files = expand_paths(paths)
    files.sort(key=lambda f: (_order(f, kind), str(f)))
    results = []
    for f in files:
        result = load_file(con, f, settings, kind, on_stage, defer_facts=True)
        results.append(result)
        if on_file:
            on_file(f, result)
    if on_stage:
        on_stage(Path("interval facts"), "rebuilding", 0.0)
    with transaction(con):
        vocabulary.install(con, settings)
        facts.refresh_backlog(con, settings)
    return results
