"""A consistent copy of the database, and putting one back.

CHECKPOINT folds the write-ahead log into the database file; with no write in between (the caller holds the
only writing connection, or the app's write lock), a copy of that file is the database as of that moment,
sequences and all. The copy is checked by opening it before it takes the destination's name.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import duckdb

import store


class BackupError(Exception):
    """A backup or restore that could not be done; the message says why, and nothing was changed."""


@dataclass(frozen=True)
class Copied:
    path: Path
    bytes: int
    schema_version: int
    tables: dict[str, int]


_COUNTED = ("contacts", "agent_states", "schedule", "surveys", "load_manifest", "users", "audit_log")


def backup(con: duckdb.DuckDBPyConnection, db_path: Path, dest: Path) -> Copied:
    """Copy the open database `db_path` (through `con`, its writing connection) to `dest`, owner-only."""
    dest = Path(dest)
    if dest.is_dir():
        dest = dest / db_path.name
    if dest.resolve() == Path(db_path).resolve():
        raise BackupError(f"{dest}: that is the database itself; name another file")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = dest.with_name(f".{dest.name}.part")
    con.execute("CHECKPOINT")
    _copy_owner_only(Path(db_path), partial)
    try:
        checked = _check(partial)
    except BackupError:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, dest)
    return Copied(dest, dest.stat().st_size, checked[0], checked[1])


def restore(src: Path, db_path: Path) -> Copied:
    """Put the backup `src` in place of the database at `db_path`, which no process may hold open. The database
    it replaces is kept beside it as `<name>.before-restore`."""
    src, db_path = Path(src), Path(db_path)
    if not src.is_file():
        raise BackupError(f"{src}: no such backup file")
    version, _ = _check(src)
    if version > store.SCHEMA_VERSION:
        raise BackupError(f"{src}: made by a newer Floorview (schema {version}; this one knows {store.SCHEMA_VERSION})")
    store.connect(db_path).close()  # raises DatabaseLocked while the app (or a load) holds it
    partial = db_path.with_name(f".{db_path.name}.restoring")
    _copy_owner_only(src, partial)
    if db_path.exists():
        os.replace(db_path, db_path.with_name(db_path.name + ".before-restore"))
    store.wal_path(db_path).unlink(missing_ok=True)
    os.replace(partial, db_path)
    con = store.connect(db_path)  # migrates an older backup to this version's schema
    try:
        counts = _counts(con)
        version = store.schema_version(con)
    finally:
        con.close()
    return Copied(db_path, db_path.stat().st_size, version, counts)


def _copy_owner_only(src: Path, dest: Path) -> None:
    fd = os.open(dest, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out, src.open("rb") as inp:
        shutil.copyfileobj(inp, out, 1 << 22)
        out.flush()
        os.fsync(out.fileno())
    os.chmod(dest, 0o600)


def _check(path: Path) -> tuple[int, dict[str, int]]:
    """(schema version, row counts) of a database file, or BackupError if it is not a Floorview database."""
    try:
        con = store.connect(path, read_only=True)
    except duckdb.Error as err:
        raise BackupError(f"{path.name}: not a readable DuckDB database ({str(err).splitlines()[0]})") from None
    try:
        version = store.schema_version(con)
        if version == 0:
            raise BackupError(f"{path.name}: a DuckDB database, but not Floorview's (no schema version)")
        return version, _counts(con)
    finally:
        con.close()


def _counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    present = {t for (t,) in con.execute("SELECT table_name FROM duckdb_tables()").fetchall()}
    return {t: con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0]  # noqa: S608 - names from _COUNTED
            for t in _COUNTED if t in present}
