"""/live, real-time adherence: who is out of adherence right now, worst first, with counts per site.

Each row carries data-agent, data-adherence (in|grace|out|severe|none) and data-seconds; the time in status
ticks every second in the browser (assets/rta.js) between the server's refreshes.
"""

from __future__ import annotations

from functools import partial
from urllib.parse import quote

import dash_bootstrap_components as dbc
from dash import dcc, html

import ids
from layouts.components import empty_state, labelled, page_heading
from layouts.plain_html import element

# Icon, word and colour class of each status: colour is never the only signal.
# Glyphs the page's fonts have (an emoji clock or no-entry sign renders as an empty box without an emoji font).
STATUS_LOOK = {"severe": ("✖", "Severe", "fv-rta-severe"), "out": ("✕", "Out of adherence", "fv-rta-out"),
               "grace": ("▲", "Grace period", "fv-rta-grace"), "in": ("✓", "In adherence", "fv-rta-in"),
               "none": ("–", "Not tracked", "fv-rta-none")}
STATE_WORDS = {"available": "Available", "on_contact": "On a contact", "acw": "After-contact work", "break": "Break",
               "lunch": "Lunch", "meeting": "Meeting", "training": "Training", "coaching": "Coaching",
               "aux": "Aux", "offline": "Logged out"}
ROW_LIMIT = 200  # worst first: more than this is filtered, not scrolled


def layout(refresh_s: int) -> html.Div:
    return html.Div([
        page_heading("Real-time adherence", "Who is out of adherence now, worst first. Updates every "
                                            f"{refresh_s} s; the time in status counts up in between."),
        dcc.Interval(id=ids.RTA_TICK, interval=refresh_s * 1000),
        html.Div(dbc.Row([
            labelled("Site", dcc.Dropdown(id=ids.RTA_SITE, multi=True, placeholder="All my sites"), 3),
            labelled("Team", dcc.Dropdown(id=ids.RTA_TEAM, multi=True, placeholder="All my teams"), 3),
            labelled("Status", dcc.Dropdown(id=ids.RTA_STATUS, multi=True, placeholder="Every status", options=[
                {"label": f"{icon} {word}", "value": key} for key, (icon, word, _) in STATUS_LOOK.items()]), 3),
            labelled("Scheduled activity", dcc.Dropdown(id=ids.RTA_ACTIVITY, multi=True,
                                                        placeholder="Every activity"), 3),
        ], className="g-2"), className="fv-context"),
        html.Div(id=ids.RTA_COUNTS),
        html.Div(id=ids.RTA_TABLE),
    ])


def not_allowed(message: str) -> html.Div:
    return empty_state(message)


def counts(sites: list[dict]) -> html.Div:
    """Per site: scheduled now, on hand now, out of adherence now, minutes out this interval."""
    if not sites:
        return html.Div()
    head = html.Thead(html.Tr([html.Th("Site"), html.Th("Scheduled now", className="text-end"),
                               html.Th("On hand now", className="text-end"),
                               html.Th("Out of adherence now", className="text-end"),
                               html.Th("Minutes out this interval", className="text-end")]))
    body = html.Tbody([html.Tr([
        html.Td(s["name"]), html.Td(f"{s['scheduled']:,}", className="text-end"),
        html.Td(f"{s['on_hand']:,}", className="text-end"),
        html.Td(f"{s['out']:,}", className="text-end" + (" fv-rta-out-count" if s["out"] else "")),
        html.Td(f"{s['minutes_lost']:,.1f} min", className="text-end"),
    ], **{"data-site": s["site_id"]}) for s in sites])
    return html.Div([html.H2("Now, by site", className="mb-2"),
                     html.Div(html.Table([head, body], className="table table-sm mb-0"), className="table-responsive")],
                    className="fv-panel")


def table(rows: list[dict], total: int, now_ms: int, zone_label: str) -> html.Div:
    """The agents, worst first. `rows` are display-ready dicts (see callbacks/live_page.py)."""
    if not rows:
        return empty_state("Nobody in your scope is scheduled or logged in now. Live states come from the ACD "
                           "through POST /api/v1/agent-events (or agent-event files in the inbox); see the README.")
    # Who, how bad and for how long first: on a phone the columns after them scroll.
    head = html.Thead(html.Tr([html.Th(h, scope="col", className=c) for h, c in (
        ("Agent", ""), ("Adherence", ""), ("Time in status", "text-end"), ("State now", ""), ("Scheduled now", ""),
        ("Next", ""), ("Team", ""), ("Act", ""))]))
    shown = [_row(r) for r in rows[:ROW_LIMIT]]
    note = (f"Showing the worst {ROW_LIMIT:,} of {total:,} agents: filter to see the rest."
            if total > ROW_LIMIT else f"{total:,} agent(s) scheduled or logged in now.")
    return html.Div([
        html.Div([html.H2("Agents now", className="mb-0"),
                  html.Span(f"{note} Times in {zone_label}.", className="small text-muted")],
                 className="d-flex flex-wrap gap-3 align-items-baseline mb-2"),
        html.Div(html.Table([head, html.Tbody(shown)], className="table table-sm table-hover mb-0 fv-rta",
                            **{"data-server-now": str(now_ms)}), className="table-responsive"),
    ], className="fv-panel")


def _row(r: dict) -> dict:
    icon, word, look = STATUS_LOOK[r["status"]]
    state = STATE_WORDS.get(r["state"], r["state"]) if r["state"] else "Logged out"
    if r.get("reason"):
        state += f" ({r['reason']})"
    agent = quote(r["agent_id"], safe="")  # urlencode() of the same dicts took a tenth of the table's time
    day, message = f"agent={agent}&from={r['day']}&to={r['day']}", f"level=agent&to={agent}"
    # Plain text where it will do, and elements built as the JSON Dash sends (layouts/plain_html.py): a
    # 200-row table is a few thousand components to construct and serialise otherwise.
    td, a = partial(element, "Td"), partial(element, "A")
    return element("Tr", [
        td(a(r["name"], href=f"/agent?{day}")),
        td(f"{icon} {word}", className=f"fw-semibold text-nowrap {look}",
           title=f"Grace {r['grace_s']} s, severe from {r['severe_s']} s"),
        td(_clock(r["seconds"]), className="text-end font-monospace", **{"data-since": str(r["since_ms"])}),
        td(state + (f" since {r['state_since']}" if r["state_since"] else "")),
        td((r["activity"] or "Not scheduled") + (f" until {r['activity_until']}" if r["activity_until"] else "")),
        td(f"{r['next_activity']} at {r['next_at']}" if r["next_activity"] else "—"),
        td(r["team"]),
        td([a("Message", href=f"/messages?{message}", className="btn btn-outline-secondary btn-sm me-1"),
            a("Day & exceptions", href=f"/agent?{day}", className="btn btn-outline-secondary btn-sm")],
           className="text-nowrap"),
    ], className=look + "-row", **{"data-agent": r["agent_id"], "data-adherence": r["status"],
                                   "data-seconds": str(r["seconds"])})


def agent_now(r: dict | None, now_ms: int) -> html.Div:
    """The agent's own "now": the activity they should be in, the state they are in, and whether that is in
    adherence, for how long (ticking like /live's rows)."""
    if r is None:
        return html.Div("Now: not scheduled and not logged in.", className="fv-context small text-muted",
                        **{"data-adherence": "none"})
    icon, word, look = STATUS_LOOK[r["status"]]
    state = STATE_WORDS.get(r["state"], r["state"]) if r["state"] else "Logged out"
    planned = (f"{r['activity']} until {r['activity_until']}" if r["activity"] else "not scheduled")
    upcoming = f" · next {r['next_activity']} at {r['next_at']}" if r["next_activity"] else ""
    return html.Div([
        html.Span("Now: ", className="fw-semibold"),
        html.Span([html.Span(icon, **{"aria-hidden": "true"}), f" {word} for "], className=f"fw-semibold {look}"),
        html.Span(_clock(r["seconds"]), className=f"fw-semibold font-monospace {look}",
                  **{"data-since": str(r["since_ms"])}),
        html.Span(f" · scheduled: {planned}{upcoming} · state: {state}"
                  + (f" since {r['state_since']}" if r["state_since"] else ""), className="small"),
    ], className="fv-context", **{"data-agent": r["agent_id"], "data-adherence": r["status"],
                                  "data-seconds": str(r["seconds"]), "data-server-now": str(now_ms)})


def _clock(seconds: int) -> str:
    """m:ss, or h:mm:ss from an hour (assets/rta.js writes the same while it ticks)."""
    h, rest = divmod(max(0, seconds), 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"
