"""Voice of the customer page: the words customers use (compliments, complaints, ideas), their verbatims, and
the monthly trend, in the signed-in person's scope. Categories are shown in colour, icon and word."""

from __future__ import annotations

from datetime import date
from typing import Any

import dash_bootstrap_components as dbc
import plotly.graph_objects as go
from dash import dcc, html

import ids
from layouts import charts
from layouts.components import data_grid, empty_state, export_button, labelled, page_heading
from layouts.context import context_bar

# Colour-blind-safe enough with the word and icon always beside it: green, red, orange.
CATEGORY_LOOK = {"compliment": ("#2e7d32", "✓", "Compliment"), "complaint": ("#c62828", "✕", "Complaint"),
                 "idea": ("#e08e45", "★", "Idea")}
VERBATIM_COLUMNS = [
    {"field": "when", "headerName": "Date (site time)", "maxWidth": 150},
    {"field": "category_text", "headerName": "Kind", "maxWidth": 140},
    {"field": "comment", "headerName": "What the customer said", "minWidth": 320, "tooltipField": "comment",
     "wrapText": True, "autoHeight": True},
    {"field": "nps", "headerName": "NPS", "maxWidth": 80, "type": "numericColumn"},
    {"field": "csat", "headerName": "CSAT", "maxWidth": 80, "type": "numericColumn"},
    {"field": "queue_name", "headerName": "Queue", "minWidth": 110},
    {"field": "agent_name", "headerName": "Agent", "minWidth": 120},
    {"field": "why", "headerName": "Classified by", "minWidth": 170},
]


def layout(period: str, start: date, end: date) -> html.Div:
    return html.Div([
        page_heading("What customers say", "Every survey comment, read as a compliment, a complaint or an idea; the "
                                           "words customers use most; click a word to read them."),
        context_bar("voice", period, start, end),
        dbc.Row([
            labelled("Site", dcc.Dropdown(id=ids.VOICE_SITE, placeholder="All in my scope"), 3),
            labelled("Team", dcc.Dropdown(id=ids.VOICE_TEAM, placeholder="All"), 3),
            labelled("Queue", dcc.Dropdown(id=ids.VOICE_QUEUE, placeholder="All"), 3),
            labelled("Agent", dcc.Dropdown(id=ids.VOICE_AGENT, placeholder="All"), 3),
        ], className="g-2 mb-2"),
        dcc.Store(id=ids.VOICE_TERM),
        html.Div([
            html.H2("The words customers use", className="h5"),
            html.Div("Top words by TF-IDF weight in each kind of comment; bars show how many comments use them. "
                     "Click a bar to read those comments.", className="small text-muted"),
            html.Div(id=ids.VOICE_TERMS_EMPTY),
            dcc.Loading(dcc.Graph(id=ids.VOICE_TERMS_GRAPH, figure=go.Figure(), config=charts.GRAPH_CONFIG)),
        ], className="fv-panel", **{"data-panel": "voice-terms"}),
        dcc.Loading(html.Div(id=ids.VOICE_PANELS)),
        html.Div([
            html.Div([html.H2("What they said", id=ids.VOICE_VERBATIM_TITLE, className="h5"),
                      html.Div([dbc.Button("Show all comments", id=ids.VOICE_CLEAR, size="sm", color="secondary",
                                           outline=True), export_button(ids.VOICE_EXPORT)])],
                     className="d-flex flex-wrap justify-content-between align-items-start gap-2"),
            data_grid(ids.VOICE_VERBATIMS, VERBATIM_COLUMNS, height="420px", file_name="floorview-verbatims.csv"),
        ], className="fv-panel mt-3", **{"data-panel": "voice-verbatims"}),
    ])


def rules_text(cues: tuple[str, ...], compliment_at: float, complaint_at: float) -> html.Div:
    return html.Details([
        html.Summary("How comments are classified"),
        html.Div(f"A comment with an idea cue ({', '.join(cues[:6])}…) is an idea. Otherwise its tone is scored "
                 f"offline with the VADER lexicon from −1 to +1: from {compliment_at:+.2f} it is a compliment, up "
                 f"to {complaint_at:+.2f} a complaint; in between the survey's score decides (NPS 9–10 or CSAT 4–5 "
                 "a compliment, NPS 0–6 or CSAT 1–2 a complaint). Each comment says which rule decided it.",
                 className="small"),
    ], className="small text-muted mb-2")


def terms_figure(terms: list[dict[str, Any]]) -> go.Figure:
    """Horizontal bars of each category's words, coloured and labelled with the category's icon and word."""
    terms = sorted(terms, key=lambda t: (t["category"], t["weight"]))
    fig = go.Figure()
    for category, (colour, icon, word) in CATEGORY_LOOK.items():
        part = [t for t in terms if t["category"] == category]
        if not part:
            continue
        fig.add_trace(go.Bar(
            x=[t["comments"] for t in part], y=[f"{icon} {t['term']}" for t in part], orientation="h",
            name=f"{icon} {word}s", marker_color=colour, customdata=[t["term"] for t in part],
            hovertemplate="%{customdata}: %{x} comment(s)<extra>" + word + "</extra>"))
    fig.update_layout(**charts.BASE_LAYOUT)
    fig.update_layout(hovermode="closest", height=max(320, 22 * len(terms) + 80), margin=dict(l=170, r=15, t=10, b=40),
                      xaxis_title="comments using the word", yaxis=dict(type="category", automargin=True))
    return fig


def no_terms() -> html.Div:
    return empty_state("No survey comments in this period and scope.")


def trends_panel(months: list[str], nps: list, csat: list, complaints: list,
                 rising: list[dict[str, Any]]) -> html.Div:
    if not months:
        return html.Div()
    fig = charts.lines(months, {"NPS": nps, "CSAT top-two box %": csat, "Complaints % of comments": complaints},
                       "points / %", "month", hover="%{y:.1f}")
    return html.Div([
        html.H2("Trends by month", className="h5"),
        dcc.Graph(figure=fig, config=charts.GRAPH_CONFIG, style={"height": "280px"}),
        html.H3("Complaint words on the rise this month", className="h6"),
        html.Ul([html.Li(f"✕ {r['term']}: {r['this_month']} comment(s), {r['last_month']} the month before")
                 for r in rising]) if rising else html.Div("None rising.", className="small"),
    ], className="fv-panel mt-3", **{"data-panel": "voice-trends"})


def category_text(category: str) -> str:
    _, icon, word = CATEGORY_LOOK[category]
    return f"{icon} {word}"
