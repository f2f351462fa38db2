"""Genesys Cloud *Historical Adherence* export -> vendor_adherence, to compare with Floorview's own figure.

One row per agent (and per day when the export has a Date column; otherwise the period comes from
Start Date / End Date columns). Percentages look like `"18.10%"`; `"Infinity%"` (nothing scheduled) is
kept as no value. Agents go through `id_map` (system genesys; the Agent column holds the agent's name or id).
"""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import duckdb

from loaders.formats.base import Converted, FormatError, IdMap, csv_rows, header_columns
from settings import Settings

NEEDED = ("agent", "adherence (%)", "conformance (%)")


def looks_like_adherence(first_line: str) -> bool:
    return set(NEEDED) <= header_columns(first_line)


def _percent(text: str) -> str | None:
    value = text.strip().rstrip("%").strip()
    if value.lower() in ("infinity", "-infinity", "nan", ""):
        return None  # nothing scheduled: no adherence to compare
    return str(float(value))


def _day(text: str) -> date:
    for layout in ("%m/%d/%y", "%m/%d/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(text.strip().split(" ")[0], layout).date()
        except ValueError:
            continue
    raise ValueError(text)


def convert(path: Path, con: duckdb.DuckDBPyConnection, settings: Settings) -> Converted:
    out = Converted("vendor_adherence", mapping=[
        ("Agent", "agent_id (via id_map, system genesys)"), ("Date or Start Date / End Date", "period_start, period_end"),
        ("Adherence (%)", "adherence_pct ('Infinity%' = no value)"), ("Conformance (%)", "conformance_pct"),
        ("Exceptions, Exceptions Duration Minutes", "exceptions, exception_minutes"),
        ("Scheduled (Adherence)", "scheduled_minutes")])
    ids = IdMap(con, "genesys")
    for line, r in csv_rows(path, NEEDED):
        if "date" not in r and not {"start date", "end date"} <= set(r):
            raise FormatError(f"{path.name}:1: needs a Date column or Start Date and End Date columns for the period")
        try:
            first = _day(r.get("date") or r.get("start date", ""))
            last = _day(r.get("date") or r.get("end date", ""))
        except ValueError as err:
            out.reject(line, "Date", str(err), "not a date (m/d/yy)")
            continue
        try:
            adherence, conformance = _percent(r.get("adherence (%)", "")), _percent(r.get("conformance (%)", ""))
        except ValueError:
            out.reject(line, "Adherence (%)", r.get("adherence (%)"), "not a percentage")
            continue
        out.add(line, agent_id=ids.get("agent", r.get("agent")), source="genesys-adherence",
                period_start=first.isoformat(), period_end=last.isoformat(), adherence_pct=adherence,
                conformance_pct=conformance, exceptions=r.get("exceptions"),
                exception_minutes=r.get("exceptions duration minutes"),
                scheduled_minutes=r.get("scheduled (adherence)"))
    return out
