"""Manager page: drill state lives in the URL (?site=&call_type=&team=), always inside the user's scope."""

from __future__ import annotations

from urllib.parse import parse_qs, urlencode

from dash import Dash, Input, Output, State

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
from layouts import agent_page, manager_page
from layouts.context import scope_line
from settings import Settings

TILES = ["service_level", "asa", "abandon_rate", "aht", "handled", "occupancy", "adherence", "shrinkage", "nps"]
LEVELS = ("site", "call_type", "team", "agent")
BREAKDOWN = ["aht", "avg_acw", "service_level", "handled"]


def _drill(search: str | None) -> dict[str, str]:
    query = parse_qs((search or "").lstrip("?"))
    return {level: query[level][0] for level in LEVELS if query.get(level)}


def _href(drill: dict[str, str], back: dict[str, str] | None = None, page: str = "/manager") -> str:
    """A link for a drill path, carrying the period (`back`: period_query) so it survives the drill."""
    query = dict(drill) | (back or {})
    return page + (f"?{urlencode(query)}" if query else "")


def _check_drill(cur, user, drill: dict[str, str]) -> None:
    """A drill path naming a site or team outside the user's sites is refused, not silently emptied."""
    if user.role != "manager":
        return
    if "site" in drill and drill["site"] not in user.site_ids:
        raise NotAllowed("That site is not in your scope.")
    if "team" in drill:
        team_site = dict(cur.execute("SELECT team_id, site_id FROM teams").fetchall()).get(drill["team"])
        if team_site not in user.site_ids:
            raise NotAllowed("That team is not in your scope.")


def register(app: Dash, db: store.Database, settings: Settings, compute: KpiFunction = compute) -> None:
    """`compute` is the KPI function the callbacks use: the app passes its per-data-version cache."""
    register_period_sync(app, "mgr", settings)

    @app.callback(
        Output(ids.MGR_CRUMBS, "children"),
        Output(ids.MGR_HEADING, "children"),
        Output(ids.scope_text("mgr"), "children"),
        Output(ids.MGR_TILES, "children"),
        Output(ids.MGR_PANELS, "children"),
        Input(ids.custom_range("mgr"), "start_date"),
        Input(ids.custom_range("mgr"), "end_date"),
        Input(ids.URL, "search"),
        Input(ids.DATA_VERSION, "data"),
        State(ids.period("mgr"), "value"),
    )
    def fill(start, end, search, _version, period_key):
        with db.session() as cur:
            try:
                user = require_user("manager", "control_desk")
                drill = _drill(search)
                _check_drill(cur, user, drill)
                scope = user_scope(user, **{k: (v,) for k, v in drill.items()})
                period = period_from(settings, start, end)
                back = period_query(period_key, period)
                site_names, team_names = detail.names(cur, "sites"), detail.names(cur, "teams")
                visible_sites = [s for s in site_names if not user.site_ids or s in user.site_ids]
                if "site" not in drill and len(visible_sites) == 1:
                    drill = {"site": visible_sites[0], **drill}
                    scope = user_scope(user, **{k: (v,) for k, v in drill.items()})
                level = next((lv for lv in LEVELS if lv not in drill), None)
                tiles_result = compute(cur, settings, TILES, period, scope=scope)
                stale = stale_sources(cur, user, TILES, settings)
                rows = []
                if level:
                    by = compute(cur, settings, BREAKDOWN, period, by=[level], scope=scope)
                    members = {a["agent_id"]: a for a in detail.agents_in(cur, scope.filters())} if level == "agent" else {}
                    label = {"site": site_names, "team": team_names,
                             "agent": {k: v["name"] for k, v in members.items()}}.get(level, {})
                    grouped: dict[str, dict] = {}
                    for r in by.to_dict("records"):
                        key = r[level]
                        if key is None:
                            continue
                        row = grouped.setdefault(key, {"key": key, "name": label.get(key, str(key).replace("_", " "))})
                        row[r["kpi"]], row[f"{r['kpi']}_status"] = r["value"], r["status"]
                        row[f"{r['kpi']}_target"] = r["target"]
                    for row in grouped.values():
                        target = {**drill, level: row["key"]}
                        href = (_href({"agent": row["key"]}, back, "/agent") if level == "agent"
                                else _href(target, back))
                        row["link"], row["href"] = f"[{row['name']}]({href})", href
                        if level == "agent" and members.get(row["key"], {}).get("hire_date"):
                            row["tenure_months"] = round((today(settings) - members[row["key"]]["hire_date"]).days / 30.4, 1)
                    rows = [r for r in grouped.values() if r.get("handled")]
                heat = compute(cur, settings, ["service_level"], period, by=["date", "time_of_day"], scope=scope)
                trend = compute(cur, settings, ["aht", "service_level"], period, by=["date"], scope=scope)
                tz = detail.site_timezones(cur).get(drill.get("site", ""), "each site's local time")
            except NotAllowed as err:
                return None, agent_page.not_allowed(str(err)), "", None, None
        # A manager of one site starts at that site: a "Centre" above it would lead nowhere else.
        crumbs = [] if len(visible_sites) == 1 else [("Centre", _href({}, back) if drill else None)]
        names = {"site": site_names, "team": team_names}
        path: dict[str, str] = {}
        for lv in LEVELS:
            if lv in drill:
                path[lv] = drill[lv]
                crumbs.append((names.get(lv, {}).get(drill[lv], drill[lv].replace("_", " ")), _href(path, back)))
        crumbs[-1] = (crumbs[-1][0], None)
        tiles = tiles_from(tiles_result, TILES, settings, stale)
        aht_target = next((t.target for t in tiles if t.kpi == "aht"), None)
        sl_target = next((t.target for t in tiles if t.kpi == "service_level"), None)
        cell = {(d.isoformat(), t): v for d, t, v in heat[["date", "time_of_day", "value"]].itertuples(index=False)}
        days = sorted({d for d, _ in cell})
        times = sorted({t for _, t in cell})
        z = [[cell.get((d, t)) for t in times] for d in days]
        trend_rows = trend.to_dict("records")
        dates = sorted({r["date"].isoformat() for r in trend_rows})
        series = {(r["date"].isoformat(), r["kpi"]): r["value"] for r in trend_rows}
        title = crumbs[-1][0]
        panels = [manager_page.breakdown(level, rows, aht_target)] if level else []
        panels += [manager_page.heatmap(days, times, z, sl_target),
                   manager_page.trends(dates, [series.get((d, "aht")) for d in dates],
                                       [series.get((d, "service_level")) for d in dates], aht_target)]
        return (manager_page.breadcrumbs(crumbs),
                manager_page.heading(title, f"Drill down by {level.replace('_', ' ')}" if level else "Agent level"),
                scope_line(" › ".join(c[0] for c in crumbs), describe(period.start, period.end), tz,
                           "click a name to drill down"),
                manager_page.tiles(tiles), panels)

