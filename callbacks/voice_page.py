"""Voice of the customer page: comments in the signed-in person's scope (narrowed, never widened, by the
filters), their words, verbatims for a clicked word, and the monthly trend (kpis.voice does the reading)."""

from __future__ import annotations

from datetime import UTC
from typing import Any
from zoneinfo import ZoneInfo

import pandas as pd
from dash import Dash, Input, Output, State, ctx, html, no_update

import ids
import store
from actions.scope import places_in_scope
from callbacks import panel_exports
from callbacks.common import NotAllowed, period_from, register_period_sync, require_user, user_scope
from kpis import voice
from layouts import voice_page
from settings import Settings


def register(app: Dash, db: store.Database, settings: Settings) -> None:
    register_period_sync(app, "voice", settings)
    panel_exports.register_grid(app, ids.VOICE_VERBATIMS, ids.VOICE_EXPORT, "verbatims")

    @app.callback(
        Output(ids.VOICE_SITE, "options"),
        Output(ids.VOICE_TEAM, "options"),
        Output(ids.VOICE_QUEUE, "options"),
        Output(ids.VOICE_AGENT, "options"),
        Input(ids.URL, "pathname"),
    )
    def filters(_path):
        try:
            user = require_user()
        except NotAllowed:
            return [], [], [], []
        with db.session() as cur:
            found = [places_in_scope(cur, user, level) for level in ("site", "team", "queue", "agent")]
        return tuple([{"label": name, "value": pid} for pid, name in f] for f in found)

    @app.callback(
        Output(ids.VOICE_TERM, "data"),
        Input(ids.VOICE_TERMS_GRAPH, "clickData"),
        Input(ids.VOICE_CLEAR, "n_clicks"),
        prevent_initial_call=True,
    )
    def pick_term(click, _clear):
        if ctx.triggered_id == ids.VOICE_CLEAR or not click:
            return None
        return str(click["points"][0].get("customdata") or "")[:80] or None

    @app.callback(
        Output(ids.VOICE_PANELS, "children"),
        Output(ids.VOICE_TERMS_GRAPH, "figure"),
        Output(ids.VOICE_TERMS_GRAPH, "style"),
        Output(ids.VOICE_TERMS_EMPTY, "children"),
        Output(ids.VOICE_VERBATIMS, "rowData"),
        Output(ids.VOICE_VERBATIM_TITLE, "children"),
        Output(ids.scope_text("voice"), "children"),
        Input(ids.custom_range("voice"), "start_date"),
        Input(ids.custom_range("voice"), "end_date"),
        Input(ids.VOICE_SITE, "value"),
        Input(ids.VOICE_TEAM, "value"),
        Input(ids.VOICE_QUEUE, "value"),
        Input(ids.VOICE_AGENT, "value"),
        Input(ids.VOICE_TERM, "data"),
        Input(ids.DATA_VERSION, "data"),
        State(ids.URL, "pathname"),
    )
    def panels(start, end, site, team, queue, agent, term, _version, _path):
        try:
            user = require_user()
        except NotAllowed:
            return None, no_update, {"display": "none"}, None, [], "What they said", ""
        period = period_from(settings, start, end)
        scope = user_scope(user, site=_one(site), team=_one(team), queue=_one(queue), agent=_one(agent))
        with db.session() as cur:
            said = voice.comments(cur, settings, period, scope)
        terms = voice.top_terms(said, settings.voice.terms_per_category)
        trend = voice.monthly(said)
        rising = voice.rising_complaints(said)
        shown = voice.with_term(said, term) if term else said
        title = f"What they said: “{term}” ({len(shown):,} comments)" if term else f"What they said ({len(shown):,})"
        rules = settings.voice
        body = html.Div([
            voice_page.rules_text(rules.idea_cues, rules.compliment_at_least, rules.complaint_at_most),
            _counts(said),
            voice_page.trends_panel([f"{m:%b %Y}" for m in trend["month"]], _values(trend, "nps"),
                                    _values(trend, "csat"), _values(trend, "complaint_share"),
                                    rising.to_dict("records")),
        ])
        scope_text = f"{period.start:%d %b} – {period.end:%d %b %Y} · {len(said):,} comments in your scope"
        found = terms.to_dict("records")
        figure = voice_page.terms_figure(found) if found else no_update
        return (body, figure, {"display": "block"} if found else {"display": "none"},
                None if found else voice_page.no_terms(), _rows(shown.head(2000)), title, scope_text)


def _one(value: str | None) -> tuple[str, ...]:
    return (value,) if value else ()


def _values(frame: pd.DataFrame, column: str) -> list[float | None]:
    return [None if pd.isna(v) else round(float(v), 1) for v in frame[column]]


def _counts(said: pd.DataFrame) -> html.Div:
    parts = [f"{voice_page.category_text(c)}: {int((said['category'] == c).sum()):,}" for c in voice.CATEGORIES]
    return html.Div(" · ".join(parts), className="fw-semibold mb-2", **{"data-counts": "voice"})


def _rows(frame: pd.DataFrame) -> list[dict[str, Any]]:
    rows = []
    for r in frame.to_dict("records"):
        when = r["responded_at"].replace(tzinfo=UTC).astimezone(ZoneInfo(r.get("timezone") or "UTC"))
        rows.append({"when": f"{when:%Y-%m-%d %H:%M}", "category_text": voice_page.category_text(r["category"]),
                     "comment": r["comment"], "nps": None if pd.isna(r["nps"]) else int(r["nps"]),
                     "csat": None if pd.isna(r["csat"]) else int(r["csat"]), "queue_name": r.get("queue_name"),
                     "agent_name": r.get("agent_name"), "why": r["why"]})
    return rows
