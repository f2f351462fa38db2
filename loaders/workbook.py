"""Excel workbooks (.xlsx), read directly: one sheet's rows as text, line numbers as Excel shows them.

python-calamine (Rust's calamine) reads the file without Excel or LibreOffice and much faster than openpyxl;
cells come typed (numbers, dates, times, durations) and are written out the way a CSV export would hold them.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

from python_calamine import CalamineWorkbook

SUFFIXES = (".xlsx", ".xlsm")


class WorkbookError(ValueError):
    """The workbook or the sheet asked for cannot be read; the message names the file and the sheet."""


def is_workbook(path: Path) -> bool:
    """An Office Open XML workbook, by what the file holds (its name may say otherwise)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return any(n.startswith("xl/") for n in zf.namelist())
    except (zipfile.BadZipFile, OSError):
        return False


def _text(value: object) -> str:
    """A cell as an export's text: whole numbers without '.0', ISO dates and times, durations as h:mm:ss."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        whole = int(value.total_seconds())
        return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    return str(value).strip()


def sheet_rows(path: Path, sheet: str | int | None = None, skip_rows: int = 0
               ) -> tuple[list[str], Iterator[tuple[int, dict[str, str]]]]:
    """(header, rows as (Excel row number, column -> text)) of one sheet (by name, 0-based index, or the first),
    the header on the row after `skip_rows`. Blank rows are passed over."""
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = book.sheet_names
        if isinstance(sheet, str):
            if sheet not in names:
                raise WorkbookError(f"{path.name}: no sheet {sheet!r} (sheets: {', '.join(names)})")
            found = book.get_sheet_by_name(sheet)
        else:
            index = sheet or 0
            if not 0 <= index < len(names):
                raise WorkbookError(f"{path.name}: no sheet {index} (it has {len(names)}: {', '.join(names)})")
            found = book.get_sheet_by_index(index)
        cells = found.to_python(skip_empty_area=False)
    except WorkbookError:
        raise
    except Exception as err:  # noqa: BLE001 - calamine raises its own errors for a damaged file
        raise WorkbookError(f"{path.name}: cannot be read as an Excel workbook ({err})") from None
    if len(cells) <= skip_rows:
        raise WorkbookError(f"{path.name}: the sheet has no header row (after {skip_rows} skipped)")
    header = [_text(c) for c in cells[skip_rows]]
    while header and not header[-1]:
        header.pop()

    def rows() -> Iterator[tuple[int, dict[str, str]]]:
        for number, values in enumerate(cells[skip_rows + 1:], start=skip_rows + 2):
            texts = [_text(v) for v in values]
            if any(texts):
                yield number, dict(zip(header, texts, strict=False))
    return header, rows()
