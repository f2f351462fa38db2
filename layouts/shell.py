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
          role: str = "", csrf: str = "", refresh_s: int = 30, versions: dict[str, int] | None = None) -> html.Div:
    # The poll looks for new versions; a panel redraws only when a topic it shows changes
    # (callbacks/live_status.py). The page starts with the versions it was drawn from, so the first poll redraws
    # nothing.
    versions = versions or {}
    live = [dcc.Interval(id=ids.LIVE_TICK, interval=refresh_s * 1000),
            *(dcc.Store(id=store_id, data=versions.get(topic)) for topic, store_id in ids.VERSION_STORES.items())]
    return html.Div([dcc.Location(id=ids.URL, refresh="callback-nav"), *live, navbar(allowed, person, role, csrf),
                     html.Main(dbc.Container([html.Div(id=ids.DATA_AS_OF, className="small text-muted mb-1",
                                                       role="status"),
                                              html.Div(id=ids.MSG_INBOX), page_container], fluid=True,
                                             className="pb-4"), id="fv-main", tabIndex=-1)])


def data_as_of(when: str | None, zone: str, minutes_ago: int | None, stale_after: int) -> html.Div:
    """'Data as of 14:05 (New York time), 3 min ago', and a warning (icon and words) once it is stale."""
    if when is None or minutes_ago is None:
        return html.Div("No data loaded yet.", className="text-warning")
    ago = "just now" if minutes_ago < 1 else f"{_duration(minutes_ago)} ago"
    line = [html.Span(f"Data as of {when} ({zone}), {ago}")]
    if minutes_ago > stale_after:
        line = [html.Span(["⚠ ", html.Strong("Stale: "), f"no new data for {_duration(minutes_ago)} (expected every "
                           f"{stale_after} min). Data as of {when} ({zone})."], className="text-danger")]
    return html.Div(line)


def _duration(minutes: int) -> str:
    if minutes < 120:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60} min"
    return f"{minutes // (24 * 60)} days"
