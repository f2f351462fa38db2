"""Load one canonical CSV or Parquet file: parse -> validate -> stage -> merge, in one transaction.

Good rows are merged (a newer row for a natural key replaces the older one); bad rows go to `rejects`
with file, line, field, value and reason; a file that cannot be read at all leaves the database as it
was and is recorded in `load_manifest` as failed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from loaders import facts, formats, validate, vocabulary
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

    @property
    def described_kind(self) -> str | None:
        return f"{self.kind} from {self.format}" if self.format and self.kind else self.kind

    def summary(self) -> str:
        if self.status == "failed":
            return f"FAILED  {self.file}: {self.message}"
        return (f"loaded  {self.file} [{self.described_kind}]: {self.rows_loaded:,} rows loaded, "
                f"{self.rows_rejected:,} rejected")


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
    with path.open("rb") as fh:
        first = fh.readline()
    if not first.strip():
        raise LoadError(f"{path.name}: the file is empty (no header line)")
    try:
        text = first.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise LoadError(f"{path.name}:1: the header line is not UTF-8; save the file as UTF-8") from None
    return [h.strip().strip('"').lower() for h in text.rstrip("\r\n").split(",")]


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
                f"({', '.join(header[:8])}{'…' if len(header) > 8 else ''}); pass --kind"
            )
        found = KINDS[detected]
    missing = [c for c in found.required if c not in header]
    if missing:
        raise LoadError(f"{path.name}:1: missing required column(s) for {found.name}: {', '.join(missing)}")
    return found


def _stage(con: duckdb.DuckDBPyConnection, path: Path, kind: Kind, header: list[str],
           converted: Converted | None = None) -> list[tuple]:
    """Create temp table `stg_raw` (all VARCHAR, in file order: its rowid is the row number); return CSV parse
    rejects (line, column, message)."""
    present = [c for c in kind.names if c in header]
    con.execute("DROP TABLE IF EXISTS stg_raw")
    if converted is not None:
        con.register("converted_rows", converted.table().drop_columns(["__line"]))
        con.execute("CREATE TEMP TABLE stg_raw AS SELECT * FROM converted_rows")
        con.unregister("converted_rows")
        return []
    con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
    con.execute(f"CREATE TEMP TABLE stg_raw AS SELECT * FROM {_file_rows(path, present)}", [str(path)])  # noqa: S608
    return _parse_rejects(con, path)


# Every field as text; lines that cannot be parsed go to `reject_errors` (DuckDB's rejects table).
_CSV_ROWS = ("read_csv(?, header = true, all_varchar = true, store_rejects = true, auto_detect = true, delim = ',', "
             "quote = '\"')")


def _file_rows(path: Path, present: list[str]) -> str:
    """A subquery reading the file's columns of this kind as text, in file order (one parameter: the path)."""
    if is_parquet(path):
        cols = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{c}"' for c in present)
        return f"(SELECT {cols} FROM read_parquet(?))"  # noqa: S608 - names from the kind's declaration
    quoted = ", ".join(f'"{c}"' for c in present)
    return f"(SELECT {quoted} FROM {_CSV_ROWS})"  # noqa: S608


def _parse_rejects(con: duckdb.DuckDBPyConnection, path: Path) -> list[tuple]:
    if is_parquet(path):  # no lines to parse
        return []
    return con.execute(
        "SELECT line, column_name, error_type, error_message FROM reject_errors ORDER BY line"
    ).fetchall()


def _stage_clean(con: duckdb.DuckDBPyConnection, path: Path, kind: Kind, header: list[str]) -> list[tuple] | None:
    """The fast path for a file whose rows all pass (the usual export): read, type and check it in one pass
    into `checked_rows` and return the CSV parse rejects. Returns None, and keeps nothing, when some row needs
    the full check (a local-time instant, a failed check): `_stage` then stages the raw text.

    The typed rows come straight from the file with nothing that may reorder them, so their rowid is the row
    number; the lookups (references, vocabularies) are checked after, over the typed rows."""
    present = [c for c in kind.names if c in header]
    rows = _file_rows(path, present)
    naive = validate.naive_instants(kind, set(present))
    if naive:  # local times (site time zones) are common in exports: a sample says so before the whole file is read
        sample = f"SELECT count(*) FROM (SELECT * FROM {rows} LIMIT 1000) WHERE {' OR '.join(naive)}"  # noqa: S608
        if con.execute(sample, [str(path)]).fetchall()[0][0]:
            return None
    con.execute("DROP TABLE IF EXISTS reject_errors; DROP TABLE IF EXISTS reject_scans")
    con.execute(f"CREATE TEMP TABLE checked_rows AS {validate.clean_select(kind, set(present), rows)}", [str(path)])
    needs_full_check = f"__bad OR {validate.lookup_failures(kind, set(present))}"
    first = f"SELECT count(*) FROM (SELECT 1 FROM checked_rows WHERE {needs_full_check} LIMIT 1)"  # noqa: S608
    if con.execute(first).fetchall()[0][0]:
        con.execute("DROP TABLE checked_rows")
        return None
    return _parse_rejects(con, path)


def _line_mapper(parse_rejects: list[tuple], n_good: int, parquet: bool):
    """Map a staged row number to its file line: CSV lines skip the header and unparseable lines."""
    if parquet:
        return lambda rn: int(rn) + 1  # Parquet has no lines: report the 1-based row number
    bad_lines = np.unique(np.array([r[0] for r in parse_rejects], dtype=np.int64))
    total = n_good + len(bad_lines)
    lines = np.setdiff1d(np.arange(2, total + 2, dtype=np.int64), bad_lines, assume_unique=True)
    return lambda rn: int(lines[int(rn)])


StageCallback = Callable[[Path, str, float], None]


def open_source(con: duckdb.DuckDBPyConnection, path: Path, settings: Settings, kind: str | None = None,
                fmt: str | None = None, profile: str | None = None) -> tuple[Kind, list[str], Converted | None, str | None]:
    """What the file is: (kind, columns, converted rows or None for a canonical file, format name).

    A canonical header wins; otherwise the content names a vendor format; `--format`/`--profile` force one."""
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
              profile: str | None = None) -> LoadResult:
    """Load one file in its own transaction and record it in the manifest (also when it fails).

    With `defer_facts` the interval facts are not rebuilt here: the site-days go to `fact_backlog` for
    `facts.refresh_backlog`, so a folder of files rebuilds each fact table once. A vendor file (detected,
    or named by `fmt`) or a file read through a mapping `profile` is converted to canonical rows first."""
    path = Path(path)
    started = datetime.now(UTC).replace(tzinfo=None)
    result = LoadResult(file=str(path), kind=kind, status="failed")
    digest: Future[str] | None = None
    try:
        if not path.is_file():
            raise LoadError(f"{path}: no such file")
        digest = _hash_in_background(path)
        spec, header, converted, result.format = open_source(con, path, settings, kind, fmt, profile)
        result.kind = spec.name
        with transaction(con):
            result.load_id = _next_load_id(con)
            _load_rows(con, path, spec, header, settings, result, on_stage or (lambda *_: None), defer_facts,
                       converted)
            result.status = "loaded"
            _record(con, result, digest.result(), started)
    except LoadError as err:
        result.message = str(err)
    except duckdb.Error as err:
        result.message = f"{path.name}: {_first_line(err)}"
    if result.status == "failed":
        result.rows_loaded = result.rows_rejected = 0
        with transaction(con):
            result.load_id = result.load_id or _next_load_id(con)
            _record(con, result, _digest_if_readable(digest), started)
    return result


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
    return con.execute("SELECT nextval('load_id_seq')").fetchall()[0][0]


def _record(con: duckdb.DuckDBPyConnection, r: LoadResult, digest: str | None, started: datetime) -> None:
    con.execute(
        "INSERT INTO load_manifest VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [r.load_id, Path(r.file).name, digest, r.described_kind, r.rows_read, r.rows_loaded, r.rows_rejected, started,
         datetime.now(UTC).replace(tzinfo=None), r.status, r.message],
    )


def _tz_select(kind: Kind, present: set[str], first_rowid: int) -> str:
    """SQL giving each staged row its 0-based row number and its site's time zone (NULL when not found)."""
    joins, zones = [], []
    if kind.site_via == "site_id":
        joins.append("LEFT JOIN sites __s ON __s.site_id = trim(stg_raw.site_id)")
        zones.append("__s.timezone")
    if "agent_id" in present and kind.site_via == "agent_id":
        joins.append("LEFT JOIN agents __a ON __a.agent_id = trim(stg_raw.agent_id) "
                     "LEFT JOIN sites __sa ON __sa.site_id = __a.site_id")
        zones.append("__sa.timezone")
    if kind.name == "surveys" and "contact_id" in present:  # no agent: the surveyed contact's site
        joins.append("LEFT JOIN contacts __c ON __c.contact_id = trim(stg_raw.contact_id) "
                     "LEFT JOIN sites __sc ON __sc.site_id = __c.site_id")
        zones.append("__sc.timezone")
    zone = f"coalesce({', '.join(zones)})" if zones else "NULL"
    return (f"SELECT stg_raw.*, stg_raw.rowid - {int(first_rowid)} AS __rn, {zone} AS __tz "  # noqa: S608
            f"FROM stg_raw {' '.join(joins)}")


def _count_and_first_rowid(con: duckdb.DuckDBPyConnection, table: str) -> tuple[int, int]:
    """Rows in a table just written, and the first one's rowid: rows written inside a transaction are numbered
    from a large offset, which is subtracted to give row numbers."""
    return con.execute(f"SELECT count(*), coalesce(min(rowid), 0) FROM {table}").fetchall()[0]  # noqa: S608


def _check_rows(con: duckdb.DuckDBPyConnection, path: Path, kind: Kind, header: list[str],
                converted: Converted | None) -> tuple[list[tuple], int]:
    """Type and check every row: view `checked` (__rn, t_<col>, __bad) and table `bad` (__rn, field, value,
    reason). Returns the CSV parse rejects and the number of rows read."""
    present = {c for c in kind.names if c in header}
    con.execute("DROP VIEW IF EXISTS checked; DROP TABLE IF EXISTS checked_rows; DROP TABLE IF EXISTS bad")
    parse_rejects = _stage_clean(con, path, kind, header) if converted is None else None
    if parse_rejects is not None:  # every row passed: nothing to reject
        n_staged, first_rowid = _count_and_first_rowid(con, "checked_rows")
        con.execute(f"CREATE TEMP VIEW checked AS SELECT rowid - {int(first_rowid)} AS __rn, * FROM checked_rows")  # noqa: S608
        con.execute("CREATE TEMP TABLE bad (__rn BIGINT, field VARCHAR, value VARCHAR, reason VARCHAR)")
        return parse_rejects, n_staged
    parse_rejects = _stage(con, path, kind, header, converted)
    # One pass: attach each row's site time zone (naive timestamps are local time), type every field, check it.
    n_staged, first_rowid = _count_and_first_rowid(con, "stg_raw")
    typed = validate.typed_select(kind, present, source=f"({_tz_select(kind, present, first_rowid)})")
    con.execute(f"CREATE TEMP TABLE checked_rows AS {validate.checked_select(kind, present, source=f'({typed})')}")
    con.execute("CREATE TEMP VIEW checked AS SELECT * FROM checked_rows")
    con.execute(f"CREATE OR REPLACE TEMP TABLE bad_rows AS {validate.raw_of_bad_rows(kind, present, first_rowid)}")
    con.execute("DROP TABLE stg_raw")
    con.execute(f"CREATE TEMP TABLE bad AS {validate.reject_union(kind, present)}")
    return parse_rejects, n_staged


def _load_rows(con: duckdb.DuckDBPyConnection, path: Path, kind: Kind, header: list[str],
               settings: Settings, result: LoadResult, on_stage: StageCallback, defer_facts: bool,
               converted: Converted | None = None) -> None:
    on_stage(path, "reading", 0.0)
    vocabulary.install(con, settings)
    parse_rejects, n_staged = _check_rows(con, path, kind, header, converted)
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
        SELECT * FROM checked WHERE NOT __bad AND __rn NOT IN (SELECT __rn FROM dupes)""")
    if converted is not None:  # each converted row carries the line (or record) it came from
        source_lines = converted.table()["__line"].to_numpy()
        to_line = lambda rn: int(source_lines[int(rn)])  # noqa: E731
    else:
        to_line = _line_mapper(parse_rejects, n_staged, is_parquet(path))

    unconverted = converted.rejects if converted is not None else []
    rejects = _collect_rejects(con, kind, parse_rejects, to_line, unconverted)
    result.rows_read = n_staged + len({r[0] for r in parse_rejects}) + len({r[0] for r in unconverted})
    result.rows_rejected = len(set(rejects["line"].to_pylist()))
    result.rows_loaded = con.execute("SELECT count(*) FROM good").fetchall()[0][0]
    result.sample_rejects = [tuple(r.values()) for r in rejects.slice(0, 20).to_pylist()]
    if rejects.num_rows:
        con.register("new_rejects", rejects)
        con.execute("INSERT INTO rejects SELECT ?, ?, line, field, value, reason FROM new_rejects",
                    [result.load_id, path.name])
        con.unregister("new_rejects")
    on_stage(path, "merging", 0.6)
    _merge(con, kind, settings, result.load_id)
    on_stage(path, "interval facts", 0.75)
    if kind.name in facts.FACTS_OF_KIND and defer_facts:
        facts.defer(con, facts.FACTS_OF_KIND[kind.name])
    elif kind.name in facts.FACTS_OF_KIND:
        facts.refresh(con, settings, facts.FACTS_OF_KIND[kind.name])
    elif kind.name == "agents":
        facts.retag_teams(con)


_PARSE_REASONS = {
    "MISSING COLUMNS": "line has too few fields (truncated?)",
    "TOO MANY COLUMNS": "line has too many fields",
    "INVALID ENCODING": "not UTF-8 text; save the file as UTF-8",
    "UNQUOTED VALUE": "badly quoted value",
}


def _collect_rejects(con: duckdb.DuckDBPyConnection, kind: Kind, parse_rejects: list[tuple], to_line,
                     unconverted: list[tuple] = ()) -> pa.Table:
    """Every problem as (line, field, value, reason), ordered by line; `unconverted` are the vendor records
    the converter could not turn into rows."""
    lines: list[int] = [r[0] for r in unconverted]
    fields: list[str | None] = [r[1] for r in unconverted]
    values: list[str | None] = [r[2] for r in unconverted]
    reasons: list[str] = [r[3] for r in unconverted]
    seen: set[tuple[int, str]] = set()
    for line, column, error_type, message in parse_rejects:
        reason = _PARSE_REASONS.get(error_type, message)
        if (line, reason) in seen:  # a truncated line is reported once, not once per missing field
            continue
        seen.add((line, reason))
        lines.append(int(line)), fields.append(column), values.append(None), reasons.append(reason)
    bad = con.sql("SELECT __rn, field, value, reason FROM bad").to_arrow_table()
    keys = ", ".join(kind.key)
    dupes = con.sql("SELECT __rn, kept FROM dupes").to_arrow_table()
    bad_lines = [to_line(rn) for rn in bad["__rn"].to_pylist()]
    dupe_lines = [to_line(rn) for rn in dupes["__rn"].to_pylist()]
    table = pa.table({
        "line": pa.array(lines + bad_lines + dupe_lines, pa.int64()),
        "field": pa.array(fields + bad["field"].to_pylist() + [keys] * len(dupe_lines), pa.string()),
        "value": pa.array(values + bad["value"].to_pylist() + [None] * len(dupe_lines), pa.string()),
        "reason": pa.array(reasons + bad["reason"].to_pylist()
                           + [f"duplicate key ({keys}); replaced by line {to_line(k)}" for k in dupes["kept"].to_pylist()],
                           pa.string()),
    })
    return table.sort_by([("line", "ascending")])


def _merge(con: duckdb.DuckDBPyConnection, kind: Kind, settings: Settings, load_id: int) -> None:
    """Replace stored rows that share a natural key with an incoming row, then insert the incoming rows."""
    columns = list(kind.names)
    values = []
    for col in columns:
        if kind.name == "agent_states" and col == "state":
            values.append("(SELECT category FROM vocab_states v WHERE v.code = good.t_state)")
        elif kind.name == "forecast" and col == "interval_minutes":
            values.append(f"coalesce(t_interval_minutes, {int(settings.data.interval_minutes)})")
        else:
            values.append(f"t_{col}")
    if not kind.roster:
        columns.append("load_id")
        values.append(str(int(load_id)))
    cond = " AND ".join(f"t.{k} IS NOT DISTINCT FROM g.t_{k}" for k in kind.key)
    if kind.name in facts.FACTS_OF_KIND:
        facts.mark_touched(con, kind, settings)
    con.execute(f"DELETE FROM {kind.table} t WHERE EXISTS (SELECT 1 FROM good g WHERE {cond})")  # noqa: S608
    col_list = ", ".join(columns)
    con.execute(f"INSERT INTO {kind.table} ({col_list}) SELECT {', '.join(values)} FROM good")  # noqa: S608
