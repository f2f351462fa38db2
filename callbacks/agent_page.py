"""Agent page: the signed-in agent's own numbers (or, for leaders, an agent in their scope via ?agent=)."""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import parse_qs, urlencode

from dash import ALL, Dash, Input, Output, State, ctx, no_update

import ids
import store
from actions import exceptions
from callbacks.common import (
    NotAllowed,
    now_utc,
    period_from,
    period_query,
    register_period_sync,
    require_user,
    shown_to,
    stale_sources,
    tiles_from,
    today,
    user_scope,
)
from callbacks.live_page import display_row, epoch_ms
from kpis import detail, rta
from kpis.compute import KpiFunction, compute
from kpis.periods import describe
from layouts import agent_page, live_page
from layouts.context import scope_line
from settings import Settings

TILES = ["adherence", "conformance", "out_of_adherence_minutes", "aht", "avg_talk", "avg_hold", "avg_acw",
         "handled", "fcr", "csat", "csat_mean", "nps"]


def _agent_for(user, search: str | None, cur) -> str:
    """Agents see themselves; leaders may open an agent inside their own scope, nobody else."""
    wanted = (parse_qs((search or "").lstrip("?")).get("agent") or [""])[0]
    if user.role == "agent":
        if wanted and wanted != user.agent_id:
            raise NotAllowed(f"✕ Not allowed: agents see only their own numbers, not those of {wanted}. "
                             "Remove ?agent= from the address to see yours.")
        return user.agent_id
    if wanted and detail.in_scope(cur, wanted, user.scope_filters()):
        return wanted
    raise NotAllowed("Choose an agent from your team's table to see their view." if not wanted
                     else "That agent is not in your scope.")


def register(app: Dash, db: store.Database, settings: Settings, compute: KpiFunction = compute) -> None:
    """`compute` is the KPI function the callbacks use: the app passes its per-data-version cache."""
    register_period_sync(app, "agent", settings)

    @app.callback(
        Output(ids.AGENT_HEADING, "children"),
        Output(ids.scope_text("agent"), "children"),
        Output(ids.AGENT_TILES, "children"),
        Output(ids.AGENT_PANELS, "children"),
        Output(ids.AGENT_DAY, "min_date_allowed"),
        Output(ids.AGENT_DAY, "max_date_allowed"),
        Output(ids.AGENT_DAY, "date"),
        Output(ids.AGENT_DAY_TITLE, "children"),
        Input(ids.custom_range("agent"), "start_date"),
        Input(ids.custom_range("agent"), "end_date"),
        Input(ids.URL, "search"),
        Input(ids.EXC_FEEDBACK, "children"),
        Input(ids.DATA_VERSION, "data"),
        State(ids.period("agent"), "value"),
    )
    def fill(start, end, search, _approved, _version, period_key):
        with db.session() as cur:
            try:
                user = require_user()
                agent_id = _agent_for(user, search, cur)
                profile = detail.agent_profile(cur, agent_id)
                period = period_from(settings, start, end)
                scope = user_scope(user, agent=(agent_id,))
                result = compute(cur, settings, TILES, period, scope=scope)
                stale = stale_sources(cur, user, TILES, settings)
                by_day = compute(cur, settings, ["adherence"], period, by=["date"], scope=scope)
                by_time = compute(cur, settings, ["out_of_adherence_minutes"], period, by=["time_of_day"], scope=scope)
                comments = detail.survey_comments(cur, {"agent": (agent_id,)}, period.start, period.end)
                days = detail.worked_days(cur, agent_id, period.start, period.end)
            except NotAllowed as err:
                msg = agent_page.not_allowed(str(err))
                return msg, "", None, None, no_update, no_update, None, no_update
        tiles = tiles_from(result, TILES, settings, stale)
        # After an approval, or when new data arrives, stay on the day being looked at.
        keep_day = ctx.triggered_id in (ids.EXC_FEEDBACK, ids.DATA_VERSION)
        adherence_target = next((t.target for t in tiles if t.kpi == "adherence"), None)
        tenure = (today(settings) - profile.hire_date).days if profile.hire_date else None
        whose = None if user.role == "agent" else f"{profile.name}'s"
        # A leader came here from a team: the way back keeps the team and the period.
        back_to_team = None if user.role == "agent" else (
            profile.team, "/supervisor?" + urlencode({"team": profile.team_id, **period_query(period_key, period)}))
        return (
            agent_page.heading(profile.name, profile.team, profile.site, tenure, back_to_team),
            scope_line(profile.name, describe(period.start, period.end), profile.timezone,
                       f"{len(days)} working day(s) with a schedule"),
            agent_page.tiles(tiles),
            agent_page.panels(
                [{"date": r["date"].isoformat(), "adherence": r["value"]} for r in by_day.to_dict("records")
                 if r["value"] is not None],
                [{"time_of_day": r["time_of_day"], "minutes": round(r["value"], 2)}
                 for r in by_time.to_dict("records") if r["value"] is not None],
                adherence_target, comments, whose),
            no_update if keep_day else (days[0] if days else period.start),
            no_update if keep_day else (days[-1] if days else period.end),
            no_update if keep_day else (days[-1] if days else None),
            agent_page.day_title(whose),
        )

    @app.callback(
        Output(ids.AGENT_NOW, "children"),
        Input(ids.AGENT_NOW_TICK, "n_intervals"),
        Input(ids.URL, "search"),
        Input(ids.EVENTS_VERSION, "data"),
    )
    def now(_tick, search, _events):
        """Am I on time back from lunch: the agent's scheduled activity, state and adherence right now."""
        at = now_utc(settings)
        with db.session() as cur:
            try:
                agent_id = _agent_for(require_user(), search, cur)
            except NotAllowed:
                return None
            found = rta.now_view(cur, settings, at, {"agent": (agent_id,)})
        return live_page.agent_now(display_row(found[0], at) if found else None, epoch_ms(at))

    @app.callback(Output(ids.EXC_WRAP, "style"), Input(ids.URL, "search"))
    def show_approvals(_search):
        return shown_to(("supervisor", "manager", "control_desk"), "flex")

    @app.callback(
        Output(ids.AGENT_TIMELINE, "children"),
        Output(ids.EXC_FEEDBACK, "children"),
        Input(ids.AGENT_DAY, "date"),
        Input(ids.exc_approve(ALL), "n_clicks"),
        State(ids.URL, "search"),
        State(ids.EXC_REASON, "value"),
    )
    def day_timeline(day, _clicks, search, reason):
        feedback = no_update
        with db.session() as cur:
            try:
                user = require_user()
                agent_id = _agent_for(user, search, cur)
                if not day:
                    return agent_page.timeline(None, [], [], []), feedback
                the_day = date.fromisoformat(day[:10])
                trigger = ctx.triggered_id
                if isinstance(trigger, dict) and trigger.get("type") == "exc-approve" and ctx.triggered[0]["value"]:
                    feedback = _approve(cur, user, agent_id, str(trigger.get("span", "")), reason)
                segments = detail.agent_day(cur, agent_id, the_day)
                approved = exceptions.for_day(cur, agent_id, datetime.combine(the_day, datetime.min.time()))
            except NotAllowed as err:
                return agent_page.not_allowed(str(err)), feedback
        satisfied = {code: list(a.satisfied_by) for code, a in settings.activities.items()}
        tracked = {code for code, a in settings.activities.items() if a.adherence_tracked}
        states = [{**s, "code": settings.states.get(s["code"], s["code"])} for s in segments["states"]]
        found = detail.exceptions(segments["schedule"], states, satisfied, tracked)
        leader = user.role in ("supervisor", "manager", "control_desk")
        return agent_page.timeline(the_day, segments["schedule"], states, found, approved, leader,
                                   settings.adherence.list_exceptions_from_s,
                                   settings.adherence.exception_threshold_s), feedback

    def _approve(cur, user, agent_id: str, span: str, reason: str | None) -> str:
        try:
            start, end = (datetime.fromisoformat(part) for part in span.split("|"))
        except ValueError:
            return "✕ That exception could not be read; reload the page."
        try:
            with db.write(cur):
                exceptions.approve(cur, settings, user, agent_id, start, end, reason or "")
        except (exceptions.ExceptionError, store.WriteFailed) as err:
            return f"✕ {err}"
        return f"✓ Approved {start:%H:%M:%S}–{end:%H:%M:%S}; adherence now counts it."
