"""SQL that types and checks a file's rows, naming the field and the reason.

Full check: the staged rows (`stg`) hold every column as VARCHAR plus `__rn` (0-based row number) and `__tz`
(the row's site time zone, when it can be found); `typed_select` adds a typed `t_<col>` and the raw `r_<col>`,
`checked_select` flags the rows with a problem, `reject_union` turns each problem into a row.
Clean file: `clean_select` types and checks rows read straight from the file, without the lookups, and
`lookup_failures` finds rows whose values are not in their lists; any flagged row sends the file to the full check.
All identifiers come from the kind declarations, never from the file; values are never formatted in.
"""

from __future__ import annotations

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


def _explicit_offsets(text: str, raw: str) -> list[tuple[str, str]]:
    """(condition, the UTC value) for each way an instant's text carries its own offset, cheapest test first;
    `text` is the field as read, `raw` the same trimmed."""
    return [(f"{text} LIKE '%Z'", f"TRY_CAST({text} AS TIMESTAMP)"),
            (f"{raw} ILIKE '%z'", f"TRY_CAST(left({raw}, -1) AS TIMESTAMP)"),
            (f"regexp_matches({raw}, {_OFFSET})", f"timezone('UTC', TRY_CAST({raw} AS TIMESTAMPTZ))")]


def typed_expr(col: Column) -> str:
    raw = _raw(col)
    if col.type in ("str", "timezone"):
        return raw
    if col.type == "int":
        return f"TRY_CAST({raw} AS BIGINT)"
    if col.type == "float":
        return f"CASE WHEN isfinite(TRY_CAST({raw} AS DOUBLE)) THEN TRY_CAST({raw} AS DOUBLE) END"
    if col.type == "bool":
        # A CASE over the words, not IN (...): DuckDB turns an IN list into a join against the list.
        words = [(w, "true") for w in TRUE_WORDS] + [(w, "false") for w in FALSE_WORDS]
        return f"CASE lower({raw}) {' '.join(f'WHEN {w!r} THEN {v}' for w, v in words)} END"
    if col.type == "date":
        return f"TRY_CAST({raw} AS DATE)"
    if col.type == "instant":
        # An explicit offset wins; a naive value is wall-clock time in the row's site time zone. The common
        # case, UTC with "Z", is cast as it stands (the cast skips surrounding blanks and reads the "Z" as
        # UTC); other offsets must go through TIMESTAMPTZ, since a TIMESTAMP cast would drop them.
        whens = " ".join(f"WHEN {cond} THEN {utc}" for cond, utc in _explicit_offsets(f'stg."{col.name}"', raw))
        return (f"CASE {whens} "
                f"ELSE timezone('UTC', timezone(coalesce(stg.__tz, 'UTC'), TRY_CAST({raw} AS TIMESTAMP))) END")
    raise ValueError(f"unknown column type {col.type}")


_TYPE_WORDS = {
    "int": "not a whole number",
    "float": "not a number",
    "bool": "not a yes/no value (true/false/1/0/yes/no)",
    "date": "not a date (YYYY-MM-DD)",
    "instant": "not an ISO-8601 date-time",
    "timezone": "not an IANA time zone (e.g. Europe/London)",
}


def _row_checks(col: Column) -> list[tuple[str, str]]:
    """(condition, reason) of the checks a field passes or fails within its own row."""
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
    if col.max is not None:
        checks.append((f"{typed} > {col.max}", f"'must be at most {col.max:g}'"))
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


def typed_select(kind: Kind, present: set[str], source: str = "stg", numbered: bool = True) -> str:
    """SELECT over the staged rows (`source`, a table or a subquery) giving __rn (when `numbered`), t_<col> and
    r_<col>."""
    parts = ["stg.__rn"] if numbered else []
    for col in kind.columns:
        parts.append(f"{typed_expr(col)} AS t_{col.name}" if col.name in present else f"NULL AS t_{col.name}")
    for col in kind.columns:
        if col.name in present:
            parts.append(f"stg.\"{col.name}\" AS r_{col.name}")
    return "SELECT " + ", ".join(parts) + f" FROM {source} stg"


def _error_columns(kind: Kind, present: set[str], lookups: bool = True) -> list[tuple[str, str]]:
    """(name, SQL) of every check over a typed row: e_<col> per present column, e_order_<a>_<b> per ordered
    pair; each gives the reason, or NULL when the value is fine (checks can use t_<col> and r_<col>). Without
    `lookups`, only the checks within the row."""
    errors = []
    for col in kind.columns:
        if col.name in present:
            checks = _row_checks(col)
            if lookups:
                checks += _lookup_checks(col, _vocab_table(kind, col))
            errors.append((f"e_{col.name}", _first_problem(checks)))
    for earlier, later in kind.ordered:
        if earlier in present and later in present:
            errors.append((f"e_order_{earlier}_{later}",
                           f"CASE WHEN t_{later} < t_{earlier} THEN '{later} is before {earlier}' "
                           f"WHEN t_{later} = t_{earlier} AND '{later}' = 'end_at' THEN 'end_at equals start_at' END"))
    return errors


def checked_select(kind: Kind, present: set[str], source: str = "typed", lookups: bool = True,
                   also_bad: tuple[str, ...] = ()) -> str:
    """Over the typed rows (`source`): one flag per row (__bad), so good rows are found in one pass and only
    bad rows are examined field by field. Neither the raw text (r_*) nor the reasons (e_*) are kept: only
    rejected rows need them, and `raw_of_bad_rows` finds them again. `also_bad`: more conditions that flag a
    row."""
    errors = _error_columns(kind, present, lookups)
    inner = "SELECT typed.*, " + ", ".join(f"{sql} AS {name}" for name, sql in errors) + f" FROM {source} typed"
    dropped = [f"r_{c.name}" for c in kind.columns if c.name in present] + [name for name, _ in errors]
    flag = " OR ".join([f"{name} IS NOT NULL" for name, _ in errors] + [f"({c})" for c in also_bad]) or "false"
    return f"SELECT * EXCLUDE ({', '.join(dropped)}), ({flag}) AS __bad FROM ({inner})"


def _without_offset(raw_column: str) -> str:
    """SQL: an instant's raw text is there but carries no offset ('Z' or ±hh:mm), so it is site-local time."""
    raw = _trimmed(raw_column)
    # A CASE, not OR: in a SELECT list each OR term is computed for every row, a CASE branch only for the rows
    # still undecided, so the common '…Z' skips the regular expression.
    whens = " ".join(f"WHEN {cond} THEN false" for cond, _ in _explicit_offsets(raw_column, raw))
    return f"CASE {whens} ELSE {raw} IS NOT NULL END"


def naive_instants(kind: Kind, present: set[str], raw_of=lambda name: f'"{name}"') -> list[str]:
    """Conditions, one per instant column present, true where a raw value has no offset (`raw_of` names the
    column holding a field's raw text)."""
    return [_without_offset(raw_of(c.name)) for c in kind.columns if c.name in present and c.type == "instant"]


def clean_select(kind: Kind, present: set[str], source: str) -> str:
    """Type and check raw rows read straight from the file, with nothing that may reorder them (no join), so the
    result's rowid is the row number. __bad flags a row that needs the full check: one of its fields fails a
    check within the row, or an instant has no offset (local time: its site's time zone is needed)."""
    typed = typed_select(kind, present, source=f"(SELECT *, NULL::VARCHAR AS __tz FROM {source})", numbered=False)
    return checked_select(kind, present, source=f"({typed})", lookups=False,
                          also_bad=tuple(naive_instants(kind, present, raw_of=lambda name: f"r_{name}")))


def lookup_failures(kind: Kind, present: set[str]) -> str:
    """SQL condition over typed rows: some field fails a lookup (time zone, reference, vocabulary)."""
    conds = [cond for col in kind.columns if col.name in present
             for cond, _ in _lookup_checks(col, _vocab_table(kind, col))]
    return " OR ".join(f"({c})" for c in conds) or "false"


def raw_of_bad_rows(kind: Kind, present: set[str], first_rowid: int) -> str:
    """The flagged rows of `checked` with their raw text again (r_*, from the staged rows in `stg_raw`) and the
    reason each check gives (e_*)."""
    raw = ", ".join(f'"{c.name}" AS r_{c.name}' for c in kind.columns if c.name in present)
    flagged = (f"SELECT c.*, {raw} FROM checked c JOIN stg_raw ON stg_raw.rowid - {int(first_rowid)} = c.__rn "
               "WHERE c.__bad")
    reasons = ", ".join(f"{sql} AS {name}" for name, sql in _error_columns(kind, present))
    return f"SELECT typed.*, {reasons} FROM ({flagged}) typed"


def reject_union(kind: Kind, present: set[str]) -> str:
    """One row (__rn, field, value, reason) per problem, from the flagged rows in `checked`."""
    selects = []
    for col in kind.columns:
        if col.name in present:
            selects.append(f"SELECT __rn, '{col.name}' AS field, r_{col.name} AS value, e_{col.name} AS reason "
                           f"FROM bad_rows WHERE e_{col.name} IS NOT NULL")
    for earlier, later in kind.ordered:
        if earlier in present and later in present:
            selects.append(f"SELECT __rn, '{later}', CAST(r_{later} AS VARCHAR), e_order_{earlier}_{later} "
                           f"FROM bad_rows WHERE e_order_{earlier}_{later} IS NOT NULL")
    return " UNION ALL ".join(selects)
