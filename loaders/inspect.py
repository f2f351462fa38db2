"""`floorview inspect FILE`: what a file is, the mapping that would be applied, and its first rows as they
would load — without loading anything."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import duckdb

from loaders import formats
from loaders.canonical import LoadError, file_rows, open_source, reading
from loaders.formats import Converted
from loaders.kinds import KINDS
from settings import Settings


def report(con: duckdb.DuckDBPyConnection, path: Path, settings: Settings, kind: str | None = None,
           fmt: str | None = None, profile: str | None = None, rows: int = 5) -> str:
    path = Path(path)
    if not path.is_file():
        raise LoadError(f"{path}: no such file")
    spec, header, converted, name = open_source(con, path, settings, kind, fmt, profile)
    lines = [f"file:     {path.name}"]
    if converted is None:
        lines += [f"format:   canonical {spec.name} (columns named as in EXPORT-FORMATS.md §1)",
                  "mapping:  none (columns are read as they are named)"]
        with reading(path, header, None) as src:  # read exactly as a load reads it
            rows_sql, params = file_rows(src, [h for h in header if h])
            sample = con.execute(f"SELECT * FROM {rows_sql} LIMIT {int(rows)}", params)  # noqa: S608
            columns = [d[0] for d in sample.description]
            table = [[None if v is None else str(v) for v in r] for r in sample.fetchall()]
        problems: list[tuple[Any, ...]] = []
        total = None
    else:
        described = formats.FORMATS[name].describe if name in formats.FORMATS else name
        lines += [f"format:   {name} — {described}", f"becomes:  {spec.name}", "mapping:"]
        lines += [f"  {src:<48} -> {dst}" for src, dst in converted.mapping]
        columns = [c for c in converted.table().column_names if c != "__line"]
        table = [[r.get(c) for c in columns] for r in converted.rows[:rows]]
        problems = converted.rejects
        total = len(converted.rows)
    lines.append(f"first {len(table)} row(s) as they would load" + (f" (of {total:,})" if total is not None else "") + ":")
    widths = [max(len(c), *(len(str(r[i] or "")) for r in table)) if table else len(c) for i, c in enumerate(columns)]
    lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for r in table:
        lines.append("  " + "  ".join(str(v or "").ljust(w) for v, w in zip(r, widths, strict=True)))
    if problems:
        lines.append(f"records that would be rejected before validation: {len(problems):,}")
        lines += [f"  line {ln}: {fld or '-'}: {why}" for ln, fld, _value, why in sorted(problems, key=lambda p: p[0])[:10]]
    found = warnings(con, path, settings, spec.name, header, converted, profile)
    if found:
        lines.append("warnings (nothing is loaded; check these before you load):")
        lines += [f"  ! {w}" for w in found]
    lines.append("(values are then validated as on load: types, ranges, unknown agents, queues and codes)")
    return "\n".join(lines)


# Values exports use for "none": a column mostly made of one of them probably means it, not a value.
SENTINELS = ("0:00:00", "00:00:00", "NULL", "null", "-", "n/a", "N/A", "NA", "#N/A", "none", "None")


def warnings(con: duckdb.DuckDBPyConnection, path: Path, settings: Settings, kind: str, header: list[str],
             converted: Converted | None, profile: str | None) -> list[str]:
    """What would load but probably not as meant: rows left out, every instant on one day (or on 1900-01-01),
    a column mostly a sentinel, contacts or survey rows that would reach no interval facts."""
    found: list[str] = []
    raw = _raw_rows(con, path, settings, header, converted, profile)
    loaded = converted.rows if converted is not None else raw
    if converted is not None:
        found += [f"{n:,} row(s) would be left out by the profile ({why})" for why, n in converted.left_out.items()]
        found += _one_day(converted, kind)
    if kind == "contacts":
        found += _contacts_without_facts(loaded)
    if kind == "surveys":
        lost = sum(1 for r in loaded if not r.get("agent_id") and not r.get("contact_id"))
        if lost:
            found.append(f"{lost:,} of {len(loaded):,} survey row(s) name no agent and no contact: they would load "
                         "but reach no interval facts, so no survey KPI would count them")
    found += _sentinel_columns(raw)
    return found


def _contacts_without_facts(loaded: list[dict[str, Any]]) -> list[str]:
    """Contacts that would load but reach no queue or handling facts: outbound calls and transfer legs are not
    offered contacts, and a contact never answered is handled by nobody (the rules of loaders/facts)."""
    if not loaded:
        return []

    def text(row: dict[str, Any], column: str) -> str:
        return str(row.get(column) or "").strip()

    offered = [r for r in loaded if text(r, "direction").lower() != "outbound"
               and text(r, "initial_contact_id") in ("", text(r, "contact_id"))]
    answered = [r for r in loaded if text(r, "answered_at")]
    if not offered and not answered:
        return [f"none of the {len(loaded):,} contact(s) would reach the interval facts: none is an inbound contact "
                "offered to a queue (all outbound or transfer legs) and none was answered, so no KPI would count "
                "them; check the direction, initial_contact_id and answered_at columns"]
    if not answered:
        return [f"none of the {len(loaded):,} contact(s) has an answer time: service level and abandons would "
                "count, but no handling KPI (AHT, handled); check the answered_at column"]
    if not offered:
        return [f"none of the {len(loaded):,} contact(s) is an inbound contact offered to a queue (all outbound "
                "or transfer legs): no queue KPI (offered, service level, abandons) would count them"]
    return []


def _one_day(converted: Converted, kind: str) -> list[str]:
    instants = [c.name for c in KINDS[kind].columns if c.type == "instant"]
    days = {str(r[c])[:10] for r in converted.rows for c in instants if r.get(c)}
    if len(days) != 1 or len(converted.rows) < 2:
        return []
    (day,) = days
    if day.startswith("1900"):
        return [f"every instant is on {day}: times of day were read without a date (name the profile's "
                "date_column, or give a timestamp_format with the date)"]
    return [f"every instant is on one day, {day}: right for a one-day export; if not, the dates are not being read"]


def _raw_rows(con: duckdb.DuckDBPyConnection, path: Path, settings: Settings, header: list[str],
              converted: Converted | None, profile: str | None) -> list[dict[str, Any]]:
    """The first 100,000 rows as the file holds them: a canonical CSV's columns as text, or what a profile reads
    before its rules (a vendor format's records are not rows: none)."""
    if converted is None:
        with reading(path, header, None) as src:
            rows_sql, params = file_rows(src, [h for h in header if h])
            cells = con.execute(f"SELECT * FROM {rows_sql} LIMIT 100000", params).fetchall()  # noqa: S608
        return [dict(zip([h for h in header if h], r, strict=False)) for r in cells]
    if profile is not None:
        from loaders.formats.profile import profile_named, raw_records

        return [row for _, row in raw_records(path, profile_named(settings, profile), limit=100000)]
    return []


def mostly_sentinel(values: Iterable[object]) -> tuple[str, float] | None:
    """(the sentinel, its share of the filled values) when one sentinel is more than half of them, else None."""
    texts = [t for t in ("" if v is None else str(v).strip() for v in values) if t]
    if not texts:
        return None
    counts = Counter(t for t in texts if t in SENTINELS)
    if not counts:
        return None
    value, n = counts.most_common(1)[0]
    return (value, n / len(texts)) if n * 2 > len(texts) else None


def _sentinel_columns(records: list[dict[str, Any]]) -> list[str]:
    columns = dict.fromkeys(c for row in records for c in row)
    found = []
    for col in columns:
        hit = mostly_sentinel(row.get(col) for row in records)
        if hit is not None:
            value, share = hit
            found.append(f"column {col!r} is {100 * share:.0f} % {value!r}: if that means none, list it in "
                         "the profile's null_values_by_column (else it is read as a value)")
    return found
