"""A panel's rows as a CSV or Excel file: the raw values behind what the grid shows.

The grid shows formatted text (icons, separators, m:ss, links); the file holds the numbers, with each column's
unit in its header, the status and the target in columns of their own, and a linked name split into the name and
its id. Columns declare their unit in AG Grid's `context` ({"unit": "%"}), the one free-form column property.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from dash import MATCH, Dash, Input, Output, State, ctx, dcc, no_update

import ids
from actions.table_files import Column, csv_bytes, xlsx_bytes
from callbacks.common import NotAllowed, require_user
from roles import ROLES

LINK = re.compile(r"^\[(?P<name>.*)\]\((?P<href>[^)]*)\)$")
LINK_KEYS = ("agent", "team", "call_type", "site")
STATUS_WORDS = {"green": "on target", "amber": "near target", "red": "off target", "none": "no target"}
MAX_ROWS = 100_000  # a panel holds a few thousand rows at most; a forged request gets no bigger file


def export_table(rows: list[dict[str, Any]], column_defs: list[dict[str, Any]]) -> tuple[list[Column], list[dict]]:
    """The file's columns and rows for a grid's rows and column definitions."""
    columns: list[Column] = []
    out: list[dict[str, Any]] = [{} for _ in rows]
    for definition in column_defs:
        field = definition.get("field")
        if not isinstance(field, str):
            continue
        header = str(definition.get("headerName") or field)
        context = definition.get("context") or {}
        unit, decimals = context.get("unit"), context.get("decimals")
        base = header.removesuffix(" %") if unit == "%" else header
        titled = f"{base} ({unit})" if unit else header
        values = [row.get(field) for row in rows]
        links = [LINK.match(v) if isinstance(v, str) else None for v in values]
        if any(links):
            columns += [Column(f"{field}.name", header), Column(f"{field}.id", f"{header} id")]
            for target, link, value in zip(out, links, values, strict=True):
                target[f"{field}.name"] = link["name"] if link else value
                target[f"{field}.id"] = _linked_id(link["href"]) if link else None
        else:
            columns.append(Column(field, titled, decimals))
            for target, value in zip(out, values, strict=True):
                target[field] = value if isinstance(value, int | float | str | bool) or value is None else str(value)
        for suffix, title, words in (("_at", f"{base} at", None), ("_status", f"{base} status", STATUS_WORDS),
                                     ("_target", f"{base} target" + (f" ({unit})" if unit else ""), None)):
            key = f"{field}{suffix}"
            if not any(key in row for row in rows):
                continue
            columns.append(Column(key, title, decimals if suffix == "_target" else None))
            for target, row in zip(out, rows, strict=True):
                value = row.get(key)
                target[key] = words.get(value or "none", value) if words else value
    return columns, out


def _linked_id(href: str) -> str | None:
    """The id a drill link points at: its deepest level (an agent before a team, a team before a site)."""
    query = dict(parse_qsl(urlsplit(href).query))
    return next((query[key] for key in LINK_KEYS if key in query), None)


def _file(kind: str, name: str, rows: Any, column_defs: Any) -> Any:
    """The download for an export button's click: `kind` "xlsx" or "csv"."""
    if not isinstance(rows, list):
        return no_update
    rows = [r for r in rows[:MAX_ROWS] if isinstance(r, dict)]
    columns, table = export_table(rows, [c for c in column_defs or [] if isinstance(c, dict)])
    if kind == "xlsx":
        return dcc.send_bytes(xlsx_bytes(table, columns, name), f"floorview-{name}.xlsx")
    return dcc.send_bytes(csv_bytes(table, columns), f"floorview-{name}.csv")


def signed_in() -> bool:
    try:
        require_user(*ROLES)
    except NotAllowed:
        return False
    return True


def register_grid(app: Dash, grid: str, csv_button: str, name: str) -> None:
    """CSV and Excel downloads for a page's own grid (one that is not a panel): the same files as a panel's."""
    @app.callback(
        Output(ids.download(csv_button), "data"),
        Input(csv_button, "n_clicks"),
        Input(ids.xlsx_button(csv_button), "n_clicks"),
        State(grid, "rowData"),
        State(grid, "columnDefs"),
        prevent_initial_call=True,
    )
    def export(csv_clicks, xlsx_clicks, rows, column_defs):
        if not signed_in() or not (csv_clicks or xlsx_clicks):
            return no_update
        return _file("xlsx" if ctx.triggered_id == ids.xlsx_button(csv_button) else "csv", name, rows, column_defs)


def register(app: Dash) -> None:
    @app.callback(
        Output({"type": "fv-panel-download", "panel": MATCH}, "data"),
        Input({"type": "fv-panel-export", "panel": MATCH}, "n_clicks"),
        Input({"type": "fv-panel-xlsx", "panel": MATCH}, "n_clicks"),
        State({"type": "fv-panel-grid", "panel": MATCH}, "rowData"),
        State({"type": "fv-panel-grid", "panel": MATCH}, "columnDefs"),
        prevent_initial_call=True,
    )
    def export(csv_clicks, xlsx_clicks, rows, column_defs):
        # The rows are the ones this browser was sent; the file only reshapes them. Signed-in people only.
        trigger = ctx.triggered_id
        if not signed_in() or not trigger or not (csv_clicks or xlsx_clicks):
            return no_update
        kind = "xlsx" if trigger["type"] == "fv-panel-xlsx" else "csv"
        return _file(kind, str(trigger["panel"]), rows, column_defs)
