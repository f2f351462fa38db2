"""The page frame: product bar with the role pages, and the page container."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

import ids

NAV_ITEMS = [
    ("Agent", "/agent"),
    ("Supervisor", "/supervisor"),
    ("Manager", "/manager"),
    ("Control desk", "/control-desk"),
    ("Data", "/data"),
]


def navbar() -> dbc.Navbar:
    links = [dbc.NavItem(dbc.NavLink(label, href=href, active="exact")) for label, href in NAV_ITEMS]
    return dbc.Navbar(
        dbc.Container([
            dbc.NavbarBrand("Floorview", href="/", className="fw-bold"),
            dbc.Nav(links, id=ids.NAV, navbar=True, className="ms-auto"),
        ], fluid=True),
        color="dark", dark=True, className="mb-2",
    )


def frame(page_container: html.Div) -> html.Div:
    return html.Div([dcc.Location(id=ids.URL), navbar(), dbc.Container(page_container, fluid=True, className="pb-4")])
