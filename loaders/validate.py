"""SQL that types and checks a file's rows, naming the field and the reason.

Two passes. `clean_select` types the raw text rows (every column VARCHAR, in file order) and runs the checks
within each row, with nothing that may reorder rows (no join), so the result's rowid is the row number. An
instant without an offset is site-local time: it is typed as wall-clock time and flagged (`__naive_<col>`).
When some row needs more, `settled_select` takes the row numbers from those rowids, converts the local times
with each row's site time zone (a join) and adds the checks that need a lookup or the converted instants.
`raw_of_bad_rows` and `reject_union` then turn each problem of a flagged row into a reject, with its raw text.
All identifiers come from the kind declarations, never from the file; values are never formatted in.
"""

from __future__ import annotations

from loaders import localtime
from loaders.kinds import Column, Kind

# An explicit offset follows a time ("…:00+02:00", "…:00.5-0530"); a date alone ("2026-11-02") has none.
_OFFSET = r"':[0-9]{2}(\.[0-9]+)?[+-][0-9]{2}(:?[0-9]{2})?$'"
TRUE_WORDS = ("true", "1", "yes", "y", "t")
FALSE_WORDS = ("false", "0", "no", "n", "f")


def _trimmed(column: str) -> str:
    # Trimmed only when it has blanks at an end: most values have none, and keeping them avoids a copy.
    return f"NULLIF(CASE WHEN {column} LIKE ' %' OR {column} LIKE '% ' THEN trim({column}) ELSE {column} END, '')"


def _raw(col: Column, source: str = "stg") -> str:
    return _trimmed(f'stg."{col.name}"' if source == "stg" else f"r_{col.name}")


def _instant_form(text: str, raw: str) -> str:
    """SQL: how an instant's text gives its moment, cheapest test first: 1 UTC ("…Z"), 2 UTC ("…z", or with
    blanks), 3 an explicit offset (±hh[:mm]), 0 no offset (site-local wall-clock time), NULL blank. `text` is
    the field as read, `raw` the same trimmed."""
    # "YYYY-MM-DDThh:mm:ss" exactly cannot end in an offset: most local times are settled without the regex.
    return (f"CASE WHEN {text} LIKE '%Z' THEN 1 WHEN {text} LIKE '____-__-_____:__:__' THEN 0 "
            f"WHEN {raw} ILIKE '%z' THEN 2 WHEN regexp_matches({raw}, {_OFFSET}) THEN 3 "
            f"WHEN {raw} IS NOT NULL THEN 0 END")


def typed_expr(col: Column) -> str:
    raw = _raw(col)
    if col.type in ("str", "timezone"):
        return raw
    if col.type == "int":
        # A cast to BIGINT rounds "4.5" to 5: a whole number only when the value read as a number is one.
        return f"CASE WHEN TRY_CAST({raw} AS DOUBLE) = TRY_CAST({raw} AS BIGINT) THEN TRY_CAST({raw} AS BIGINT) END"
    if col.type == "float":
        return f"CASE WHEN isfinite(TRY_CAST({raw} AS DOUBLE)) THEN TRY_CAST({raw} AS DOUBLE) END"
    if col.type == "bool":
        # A CASE over the words, not IN (...): DuckDB turns an IN list into a join against the list.
        words = [(w, "true") for w in TRUE_WORDS] + [(w, "false") for w in FALSE_WORDS]
        return f"CASE lower({raw}) {' '.join(f'WHEN {w!r} THEN {v}' for w, v in words)} END"
    if col.type == "date":
        return f"TRY_CAST({raw} AS DATE)"
    if col.type == "instant":
        # By the form `_typed_select` found. "…Z" is cast as it stands (the cast skips surrounding blanks and
        # reads the "Z" as UTC), and so is a local time: it stays wall-clock time until `settled_select`
        # converts it. Other offsets must go through TIMESTAMPTZ, since a TIMESTAMP cast would drop them.
        form = f"stg.__form_{col.name}"
        return (f"CASE WHEN {form} <= 1 THEN TRY_CAST(stg.\"{col.name}\" AS TIMESTAMP) "
                f"WHEN {form} = 2 THEN TRY_CAST(left({raw}, -1) AS TIMESTAMP) "
                f"WHEN {form} = 3 THEN timezone('UTC', TRY_CAST({raw} AS TIMESTAMPTZ)) END")
    raise ValueError(f"unknown column type {col.type}")


INT_MIN, INT_MAX = -(2**31), 2**31 - 1  # the tables' INTEGER columns

_TYPE_WORDS = {
    "int": "not a whole number",
    "float": "not a number",
    "bool": "not a yes/no value (true/false/1/0/yes/no)",
    "date": "not a date (YYYY-MM-DD)",
    "instant": "not an ISO-8601 date-time",
    "timezone": "not an IANA time zone (e.g. Europe/London)",
}


def _row_checks(col: Column, bounded: bool = False) -> list[tuple[str, str]]:
    """(condition, reason) of the checks a field passes or fails within its own row; a `bounded` date or
    instant must lie in the plausible range of `loaders.limits`."""
    raw, typed = _raw(col, "typed"), f"t_{col.name}"
    checks: list[tuple[str, str]] = []
    # A typed value is never blank, so the raw text is only examined where typing gave NULL (CASE conditions
    # stop at the first false term); text and time-zone values are typed by trimming, so NULL means blank.
    blank = f"{typed} IS NULL" if col.type in ("str", "timezone") else f"{typed} IS NULL AND {raw} IS NULL"
    if col.required:
        checks.append((blank, "'required value is missing'"))
    if col.type not in ("str", "timezone"):
        checks.append((f"{typed} IS NULL AND {raw} IS NOT NULL", f"'{_TYPE_WORDS[col.type]}'"))
    if col.min is not None:
        checks.append((f"{typed} < {col.min}", f"'must be at least {col.min:g}'"))
    if col.max is not None or col.type == "int":  # an int must fit the tables' INTEGER columns
        most = col.max if col.max is not None else INT_MAX
        checks.append((f"{typed} > {most}", f"'must be at most {most:.15g}'"))
    if col.percent:
        checks.append((f"{typed} > 0 AND {typed} <= 1",
                       f"'a percentage from 0 to 100: ' || {typed} || ' looks like a fraction (write ' || "
                       f"round({typed} * 100, 2) || ')'"))
    if col.type == "int" and col.min is None:
        checks.append((f"{typed} < {INT_MIN}", f"'must be at least {INT_MIN}'"))
    if bounded and col.type in ("instant", "date"):
        checks.append((f"{typed} < getvariable('fv_earliest') OR {typed} >= getvariable('fv_latest')",
                       "getvariable('fv_range_text')"))
    return checks


def _lookup_checks(col: Column, vocab_table: str | None) -> list[tuple[str, str]]:
    """(condition, reason) of the checks that look a field's typed value up in a list: time zones, references,
    vocabularies. A lookup is a join, so these run where the file's row order no longer matters."""
    typed = f"t_{col.name}"
    checks: list[tuple[str, str]] = []
    if col.type == "timezone":  # typed by trimming: the typed value is the text
        checks.append((f"{typed} IS NOT NULL AND {typed} NOT IN (SELECT name FROM pg_timezone_names())",
                       f"'{_TYPE_WORDS['timezone']}'"))
    if col.references:
        table, key = col.references.split(".")
        checks.append((f"{typed} IS NOT NULL AND {typed} NOT IN (SELECT {key} FROM {table})",
                       f"'unknown {key.removesuffix('_id')} (not in {table})'"))
    if vocab_table:
        checks.append((f"{typed} IS NOT NULL AND {typed} NOT IN (SELECT code FROM {vocab_table})",
                       f"'unknown code (not in the {vocab_table.removeprefix('vocab_')} vocabulary of config.toml)'"))
    return checks


def _first_problem(checks: list[tuple[str, str]]) -> str:
    """A CASE yielding the reason of the first check a field fails, or NULL."""
    if not checks:
        return "NULL"
    return f"CASE {' '.join(f'WHEN {cond} THEN {reason}' for cond, reason in checks)} END"


def _vocab_table(kind: Kind, col: Column) -> str | None:
    return f"vocab_{kind.vocabulary[col.name]}" if col.name in kind.vocabulary else None


def _typed_select(kind: Kind, present: set[str], source: str) -> str:
    """SELECT over raw text rows (`source`, a subquery) giving t_<col> (typed), r_<col> (the raw text) and
    __naive_<col> per instant (no offset: wall-clock time, not yet UTC)."""
    instants = _instants(kind, present)
    quoted = {c: f'"{c}"' for c in instants}
    forms = "".join(f", {_instant_form(q, _trimmed(q))} AS __form_{c}" for c, q in quoted.items())
    parts = [f"{typed_expr(col)} AS t_{col.name}" if col.name in present else f"NULL AS t_{col.name}"
             for col in kind.columns]
    parts += [f'stg."{col.name}" AS r_{col.name}' for col in kind.columns if col.name in present]
    parts += [f"stg.__form_{c} = 0 AS __naive_{c}" for c in instants]
    return "SELECT " + ", ".join(parts) + f" FROM (SELECT *{forms} FROM {source}) stg"


def _order_check(kind: Kind, earlier: str, later: str) -> str:
    """The reason a pair of instants is out of order, or a segment too long (`loaders.limits`), or NULL."""
    span = (f"WHEN t_{later} - t_{earlier} > getvariable('fv_max_span') THEN getvariable('fv_span_text') "
            if (earlier, later) == kind.bounded_span else "")
    slack = " - getvariable('fv_clock_skew')" if (earlier, later) in kind.skew_tolerant else ""
    return (f"CASE WHEN t_{later} < t_{earlier}{slack} THEN '{later} is before {earlier}' "
            f"WHEN t_{later} = t_{earlier} AND '{later}' = 'end_at' THEN 'end_at equals start_at' {span}END")


def _ordered_pairs(kind: Kind, present: set[str]) -> list[tuple[str, str, str]]:
    """(earlier, later, SQL: one of them is a local time not yet converted, or '' for dates) per ordered pair."""
    instants = _instants(kind, present)
    return [(a, b, _naive(*[c for c in (a, b) if c in instants])) for a, b in kind.ordered
            if a in present and b in present]


def _instants(kind: Kind, present: set[str]) -> list[str]:
    return [c.name for c in kind.columns if c.name in present and c.type == "instant"]


def _naive(*columns: str) -> str:
    """SQL: one of these instants was site-local wall-clock time when first typed."""
    return " OR ".join(f"__naive_{c}" for c in columns)


def _error_columns(kind: Kind, present: set[str], first_pass: bool = False) -> list[tuple[str, str]]:
    """(name, SQL) of every check over a typed row: e_<col> per present column, e_order_<a>_<b> per ordered
    pair; each gives the reason, or NULL when the value is fine (checks can use t_<col> and r_<col>). In the
    `first_pass`, only the checks within the row, and no order check on wall-clock times: a local time is
    ordered once it is an instant (in a DST change, 01:50 can come before 01:10)."""
    errors = []
    for col in kind.columns:
        if col.name in present:
            checks = _row_checks(col, bounded=not kind.roster)  # a roster's hire date in 1995 is fine
            if not first_pass:
                checks += _lookup_checks(col, _vocab_table(kind, col))
            errors.append((f"e_{col.name}", _first_problem(checks)))
    for earlier, later, naive in _ordered_pairs(kind, present):
        check = _order_check(kind, earlier, later)
        errors.append((f"e_order_{earlier}_{later}",
                       f"CASE WHEN NOT ({naive}) THEN {check} END" if first_pass and naive else check))
    return errors


def clean_select(kind: Kind, present: set[str], source: str) -> str:
    """First pass: type and check raw text rows (`source`, a subquery in file order) with nothing that may reorder
    them, so the result's rowid is the row number. Gives t_<col>, __naive_<col> per instant and __bad: some
    field fails a check within its row. Neither the raw text (r_*) nor the reasons (e_*) are kept: only
    rejected rows need them, and `raw_of_bad_rows` finds them again."""
    errors = _error_columns(kind, present, first_pass=True)
    inner = (f"SELECT typed.*, {', '.join(f'{sql} AS {name}' for name, sql in errors)} "
             f"FROM ({_typed_select(kind, present, source)}) typed")
    dropped = [f"r_{c.name}" for c in kind.columns if c.name in present] + [name for name, _ in errors]
    flag = " OR ".join(f"{name} IS NOT NULL" for name, _ in errors) or "false"
    return f"SELECT * EXCLUDE ({', '.join(dropped)}), ({flag}) AS __bad FROM ({inner})"


def local_times(kind: Kind, present: set[str]) -> str:
    """SQL condition over first-pass rows: an instant is site-local time."""
    return _naive(*_instants(kind, present)) or "false"


def lookup_failures(kind: Kind, present: set[str]) -> str:
    """SQL condition over typed rows: some field fails a lookup (time zone, reference, vocabulary)."""
    conds = [cond for col in kind.columns if col.name in present
             for cond, _ in _lookup_checks(col, _vocab_table(kind, col))]
    return " OR ".join(f"({c})" for c in conds) or "false"


def _site_zone(kind: Kind, present: set[str]) -> tuple[str, str]:
    """(joins, zone) giving a first-pass row `c` its site's time zone (UTC when no site is found: such a row
    is rejected for its unknown reference)."""
    joins, zones = [], []
    if kind.site_via == "site_id":
        joins.append("LEFT JOIN sites __s ON __s.site_id = c.t_site_id")
        zones.append("__s.timezone")
    if "agent_id" in present and kind.site_via == "agent_id":
        joins.append("LEFT JOIN (SELECT a.agent_id, s.timezone FROM agents a JOIN sites s USING (site_id)) __a "
                     "ON __a.agent_id = c.t_agent_id")
        zones.append("__a.timezone")
    if kind.name == "surveys" and "contact_id" in present:  # no agent: the surveyed contact's site
        joins.append("LEFT JOIN (SELECT k.contact_id, s.timezone FROM contacts k JOIN sites s USING (site_id)) __c "
                     "ON __c.contact_id = c.t_contact_id")
        zones.append("__c.timezone")
    return " ".join(joins), f"coalesce({', '.join(zones + ['NULL'])}, 'UTC')"


def local_range(kind: Kind, present: set[str]) -> tuple[str, str]:
    """SQL aggregates over first-pass rows: the first and last local (wall-clock) time."""
    instants = _instants(kind, present)
    if not instants:
        return "NULL::TIMESTAMP", "NULL::TIMESTAMP"
    return (f"least({', '.join(f'min(t_{n}) FILTER (__naive_{n})' for n in instants)})",
            f"greatest({', '.join(f'max(t_{n}) FILTER (__naive_{n})' for n in instants)})")


def _without_naive_flags(kind: Kind, present: set[str]) -> str:
    flags = [f"__naive_{n}" for n in _instants(kind, present)]
    return f" EXCLUDE ({', '.join(flags)})" if flags else ""


def numbered_select(kind: Kind, present: set[str], first_rowid: int, rows: str) -> str:
    """The first pass's rows (relation `rows`) as they stand (every instant in UTC, no row flagged), with __rn."""
    return f"SELECT rowid - {int(first_rowid)} AS __rn, *{_without_naive_flags(kind, present)} FROM {rows}"  # noqa: S608


def settled_select(kind: Kind, present: set[str], first_rowid: int, local: bool, rows: str) -> str:
    """Second pass, over the first pass's rows (relation `rows`): __rn (the row number, from the rowid taken before any
    join), t_<col> with `local` times converted to UTC in their site's time zone, and __bad adding the lookups
    and the order of converted instants."""
    instants = _instants(kind, present)
    star = "c.*"
    joins = ""
    if local and instants:  # `localtime.build_shifts` has made the shift table
        joins, zone = _site_zone(kind, present)
        joins += "".join(f" {localtime.shift_join(f'__z_{n}', f'c.t_{n}', zone)}" for n in instants)
        star += " REPLACE (" + ", ".join(
            f"CASE WHEN c.__naive_{n} THEN {localtime.utc_of(f'c.t_{n}', zone, f'__z_{n}')} ELSE c.t_{n} END AS t_{n}"
            for n in instants) + ")"
    inner = f"SELECT c.rowid - {int(first_rowid)} AS __rn, {star} FROM {rows} c {joins}"  # noqa: S608
    flags = ["__bad", f"({lookup_failures(kind, present)})"]
    flags += [f"(({naive}) AND {_order_check(kind, a, b)} IS NOT NULL)" for a, b, naive in _ordered_pairs(kind, present)
              if naive]
    kept = f"* EXCLUDE (__bad{''.join(f', __naive_{n}' for n in instants)})"
    return f"SELECT {kept}, ({' OR '.join(flags)}) AS __bad FROM ({inner})"  # noqa: S608


def raw_of_bad_rows(kind: Kind, present: set[str], first_rowid: int, checked: str, staged: str) -> str:
    """The flagged rows of the relation `checked` with their raw text again (r_*, from the staged rows in
    `staged`) and the reason each check gives (e_*)."""
    raw = ", ".join(f'"{c.name}" AS r_{c.name}' for c in kind.columns if c.name in present)
    flagged = (f"SELECT c.*, {raw} FROM {checked} c JOIN {staged} s ON s.rowid - {int(first_rowid)} = c.__rn "  # noqa: S608
               "WHERE c.__bad")
    reasons = ", ".join(f"{sql} AS {name}" for name, sql in _error_columns(kind, present))
    return f"SELECT typed.*, {reasons} FROM ({flagged}) typed"


def reject_union(kind: Kind, present: set[str], bad_rows: str) -> str:
    """One row (__rn, field, value, reason) per problem, from the flagged rows in the relation `bad_rows`."""
    selects = []
    for col in kind.columns:
        if col.name in present:
            selects.append(f"SELECT __rn, '{col.name}' AS field, r_{col.name} AS value, e_{col.name} AS reason "
                           f"FROM {bad_rows} WHERE e_{col.name} IS NOT NULL")
    for earlier, later, _ in _ordered_pairs(kind, present):
        selects.append(f"SELECT __rn, '{later}', CAST(r_{later} AS VARCHAR), e_order_{earlier}_{later} "
                       f"FROM {bad_rows} WHERE e_order_{earlier}_{later} IS NOT NULL")
    return " UNION ALL ".join(selects)
