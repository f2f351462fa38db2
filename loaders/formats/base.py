"""What every vendor-format converter shares: the converted rows, the reasons for rows it could not convert,
and the vendor-id map.

A converter turns a vendor file into rows of one canonical kind (all values as text, plus `__line`, the
file line or record each row came from). The canonical loader then validates, rejects and merges them
exactly as it does a canonical file, so a vendor file gets the same errors, rejects and manifest.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from loaders.kinds import KINDS


class FormatError(Exception):
    """The file is not of the format, or is unreadable as a whole; the message names file and line."""


@dataclass
class Converted:
    kind: str
    rows: list[dict[str, Any]] = field(default_factory=list)  # canonical column -> text value, plus "__line"
    rejects: list[tuple[int, str | None, str | None, str]] = field(default_factory=list)  # line, field, value, why
    mapping: list[tuple[str, str]] = field(default_factory=list)  # (vendor field, canonical column), for inspect
    # A converter that keeps records of its own (live agent events) writes them here, inside the load's
    # transaction, after the rows are merged: (connection, load id, the upload's sites or None).
    after_merge: Callable[[duckdb.DuckDBPyConnection, int, tuple[str, ...] | None], None] | None = None
    events: int | None = None  # events kept, for a converter of events
    duplicates: int = 0  # records delivered again and ignored
    left_out: dict[str, int] = field(default_factory=dict)  # rows a profile leaves out on purpose, by why
    superseded: int = 0  # records replaced by a later update of the same thing in the file (not rejects)
    redelivered: int = 0  # records delivered again unchanged (at-least-once delivery), kept once
    _table: pa.Table | None = field(default=None, init=False, repr=False)

    def add(self, line: int, **values: object) -> None:
        self.rows.append({"__line": line, **{k: None if v is None or v == "" else str(v) for k, v in values.items()}})

    def reject(self, line: int, fld: str | None, value: object, reason: str) -> None:
        self.rejects.append((line, fld, None if value is None else str(value)[:200], reason))

    def table(self) -> pa.Table:
        """The rows as text columns of the kind (those any row has), plus `__line`; built once."""
        if self._table is None or self._table.num_rows != len(self.rows):
            # Every column when nothing converted, so an all-rejected file still stages (and says why).
            names = [c for c in KINDS[self.kind].names if not self.rows or any(c in r for r in self.rows)]
            columns = {c: pa.array([r.get(c) for r in self.rows], pa.string()) for c in names}
            columns["__line"] = pa.array([r["__line"] for r in self.rows], pa.int64())
            self._table = pa.table(columns)
        return self._table


class IdMap:
    """Vendor ids onto Floorview ids for one system (table `id_map`); an unmapped id passes unchanged."""

    def __init__(self, con: duckdb.DuckDBPyConnection, system: str) -> None:
        self._map: dict[tuple[str, str], str] = {(e, x): f for e, x, f in con.execute(
            "SELECT entity, external_id, floorview_id FROM id_map WHERE system = ?", [system]).fetchall()}

    def get(self, entity: str, external: str | None) -> str | None:
        if external is None or external == "":
            return None
        return self._map.get((entity, external), external)

    def mapped(self, entity: str, external: str | None) -> str | None:
        """Only an explicit mapping (None when there is none)."""
        return self._map.get((entity, external)) if external else None


def open_text(path: Path) -> io.TextIOBase:
    """The file as UTF-8 text (a byte-order mark dropped), gunzipped when it ends in .gz."""
    raw = gzip.open(path, "rb") if path.suffix.lower() == ".gz" else path.open("rb")  # noqa: SIM115 - closed with the wrapper
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def head(path: Path, n_bytes: int = 4096) -> str:
    """The start of the file as text, for format detection (empty when unreadable)."""
    try:
        with open_text(path) as fh:
            return fh.read(n_bytes)
    except (OSError, UnicodeDecodeError, EOFError):
        return ""


def lines(path: Path) -> Iterator[tuple[int, str]]:
    """(1-based line number, text) of a text file."""
    try:
        with open_text(path) as fh:
            yield from enumerate(fh, start=1)
    except UnicodeDecodeError:
        raise FormatError(f"{path.name}: not UTF-8 text; save the file as UTF-8") from None
    except (OSError, EOFError) as err:
        raise FormatError(f"{path.name}: unreadable ({err})") from None


def header_columns(first_line: str) -> set[str]:
    """The lower-case column names of a CSV header line, for detection."""
    return {c.strip().strip('"').lower() for c in first_line.split(",")}


def site_finder(con: duckdb.DuckDBPyConnection, ids: IdMap) -> Callable[[str | None, str | None], str | None]:
    """site_for(agent, queue): the agent's roster site, else the queue's site in id_map (entity queue_site),
    else the only site; None when none of these tells."""
    agent_sites: dict[str, str] = dict(con.execute("SELECT agent_id, site_id FROM agents").fetchall())
    sites: list[str] = [s for (s,) in con.execute("SELECT site_id FROM sites").fetchall()]

    def site_for(agent: str | None, queue: str | None) -> str | None:
        if agent and agent in agent_sites:
            return agent_sites[agent]
        return ids.mapped("queue_site", queue) or (sites[0] if len(sites) == 1 else None)
    return site_for


def csv_rows(path: Path, needed: tuple[str, ...] = ()) -> Iterator[tuple[int, dict[str, str]]]:
    """(line, {lower-case column: stripped value}) of a CSV export with a header line; blank lines skipped.
    Raises FormatError naming the file when it is empty or lacks a needed column."""
    with open_text(path) as fh:
        reader = csv.reader(fh)
        try:
            header = [h.strip().lower() for h in next(reader)]
        except StopIteration:
            raise FormatError(f"{path.name}: the file is empty") from None
        missing = [c for c in needed if c not in header]
        if missing:
            raise FormatError(f"{path.name}:1: missing column(s) {', '.join(missing)}")
        for row in reader:
            if any(c.strip() for c in row):
                yield reader.line_num, dict(zip(header, (c.strip() for c in row), strict=False))


def iso_utc(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value.tzinfo else value.isoformat(sep=" ")


def seconds_of(duration: str) -> float:
    """'135:40:34.625', '1:02:03', '02:03' or '95' (hours may exceed 24) to seconds; ValueError otherwise."""
    text = duration.strip()
    if not text:
        raise ValueError("empty duration")
    parts = text.split(":")
    if len(parts) > 3:
        raise ValueError(f"not a duration: {duration!r}")
    total = 0.0
    for part in parts:
        total = total * 60 + float(part)
    if total < 0:
        raise ValueError(f"negative duration: {duration!r}")
    return total
