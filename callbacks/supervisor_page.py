"""Supervisor page: teams in the user's scope; team tiles and the agent table."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from dash import ClientsideFunction, Dash, Input, Output, State, no_update

import ids
import store
from callbacks.common import (
    NotAllowed,
    period_from,
    period_query,
    register_period_sync,
    require_user,
    stale_sources,
    tiles_from,
    today,
    user_scope,
)
from kpis import detail
from kpis.compute import KpiFunction, compute
from kpis.periods import describe
from layouts import agent_page, supervisor_page
from layouts.context import scope_line
from settings import Settings

TEAM_TILES = ["handled", "contacts_per_hour", "aht", "avg_acw", "adherence", "fcr", "csat", "csat_mean", "nps"]
AGENT_KPIS = ["handled", "contacts_per_hour", "aht", "avg_talk", "avg_hold", "avg_acw", "adherence", "fcr"]


def register(app: Dash, db: store.Database, settings: Settings, compute: KpiFunction = compute) -> None:
    """`compute` is the KPI function the callbacks use: the app passes its per-data-version cache."""
    register_period_sync(app, "sup", settings)
    app.clientside_callback(ClientsideFunction("floorview", "keepTeam"), Input(ids.SUP_TEAM, "value"),
                            prevent_initial_call=True)

    @app.callback(
        Output(ids.SUP_TEAM, "options"),
        Output(ids.SUP_TEAM, "value"),
        Input(ids.URL, "pathname"),
        State(ids.URL, "search"),
    )
    def teams(_path, search):
        try:
            user = require_user("supervisor", "manager", "control_desk")
        except NotAllowed:
            return [], None
        with db.session() as cur:
            agents = detail.agents_in(cur, user.scope_filters())
        options = sorted({(a["team_id"], a["team"]) for a in agents}, key=lambda t: t[1])
        asked = parse_qs((search or "").lstrip("?")).get("team", [None])[0]  # from a link back from an agent
        chosen = asked if asked in {tid for tid, _ in options} else (options[0][0] if options else None)
        return [{"label": name, "value": tid} for tid, name in options], chosen

    @app.callback(
        Output(ids.SUP_HEADING, "children"),
        Output(ids.scope_text("sup"), "children"),
        Output(ids.SUP_TILES, "children"),
        Output(ids.SUP_PANELS, "children"),
        Input(ids.SUP_TEAM, "value"),
        Input(ids.custom_range("sup"), "start_date"),
        Input(ids.custom_range("sup"), "end_date"),
        Input(ids.DATA_VERSION, "data"),
        State(ids.period("sup"), "value"),
    )
    def fill(team_id, start, end, _version, period_key):
        if not team_id:
            return no_update, "", None, agent_page.not_allowed("No team in your scope.")
        with db.session() as cur:
            try:
                user = require_user("supervisor", "manager", "control_desk")
                scope = user_scope(user, team=(team_id,))
                members = detail.agents_in(cur, scope.filters())
                if not members:
                    raise NotAllowed("That team is not in your scope.")
                period = period_from(settings, start, end)
                team = compute(cur, settings, TEAM_TILES, period, scope=scope)
                stale = stale_sources(cur, user, TEAM_TILES, settings)
                by_agent = compute(cur, settings, AGENT_KPIS, period, by=["agent"], scope=scope)
                site = detail.names(cur, "sites").get(members[0]["site_id"], members[0]["site_id"])
                tz = detail.site_timezones(cur).get(members[0]["site_id"], "UTC")
            except NotAllowed as err:
                return no_update, "", None, agent_page.not_allowed(str(err))
        back = period_query(period_key, period)  # the agent's page opens on the period looked at here
        rows = {m["agent_id"]: {"agent_id": m["agent_id"], "name": m["name"],
                                "agent": f"[{m['name']}](/agent?{urlencode({'agent': m['agent_id'], **back})})",
                                "tenure_months": round((today(settings) - m["hire_date"]).days / 30.4, 1)
                                if m["hire_date"] else None} for m in members}
        for r in by_agent.to_dict("records"):
            row = rows.get(r["agent"])
            if row is not None:
                row[r["kpi"]] = None if r["value"] is None else round(r["value"], 2)
                row[f"{r['kpi']}_status"], row[f"{r['kpi']}_target"] = r["status"], r["target"]
        tiles = tiles_from(team, TEAM_TILES, settings, stale)
        target = {t.kpi: t.target for t in tiles}
        team_name = members[0]["team"]
        return (supervisor_page.heading(team_name, site, len(members)),
                scope_line(team_name, describe(period.start, period.end), tz, f"{len(members)} agents"),
                supervisor_page.tiles(tiles),
                supervisor_page.panels(list(rows.values()), target.get("aht"), target.get("contacts_per_hour")))
