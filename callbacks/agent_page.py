"""Agent page: the signed-in agent's own numbers (or, for leaders, an agent in their scope via ?agent=)."""

from __future__ import annotations

from datetime import date
from urllib.parse import parse_qs

from dash import Dash, Input, Output, State, no_update

import ids
import store
from callbacks.common import (
    NotAllowed,
    period_from,
    register_period_sync,
    require_user,
    tiles_from,
    today,
    user_scope,
)
from kpis import detail
from kpis.compute import compute
from kpis.periods import describe
from layouts import agent_page
from layouts.context import scope_line
from settings import Settings

TILES = ["adherence", "conformance", "out_of_adherence_minutes", "aht", "avg_talk", "avg_hold", "avg_acw",
         "handled", "fcr", "csat", "nps"]


def _agent_for(user, search: str | None, cur) -> str:
    """Agents see themselves; leaders may open an agent inside their own scope, nobody else."""
    if user.role == "agent":
        return user.agent_id
    wanted = (parse_qs((search or "").lstrip("?")).get("agent") or [""])[0]
    if wanted and detail.in_scope(cur, wanted, user.scope_filters()):
        return wanted
    raise NotAllowed("Choose an agent from your team's table to see their view." if not wanted
                     else "That agent is not in your scope.")


def register(app: Dash, db: store.Database, settings: Settings) -> None:
    register_period_sync(app, "agent", settings)

    @app.callback(
        Output(ids.AGENT_HEADING, "children"),
        Output(ids.scope_text("agent"), "children"),
        Output(ids.AGENT_TILES, "children"),
        Output(ids.AGENT_PANELS, "children"),
        Output(ids.AGENT_DAY, "min_date_allowed"),
        Output(ids.AGENT_DAY, "max_date_allowed"),
        Output(ids.AGENT_DAY, "date"),
        Input(ids.custom_range("agent"), "start_date"),
        Input(ids.custom_range("agent"), "end_date"),
        Input(ids.URL, "search"),
    )
    def fill(start, end, search):
        with db.session() as cur:
            try:
                user = require_user()
                agent_id = _agent_for(user, search, cur)
                profile = detail.agent_profile(cur, agent_id)
                period = period_from(settings, start, end)
                scope = user_scope(user, agent=(agent_id,))
                result = compute(cur, settings, TILES, period, scope=scope)
                by_day = compute(cur, settings, ["adherence"], period, by=["date"], scope=scope)
                by_time = compute(cur, settings, ["out_of_adherence_minutes"], period, by=["time_of_day"], scope=scope)
                comments = detail.survey_comments(cur, {"agent": (agent_id,)}, period.start, period.end)
                days = detail.worked_days(cur, agent_id, period.start, period.end)
            except NotAllowed as err:
                msg = agent_page.not_allowed(str(err))
                return msg, "", None, None, no_update, no_update, None
        tiles = tiles_from(result, TILES, settings)
        adherence_target = next((t.target for t in tiles if t.kpi == "adherence"), None)
        tenure = (today(settings) - profile.hire_date).days if profile.hire_date else None
        return (
            agent_page.heading(profile.name, profile.team, profile.site, tenure),
            scope_line(profile.name, describe(period.start, period.end), profile.timezone,
                       f"{len(days)} working day(s) with a schedule"),
            agent_page.tiles(tiles),
            agent_page.panels(
                [{"date": r["date"].isoformat(), "adherence": r["value"]} for r in by_day.to_dict("records")
                 if r["value"] is not None],
                [{"time_of_day": r["time_of_day"], "minutes": round(r["value"], 2)}
                 for r in by_time.to_dict("records") if r["value"] is not None],
                adherence_target, comments),
            days[0] if days else period.start,
            days[-1] if days else period.end,
            days[-1] if days else None,
        )

    @app.callback(
        Output(ids.AGENT_TIMELINE, "children"),
        Input(ids.AGENT_DAY, "date"),
        State(ids.URL, "search"),
    )
    def day_timeline(day, search):
        with db.session() as cur:
            try:
                user = require_user()
                agent_id = _agent_for(user, search, cur)
                if not day:
                    return agent_page.timeline(None, [], [], [])
                the_day = date.fromisoformat(day[:10])
                segments = detail.agent_day(cur, agent_id, the_day)
            except NotAllowed as err:
                return agent_page.not_allowed(str(err))
        satisfied = {code: list(a.satisfied_by) for code, a in settings.activities.items()}
        tracked = {code for code, a in settings.activities.items() if a.adherence_tracked}
        states = [{**s, "code": settings.states.get(s["code"], s["code"])} for s in segments["states"]]
        found = detail.exceptions(segments["schedule"], states, satisfied, tracked)
        return agent_page.timeline(the_day, segments["schedule"], states, found)

