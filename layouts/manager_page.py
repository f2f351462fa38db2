"""Manager page: the centre's KPIs, drilling centre → site → call type → team → agent, with breadcrumbs."""

from __future__ import annotations

from datetime import date

from dash import dcc, html

import ids
from layouts import charts
from layouts.components import page_heading
from layouts.context import context_bar
from layouts.formatting import STATUS_TEXT, fmt, tenure_text
from layouts.panels import exported_as, panel
from layouts.tiles import TileData, tile_strip

LEVEL_NAMES = {"site": "site", "call_type": "call type", "team": "team", "agent": "agent"}


def layout(period: str, start: date, end: date) -> html.Div:
    return html.Div([
        html.Nav(id=ids.MGR_CRUMBS, className="fv-crumbs small mt-2", **{"aria-label": "drill-down path"}),
        html.Div(page_heading("Centre"), id=ids.MGR_HEADING),
        context_bar("mgr", period, start, end),
        dcc.Loading(html.Div(id=ids.MGR_TILES), type="dot"),
        dcc.Loading(html.Div(id=ids.MGR_PANELS)),
    ])


def breadcrumbs(crumbs: list[tuple[str, str | None]]) -> list:
    """[(label, href or None for the current level)] as 'Centre › New York › TV promotion'; a trail of one step
    (a one-site manager at their site) is no trail: the heading already says where they are."""
    if len(crumbs) < 2:
        return []
    parts: list = []
    for i, (label, href) in enumerate(crumbs):
        if i:
            parts.append(html.Span(" › ", className="text-muted"))
        parts.append(dcc.Link(label, href=href) if href else html.Strong(label))
    return parts


def heading(title: str, subtitle: str) -> html.Div:
    return page_heading(title, subtitle)


def tiles(data: list[TileData]) -> html.Div:
    return tile_strip(data)


def _status_cell(field: str, header: str, unit: str) -> dict:
    """The number (sorted as a number, exported raw) shown as its text with the status icon."""
    return {"field": field, "headerName": header, "type": "numericColumn", "minWidth": 120, **exported_as(unit),
            "valueFormatter": {"function": f"params.data.{field}_text"},
            "cellClassRules": {f"fv-cell-{s}": f"params.data.{field}_status == '{s}'" for s in ("green", "amber", "red")}}


def breakdown(level: str, rows: list[dict], aht_target: float | None) -> html.Div:
    """KPIs per member of the next level down; each name drills further."""
    for r in rows:
        for field, unit in (("aht", "s"), ("service_level", "%"), ("handled", "count"), ("avg_acw", "s")):
            icon = STATUS_TEXT.get(r.get(f"{field}_status") or "none")[0] if r.get(f"{field}_status") != "none" else ""
            r[f"{field}_text"] = f"{icon} {fmt(r.get(field), unit)}".strip()
        r["tenure_text"] = tenure_text(r.get("tenure_months"))
    ordered = sorted(rows, key=lambda r: -(r.get("aht") or 0))
    fig = charts.bars([r["name"] for r in ordered], [_minutes(r.get("aht")) for r in ordered], "AHT (minutes)",
                      LEVEL_NAMES[level], highlight={r["name"] for r in ordered if r.get("aht_status") == "red"},
                      target=_minutes(aht_target), target_label="AHT target", hover="%{y:.1f} min",
                      links=[r["href"] for r in ordered]) if rows else None
    columns = [{"field": "link", "headerName": LEVEL_NAMES[level].capitalize(), "cellRenderer": "markdown",
                "minWidth": 180},
               _status_cell("aht", "AHT", "s"), _status_cell("avg_acw", "ACW", "s"),
               _status_cell("service_level", "Service level", "%"), _status_cell("handled", "Handled", "count")]
    if level == "agent":
        columns.insert(1, {"field": "tenure_months", "headerName": "Tenure", "type": "numericColumn",
                           **exported_as("months"), "valueFormatter": {"function": "params.data.tenure_text"}})
    return panel(f"mgr-by-{level}", f"AHT by {LEVEL_NAMES[level]}", fig, rows, columns,
                 f"Nothing to break down by {LEVEL_NAMES[level]} here.",
                 subtitle="Highest AHT first; red bars are off target; Numbers adds ACW, service level and contacts "
                          "handled. Click a bar (or a name) to drill down.",
                 drill=True)


def _minutes(seconds: float | None) -> float | None:
    """Durations on axes read in minutes, not thousands of seconds."""
    return None if seconds is None else seconds / 60


def heatmap(days: list[str], times: list[str], z: list[list], target: float | None) -> html.Div:
    rows = [{"date": d, **{t: (None if v is None else round(v, 1)) for t, v in zip(times, zr, strict=True)}}
            for d, zr in zip(days, z, strict=True)]
    fig = charts.heatmap(times, [charts.day_label(d) for d in days], z, "service level", target, " %") if days else None
    return panel("mgr-sl-heatmap", "Service level by day and time of day", fig, rows,
                 [{"field": "date", "headerName": "Date"}] + [{"field": t, "headerName": t} for t in times],
                 "No contacts offered here in this period.",
                 subtitle="Blue above target, orange-red below; white at target.", height=380)


def trends(dates: list[str], aht: list, sl: list, aht_target: float | None) -> html.Div:
    days = [charts.day_label(d) for d in dates]
    fig = charts.lines(days, {"AHT (min)": [_minutes(a) for a in aht]}, "AHT (minutes)", "date",
                       target=_minutes(aht_target), target_label="AHT target", hover="%{y:.1f} min") if dates else None
    if fig is not None:
        fig.add_scatter(x=days, y=sl, name="Service level (%)", yaxis="y2", mode="lines+markers",
                        line=dict(color=charts.NEUTRAL[2]), hovertemplate="%{y:.1f} %")
        fig.update_layout(yaxis2=dict(title="service level (%)", overlaying="y", side="right", showgrid=False,
                                      tickmode="auto", nticks=6, tickformat=".0f", ticksuffix=" %"))
    rows = [{"date": d, "aht": None if a is None else round(a), "service_level": None if s is None else round(s, 1)}
            for d, a, s in zip(dates, aht, sl, strict=True)]
    return panel("mgr-trend", "Trend: AHT and service level by day", fig, rows,
                 [{"field": "date", "headerName": "Date"}, {"field": "aht", "headerName": "AHT", **exported_as("s")},
                  {"field": "service_level", "headerName": "Service level", **exported_as("%")}], "No data in this period.")
