"""Targets page: set a KPI target and amber band for a place from a date; the rules set so far."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

import ids
from layouts.components import data_grid, export_button, labelled, page_heading

RULE_COLUMNS = [
    {"field": "rule_id", "headerName": "#", "maxWidth": 80},
    {"field": "kpi", "headerName": "KPI", "minWidth": 160},
    {"field": "level", "headerName": "Level", "maxWidth": 110},
    {"field": "place", "headerName": "Place"},
    {"field": "target", "headerName": "Target", "type": "numericColumn", "maxWidth": 110},
    {"field": "amber", "headerName": "Amber band", "type": "numericColumn", "maxWidth": 130},
    {"field": "effective_from", "headerName": "From", "maxWidth": 130},
    {"field": "effective_to", "headerName": "To", "maxWidth": 130},
    {"field": "set_by", "headerName": "Set by"},
    {"field": "set_at_utc", "headerName": "Set at (UTC)", "minWidth": 150},
    {"field": "reason", "headerName": "Why", "minWidth": 220, "tooltipField": "reason"},
]



def layout(**_query: str) -> html.Div:
    return html.Div([
        page_heading("Targets", "Set a KPI's target and amber band for a place, from a date. The most specific "
                                "target wins (agent, team, queue, site, then the whole centre); past days keep the "
                                "colours of the target in force then."),
        html.Div([
            dbc.Row([
                labelled("KPI", dcc.Dropdown(id=ids.TGT_KPI, clearable=False, placeholder="Choose a KPI"), 4),
                labelled("Level", dcc.Dropdown(id=ids.TGT_LEVEL, clearable=False, placeholder="Level"), 2),
                labelled("Place", dcc.Dropdown(id=ids.TGT_PLACE, clearable=False, placeholder="Choose a place"), 6),
            ], className="g-2"),
            html.Div(id=ids.TGT_CURRENT, className="small text-muted my-2", role="status"),
            dbc.Row([
                labelled("Target", dbc.Input(id=ids.TGT_VALUE, type="number", step="any"), 2),
                labelled("Amber band (± KPI unit)", dbc.Input(id=ids.TGT_AMBER, type="number", step="any", min=0), 2),
                labelled("From", dcc.DatePickerSingle(id=ids.TGT_FROM, display_format="D MMM YYYY"), 2),
                labelled("To (optional)", dcc.DatePickerSingle(id=ids.TGT_TO, display_format="D MMM YYYY",
                                                              clearable=True), 2),
                labelled("Why (goes into the audit trail)", dbc.Input(id=ids.TGT_REASON, maxLength=500), 4),
            ], className="g-2"),
            html.Div([dbc.Button("Save target", id=ids.TGT_SAVE, color="primary", size="sm", className="mt-2"),
                      html.Span(id=ids.TGT_FEEDBACK, className="ms-2 small", role="status")]),
        ], className="fv-panel", **{"data-panel": "target-form"}),
        html.Div([
            html.Div([html.H2("Targets set in Floorview", className="h5 d-inline"), export_button(ids.TGT_EXPORT)],
                     className="mb-2"),
            html.P("Targets the administrator set for the whole centre apply too; a rule set here wins over one "
                   "there for the same place.", className="small text-muted"),
            data_grid(ids.TGT_RULES, RULE_COLUMNS, height="320px", file_name="floorview-targets.csv"),
        ], className="fv-panel mt-3", **{"data-panel": "target-rules"}),
    ])


def in_force_text(day: str, value: float | None, text: str | None, source: str | None) -> str:
    if value is None:
        return f"On {day} this place has no target for this KPI."
    return f"In force there on {day}: {text} ({source})."


def not_allowed() -> html.Div:
    return html.Div("Targets are set by supervisors, managers and the control desk.", className="alert alert-warning")
