"""Shared building blocks: grids with CSV export, empty and error states, headings."""

from __future__ import annotations

from typing import Any

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

import ids


def page_heading(title: str, subtitle: str = "") -> html.Div:
    return html.Div(
        [html.H1(title, className="h3 mb-1"), html.P(subtitle, className="text-muted mb-3") if subtitle else None],
        className="mt-3",
    )


def empty_state(message: str) -> html.Div:
    # The "i" is drawn by CSS (a circled letter): the ⓘ glyph is missing from the fonts the browsers have here.
    return html.Div([html.Span("i", className="fv-info-icon", **{"aria-hidden": "true"}), message],
                    className="alert alert-secondary",
                    role="status")


def error_state(message: str) -> html.Div:
    return html.Div([html.Strong("Problem: "), message], className="alert alert-danger", role="alert")


def download_buttons(csv_id: Any, xlsx_id: Any, download_id: Any, disabled: bool = False,
                     csv_label: str = "CSV") -> list:
    """CSV and Excel buttons and the download they fill (callbacks/panel_exports.py: raw values, units in the
    headers), for a panel's grid or a page's own."""
    return [*(dbc.Button(["↓ ", label], id=bid, color="secondary", outline=True, size="sm", className="ms-2",
                         disabled=disabled, title=f"Download these numbers as {what}")
              for bid, label, what in ((csv_id, csv_label, "CSV"), (xlsx_id, "Excel", "an Excel workbook"))),
            dcc.Download(id=download_id)]


def export_button(button_id: str) -> html.Span:
    """A page grid's downloads: the Excel button and the download take their ids from the CSV button's."""
    return html.Span(download_buttons(button_id, ids.xlsx_button(button_id), ids.download(button_id)))


# Every grid: columns share the width (flex) above a floor and scroll sideways below it, and headers wrap onto a
# second line rather than end in "…". Flex needs no sizeColumnsToFit call, which warns on a grid not yet shown
# (a panel's hidden Numbers view) and left it unsized.
GRID_COLUMNS = {"sortable": True, "filter": True, "resizable": True, "flex": 1, "minWidth": 80, "wrapHeaderText": True,
                "autoHeaderHeight": True}


def data_grid(grid_id: str, columns: list[dict[str, Any]], height: str = "360px", file_name: str = "export.csv") -> dag.AgGrid:
    """A sortable, filterable grid; rows arrive later through its rowData."""
    return dag.AgGrid(
        id=grid_id,
        columnDefs=columns,
        rowData=[],
        defaultColDef=GRID_COLUMNS,
        dashGridOptions={"pagination": True, "paginationPageSize": 50, "animateRows": False},
        csvExportParams={"fileName": file_name},
        style={"height": height, "width": "100%"},
        className="ag-theme-alpine",
    )


def labelled(label: str, component: Any, width: int) -> dbc.Col:
    """A form field: its label (tied to the component for screen readers) above it, in a grid column."""
    return dbc.Col([dbc.Label(label, html_for=component.id, className="small mb-0"), component], md=width)
