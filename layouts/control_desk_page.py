"""Control desk: every site side by side; staffing by interval; shrinkage by activity; one site in detail."""

from __future__ import annotations

from datetime import date

import dash_bootstrap_components as dbc
from dash import dcc, html

import ids
from layouts import actions_ui, charts
from layouts.components import empty_state, page_heading
from layouts.context import context_bar
from layouts.formatting import STATUS_TEXT, fmt, known
from layouts.panels import exported_as, panel

SITE_KPIS = [("offered", "Offered", "count"), ("forecast_contacts", "Forecast", "count"),
             ("forecast_accuracy", "Forecast accuracy", "%"), ("service_level", "Service level", "%"),
             ("required_agents", "Required", "agents"), ("scheduled_agents", "Scheduled", "agents"),
             ("on_hand_agents", "On hand", "agents"), ("net_staffing_on_hand", "On hand − required", "agents"),
             ("shrinkage", "Shrinkage", "%")]
SHRINK = [("shrinkage_break", "Breaks"), ("shrinkage_meeting", "Meetings"), ("shrinkage_training", "Training"),
          ("shrinkage_coaching", "Coaching"), ("shrinkage_aux", "Aux / personal"), ("shrinkage_absence", "Absence")]


def layout(period: str, start: date, end: date) -> html.Div:
    return html.Div([
        page_heading("Control desk", "All sites side by side: volume, staffing and shrinkage by time of day."),
        dcc.Loading(html.Div(id=ids.DESK_TODAY), type="dot"),
        context_bar("desk", period, start, end),
        html.Div(id=ids.DESK_TILES),
        html.Div([
            dbc.RadioItems(id=ids.DESK_CLOCK, value="local", inline=True,
                           options=[{"label": "Site-local time", "value": "local"},
                                    {"label": "Common clock (UTC)", "value": "utc"}],
                           className="btn-group btn-group-sm fv-choices", inputClassName="btn-check",
                           labelClassName="btn btn-outline-secondary btn-sm", labelCheckedClassName="active"),
            html.Label("Site in detail", htmlFor=ids.DESK_SITE, className="small ms-sm-2"),
            dcc.Dropdown(id=ids.DESK_SITE, clearable=False, style={"minWidth": "220px", "maxWidth": "100%"}),
        ], className="d-flex flex-wrap align-items-center gap-2 mb-2"),
        dcc.Loading(html.Div(id=ids.DESK_PANELS)),
        dcc.Loading(html.Div(id=ids.DESK_DETAIL)),
        actions_ui.alert_button("this site"),
        actions_ui.sent_panel([]),
    ])


def sites_table(rows: list[dict]) -> html.Div:
    """One row per site. Cells show the formatted value with its status icon but sort by the number; beside the
    period's average of on hand − required, the worst time of day (`net_worst`, `net_worst_at`), so a two-hour gap
    is not hidden by a day's average."""
    for r in rows:
        for field, _, unit in SITE_KPIS:
            status = r.get(f"{field}_status") or "none"
            icon = STATUS_TEXT[status][0] if status != "none" else ""
            r[f"{field}_text"] = f"{icon} {fmt(r.get(field), unit)}".strip()
        r["net_worst_text"] = (f"{fmt(r['net_worst'], 'agents')} at {r['net_worst_at']}"
                               if known(r.get("net_worst")) else "–")
    columns = [{"field": "name", "headerName": "Site", "minWidth": 130}] + [
        {"field": f, "headerName": h, "type": "numericColumn", "minWidth": 105, **exported_as(unit),
         "valueFormatter": {"function": f"params.data.{f}_text"},
         "cellClassRules": {f"fv-cell-{s}": f"params.data.{f}_status == '{s}'" for s in ("green", "amber", "red")}}
        for f, h, unit in SITE_KPIS]
    at = next(i for i, c in enumerate(columns) if c["field"] == "net_staffing_on_hand") + 1
    columns.insert(at, {"field": "net_worst", "headerName": "Worst time of day", "type": "numericColumn",
                        "minWidth": 140, "valueFormatter": {"function": "params.data.net_worst_text"},
                        **exported_as("agents")})
    return panel("desk-sites", "Sites side by side", None, rows, columns, "No sites in this period.", view="table",
                 subtitle="Staff figures are averages over the period's intervals; the worst time of day has the "
                          "lowest on hand − required on average. ✓ on target · ▲ near · ✕ off.")


def net_heatmap(sites: list[str], times: list[str], z: list[list], clock: str) -> html.Div:
    if not any(known(v) for row in z for v in row):  # sites with contacts but no staffing: nothing to draw
        sites, times, z = [], [], []
    fig = charts.heatmap(times, sites, z, "on hand − required", 0.0, " agents") if sites else None
    if fig is not None:
        fig.update_xaxes(title=f"time of day ({'UTC' if clock == 'utc' else 'site-local'})")
    rows = [{"site": s, **{t: v for t, v in zip(times, zr, strict=True)}} for s, zr in zip(sites, z, strict=True)]
    return panel("desk-net", "Staff on hand minus required, by site and interval", fig, rows,
                 [{"field": "site", "headerName": "Site"}] + [{"field": t, "headerName": t, "valueFormatter": {
                     "function": "params.value == null ? '' : d3.format('+.1f')(params.value)"}} for t in times],
                 "No staffing data in this period: this panel needs agent-state logs and forecasts (or contacts, "
                 "sized with Erlang C) for it.", subtitle="Orange-red: fewer agents on the phones than required. "
                                                              "Click a site's row to see it in detail.",
                 height=260)


def shrinkage_by_activity(sites: list[str], parts: dict[str, list]) -> html.Div:
    if not any(known(v) for values in parts.values() for v in values):  # no schedules: no shrinkage
        sites = []
    fig = charts.stacked(sites, parts, "shrinkage (% of paid time)", "site", hover="%{y:.1f} %") if sites else None
    rows = [{"site": s, **{name: (None if v[i] is None else round(v[i], 2)) for name, v in parts.items()}}
            for i, s in enumerate(sites)]
    return panel("desk-shrink", "Shrinkage by activity", fig, rows,
                 [{"field": "site", "headerName": "Site"}] + [{"field": n, "headerName": n, **exported_as("%")} for n in parts],
                 "No schedules in this period: shrinkage needs a WFM schedule export.", subtitle="Planned (scheduled) plus unplanned (taken in phone time).")


def _by_time(times: list[str], series: dict[str, list], places: int) -> list[dict]:
    """A grid row per time of day, a column per series, unknown values (None or NaN) left empty."""
    return [{"time": t, **{k: (round(v[i], places) if known(v[i]) else None) for k, v in series.items()}}
            for i, t in enumerate(times)]


def site_detail(site: str, times: list[str], series: dict[str, list], contacts: dict[str, list], clock: str,
                shrink_by_time: dict[str, list] | None = None) -> html.Div:
    """`shrink_by_time`: shrinkage by activity (label -> % of paid time per time in `times`), so a block of
    training at 14:00-16:00 shows where the staffing gap is, not only in the day's total."""
    if not times:
        return empty_state(f"No staffing data for {site} in this period: this view needs agent-state logs, "
                           "schedules and forecasts.")
    x_title = f"time of day ({'UTC' if clock == 'utc' else 'site-local'})"
    staff = charts.lines(times, series, "agents", x_title, hover="%{y:.1f}")
    volume = charts.lines(times, contacts, "contacts per interval", x_title, hover="%{y:.0f}")
    staff_rows = _by_time(times, series, 1)
    if not any(known(v) for values in series.values() for v in values):  # contacts only, no staffing files
        staff, staff_rows = None, []
    volume_rows = _by_time(times, contacts, 1)
    parts = {k: v for k, v in (shrink_by_time or {}).items() if any(known(x) for x in v)}
    shrink = charts.stacked(times, {k: [x if known(x) else 0 for x in v] for k, v in parts.items()},
                            "shrinkage (% of paid time)", x_title, hover="%{y:.1f} %") if parts else None
    shrink_rows = _by_time(times, parts, 2) if parts else []
    return html.Div([
        html.H2(f"{site} in detail", className="h5 mt-2"),
        dbc.Row([
            dbc.Col(panel("desk-staff", f"{site}: required, scheduled and on-hand staff", staff, staff_rows,
                          [{"field": "time", "headerName": "Time"}] + [{"field": k, **exported_as("agents")} for k in series],
                          "No staffing data: this chart needs agent-state logs, schedules and forecasts.",
                          subtitle="Average over the period's days, per interval."), lg=7),
            dbc.Col(panel("desk-volume", f"{site}: forecast and actual contacts", volume, volume_rows,
                          [{"field": "time", "headerName": "Time"}] + [{"field": k, **exported_as("contacts")} for k in contacts],
                          "No contacts."), lg=5),
        ]),
        panel("desk-shrink-time", f"{site}: shrinkage by activity and time of day", shrink, shrink_rows,
              [{"field": "time", "headerName": "Time"}] + [{"field": k, **exported_as("%")} for k in parts],
              "No schedules in this period: shrinkage needs a WFM schedule export.",
              subtitle="Planned and unplanned time away from the phones, per interval: training or meetings "
                       "placed where staff is short show here.", height=260),
    ])


def today_so_far(sites: list[dict]) -> html.Div:
    """Each site's day so far, the site shortest of staff now first, with its one-click alert; the gap now second,
    so a phone shows it without scrolling. `sites` are display-ready (callbacks/control_desk_page.py)."""
    if not sites:
        return html.Div()
    head = html.Thead(html.Tr([html.Th(h, scope="col", className=c) for h, c in (
        ("Site", ""), ("Gap now", "text-end"), ("Now", ""), ("Contacts so far: actual / forecast", "text-end"),
        ("Service level so far", "text-end"), ("Required · scheduled · on hand now", "text-end"),
        ("Rest of the day: worst interval", ""), ("Re-forecast, rest of the day", "text-end"), ("", ""))]))
    rows = []
    for n, s in enumerate(sites):
        short = s["gap_now"] is not None and s["gap_now"] < 0
        gap = "—" if s["gap_now"] is None else (f"✕ {s['gap_now']:+.1f}" if short else f"✓ {s['gap_now']:+.1f}")
        rows.append(html.Tr([
            html.Td(html.Strong(s["name"]) if n == 0 and short else s["name"]),
            html.Td(gap, className="text-end text-nowrap fw-semibold " + ("fv-rta-out" if short else "")),
            html.Td(s["now"]),
            html.Td(s["contacts"], className="text-end"),
            html.Td(s["service_level"], className="text-end"),
            html.Td(s["staffing_now"], className="text-end"),
            html.Td(s["worst_ahead"]),
            html.Td(s["reforecast"], className="text-end"),
            html.Td(dbc.Button(f"⚠ Alert {s['name']}", id=ids.today_alert(s["site_id"]), color="warning", size="sm")
                    if short else None),
        ], className="fv-rta-out-row" if short else "", **{"data-site": s["site_id"]}))
    details = [_intervals(s) for s in sites if s["intervals"]]
    return html.Div([
        html.H2("Today so far", className="mb-1"),
        html.P("Each site's own day, over the intervals that have ended; staffing in agents. The re-forecast "
               "scales the rest of today's forecast by actual ÷ forecast so far.", className="small text-muted mb-2"),
        html.Div(html.Table([head, html.Tbody(rows)], className="table table-sm mb-0"), className="table-responsive"),
        *details,
    ], className="fv-panel", **{"data-panel": "today"})


def _intervals(site: dict) -> html.Details:
    """A site's day interval by interval, folded away until asked for: ended intervals with their actuals,
    the rest with the re-forecast and the schedule's gap to the requirement."""
    head = html.Thead(html.Tr([html.Th(h, scope="col", className="text-end" if n else "") for n, h in enumerate((
        "Interval", "Forecast", "Contacts", "Service level", "Required", "Scheduled", "On hand",
        "Gap (on hand, or scheduled ahead, − required)"))]))
    rows = [html.Tr([html.Td(f"{r['time']}{' (now)' if r['when'] == 'now' else ''}"),
                     *(html.Td(r[k], className="text-end") for k in ("forecast", "contacts", "service_level",
                                                                     "required", "scheduled", "on_hand")),
                     html.Td(("✕ " if r["short"] else "") + r["gap"],
                             className="text-end" + (" fv-rta-out" if r["short"] else ""))],
                    className="fw-semibold" if r["when"] == "now" else "text-muted" if r["when"] == "ended" else "")
            for r in site["intervals"]]
    return html.Details([html.Summary(f"{site['name']}: today interval by interval"),
                         html.Div(html.Table([head, html.Tbody(rows)], className="table table-sm mb-0"),
                                  className="table-responsive")], className="mt-2", **{"data-site": site["site_id"]})

