"""Follow-ups page (the survey HOTLINE): the cases in scope, overdue first; one case with the customer's words,
the survey's answers, the contact and the customer's other contacts, its timeline, and the steps a leader takes.
"""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html

import ids
from layouts.components import data_grid, empty_state, export_button, labelled, page_heading
from layouts.formatting import fmt

STATUS_WORDS = {"new": "New", "in_progress": "In progress", "closed": "Closed"}
CASE_COLUMNS = [
    {"field": "case_id", "headerName": "Case", "minWidth": 95, "maxWidth": 110, "type": "numericColumn"},
    {"field": "overdue_text", "headerName": "Clock", "minWidth": 150,
     "cellClassRules": {"fv-cell-red": "params.data.overdue"}},
    {"field": "status_text", "headerName": "Status", "minWidth": 125, "maxWidth": 140},
    {"field": "kind_text", "headerName": "Kind", "minWidth": 115, "maxWidth": 130},
    {"field": "reason", "headerName": "Why", "minWidth": 200, "tooltipField": "reason"},
    {"field": "comment", "headerName": "Customer's words", "minWidth": 240, "tooltipField": "comment"},
    {"field": "agent_name", "headerName": "Agent", "minWidth": 130},
    {"field": "site_name", "headerName": "Site", "minWidth": 110},
    {"field": "owner_text", "headerName": "Owner", "minWidth": 130},
    {"field": "detected_text", "headerName": "Detected (site time)", "minWidth": 150},
    {"field": "recovered_text", "headerName": "Recovered", "minWidth": 110},
]


def layout(month: str, **_query: str) -> html.Div:
    """`month` (YYYY-MM): the month the tiles and the report start on, the app's today's."""
    return html.Div([
        page_heading("Follow-ups", "Customers who told the survey they were unhappy, and sales leads: call them "
                                   "back while it still matters. Overdue cases come first."),
        html.Div(id=ids.FU_TILES),
        html.Div([
            dbc.Row([
                labelled("Status", dcc.Dropdown(id=ids.FU_STATUS, clearable=True, placeholder="Open and closed",
                                                options=[{"label": w, "value": s} for s, w in STATUS_WORDS.items()]),
                         3),
                labelled("Site", dcc.Dropdown(id=ids.FU_SITE, clearable=True, placeholder="All in my scope"), 3),
                dbc.Col(dbc.Checklist(id=ids.FU_OVERDUE, options=[{"label": "Overdue only", "value": "overdue"}],
                                      value=[], switch=True, className="mt-4"), md=3),
            ], className="g-2"),
            html.Div(id=ids.FU_FEEDBACK, className="small mt-2", role="status"),
            html.Div(export_button(ids.FU_EXPORT), className="d-flex justify-content-end mb-1"),
            _selectable(data_grid(ids.FU_GRID, CASE_COLUMNS, height="360px", file_name="floorview-follow-ups.csv")),
            html.Div(className="small text-muted mt-1",
                     children="Click a case to open it. Clock: ⚠ overdue · ✓ within its service clock."),
        ], className="fv-panel", **{"data-panel": "follow-up-cases"}),
        dcc.Store(id=ids.FU_CHANGED, data=0),
        dcc.Store(id=ids.FU_SELECTED),
        html.Div(nothing_chosen(), id=ids.FU_CASE, className="mt-3"),
        steps(),
        html.Div([
            html.H2("Month: the tiles above and the management report", className="h5"),
            html.Div("One row per case detected in the month: customer, contact, description, when detected, first "
                     "acted on and closed, the resolution and the root cause.", className="small text-muted"),
            dbc.Row([
                labelled("Month", dbc.Input(id=ids.FU_MONTH, type="month", value=month), 3),
                dbc.Col(dbc.Button("Download (Excel)", id=ids.FU_REPORT, color="secondary", outline=True,
                                   size="sm", className="mt-4"), md=3),
            ], className="g-2"),
            dcc.Download(id=ids.FU_DOWNLOAD),
        ], className="fv-panel mt-3", **{"data-panel": "follow-up-report"}),
    ])


def case_rows(found: list[dict[str, Any]], site_time: dict[int, str]) -> list[dict[str, Any]]:
    """Grid rows: words and icons as well as colour."""
    rows = []
    for c in found:
        overdue = c["overdue"]
        rows.append({
            **{k: c.get(k) for k in ("case_id", "reason", "comment", "agent_name", "site_name", "overdue")},
            "row_id": str(c["case_id"]),  # AG Grid's row ids are strings
            "overdue_text": "⚠ Overdue" if overdue else ("✓ Closed in time" if c["status"] == "closed" else "✓ In time"),
            "status_text": STATUS_WORDS.get(c["status"], c["status"]),
            "kind_text": "Sales lead" if c["kind"] == "lead" else "Follow-up",
            "owner_text": c.get("owner") or c.get("owner_team_name") or c.get("owner_team_id") or "—",
            "detected_text": site_time.get(c["case_id"], ""),
            "recovered_text": {None: "—", True: "✓ Recovered", False: "✕ Not recovered"}[c.get("recovered")],
        })
    return rows


def case_view(c: dict[str, Any], times: dict[str, str], can_act: bool) -> html.Div:
    """One case: what the customer said, the contact, the customer's other contacts, the timeline, the steps."""
    answers = [("NPS", c.get("nps")), ("CSAT (1–5)", c.get("csat")),
               ("Resolved", {True: "yes", False: "no", None: "—"}[c.get("said_resolved")])]
    contact = [("Contact", c.get("contact_id") or "—"), ("Customer", c.get("customer_id") or "hidden or unknown"),
               ("Queue", c.get("queue_name") or "—"), ("Agent", c.get("agent_name") or c.get("agent_id") or "—"),
               ("Team", c.get("team_name") or "—"), ("Wait", fmt(c.get("wait_s"), "s")),
               ("Handle time", fmt(c.get("handle_s"), "s"))]
    clocks = [("Detected", times["detected"]), ("First action due", times["first_due"]),
              ("First action", times["first_action"]), ("Close due", times["close_due"]),
              ("Closed", times["closed"])]
    others = c.get("other_contacts") or []
    timeline = c.get("timeline") or []
    status = STATUS_WORDS.get(c["status"], c["status"])
    return html.Div([
        html.Div([
            html.H2(f"Case {c['case_id']}: {status}" + (" · ⚠ overdue" if c["overdue"] else ""), className="h5"),
            html.Blockquote(c.get("comment") or "(no comment)", className="fv-verbatim"),
            html.Div(c["reason"], className="small text-muted mb-2"),
            dbc.Row([dbc.Col(_facts("The survey", answers), md=3), dbc.Col(_facts("The contact", contact), md=5),
                     dbc.Col(_facts("Service clocks (site time)", clocks), md=4)], className="g-2"),
            html.H3("The customer's other contacts in the FCR window", className="h6 mt-2"),
            html.Ul([html.Li(f"{o['offered_at']:%Y-%m-%d %H:%M} UTC · {o['contact_id']} · {o['queue_id']} · "
                             f"{'answered by ' + str(o['agent_id']) if o['answered'] else 'not answered'}")
                     for o in others]) if others else html.Div("None.", className="small"),
            *([html.Div(f"Resolution: {c['resolution']} · root cause: {c['root_cause']} · customer "
                        f"{'reached' if c['reached'] else 'not reached'}", className="small mt-1")]
              if c["status"] == "closed" else []),
            html.H3("Timeline", className="h6 mt-2"),
            html.Ol([html.Li(f"{t['happened_at']:%Y-%m-%d %H:%M} UTC · {t['username']} · {t['action']}"
                             + (f": {t['note']}" if t.get("note") else "")) for t in timeline], className="small"),
        ], className="fv-panel", **{"data-panel": "follow-up-case", "data-case": str(c["case_id"]),
                                    "data-status": c["status"]}),
        *([] if can_act else [html.Div("You can read this case; your supervisor follows it up.",
                                       className="small text-muted mt-2")]),
    ])


def _facts(title: str, pairs: list[tuple[str, Any]]) -> html.Div:
    return html.Div([html.H3(title, className="h6"),
                     html.Dl([part for k, v in pairs for part in (html.Dt(k), html.Dd("—" if v is None else str(v)))],
                             className="fv-facts small")])


def _selectable(grid: Any) -> Any:
    grid.dashGridOptions = {**grid.dashGridOptions, "rowSelection": {
        "mode": "singleRow", "checkboxes": False, "enableClickSelection": True}}
    grid.getRowId = "params.data.row_id"
    return grid


HIDDEN = {"display": "none"}


def steps() -> html.Div:
    """The steps a leader takes on the case open above (shown by the page's callback for open or closed cases;
    each step checks authority again on the server)."""
    return html.Div([
        html.Div([
            html.H3("Log what you did", className="h6"),
            dbc.Row([
                labelled("Action", dcc.Dropdown(id=ids.FU_ACTION, clearable=False), 3),
                labelled("Note", dbc.Input(id=ids.FU_NOTE, maxLength=2000,
                                           placeholder="e.g. apologised, refund agreed"), 7),
                dbc.Col(dbc.Button("Log action", id=ids.FU_LOG, color="primary", size="sm", className="mt-4"), md=2),
            ], className="g-2"),
            html.H3("Close the case", className="h6 mt-3"),
            dbc.Row([
                labelled("Resolution", dbc.Input(id=ids.FU_RESOLUTION, maxLength=2000,
                                                 placeholder="What was done for the customer"), 5),
                labelled("Root cause", dcc.Dropdown(id=ids.FU_CAUSE), 3),
                labelled("Customer reached", dbc.RadioItems(id=ids.FU_REACHED, inline=True, options=[
                    {"label": "Yes", "value": "yes"}, {"label": "No", "value": "no"}]), 2),
                dbc.Col(dbc.Button("Close case", id=ids.FU_CLOSE, color="success", size="sm", className="mt-4"),
                        md=2),
            ], className="g-2"),
        ], id=ids.FU_STEPS_OPEN, style=HIDDEN),
        html.Div([
            html.H3("Reopen", className="h6"),
            dbc.Row([labelled("Why reopen it", dbc.Input(id=ids.FU_REOPEN_REASON, maxLength=500), 8),
                     dbc.Col(dbc.Button("Reopen", id=ids.FU_REOPEN, color="secondary", size="sm", className="mt-4"),
                             md=2)], className="g-2"),
        ], id=ids.FU_STEPS_CLOSED, style=HIDDEN),
    ], id=ids.FU_STEPS, className="fv-panel mt-2", style=HIDDEN, **{"data-panel": "follow-up-steps"})


def nothing_chosen() -> html.Div:
    return empty_state("Choose a case in the list to see the customer's words, the contact and what was done.")
