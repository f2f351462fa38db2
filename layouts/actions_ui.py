"""Forms and lists for acting on the numbers: requests, decisions, messages and their acknowledgements."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

import ids
from layouts.components import GRID_COLUMNS
from layouts.panels import export_buttons

REQUEST_COLUMNS = [
    {"field": "request_id", "headerName": "#", "maxWidth": 80},
    {"field": "agent", "headerName": "Agent"}, {"field": "day", "headerName": "Date"},
    {"field": "from_time", "headerName": "From", "maxWidth": 90}, {"field": "to_time", "headerName": "To", "maxWidth": 90},
    {"field": "reason", "headerName": "Reason", "flex": 2, "wrapText": True, "autoHeight": True},
    {"field": "status", "headerName": "Status", "cellClassRules": {
        "fv-cell-green": "params.value == 'approved'", "fv-cell-red": "params.value == 'declined'",
        "fv-cell-amber": "params.value == 'pending'"}},
    {"field": "decided_by", "headerName": "Decided by"}, {"field": "note", "headerName": "Note", "flex": 1},
]


def _grid(grid_id: str, rows: list[dict], columns: list[dict]) -> dag.AgGrid:
    return dag.AgGrid(id=grid_id, rowData=rows, columnDefs=columns, defaultColDef=GRID_COLUMNS,
                      dashGridOptions={"domLayout": "autoHeight"},
                      csvExportParams={"fileName": "floorview-schedule-requests.csv"}, className="ag-theme-alpine")


def request_form() -> html.Div:
    """The agent's 'I need a small change' form, with their requests and the outcomes below."""
    return html.Div([
        html.H2("Request a schedule change"),
        html.P("Your supervisor sees the request and approves or declines it.", className="small text-muted"),
        dbc.Row([
            dbc.Col([dbc.Label("Date", html_for=ids.REQ_DAY), dcc.DatePickerSingle(id=ids.REQ_DAY,
                                                                                  display_format="D MMM YYYY")], md=3),
            dbc.Col([dbc.Label("From (HH:MM)", html_for=ids.REQ_FROM),
                     dbc.Input(id=ids.REQ_FROM, placeholder="13:00", maxLength=5)], md=2),
            dbc.Col([dbc.Label("To (HH:MM)", html_for=ids.REQ_TO),
                     dbc.Input(id=ids.REQ_TO, placeholder="13:05", maxLength=5)], md=2),
            dbc.Col([dbc.Label("Reason", html_for=ids.REQ_REASON),
                     dbc.Input(id=ids.REQ_REASON, placeholder="e.g. five more minutes to get back from lunch",
                               maxLength=500)], md=5),
        ], className="g-2"),
        html.Div([dbc.Button("Send request", id=ids.REQ_SUBMIT, color="primary", size="sm", className="mt-2"),
                  html.Span(id=ids.REQ_FEEDBACK, className="ms-2 small", role="status")]),
        html.H3("My requests", className="h6 mt-3"),
        html.Div(id=ids.REQ_MINE),
    ], className="fv-panel", **{"data-panel": "my-requests"})


STATUS_MARK = {"approved": "✓ approved", "declined": "✕ declined", "pending": "… pending"}


def my_requests(rows: list[dict]) -> html.Div | dbc.Table:
    if not rows:
        return html.P("No requests yet.", className="small text-muted")
    head = html.Thead(html.Tr([html.Th(h) for h in ("#", "Date", "From", "To", "Reason", "Status", "Note")]))
    body = html.Tbody([html.Tr([html.Td(r["request_id"]), html.Td(r["day"]), html.Td(r["from_time"]),
                                html.Td(r["to_time"]), html.Td(r["reason"]),
                                html.Td(STATUS_MARK.get(r["status"], r["status"]),
                                        className={"approved": "text-success", "declined": "text-danger"}.get(
                                            r["status"], "")),
                                html.Td(r.get("note") or "")]) for r in rows])
    return dbc.Table([head, body], size="sm", className="small mb-0")


def decisions_panel() -> html.Div:
    """The supervisor's queue of requests: pick one, add a note, approve or decline; export approved."""
    return html.Div([
        html.Div([html.H2("Schedule-change requests"),
                  html.Div(export_buttons("requests", csv_label="CSV for WFM"), className="d-flex")],
                 className="d-flex justify-content-between align-items-center mb-2"),
        html.P("Select a request, add a note if you like, then approve or decline. Floorview does not change the "
               "WFM schedule: export the approved requests for the WFM system.", className="small text-muted"),
        dag.AgGrid(id={"type": "fv-panel-grid", "panel": "requests"}, rowData=[], columnDefs=REQUEST_COLUMNS,
                   defaultColDef=GRID_COLUMNS,
                   dashGridOptions={"domLayout": "autoHeight",
                                    "rowSelection": {"mode": "singleRow", "checkboxes": False, "enableClickSelection": True}},
                   csvExportParams={"fileName": "floorview-schedule-requests.csv"}, className="ag-theme-alpine"),
        html.Div([
            dbc.Input(id=ids.REQ_NOTE, placeholder="Note to the agent (optional)", maxLength=500, size="sm",
                      style={"maxWidth": "420px"}),
            dbc.Button("Approve", id=ids.REQ_APPROVE, color="success", size="sm"),
            dbc.Button("Decline", id=ids.REQ_DECLINE, color="danger", outline=True, size="sm"),
            html.Span(id=ids.REQ_DECISION, className="small", role="status"),
        ], className="d-flex gap-2 align-items-center mt-2"),
    ], className="fv-panel", **{"data-panel": "requests"})


def inbox(messages: list[dict]) -> html.Div | None:
    """Unacknowledged messages and alerts for the signed-in person, each with an Acknowledge button."""
    unread = [m for m in messages if not m["acknowledged"]]
    if not unread:
        return None
    items = []
    for m in unread:
        about = f" · {m['kpi']}" if m.get("kpi") else ""
        items.append(html.Div([
            html.Div([html.Strong(("⚠ Alert" if m["kind"] == "alert" else "✉ Message") + f" from {m['sender_name']}"),
                      html.Span(f" · {m['sent']}{about}" + (f" · {m['period']}" if m.get("period") else ""),
                                className="small text-muted"),
                      html.Div(m["body"])]),
            dbc.Button("Acknowledge", id=ids.msg_ack(m["message_id"]), size="sm", color="secondary", outline=True),
        ], className="d-flex justify-content-between align-items-center gap-3 py-1 border-bottom",
            **{"data-message": str(m["message_id"])}))
    return html.Div([html.Div(f"{len(unread)} unread", className="small fw-bold mb-1"), *items],
                    className="alert alert-warning py-2", role="region", **{"aria-label": "messages"})


def sent_panel(rows: list[dict]) -> html.Div:
    return html.Div([
        html.H2("Alerts and messages sent", className="mb-2"),
        _grid(ids.DESK_SENT, rows, [
            {"field": "sent", "headerName": "Sent", "maxWidth": 180},
            {"field": "kind", "headerName": "Kind", "maxWidth": 100},
            {"field": "audience_name", "headerName": "To"}, {"field": "body", "headerName": "Text", "flex": 2},
            {"field": "acknowledged_by", "headerName": "Acknowledged by", "flex": 1}]),
    ], className="fv-panel", **{"data-panel": "sent"})


def alert_button(site_name: str) -> html.Div:
    return html.Div([
        dbc.Button(f"Alert {site_name}", id=ids.DESK_ALERT, color="warning", size="sm"),
        html.Span(id=ids.DESK_ALERT_STATUS, className="ms-2 small", role="status"),
    ], className="mb-2")
