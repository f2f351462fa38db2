"""Agent page: own KPIs against target, adherence by day and by time of day, a day's timeline, comments."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import dash_bootstrap_components as dbc
from dash import dcc, html

import ids
from layouts import actions_ui, charts
from layouts.components import empty_state, page_heading
from layouts.context import context_bar
from layouts.formatting import tenure_words
from layouts.panels import panel
from layouts.tiles import TileData, tile_strip

# Okabe-Ito and Tol hues, so break, lunch, training and absence stay apart with colour-vision deficiencies; the
# legend and each bar's hover name them as well.
STATE_COLOURS = {"available": "#009E73", "on_contact": "#0072B2", "acw": "#56B4E9", "break": "#F0E442",
                 "lunch": "#E69F00", "meeting": "#CC79A7", "training": "#882255", "coaching": "#44AA99",
                 "aux": "#999999", "offline": "#d9d9d9"}
APPROVED_COLOUR = "#2e8b57"
ACTIVITY_COLOURS = {"open": "#0072B2", "break": "#F0E442", "lunch": "#E69F00", "meeting": "#CC79A7",
                    "training": "#882255", "coaching": "#44AA99", "absence": "#d9d9d9"}


def layout(period: str, start: date, end: date, now_refresh_s: int = 15) -> html.Div:
    return html.Div([
        html.Div(page_heading("My performance"), id=ids.AGENT_HEADING),
        dcc.Interval(id=ids.AGENT_NOW_TICK, interval=now_refresh_s * 1000),
        html.Div(id=ids.AGENT_NOW, role="status", **{"aria-live": "polite"}),
        context_bar("agent", period, start, end),
        dcc.Loading(html.Div(id=ids.AGENT_TILES), type="dot"),
        dcc.Loading(html.Div(id=ids.AGENT_PANELS), type="default"),
        html.Div([
            html.Div([html.H2("My day: schedule against what I did", id=ids.AGENT_DAY_TITLE),
                      dcc.DatePickerSingle(id=ids.AGENT_DAY, display_format="D MMM YYYY", className="ms-2")],
                     className="d-flex align-items-center gap-2 mb-2"),
            html.Div([  # leaders only: approve an exception with a reason
                dbc.Input(id=ids.EXC_REASON, placeholder="Reason for approving an exception (e.g. phone system outage)",
                          maxLength=500, size="sm", style={"maxWidth": "480px"}),
                html.Span(id=ids.EXC_FEEDBACK, className="small", role="status"),
            ], id=ids.EXC_WRAP, className="gap-2 align-items-center mb-2", style={"display": "none"}),
            dcc.Loading(html.Div(id=ids.AGENT_TIMELINE)),
        ], className="fv-panel", **{"data-panel": "agent-day"}),
        html.Div(actions_ui.request_form(), id=ids.REQ_FORM_WRAP, style={"display": "none"}),  # agents only
    ])


def day_title(whose: str | None) -> str:
    """'My day…' for the agent; a leader looking at an agent reads whose day it is."""
    return "My day: schedule against what I did" if whose is None else f"{whose} day: schedule against states"


def heading(name: str, team: str, site: str, tenure_days: int | None,
            back_to_team: tuple[str, str] | None = None) -> html.Div:
    """`back_to_team`: (team name, link) for a leader, shown as a breadcrumb "Team Heron › Daniel Okafor"."""
    tenure = f" · {tenure_words(tenure_days)} in the job" if tenure_days is not None else ""
    crumbs = [] if back_to_team is None else [html.Nav(
        [dcc.Link(back_to_team[0], href=back_to_team[1], id=ids.AGENT_BACK), html.Span(" › ", className="text-muted"),
         html.Strong(name)], className="fv-crumbs small mt-2", **{"aria-label": "back to the team"})]
    return html.Div([*crumbs, page_heading(name, f"{team} · {site}{tenure}")])


def tiles(data: list[TileData]) -> html.Div:
    return tile_strip(data)


def panels(by_day: list[dict], by_time: list[dict], adherence_target: float | None, comments: list[dict],
           whose: str | None = None) -> html.Div:
    """`whose`: None for the agent's own page ("my"), else the possessive a leader reads ("Daniel Okafor's")."""
    mine = "my" if whose is None else whose
    worst = {max(by_time, key=lambda r: r["minutes"])["time_of_day"]} if by_time else set()
    day_fig = charts.lines([charts.day_label(r["date"]) for r in by_day], {"Adherence": [r["adherence"] for r in by_day]},
                           "adherence (%)", "date", target=adherence_target, target_label="target",
                           hover="%{y:.1f} %") if by_day else None
    time_fig = charts.bars([r["time_of_day"] for r in by_time], [r["minutes"] for r in by_time],
                           "minutes out of adherence", "time of day (site-local)", highlight=worst,
                           hover="%{y:.1f} min") if by_time else None
    return html.Div([
        dbc.Row([
            dbc.Col(panel("agent-by-time", f"Where {mine} adherence goes, by time of day", time_fig, by_time,
                          [{"field": "time_of_day", "headerName": "Time of day"},
                           {"field": "minutes", "headerName": "Minutes out of adherence", "type": "numericColumn",
                            "valueFormatter": {"function": "d3.format('.1f')(params.value)"}}],
                          "No scheduled time in this period: adherence needs a WFM schedule export.",
                          subtitle="Total minutes out of adherence in each interval over the period; "
                                   "the worst interval is highlighted."), lg=7),
            dbc.Col(panel("agent-by-day", "Adherence by day", day_fig, by_day,
                          [{"field": "date", "headerName": "Date"},
                           {"field": "adherence", "headerName": "Adherence %", "type": "numericColumn",
                            "valueFormatter": {"function": "d3.format('.1f')(params.value)"}}],
                          "No scheduled time in this period: adherence needs a WFM schedule export."), lg=5),
        ]),
        panel("agent-comments", f"What {mine} customers said", None, comments,
              # The comment beside its date, wide enough to read on a phone; the scores and queue scroll in.
              [{"field": "day", "headerName": "Date", "minWidth": 116, "maxWidth": 130},
               {"field": "comment", "headerName": "Comment", "flex": 3, "minWidth": 200, "wrapText": True,
                "autoHeight": True, "cellClass": "fv-wrapped-text"},
               {"field": "nps", "headerName": "NPS (0–10)", "maxWidth": 120},
               {"field": "csat", "headerName": "CSAT (1–5)", "maxWidth": 120}, {"field": "queue", "headerName": "Queue"}],
              "No survey comments in this period.", view="table"),
    ])


def _covered(stretch: dict, approved: Sequence[dict]) -> dict | None:
    """The approval that covers this out-of-adherence stretch, if one does."""
    return next((a for a in approved if a["start"] <= stretch["start"] and a["end"] >= stretch["end"]), None)


def _exception_item(r: dict, approved: Sequence[dict], can_approve: bool) -> html.Li:
    text = f"{r['start']:%H:%M:%S}–{r['end']:%H:%M:%S}: {r['why']}"
    cover = _covered(r, approved)
    if cover:
        return html.Li([text, html.Span(f" ✓ approved by {cover['approved_by']}: {cover['reason']}",
                                        className="text-success")], **{"data-approved": "true"})
    if not can_approve:
        return html.Li(text)
    span = f"{r['start']:%Y-%m-%dT%H:%M:%S}|{r['end']:%Y-%m-%dT%H:%M:%S}"
    return html.Li([text, dbc.Button("Approve", id=ids.exc_approve(span), size="sm", color="success", outline=True,
                                     className="ms-2 py-0")])


def _seconds(r: dict) -> float:
    return (r["end"] - r["start"]).total_seconds()


def _minutes_seconds(seconds: float) -> str:
    return f"{int(seconds // 60)}:{int(seconds % 60):02d}"


def exception_listing(exceptions: list[dict], approved: Sequence[dict], can_approve: bool, list_from_s: int,
                      forgiven_below_s: int) -> html.Div:
    """Exceptions one by one from `list_from_s` seconds on; shorter ones summed in one line (a run of 8-second
    blips is noise, not twenty lines); runs the centre forgives (`forgiven_below_s`) said as forgiven."""
    forgiven = [r for r in exceptions if _seconds(r) < forgiven_below_s]
    counted = [r for r in exceptions if _seconds(r) >= forgiven_below_s]
    listed = [r for r in counted if _seconds(r) >= list_from_s]
    short = [r for r in counted if _seconds(r) < list_from_s]
    items = [_exception_item(r, approved, can_approve) for r in listed[:20]]
    if len(listed) > 20:
        items.append(html.Li(f"… and {len(listed) - 20} more"))
    if short:
        items.append(html.Li(f"{len(short)} shorter than {_minutes_seconds(list_from_s)} each, "
                             f"{_minutes_seconds(sum(map(_seconds, short)))} in all (not listed one by one)",
                             className="text-muted", **{"data-summed": str(len(short))}))
    if forgiven:
        items.append(html.Li(f"{len(forgiven)} shorter than {forgiven_below_s} s forgiven: they do not count "
                             "against adherence", className="text-muted"))
    summary = f"{len(counted)} exception(s)" + (f", {len(approved)} approval(s)" if approved else "")
    return html.Div([html.Strong(summary), html.Ul(items, className="small mb-0")], className="mt-2")


def timeline(day: date | None, schedule: list[dict], states: list[dict], exceptions: list[dict],
             approved: Sequence[dict] = (), can_approve: bool = False, list_from_s: int = 0,
             forgiven_below_s: int = 0) -> html.Div:
    if day is None or (not schedule and not states):
        return empty_state("No schedule or activity on this day.")
    rows = [{"lane": "Scheduled", "start": r["start"], "end": r["end"], "label": r["code"],
             "colour": ACTIVITY_COLOURS.get(r["code"], "#8c8c8c")} for r in schedule]
    rows += [{"lane": "Actual", "start": r["start"], "end": r["end"], "label": r["code"].replace("_", " "),
              "colour": STATE_COLOURS.get(r["code"], "#8c8c8c")} for r in states]
    rows += [{"lane": "Out of adherence", "start": r["start"], "end": r["end"], "label": "out of adherence",
              "colour": charts.HIGHLIGHT} for r in exceptions if _seconds(r) >= forgiven_below_s]
    rows += [{"lane": "Approved", "start": r["start"], "end": r["end"], "label": f"approved: {r['reason']}",
              "colour": APPROVED_COLOUR} for r in approved]
    fig = charts.timeline(rows, f"{day:%a %d %b %Y} (site-local time)")
    fig.update_yaxes(categoryorder="array", categoryarray=["Approved", "Out of adherence", "Actual", "Scheduled"])
    legend = html.Div([html.Span([html.Span("■ ", style={"color": c}), name.replace("_", " ")], className="me-3 small")
                       for name, c in STATE_COLOURS.items()])
    listing = exception_listing(exceptions, approved, can_approve, list_from_s, forgiven_below_s)
    return html.Div([dcc.Graph(figure=fig, config=charts.GRAPH_CONFIG, style={"height": "250px"}), legend, listing])


def not_allowed(message: str) -> html.Div:
    return html.Div(message, className="alert alert-warning", role="alert")


