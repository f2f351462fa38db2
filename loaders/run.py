"""Load many files: expand folders, order by kind (roster first), show progress, summarise."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from pathlib import Path

import duckdb

from loaders import csvfile, facts, formats, vocabulary
from loaders.canonical import LoadError, LoadResult, load_file, read_header, recover_interrupted, resolve_kind
from loaders.kinds import LOAD_ORDER
from settings import Settings
from store import transaction

LOADABLE_SUFFIXES = (".csv", ".parquet", ".pq", ".txt", ".json", ".jsonl", ".gz", ".dat", ".psv", ".xlsx", ".xlsm")
NOT_EXPORTS = ("stories.json",)  # the demo's guided-tour file sits beside its exports


def expand_paths(paths: Iterable[str | Path]) -> list[Path]:
    """Files as given, and the loadable files inside any folder given (sorted, not recursive)."""
    return scan_paths(paths)[0]


def scan_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[tuple[Path, str]]]:
    """(files to load, (entry, why it is skipped) for what a folder holds that is not loaded). A file named
    on its own is always tried, so a problem with it is reported by the load."""
    files: list[Path] = []
    skipped: list[tuple[Path, str]] = []
    for p in map(Path, paths):
        if not p.is_dir():
            files.append(p)
            continue
        for entry in sorted(p.iterdir()):
            why = _why_skipped(entry)
            if why is None:
                files.append(entry)
            elif why:
                skipped.append((entry, why))
    return files, skipped


def waiting_name(path: Path) -> bool:
    """A name that says the file is not finished yet (write-then-rename), or is not for loading."""
    return path.name.startswith(".") or path.suffix.lower() in (".part", ".tmp")


def _why_skipped(entry: Path) -> str | None:
    """Why a folder entry is not loaded ("" for what is not an export at all), or None to load it."""
    if entry.name in NOT_EXPORTS:
        return ""
    if waiting_name(entry):
        return "a hidden or temporary name (a file still being written?)"
    if entry.is_symlink() and not entry.exists():
        return "a broken symlink or a symlink loop"
    if entry.is_dir():
        return "a folder (folders inside a folder are not searched)"
    if not entry.is_file():
        return "not a regular file (a FIFO, socket or device)"
    if entry.suffix.lower() not in LOADABLE_SUFFIXES:
        try:
            binary = csvfile.what_binary(entry)
        except OSError as err:
            return f"cannot be read ({err.strerror})"
        return binary or f"not a {', '.join(LOADABLE_SUFFIXES)} file"
    return None


def _order(path: Path, kind: str | None, fmt: str | None, profile: str | None, settings: Settings) -> int:
    """Roster kinds load before the facts that reference them (vendor files by the kind they become);
    undetectable files go last."""
    if not path.is_file():  # a FIFO or a missing file: never opened here (a FIFO would block); load_file says why
        return len(LOAD_ORDER)
    if profile and profile in settings.profiles:
        return LOAD_ORDER.index(settings.profiles[profile].kind) if settings.profiles[profile].kind in LOAD_ORDER else 0
    vendor = fmt or formats.detect(path)
    if vendor in formats.FORMATS:
        return LOAD_ORDER.index(formats.FORMATS[vendor].kind)
    try:
        return LOAD_ORDER.index(resolve_kind(path, read_header(path), kind).name)
    except (LoadError, OSError):
        return len(LOAD_ORDER)


def load_paths(con: duckdb.DuckDBPyConnection, paths: Iterable[str | Path], settings: Settings,
               kind: str | None = None, on_file: Callable[[Path, LoadResult], None] | None = None,
               on_stage: Callable[[Path, str, float], None] | None = None, fmt: str | None = None,
               profile: str | None = None, sites: tuple[str, ...] | None = None,
               newest_first: bool = False) -> list[LoadResult]:
    """Load files (and folders) roster first; the interval facts of all of them are rebuilt once, at the end
    (with `newest_first`, only each site's newest day: the rest stay in the backlog for `build_backlog`).
    With `sites`, only rows of those sites load (see `load_file`)."""
    recover_interrupted(con)
    files = expand_paths(paths)
    files.sort(key=lambda f: (_order(f, kind, fmt, profile, settings), str(f)))
    results = []
    for f in files:
        result = load_file(con, f, settings, kind, on_stage, defer_facts=True, fmt=fmt, profile=profile, sites=sites)
        results.append(result)
        if on_file:
            on_file(f, result)
    if on_stage:
        on_stage(Path("interval facts"), "rebuilding, each site's newest day first" if newest_first else "rebuilding",
                 0.0)
    build_backlog(con, settings, newest_only=newest_first)
    return results


def build_backlog(con: duckdb.DuckDBPyConnection, settings: Settings, newest_only: bool = False) -> int:
    """Build the interval facts loads left in `fact_backlog` (or each site's newest day of them), in one
    transaction; returns site-days done."""
    with transaction(con):
        vocabulary.install(con, settings)
        return facts.refresh_backlog(con, settings, newest_only)
