"""The HOTLINE's monthly management report and the case list as files: one row per case, CSV or Excel.

The report is what the survey programme notes ask management to see each month: the customer, the contact, a
brief description, when the case was detected, first acted on and closed, the final resolution and the root
cause. CSV cells are raw (ISO date-times in UTC, ids in their own columns); the workbook has typed, formatted
cells (XlsxWriter), so it opens cleanly in Excel.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from accounts import User
from actions.follow_ups import COLUMNS, cases
from kpis.periods import month_of
from settings import Settings

REPORT_COLUMNS = (
    ("case_id", "Case"), ("customer_id", "Customer"), ("contact_id", "Contact"), ("site_id", "Site"),
    ("agent_id", "Agent"), ("kind", "Kind"), ("reason", "Brief description"), ("comment", "Customer's words"),
    ("detected_at", "Detected (UTC)"), ("first_action_at", "First acted on (UTC)"), ("closed_at", "Closed (UTC)"),
    ("status", "Status"), ("resolution", "Final resolution"), ("root_cause", "Root cause"),
    ("reached", "Customer reached"), ("overdue", "Overdue"))


def month_cases(con: duckdb.DuckDBPyConnection, settings: Settings, user: User, month: str) -> list[dict[str, Any]]:
    """The cases detected in `month` (YYYY-MM, UTC) that the user may see, oldest first."""
    first, last = month_of(month)
    found = [c for c in cases(con, settings, user) if first <= c["detected_at"].date() <= last]
    return sorted(found, key=lambda c: (c["detected_at"], c["case_id"]))


def write_csv(found: list[dict[str, Any]], columns: tuple[tuple[str, str], ...], out: Path) -> None:
    with out.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow([title for _, title in columns])
        for case in found:
            writer.writerow(["" if case.get(key) is None else _raw(case[key]) for key, _ in columns])


def write_xlsx(found: list[dict[str, Any]], columns: tuple[tuple[str, str], ...], out: Path, sheet: str) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(out), {"remove_timezone": True})
    try:
        ws = book.add_worksheet(sheet[:31])
        bold = book.add_format({"bold": True, "bg_color": "#E9ECEF", "border": 1})
        when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        wrap = book.add_format({"text_wrap": True, "valign": "top"})
        for col, (_, title) in enumerate(columns):
            ws.write_string(0, col, title, bold)
            ws.set_column(col, col, max(12, min(40, len(title) + 4)), wrap if title in (
                "Brief description", "Customer's words", "Final resolution") else None)
        for row, case in enumerate(found, start=1):
            for col, (key, _) in enumerate(columns):
                value = case.get(key)
                if value is None:
                    continue
                if isinstance(value, datetime):
                    ws.write_datetime(row, col, value, when)
                elif isinstance(value, bool):
                    ws.write_boolean(row, col, value)
                elif isinstance(value, int | float):
                    ws.write_number(row, col, value)
                else:
                    ws.write_string(row, col, str(value))
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(1, len(found)), len(columns) - 1)
    finally:
        book.close()


def list_text(found: list[dict[str, Any]], fmt: str) -> str:
    """The case list for `floorview follow-ups list`: a table, CSV or JSON of COLUMNS."""
    rows = [{c: case.get(c) for c in COLUMNS} for case in found]
    if fmt == "json":
        return json.dumps([{k: _raw(v) if v is not None else None for k, v in r.items()} for r in rows], indent=2)
    cells = [[("" if r[c] is None else str(_raw(r[c]))) for c in COLUMNS] for r in rows]
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(cells)
        return text.getvalue().rstrip("\n")
    widths = [min(40, max([len(c)] + [len(r[i]) for r in cells])) for i, c in enumerate(COLUMNS)]
    lines = ["  ".join(c.ljust(w) for c, w in zip(COLUMNS, widths, strict=True))]
    lines += ["  ".join(v[:w].ljust(w) for v, w in zip(r, widths, strict=True)) for r in cells]
    return "\n".join(lines)


def _raw(value: Any) -> Any:
    return value.isoformat(sep=" ", timespec="seconds") if isinstance(value, datetime) else value
