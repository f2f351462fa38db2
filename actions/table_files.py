"""A table as a file people open in a spreadsheet: CSV with raw values, or an Excel workbook with typed cells.

Raw means what a formula can use: numbers without thousands separators, icons or units (the unit is in the
header), dates as ISO dates, the empty cell for unknown. The workbook holds the same columns and values as typed,
formatted cells (XlsxWriter): numbers as numbers, dates as dates, a bold frozen header with filters.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

ISO_DAY_LENGTH = 10


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    decimals: int | None = None  # the workbook's number format; None: as the value comes


def csv_bytes(rows: list[dict[str, Any]], columns: list[Column]) -> bytes:
    """UTF-8 with a byte-order mark, so Excel reads names like "Zoë" and "São Paulo" right on opening."""
    text = io.StringIO()
    writer = csv.writer(text, lineterminator="\r\n")
    writer.writerow([c.title for c in columns])
    for row in rows:
        writer.writerow(["" if row.get(c.key) is None else _iso(row[c.key]) for c in columns])
    return ("\ufeff" + text.getvalue()).encode("utf-8")


def xlsx_bytes(rows: list[dict[str, Any]], columns: list[Column], sheet: str) -> bytes:
    import xlsxwriter

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "remove_timezone": True})
    try:
        ws = book.add_worksheet(_sheet_name(sheet))
        head = book.add_format({"bold": True, "bg_color": "#E9ECEF", "border": 1, "text_wrap": True,
                                "valign": "top"})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        when = book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
        numbers: dict[int | None, Any] = {
            c.decimals: book.add_format({"num_format": "#,##0" + ("." + "0" * c.decimals if c.decimals else "")})
            for c in columns if c.decimals is not None}
        for col, column in enumerate(columns):
            ws.write_string(0, col, column.title, head)
            ws.set_column(col, col, max(10, min(40, len(column.title) + 2)))
        for r, row in enumerate(rows, start=1):
            for col, column in enumerate(columns):
                _write(ws, r, col, row.get(column.key), numbers.get(column.decimals), day, when)
        ws.freeze_panes(1, 0)
        ws.autofilter(0, 0, max(1, len(rows)), max(0, len(columns) - 1))
    finally:
        book.close()
    return out.getvalue()


def _write(ws: Any, r: int, col: int, value: Any, number: Any, day: Any, when: Any) -> None:
    if value is None:
        return
    if isinstance(value, bool):
        ws.write_boolean(r, col, value)
    elif isinstance(value, int | float):
        ws.write_number(r, col, value, number)
    elif isinstance(value, datetime):
        ws.write_datetime(r, col, value, when)
    elif isinstance(value, date):
        ws.write_datetime(r, col, datetime(value.year, value.month, value.day), day)
    elif isinstance(value, str) and _is_iso_day(value):
        ws.write_datetime(r, col, datetime.fromisoformat(value), day)
    else:
        ws.write_string(r, col, str(value))


def _is_iso_day(text: str) -> bool:
    if len(text) != ISO_DAY_LENGTH or text[4] != "-" or text[7] != "-":
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat(sep=" ", timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return value


def _sheet_name(name: str) -> str:
    """Excel's rules: at most 31 characters, none of []:*?/\\."""
    cleaned = "".join(" " if ch in "[]:*?/\\" else ch for ch in name).strip()
    return (cleaned or "Floorview")[:31]
