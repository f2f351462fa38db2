"""Messages page: write to an agent, a team, a site or everyone in scope; see who has acknowledged."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

import ids
from layouts.components import data_grid, labelled, page_heading

SENT_COLUMNS = [
    {"field": "sent", "headerName": "Sent", "maxWidth": 180},
    {"field": "kind", "headerName": "Kind", "maxWidth": 110},
    {"field": "audience_level", "headerName": "To", "maxWidth": 100},
    {"field": "audience_name", "headerName": "Who"},
    {"field": "kpi", "headerName": "About"},
    {"field": "body", "headerName": "Text", "minWidth": 280, "tooltipField": "body"},
    {"field": "acknowledged_by", "headerName": "Acknowledged by", "minWidth": 200, "tooltipField": "acknowledged_by"},
]
LEVEL_WORDS = {"agent": "An agent", "team": "A team", "site": "A site", "all": "Everyone in my scope"}



def layout(**_query: str) -> html.Div:
    return html.Div([
        page_heading("Messages", "Tell people what the numbers show. Recipients see it at the top of their page and "
                                 "acknowledge it; you see who has."),
        html.Div([
            dbc.Row([
                labelled("To", dcc.Dropdown(id=ids.MSG_LEVEL, clearable=False), 3),
                labelled("Who", dcc.Dropdown(id=ids.MSG_TO, clearable=False, placeholder="Choose"), 5),
                labelled("Kind", dbc.RadioItems(id=ids.MSG_KIND, value="message", inline=True, options=[
                    {"label": "✉ Message", "value": "message"}, {"label": "⚠ Alert", "value": "alert"}]), 4),
            ], className="g-2"),
            dbc.Row([
                labelled("About a KPI (optional)", dcc.Dropdown(id=ids.MSG_KPI, searchable=True,
                                                                placeholder="No KPI · type to search"), 4),
                labelled("Period (optional)", dbc.Input(id=ids.MSG_PERIOD, maxLength=80,
                                                      placeholder="e.g. today 14:00–16:00"), 3),
            ], className="g-2 mt-1"),
            labelled("Message", dbc.Textarea(id=ids.MSG_BODY, maxLength=1000, rows=3,
                                           placeholder="e.g. On-hand staff is 10 % under schedule 14:00–16:00; "
                                                       "please move training to tomorrow."), 12),
            html.Div([dbc.Button("Send", id=ids.MSG_SEND, color="primary", size="sm", className="mt-2"),
                      html.Span(id=ids.MSG_FEEDBACK, className="ms-2 small", role="status")]),
        ], className="fv-panel", **{"data-panel": "compose"}),
        html.Div([
            html.H2("Sent", className="h5"),
            data_grid(ids.MSG_SENT, SENT_COLUMNS, height="320px", file_name="floorview-messages.csv"),
        ], className="fv-panel mt-3", **{"data-panel": "sent-messages"}),
    ])


def not_allowed() -> html.Div:
    return html.Div("Messages are sent by supervisors, managers and the control desk.", className="alert alert-warning")
