"""The page frame: product bar with the pages this person may open, who is signed in, and sign out."""

from __future__ import annotations

import dash_bootstrap_components as dbc
from dash import dcc, html

import ids
from roles import PAGES, ROLE_WORDS

NAV_ITEMS = [(page.label, page.path) for page in PAGES]


def sign_out(csrf: str) -> html.Form:
    """Signing out is a POST carrying the form token, so no other site can sign anyone out."""
    return html.Form([dcc.Input(type="hidden", name="csrf", value=csrf),
                      html.Button("Sign out", type="submit", className="btn btn-link text-light small ms-2 p-0")],
                     method="POST", action="/logout", className="d-inline mb-0")


def navbar(allowed: tuple[str, ...] = tuple(p for _, p in NAV_ITEMS), person: str = "", role: str = "",
           csrf: str = "") -> dbc.Navbar:
    links = [dbc.NavItem(dbc.NavLink(label, href=href, active="exact")) for label, href in NAV_ITEMS
             if href in allowed]
    who = []
    if person:
        who = [html.Span([html.Strong(person), f" · {ROLE_WORDS.get(role, role)}"], id=ids.USER_BADGE,
                         className="text-light small ms-3"),
               sign_out(csrf)]
    return dbc.Navbar(
        dbc.Container([
            dbc.NavbarBrand("Floorview", href="/", className="fw-bold"),
            dbc.Nav(links, id=ids.NAV, navbar=True, className="ms-auto"),
            *who,
        ], fluid=True),
        color="dark", dark=True, className="mb-2",
    )


def frame(page_container: html.Div, allowed: tuple[str, ...] = tuple(p for _, p in NAV_ITEMS), person: str = "",
          role: str = "", csrf: str = "") -> html.Div:
    return html.Div([dcc.Location(id=ids.URL, refresh="callback-nav"), navbar(allowed, person, role, csrf),
                     dbc.Container([html.Div(id=ids.MSG_INBOX), page_container], fluid=True, className="pb-4")])
