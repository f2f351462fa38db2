"""Load one canonical CSV or Parquet file: parse -> validate -> stage -> merge, in one transaction.

Good rows are merged (a newer row for a natural key replaces the older one); bad rows go to `rejects`
with file, line, field, value and reason; a file that cannot be read at all leaves the database as it
was and is recorded in `load_manifest` as failed.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from loaders import csvfile, facts, follow_ups, formats, limits, localtime, validate, vocabulary, workbook
from loaders.formats import Converted
from loaders.kinds import KINDS, Kind, detect_kind
from settings import Settings
from store import transaction


class LoadError(Exception):
    """A whole file cannot be loaded; the message names the file and what is wrong."""


@dataclass
class LoadResult:
    file: str
    kind: str | None
    status: str  # "loaded" or "failed"
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    message: str = ""
    load_id: int | None = None
    sample_rejects: list[tuple[int | None, str, str | None, str]] = field(default_factory=list)
    format: str | None = None  # the vendor format or mapping profile it was read with (None: canonical)
    events: int | None = None  # of a file of agent-state events: the new events kept
    duplicates: int = 0  # records delivered again and ignored (agent-state events)
    left_out: dict[str, int] = field(default_factory=dict)  # rows a mapping profile left out, by why (not rejects)
    clipped: int = 0  # rows with an instant clipped to an earlier one (clock skew within data.clock_skew_s)
    superseded: int = 0  # vendor records replaced by a later update in the same file
    redelivered: int = 0  # vendor records delivered again unchanged
    follow_ups: int = 0  # survey responses that opened a follow-up case or a sales lead

    @property
    def described_kind(self) -> str | None:
        return f"{self.kind} from {self.format}" if self.format and self.kind else self.kind

    def summary(self) -> str:
        if self.status == "failed":
            return f"FAILED  {self.file}: {self.message}"
        events = "" if self.events is None else (f" ({self.events:,} new events, {self.duplicates:,} delivered "
                                                  "again and ignored)")
        left_out = "".join(f", {n:,} left out ({why})" for why, n in self.left_out.items())
        if self.clipped:
            left_out += f", {self.clipped:,} clipped (clock skew)"
        if self.superseded:
            left_out += f", {self.superseded:,} replaced by a later update"
        if self.redelivered:
            left_out += f", {self.redelivered:,} delivered again and kept once"
        if self.follow_ups:
            left_out += f", {self.follow_ups:,} follow-up case(s) opened"
        line = (f"loaded  {self.file} [{self.described_kind}]: {self.rows_loaded:,} rows loaded, "
                f"{self.rows_rejected:,} rejected{left_out}{events}")
        if self.all_rejected:
            line += (f"\n    every row was rejected: was this file read as the right thing ({self.described_kind})? "
                     f"`floorview inspect {Path(self.file).name}` shows how it is read; name its format with "
                     "--format, or read it through a mapping profile with --profile")
        return line

    @property
    def all_rejected(self) -> bool:
        """Rows were read and every one was rejected: most likely the file was read as the wrong format."""
        return self.status == "loaded" and self.rows_loaded == 0 and self.rows_rejected > 0 and not (
            self.duplicates or self.redelivered or self.superseded or self.left_out)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def is_parquet(path: Path) -> bool:
    return path.suffix.lower() in (".parquet", ".pq")


def read_header(path: Path) -> list[str]:
    """Column names of a CSV or Parquet file; raises LoadError for empty or unreadable files."""
    if is_parquet(path):
        try:
            return [name.strip().lower() for name in pq.read_schema(path).names]
        except Exception as err:  # noqa: BLE001 - any pyarrow failure means an unreadable file
            raise LoadError(f"{path.name}: not a readable Parquet file ({err})") from None
    try:
        text = csvfile.header_line(path)
    except csvfile.NotReadable as err:
        raise LoadError(str(err)) from None
    header = [h.strip().strip('"').lower() for h in text.split(",")]
    repeated = sorted({h for h in header if h and header.count(h) > 1})
    if repeated:
        raise LoadError(f"{path.name}:1: the header names {', '.join(repeated)} more than once")
    return header


def resolve_kind(path: Path, header: list[str], kind: str | None) -> Kind:
    if kind:
        if kind not in KINDS:
            raise LoadError(f"{path.name}: unknown kind {kind!r}; one of {', '.join(KINDS)}")
        found = KINDS[kind]
    else:
        detected = detect_kind(header)
        if detected is None:
            raise LoadError(
                f"{path.name}: cannot tell what kind of export this is from its header "
                f"({', '.join(header[:8])}{'…' if len(header) > 8 else ''}): a canonical file names its kind with "
                "--kind; a vendor's export its format with --format; any other layout needs a mapping profile "
                "(--profile; `floorview profile suggest FILE` proposes one)"
            )
        found = KINDS[detected]
    missing = [c for c in found.required if c not in header]
    if missing:
        raise LoadError(f"{path.name}:1: missing required column(s) for {found.name}: {', '.join(missing)}")
    return found


@dataclass(frozen=True)
class Source:
    """A canonical file being read: as named, what DuckDB opens (never a glob), its header, gzip or not."""
    path: Path
    read_as: str
    header: list[str]
    gz: bool


def file_rows(src: Source, present: list[str]) -> tuple[str, list[Any]]:
    """A subquery reading the file's columns of this kind as text, in file order, and its parameters. Lines that
    cannot be parsed go to `reject_errors` (DuckDB's rejects table)."""
    if is_parquet(src.path):
        cols = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in present)
        return f"(SELECT {cols} FROM read_parquet(?))", [src.read_as]  # noqa: S608 - names from the declaration
    quoted = ", ".join(f'"{c}"' for c in present)
    rows, params = csvfile.csv_rows_sql(src.header, src.gz)
    return f"(SELECT {quoted} FROM {rows})", [src.read_as, *params]  # noqa: S608


def _parse_rejects(con: duckdb.DuckDBPyConnection, path: Path) -> list[tuple[Any, ...]]:
    """(record number, column, error type, message, byte offset) of the lines DuckDB could not parse; the record
    number counts the header as 1, like a line number in a file whose records are one line each."""
    if is_parquet(path):  # no lines to parse
        return []
    return con.execute(
        "SELECT line, column_name, error_type, error_message, line_byte_position FROM reject_errors ORDER BY line"
    ).fetchall()


def _line_mapper(parse_rejects: list[tuple[Any, ...]], n_good: int, parquet: bool) -> Callable[[int], int]:
    """Map a staged row number to its file line: CSV lines skip the header and unparseable lines."""
    if parquet:
        return lambda rn: int(rn) + 1  # Parquet has no lines: report the 1-based row number
    bad_lines = np.unique(np.array([r[0] for r in parse_rejects], dtype=np.int64))
    total = n_good + len(bad_lines)
    lines = np.setdiff1d(np.arange(2, total + 2, dtype=np.int64), bad_lines, assume_unique=True)
    return lambda rn: int(lines[int(rn)])


StageCallback = Callable[[Path, str, float], None]


def _canonical_workbook(path: Path, kind: str | None) -> tuple[Kind, list[str], Converted | None, str | None]:
    """A workbook whose first sheet has a canonical header: its rows, with their Excel row numbers as lines."""
    try:
        header, records = workbook.sheet_rows(path)
    except workbook.WorkbookError as err:
        raise LoadError(str(err)) from None
    header = [h.strip().lower() for h in header]
    spec = resolve_kind(path, header, kind)
    converted = Converted(spec.name, mapping=[(h, h) for h in header if h in spec.names])
    for line, row in records:
        converted.add(line, **{c: row.get(c) for c in header if c in spec.names})
    return spec, [c for c in converted.table().column_names if c != "__line"], converted, "workbook"


def open_source(con: duckdb.DuckDBPyConnection, path: Path, settings: Settings, kind: str | None = None,
                fmt: str | None = None, profile: str | None = None) -> tuple[Kind, list[str], Converted | None, str | None]:
    """What the file is: (kind, columns, converted rows or None for a canonical file, format name).

    A canonical header wins; otherwise the content names a vendor format; `--format`/`--profile` force one. An
    Excel workbook's first sheet is read like a canonical file (a profile can name another sheet)."""
    if not (fmt or profile) and workbook.is_workbook(path):
        return _canonical_workbook(path, kind)
    if not (fmt or profile):
        try:
            header = read_header(path)
        except LoadError:
            header = None  # JSON, gzip … : maybe a vendor format
        if header is not None and (kind or detect_kind(header)):
            return resolve_kind(path, header, kind), header, None, None
        fmt = formats.detect(path)
        if fmt is None:
            resolve_kind(path, read_header(path), kind)  # raises the canonical loader's clear error
    try:
        converted = formats.convert(path, fmt or "", con, settings, profile)
    except formats.FormatError as err:
        raise LoadError(str(err) if str(err).startswith(path.name) else f"{path.name}: {err}") from None
    header = [c for c in converted.table().column_names if c != "__line"]
    return KINDS[converted.kind], header, converted, (f"profile {profile}" if profile else fmt)


def load_file(con: duckdb.DuckDBPyConnection, path: Path, settings: Settings, kind: str | None = None,
              on_stage: StageCallback | None = None, defer_facts: bool = False, fmt: str | None = None,
              profile: str | None = None, sites: tuple[str, ...] | None = None) -> LoadResult:
    """Load one file in its own transaction and record it in the manifest (also when it fails). With `sites`
    (a manager's upload) only rows of those sites load; the others are rejected, and roster files refused.

    With `defer_facts` the interval facts are not rebuilt here: the site-days go to `fact_backlog` for
    `facts.refresh_backlog`, so a folder of files rebuilds each fact table once. A vendor file (detected,
    or named by `fmt`) or a file read through a mapping `profile` is converted to canonical rows first."""
    path = Path(path)
    started = datetime.now(UTC).replace(tzinfo=None)
    result = LoadResult(file=str(path), kind=kind, status="failed")
    digest: Future[str] | None = None
    with transaction(con):  # committed at once: a load killed half-way leaves this row, found by the next one
        result.load_id = _next_load_id(con)
        _begin(con, result, started)
    try:
        try:
            csvfile.refuse_special(path)
        except csvfile.NotReadable as err:
            raise LoadError(str(err)) from None
        before = csvfile.FileStamp.of(path)
        digest = _hash_in_background(path)
        spec, header, converted, result.format = open_source(con, path, settings, kind, fmt, profile)
        result.kind = spec.name
        if converted is not None:
            result.events, result.duplicates = converted.events, converted.duplicates
            result.left_out = dict(converted.left_out)
            result.superseded, result.redelivered = converted.superseded, converted.redelivered
        with transaction(con), reading(path, header, converted) as src:
            _load_rows(con, src, spec, settings, result, on_stage or (lambda *_: None), defer_facts, converted,
                       sites)
            if csvfile.FileStamp.of(path) != before:
                raise LoadError(f"{path.name}: the file changed while it was being loaded, so nothing from it was "
                                "kept; load it again once whatever writes it has finished")
            result.status = "loaded"
            _record(con, result, digest.result(), started)
    except LoadError as err:
        result.message = str(err)
    except duckdb.Error as err:
        result.message = f"{path.name}: {_first_line(err)}"
    if result.status == "failed":
        result.rows_loaded = result.rows_rejected = 0
        result.events = None if result.events is None else 0
        with transaction(con):
            _record(con, result, _digest_if_readable(digest), started)
    return result


@contextlib.contextmanager
def reading(path: Path, header: list[str], converted: Converted | None) -> Iterator[Source]:
    """The file as DuckDB reads it (a vendor file is already converted: no reading at all)."""
    if converted is not None:
        yield Source(path, str(path), header, False)
        return
    gz = not is_parquet(path) and csvfile.is_gzip(path)
    suffix = ".parquet" if is_parquet(path) else ".csv.gz" if gz else ".csv"
    with csvfile.literal_source(path, suffix) as read_as:
        yield Source(path, read_as, header, gz)


INTERRUPTED = ("the load stopped before it finished (the process ended or was killed); nothing from it was kept; "
               "load the file again")


def recover_interrupted(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str, datetime]]:
    """Mark loads a killed process left unfinished as `interrupted`; returns their (load id, file, start).
    DuckDB lets one process write, so a load still marked `loading` by another process's run is dead."""
    with transaction(con):
        return con.execute("""UPDATE load_manifest SET status = 'interrupted', message = ?
                              WHERE status = 'loading' RETURNING load_id, file_name, started_at""",
                           [INTERRUPTED]).fetchall()


def _hash_in_background(path: Path) -> Future[str]:
    """The file's sha256, read in a thread while DuckDB loads it (hashlib lets go of the GIL)."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sha256")
    digest = pool.submit(sha256_of, path)
    pool.shutdown(wait=False)  # the one task still runs; the pool's thread ends with it
    return digest


def _digest_if_readable(digest: Future[str] | None) -> str | None:
    try:
        return digest.result() if digest is not None else None
    except OSError:
        return None


def _first_line(err: Exception) -> str:
    return str(err).strip().splitlines()[0]


def _next_load_id(con: duckdb.DuckDBPyConnection) -> int:
    return int(con.execute("SELECT nextval('load_id_seq')").fetchall()[0][0])


def _begin(con: duckdb.DuckDBPyConnection, r: LoadResult, started: datetime) -> None:
    con.execute("INSERT INTO load_manifest (load_id, file_name, kind, started_at, status) VALUES (?, ?, ?, ?, 'loading')",
                [r.load_id, Path(r.file).name, r.kind, started])


def _record(con: duckdb.DuckDBPyConnection, r: LoadResult, digest: str | None, started: datetime) -> None:
    con.execute(
        """UPDATE load_manifest SET sha256 = ?, kind = ?, rows_read = ?, rows_loaded = ?, rows_rejected = ?,
               started_at = ?, finished_at = ?, status = ?, message = ? WHERE load_id = ?""",
        [digest, r.described_kind, r.rows_read, r.rows_loaded, r.rows_rejected, started,
         datetime.now(UTC).replace(tzinfo=None), r.status, r.message, r.load_id],
    )


def _count_and_first_rowid(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, int]:
    """Rows in a table just written, and the first one's rowid: rows written inside a transaction are numbered
    from a large offset, which is subtracted to give row numbers."""
    return con.execute(f"SELECT count(*), coalesce(min(rowid), 0) FROM {table}").fetchall()[0]  # noqa: S608


def _text_rows(con: duckdb.DuckDBPyConnection, src: Source, kind: Kind, present: set[str],
               converted: Converted | None) -> tuple[str, list[Any]]:
    """A subquery giving the rows' columns of this kind as text, in file order, and its parameters. Each read of
    a CSV file records the lines it cannot parse in `reject_errors`."""
    if converted is not None:
        con.register("converted_rows", converted.table().drop_columns(["__line"]))
        return "(SELECT * FROM converted_rows)", []
    con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
    return file_rows(src, [c for c in kind.names if c in present])


def _check_rows(con: duckdb.DuckDBPyConnection, src: Source, kind: Kind,
                converted: Converted | None) -> tuple[list[tuple[Any, ...]], int]:
    """Type and check every row: view `checked` (__rn, t_<col>, __bad) and table `bad` (__rn, field, value,
    reason). Returns the CSV parse rejects and the number of rows read.

    A clean file in UTC (the usual export) is read, typed and checked in one pass. Only when some row has a
    local time or may be bad does a second pass add row numbers, time zones and lookups; only when a row is bad
    is the file's raw text read again, for the values the rejects show."""
    present = {c for c in kind.names if c in src.header}
    con.execute("DROP VIEW IF EXISTS checked; DROP TABLE IF EXISTS checked_rows; DROP TABLE IF EXISTS checked_settled; "
                "DROP TABLE IF EXISTS bad")
    rows, params = _text_rows(con, src, kind, present, converted)
    con.execute(f"CREATE TEMP TABLE checked_rows AS {validate.clean_select(kind, present, rows)}", params)
    parse_rejects = _parse_rejects(con, src.path) if converted is None else []
    n_rows, first_rowid = _count_and_first_rowid(con, "checked_rows")
    if _settle(con, kind, present, first_rowid):
        _reject_bad_rows(con, src, kind, present, converted)
    else:
        con.execute("CREATE TEMP TABLE bad (__rn BIGINT, field VARCHAR, value VARCHAR, reason VARCHAR)")
    if converted is not None:
        con.unregister("converted_rows")
    return parse_rejects, n_rows


def _settle(con: duckdb.DuckDBPyConnection, kind: Kind, present: set[str], first_rowid: int) -> int:
    """View `checked` over the first pass's `checked_rows`, through the second pass when some row has a local
    time or may fail a lookup; returns the number of rows flagged bad."""
    first_local, last_local = validate.local_range(kind, present)
    local, flagged, first, last = con.execute(f"""
        SELECT count(*) FILTER ({validate.local_times(kind, present)}),
               count(*) FILTER (__bad OR {validate.lookup_failures(kind, present)}), {first_local}, {last_local}
        FROM checked_rows""").fetchall()[0]  # noqa: S608
    if not (local or flagged):
        con.execute(f"CREATE TEMP VIEW checked AS {validate.numbered_select(kind, present, first_rowid, 'checked_rows')}")
        return 0
    if local:
        localtime.build_shifts(con, first, last)
    con.execute(f"CREATE TEMP TABLE checked_settled AS "
                f"{validate.settled_select(kind, present, first_rowid, bool(local), 'checked_rows')}")
    con.execute("DROP TABLE checked_rows")
    con.execute("CREATE TEMP VIEW checked AS SELECT * FROM checked_settled")
    return int(con.execute("SELECT count(*) FROM checked WHERE __bad").fetchall()[0][0])


def _reject_bad_rows(con: duckdb.DuckDBPyConnection, src: Source, kind: Kind, present: set[str],
                     converted: Converted | None) -> None:
    """Table `bad`: one row per problem of the flagged rows, with the raw text read again (the same read, so the
    same rows in the same order)."""
    rows, params = _text_rows(con, src, kind, present, converted)
    con.execute(f"CREATE OR REPLACE TEMP TABLE stg_raw AS SELECT * FROM {rows}", params)  # noqa: S608
    _, first_rowid = _count_and_first_rowid(con, "stg_raw")
    con.execute(f"CREATE OR REPLACE TEMP TABLE bad_rows AS {validate.raw_of_bad_rows(kind, present, first_rowid, 'checked', 'stg_raw')}")
    con.execute("DROP TABLE stg_raw")
    con.execute(f"CREATE TEMP TABLE bad AS {validate.reject_union(kind, present, 'bad_rows')}")


def _load_rows(con: duckdb.DuckDBPyConnection, src: Source, kind: Kind, settings: Settings, result: LoadResult,
               on_stage: StageCallback, defer_facts: bool, converted: Converted | None = None,
               sites: tuple[str, ...] | None = None) -> None:
    path = src.path
    on_stage(path, "reading", 0.0)
    vocabulary.install(con, settings)
    limits.install(con, settings)
    parse_rejects, n_staged = _check_rows(con, src, kind, converted)
    if sites is not None:
        _reject_outside(con, path, kind, sites)
    on_stage(path, "checking", 0.4)

    # Within one file the later row for a key wins; the earlier is kept as a reject naming its successor.
    # Keys that occur more than once are found first (a hash aggregate), so the window runs over few rows.
    key_cols = ", ".join(f"t_{k}" for k in kind.key)
    same_key = " AND ".join(f"c.t_{k} IS NOT DISTINCT FROM d.t_{k}" for k in kind.key)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE dupes AS
        WITH repeated AS (SELECT {key_cols} FROM checked WHERE NOT __bad GROUP BY ALL HAVING count(*) > 1)
        SELECT __rn, kept FROM (
            SELECT c.__rn, max(c.__rn) OVER (PARTITION BY {', '.join(f'c.t_{k}' for k in kind.key)}) AS kept
            FROM checked c SEMI JOIN repeated d ON {same_key} WHERE NOT c.__bad)
        WHERE __rn <> kept""")  # noqa: S608
    con.execute("""
        CREATE OR REPLACE TEMP VIEW good AS
        SELECT * FROM checked WHERE NOT __bad AND __rn NOT IN (SELECT __rn FROM dupes)
                              AND __rn NOT IN (SELECT __rn FROM bad)""")
    if converted is not None:  # each converted row carries the line (or record) it came from
        source_lines = converted.table()["__line"].to_numpy()
        to_line = lambda rn: int(source_lines[int(rn)])  # noqa: E731
    else:
        to_line = _line_mapper(parse_rejects, n_staged, is_parquet(path))
        # Lines matter only for rejects: a clean file is not read again to count its lines.
        any_rejects = bool(parse_rejects) or con.execute(
            "SELECT EXISTS (FROM bad) OR EXISTS (FROM dupes)").fetchall()[0][0]
        physical = (csvfile.physical_lines(path, n_staged, [r[4] for r in parse_rejects])
                    if any_rejects and not is_parquet(path) else None)
        if physical is not None:  # quoted newlines or blank lines: records are not lines
            starts, reject_lines = physical
            to_line = lambda rn: int(starts[int(rn)])  # noqa: E731
            parse_rejects = [(line, *r[1:]) for line, r in zip(reject_lines, parse_rejects, strict=True)]

    unconverted = converted.rejects if converted is not None else []
    rejects = _collect_rejects(con, kind, parse_rejects, to_line, unconverted)
    result.rows_read = n_staged + len({r[0] for r in parse_rejects}) + len({r[0] for r in unconverted})
    if converted is not None:  # records counted as replaced or delivered again were read too
        result.rows_read += converted.superseded + converted.redelivered
    result.rows_rejected = len(set(rejects["line"].to_pylist()))
    result.rows_loaded = con.execute("SELECT count(*) FROM good").fetchall()[0][0]
    result.sample_rejects = [(r["line"], r["field"], r["value"], r["reason"]) for r in rejects.slice(0, 20).to_pylist()]
    if rejects.num_rows:
        con.register("new_rejects", rejects)
        con.execute("INSERT INTO rejects BY NAME SELECT ? AS load_id, ? AS file_name, line, field, value, reason, "
                    "site_id FROM new_rejects", [result.load_id, path.name])
        con.unregister("new_rejects")
    con.execute(f"""INSERT INTO load_sites SELECT ?, site, count(*) FROM (SELECT {_site_of_row(kind, 'g')} AS site
                    FROM good g) GROUP BY site""", [result.load_id])  # noqa: S608 - from the kind's declaration
    on_stage(path, "merging", 0.6)
    assert result.load_id is not None  # given when the file was entered in the manifest
    result.clipped = _count_skewed(con, kind)
    window = _merge(con, kind, settings, result.load_id)
    if converted is not None and converted.after_merge is not None:
        converted.after_merge(con, result.load_id, sites)
    if kind.name == "surveys":  # the HOTLINE: unhappy customers (and sales leads) become follow-up cases
        result.follow_ups = follow_ups.detect(con, settings, result.load_id)
    on_stage(path, "interval facts", 0.75)
    if kind.name in facts.FACTS_OF_KIND and defer_facts:
        facts.defer(con, facts.FACTS_OF_KIND[kind.name], window)
    elif kind.name in facts.FACTS_OF_KIND:
        facts.refresh(con, settings, facts.FACTS_OF_KIND[kind.name], window=window)
    elif kind.name == "agents":
        facts.retag_teams(con)


def _reject_outside(con: duckdb.DuckDBPyConnection, path: Path, kind: Kind, sites: tuple[str, ...]) -> None:
    """Rows of sites outside `sites` become rejects (in `bad`); a roster file concerns every site: refused."""
    if kind.roster:
        raise LoadError(f"{path.name}: a {kind.name} file changes the roster of every site; only the control desk "
                        "loads it")
    site = _site_of_row(kind)  # an expression from the kind's declaration
    con.execute(f"""INSERT INTO bad SELECT c.__rn, 'site_id', {site}, ? FROM checked c
                    WHERE NOT c.__bad AND NOT list_contains(?, coalesce({site}, ''))""",  # noqa: S608
                [f"outside your sites ({', '.join(sites)}): not loaded", list(sites)])


def _site_of_row(kind: Kind, alias: str = "c") -> str:
    """SQL for the site of a checked row: its own site_id, its agent's (as the roster stands), or unknown."""
    if "site_id" in kind.names and "agent_id" in kind.names:  # a survey: its agent's site, else its own
        return (f"coalesce((SELECT a.site_id FROM agents a WHERE a.agent_id = {alias}.t_agent_id), "  # noqa: S608
                f"{alias}.t_site_id)")
    if "site_id" in kind.names:
        return f"{alias}.t_site_id"
    if "agent_id" in kind.names:
        return f"(SELECT a.site_id FROM agents a WHERE a.agent_id = {alias}.t_agent_id)"  # noqa: S608
    return "NULL"


_PARSE_REASONS = {
    "MISSING COLUMNS": "line has too few fields (truncated?)",
    "TOO MANY COLUMNS": "line has too many fields",
    "INVALID ENCODING": "not UTF-8 text; save the file as UTF-8",
    "UNQUOTED VALUE": "badly quoted value",
    "LINE SIZE OVER MAXIMUM": f"line longer than {csvfile.MAX_LINE_BYTES:,} bytes",
}


def _parse_reason(error_type: str, message: str) -> str:
    if error_type == "UNQUOTED VALUE" and "unterminated" in message:
        return "a quote is opened and never closed, so the value runs on (truncated file?)"
    return _PARSE_REASONS.get(error_type, message)


def _collect_rejects(con: duckdb.DuckDBPyConnection, kind: Kind, parse_rejects: list[tuple[Any, ...]],
                     to_line: Callable[[int], int], unconverted: Sequence[tuple[Any, ...]] = ()) -> pa.Table:
    """Every problem as (line, field, value, reason), ordered by line; `unconverted` are the vendor records
    the converter could not turn into rows."""
    lines: list[int] = [r[0] for r in unconverted]
    fields: list[str | None] = [r[1] for r in unconverted]
    values: list[str | None] = [r[2] for r in unconverted]
    reasons: list[str] = [r[3] for r in unconverted]
    seen: set[tuple[int, str]] = set()
    for line, column, error_type, message, _offset in parse_rejects:
        reason = _parse_reason(error_type, message)
        if (line, reason) in seen:  # a truncated line is reported once, not once per missing field
            continue
        seen.add((line, reason))
        lines.append(int(line))
        fields.append(column)
        values.append(None)
        reasons.append(reason)
    site = _site_of_row(kind)  # an expression from the kind's declaration
    with_site = "SELECT x.*, {site} AS site FROM {table} x LEFT JOIN checked c USING (__rn) ORDER BY x.__rn"
    bad = con.sql(with_site.format(site=site, table="bad")).to_arrow_table()
    keys = ", ".join(kind.key)
    dupes = con.sql(with_site.format(site=site, table="dupes")).to_arrow_table()
    bad_lines = [to_line(rn) for rn in bad["__rn"].to_pylist()]
    dupe_lines = [to_line(rn) for rn in dupes["__rn"].to_pylist()]
    table = pa.table({
        "line": pa.array(lines + bad_lines + dupe_lines, pa.int64()),
        "field": pa.array(fields + bad["field"].to_pylist() + [keys] * len(dupe_lines), pa.string()),
        "value": pa.array(values + bad["value"].to_pylist() + [None] * len(dupe_lines), pa.string()),
        "reason": pa.array(reasons + bad["reason"].to_pylist()
                           + [f"duplicate key ({keys}); replaced by line {to_line(k)}" for k in dupes["kept"].to_pylist()],
                           pa.string()),
        "site_id": pa.array([None] * len(lines) + bad["site"].to_pylist() + dupes["site"].to_pylist(), pa.string()),
    })
    return table.sort_by([("line", "ascending")])


def _count_skewed(con: duckdb.DuckDBPyConnection, kind: Kind) -> int:
    """Incoming rows with an instant (just) before one it must follow: two systems' clocks, clipped at the merge."""
    if not kind.skew_tolerant:
        return 0
    cond = " OR ".join(f"t_{b} < t_{a}" for a, b in kind.skew_tolerant)
    return int(con.execute(f"SELECT count(*) FROM good WHERE {cond}").fetchall()[0][0])  # noqa: S608 - declared


def _merge(con: duckdb.DuckDBPyConnection, kind: Kind, settings: Settings, load_id: int) -> facts.Window:
    """Replace stored rows that share a natural key with an incoming row, then insert the incoming rows; returns
    the site-days whose facts that changes (read before the replaced rows go)."""
    columns = list(kind.names)
    values = []
    for col in columns:
        if kind.name == "agent_states" and col == "state":
            values.append("(SELECT category FROM vocab_states v WHERE v.code = good.t_state)")
        elif kind.name == "forecast" and col == "interval_minutes":
            values.append(f"coalesce(t_interval_minutes, {int(settings.data.interval_minutes)})")
        elif earlier := [a for a, b in kind.skew_tolerant if b == col]:
            # Clipped to the instants it must not precede (within the tolerance the validation allowed).
            values.append(f"CASE WHEN t_{col} IS NOT NULL THEN greatest(t_{col}, {', '.join(f't_{a}' for a in earlier)}) END")
        else:
            values.append(f"t_{col}")
    if not kind.roster:
        columns.append("load_id")
        values.append(str(int(load_id)))
    cond = " AND ".join(f"t.{k} IS NOT DISTINCT FROM g.t_{k}" for k in kind.key)
    window = (facts.touched_by(con, kind, "good", int(settings.fcr.window_days))
              if kind.name in facts.FACTS_OF_KIND else facts.Window())
    con.execute(f"DELETE FROM {kind.table} t WHERE EXISTS (SELECT 1 FROM good g WHERE {cond})")  # noqa: S608
    col_list = ", ".join(columns)
    con.execute(f"INSERT INTO {kind.table} ({col_list}) SELECT {', '.join(values)} FROM good")  # noqa: S608
    return window
