"""People page (managers, control desk): the sign-ins in one's scope; add one, reset a password, disable."""

from __future__ import annotations

import dash_ag_grid as dag
import dash_bootstrap_components as dbc
from dash import dcc, html

import ids
from layouts.components import GRID_COLUMNS, labelled, page_heading

USER_COLUMNS = [
    {"field": "username", "headerName": "Username"}, {"field": "display_name", "headerName": "Name"},
    {"field": "role", "headerName": "Role", "maxWidth": 140}, {"field": "agent_id", "headerName": "Agent id"},
    {"field": "team_ids", "headerName": "Teams"}, {"field": "site_ids", "headerName": "Sites"},
    {"field": "status", "headerName": "Status", "maxWidth": 120,
     "cellClassRules": {"fv-cell-red": "params.value == 'disabled'"}},
]
PLACE_WORDS = {"agent": "Which agent", "supervisor": "Which team", "manager": "Which site", "control_desk": "—"}



def layout(**_query: str) -> html.Div:
    return html.Div([
        page_heading("People", "Sign-ins for the people in your scope. Passwords are never stored as typed, so "
                               "nobody can read them, not even here; every change goes into the audit trail."),
        html.Div([
            html.H2("Sign-ins", className="h5"),
            html.P("Select a person to reset their password or disable their sign-in.", className="small text-muted"),
            dag.AgGrid(id=ids.PPL_GRID, rowData=[], columnDefs=USER_COLUMNS, defaultColDef=GRID_COLUMNS,
                       dashGridOptions={"rowSelection": {"mode": "singleRow", "checkboxes": False,
                                                         "enableClickSelection": True},
                                        "pagination": True, "paginationPageSize": 20},
                       style={"height": "380px"}, className="ag-theme-alpine"),
            html.Div([
                dbc.Input(id=ids.PPL_NEW_PASSWORD, type="password", placeholder="New password (8+ characters)",
                          size="sm", style={"maxWidth": "260px"}, autoComplete="new-password"),
                dbc.Button("Set password", id=ids.PPL_SET_PASSWORD, size="sm", color="primary"),
                dbc.Button("Disable", id=ids.PPL_DISABLE, size="sm", color="danger", outline=True),
                dbc.Button("Enable", id=ids.PPL_ENABLE, size="sm", color="success", outline=True),
            ], className="d-flex gap-2 align-items-center mt-2"),
        ], className="fv-panel", **{"data-panel": "people"}),
        html.Div([
            html.H2("Add a person", className="h5"),
            dbc.Row([
                labelled("Username", dbc.Input(id=ids.PPL_USERNAME, maxLength=60, autoComplete="off"), 2),
                labelled("Name", dbc.Input(id=ids.PPL_NAME, maxLength=120), 3),
                labelled("Role", dcc.Dropdown(id=ids.PPL_ROLE, clearable=False), 2),
                labelled("Agent, team or site", dcc.Dropdown(id=ids.PPL_PLACE, placeholder="Choose"), 3),
                labelled("First password", dbc.Input(id=ids.PPL_PASSWORD, type="password", autoComplete="new-password"),
                       2),
            ], className="g-2"),
            dbc.Button("Add", id=ids.PPL_ADD, color="primary", size="sm", className="mt-2"),
        ], className="fv-panel mt-3", **{"data-panel": "add-person"}),
        html.Div(id=ids.PPL_FEEDBACK, className="small mt-2", role="status"),
    ])


def not_allowed() -> html.Div:
    return html.Div("The people page is for managers and the control desk.", className="alert alert-warning")
