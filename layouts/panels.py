"""Analysis panels: a chart and the table behind it, switchable, with CSV export and loading state."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

from layouts import charts
from layouts.components import GRID_COLUMNS, download_buttons, empty_state

# A column's unit and decimals in its files (KPI unit → header unit): "AHT (seconds)", "Service level (%)".
EXPORT_UNITS: dict[str, tuple[str | None, int | None]] = {
    "%": ("%", 1), "s": ("seconds", 0), "agents": ("agents", 1), "count": (None, 0), "/h": ("per hour", 2),
    "months": ("months", 1), "contacts": ("contacts", 0)}


def exported_as(unit: str) -> dict[str, Any]:
    """Column-definition keys giving a column its unit in exports (AG Grid keeps `context` for its user)."""
    shown, decimals = EXPORT_UNITS[unit]
    return {"context": {"unit": shown, "decimals": decimals}}


def panel_ids(name: str) -> dict[str, dict]:
    return {part: {"type": f"fv-panel-{part}", "panel": name} for part in ("view", "chart", "table", "grid", "export", "xlsx",
                                                                        "download")}


def export_buttons(name: str, disabled: bool = False, csv_label: str = "CSV") -> list:
    """The numbers behind a panel's grid as a file (callbacks/panel_exports.py): raw values, units in headers."""
    ids = panel_ids(name)
    return download_buttons(ids["export"], ids["xlsx"], ids["download"], disabled, csv_label)


def panel(name: str, title: str, figure: Any | None, rows: list[dict], columns: list[dict], empty: str,
          subtitle: str = "", height: int = 300, view: str = "chart", extra: Any = None,
          drill: bool = False) -> html.Div:
    """A titled panel showing `figure` or the grid of `rows`; `empty` is said when there is nothing.

    With `drill`, clicking a bar follows the href in its customdata.
    """
    ids = panel_ids(name)
    # A panel that is a table by nature (no figure for its rows) offers no Chart view: an empty "chart" beside a
    # full table would contradict it.
    table_only = figure is None and bool(rows)
    if table_only:
        view = "table"
    if not rows or figure is None:
        body_chart = None if table_only else empty_state(empty)
    else:
        graph_id = {"type": "fv-drill-graph", "panel": name} if drill else {"type": "fv-graph", "panel": name}
        body_chart = dcc.Graph(id=graph_id, figure=figure, config=charts.GRAPH_CONFIG,
                               style={"height": f"{height}px", "cursor": "pointer" if drill else "default"})
    # The grid grows with its rows, a page of 12 at most: in a box of fixed height ("normal" layout) AG Grid at
    # times never heard the box's size on a phone and left its columns hidden (tests/test_browser_a11y.py).
    body_table = dag.AgGrid(
            id=ids["grid"], rowData=rows, columnDefs=columns,
        defaultColDef=GRID_COLUMNS, csvExportParams={"fileName": f"floorview-{name}.csv"},
        dashGridOptions={"domLayout": "autoHeight",
                         "pagination": len(rows) > 12, "paginationPageSize": 12,
                         "paginationPageSizeSelector": [12, 25, 50, 100]},
        className="ag-theme-alpine")
    toggle = None if table_only else dbc.RadioItems(
        id=ids["view"], options=[{"label": "Chart", "value": "chart"}, {"label": "Numbers", "value": "table"}],
        value=view, inline=True, className="btn-group btn-group-sm fv-choices", inputClassName="btn-check",
        labelClassName="btn btn-outline-secondary btn-sm", labelCheckedClassName="active")
    export = export_buttons(name, disabled=not rows)
    return html.Div([
        html.Div([html.Div([html.H2(title), html.Div(subtitle, className="small text-muted")]),
                  html.Div([toggle, *export], className="d-flex align-items-start")],
                 className="fv-panel-head d-flex justify-content-between align-items-start mb-2 gap-2"),
        extra,
        html.Div(body_chart, id=ids["chart"], style={"display": "block" if view == "chart" else "none"}),
        html.Div(body_table, id=ids["table"], style={"display": "block" if view == "table" else "none"}),
    ], className="fv-panel", **{"data-panel": name})
