"""The landing page: one card per role dashboard."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import html

from layouts.components import page_heading

ROLES = {
    "agent": ("Agent", "Your own schedule adherence, handle time and customer feedback against your targets."),
    "supervisor": ("Supervisor", "Your team against its targets, agent by agent, with the parts of handle time."),
    "manager": ("Manager", "The centre by site, queue and call type, drilling down to teams and agents."),
    "control-desk": ("Control desk", "All sites side by side: forecast, scheduled and on-hand staff by interval."),
}


def home(**_query: str) -> html.Div:
    cards = [
        dbc.Col(dbc.Card(dbc.CardBody([
            html.H2(title, className="h5"), html.P(text, className="mb-2"),
            dbc.Button(f"Open {title.lower()} view", href=f"/{path}", color="primary", size="sm"),
        ])), md=6, lg=3, className="mb-3")
        for path, (title, text) in ROLES.items()
    ]
    return html.Div([
        page_heading("Floorview", "Workforce analytics for contact centres: every role sees the KPIs it acts on."),
        html.P("Open the view for your role below.", className="text-muted"),
        dbc.Row(cards),
    ])

