"""Panel exports hold raw values: read back with pandas, from CSV and from the Excel workbook."""

from __future__ import annotations

import base64
import io
from datetime import datetime

import pandas as pd

from actions.table_files import Column, csv_bytes, xlsx_bytes
from callbacks.panel_exports import export_table
from layouts.control_desk_page import sites_table
from layouts.panels import exported_as

# Two sites as the control desk's table holds them: numbers, statuses, targets, the worst time of day.
SITES = [
    {"site": "NYC", "name": "New York", "offered": 16145, "offered_status": "none", "offered_target": None,
     "service_level": 71.25, "service_level_status": "red", "service_level_target": 80.0,
     "net_staffing_on_hand": -0.4, "net_staffing_on_hand_status": "amber", "net_staffing_on_hand_target": 0.0,
     "net_worst": -5.0, "net_worst_at": "14:00"},
    {"site": "SÃO", "name": "São Paulo", "offered": 4270, "offered_status": "none", "offered_target": None,
     "service_level": None, "service_level_status": "none", "service_level_target": 80.0,
     "net_staffing_on_hand": 1.5, "net_staffing_on_hand_status": "green", "net_staffing_on_hand_target": 0.0,
     "net_worst": None, "net_worst_at": None},
]


def desk_grid() -> tuple[list[dict], list[dict]]:
    """The rows (with their shown texts: "✕ 71.3 %") and column definitions the desk's grid is drawn with."""
    table = sites_table([dict(r) for r in SITES])
    grid = next(c for c in _walk(table) if type(c).__name__ == "AgGrid")
    assert grid.rowData[0]["offered_text"] == "16,145"
    return grid.rowData, grid.columnDefs


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list) else [children] if children is not None else []:
        if hasattr(child, "to_plotly_json"):
            yield from _walk(child)


def test_site_table_exports_numbers_with_units_status_and_target_in_their_own_columns():
    columns, rows = export_table(*desk_grid())
    frame = pd.read_csv(io.BytesIO(csv_bytes(rows, columns)), encoding="utf-8-sig")
    assert list(frame["Site"]) == ["New York", "São Paulo"]
    assert list(frame["Offered"]) == [16145, 4270]  # no thousands separator, no icon: a number
    assert frame["Offered"].dtype.kind == "i"
    assert frame.loc[0, "Service level (%)"] == 71.25
    assert pd.isna(frame.loc[1, "Service level (%)"])  # unknown stays empty, never 0
    assert list(frame["Service level status"]) == ["off target", "no target"]
    assert list(frame["Service level target (%)"]) == [80.0, 80.0]
    assert list(frame["On hand − required status"]) == ["near target", "on target"]
    assert frame.loc[0, "Worst time of day (agents)"] == -5.0
    assert frame.loc[0, "Worst time of day at"] == "14:00"
    assert "Offered target" in frame.columns and frame["Offered target"].isna().all()


def test_linked_names_split_into_name_and_id_and_the_workbook_types_its_cells():
    column_defs = [{"field": "agent", "headerName": "Agent", "cellRenderer": "markdown"},
                   {"field": "date", "headerName": "Date"},
                   {"field": "aht", "headerName": "AHT", **exported_as("s"), "valueFormatter": {"function": "x"}},
                   {"field": "aht_text", "headerName": "ignored if absent"}]
    source = [{"agent": "[Hiro Tanaka](/agent?agent=NYC0001)", "date": "2026-11-20", "aht": 412, "aht_status": "red",
               "aht_target": 360},
              {"agent": "[Zoë Brennan](/manager?site=MAN&team=T7&period=last_month)", "date": "2026-11-21",
               "aht": 300.5, "aht_status": "green", "aht_target": 360}]
    columns, rows = export_table(source, column_defs)
    titles = [c.title for c in columns]
    assert titles[:5] == ["Agent", "Agent id", "Date", "AHT (seconds)", "AHT status"]
    frame = pd.read_csv(io.BytesIO(csv_bytes(rows, columns)), encoding="utf-8-sig")
    assert list(frame["Agent"]) == ["Hiro Tanaka", "Zoë Brennan"]
    assert list(frame["Agent id"]) == ["NYC0001", "T7"]  # the deepest level a drill link names
    assert list(frame["Date"]) == ["2026-11-20", "2026-11-21"]  # ISO dates
    book = pd.read_excel(io.BytesIO(xlsx_bytes(rows, columns, "Team: Heron/West")), engine="calamine")
    assert list(book["AHT (seconds)"]) == [412, 300.5]
    assert list(book["AHT target (seconds)"]) == [360, 360]
    assert list(book["Date"]) == [datetime(2026, 11, 20), datetime(2026, 11, 21)]  # real dates in Excel
    assert list(book["Agent id"]) == ["NYC0001", "T7"]


def test_csv_and_workbook_agree_and_empty_cells_stay_empty():
    columns = [Column("n", "Contacts", 0), Column("rate", "Service level (%)", 1), Column("who", "Agent")]
    rows = [{"n": 1234567, "rate": 87.5, "who": "Ann"}, {"n": None, "rate": None, "who": "Bo"}]
    text = csv_bytes(rows, columns)
    assert text.startswith("\ufeff".encode())  # Excel reads UTF-8 names right
    assert text.decode("utf-8-sig").splitlines() == ["Contacts,Service level (%),Agent", "1234567,87.5,Ann", ",,Bo"]
    book = pd.read_excel(io.BytesIO(xlsx_bytes(rows, columns, "x")), engine="calamine")
    assert book.loc[0, "Contacts"] == 1234567 and book.loc[0, "Service level (%)"] == 87.5
    assert book.iloc[1, :2].isna().all() and book.loc[1, "Agent"] == "Bo"


def test_an_export_request_with_rows_that_are_not_rows_gets_no_file_and_odd_cells_become_text():
    """What a browser (or a forged request) sends is checked: no rows, no file; non-dict rows and column
    definitions are skipped; a cell that is neither number nor text is written as text, not dropped."""
    from dash import no_update

    from callbacks.panel_exports import _file
    assert _file("csv", "x", "not a list", None) is no_update
    download = _file("csv", "x", ["junk", {"a": [1, 2], "b": 3}], ["junk", {"field": "a"}, {"field": "b"}])
    frame = pd.read_csv(io.BytesIO(base64.b64decode(download["content"])), encoding="utf-8-sig")
    assert list(frame.columns) == ["a", "b"] and frame.loc[0, "a"] == "[1, 2]" and frame.loc[0, "b"] == 3
