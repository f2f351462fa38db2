"""Glue shared by the page callbacks: who is asking, which period, KPI rows into tiles; panel toggles."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import duckdb
import pandas as pd
from dash import ALL, MATCH, ClientsideFunction, Dash, Input, Output, ctx, no_update

import ids
import store
import web_auth
from accounts import User
from kpis.catalogue import resolve
from kpis.compute import Period, Scope
from kpis.lineage import fact_tables_of
from kpis.periods import PERIODS, resolve_period
from layouts.tiles import TileData
from loaders.facts import FACTS_OF_KIND
from settings import Settings

# The kinds of file each fact table is built from (the loaders declare the other direction).
KINDS_OF_FACT = {table: tuple(k for k, tables in FACTS_OF_KIND.items() if table in tables)
                 for table in {t for tables in FACTS_OF_KIND.values() for t in tables}}


class NotAllowed(Exception):
    """The signed-in user may not see what was asked for."""


def require_user(*roles: str) -> User:
    user = web_auth.current_user()
    if user is None or (roles and user.role not in roles):
        raise NotAllowed("not signed in or not allowed")
    return user


def shown_to(roles: tuple[str, ...], display: str = "block") -> dict:
    """Style showing a part of a page only to these roles (each action behind it checks authority again)."""
    try:
        require_user(*roles)
    except NotAllowed:
        return {"display": "none"}
    return {"display": display}


def today(settings: Settings) -> date:
    return settings.app.today or date.today()


def now_utc(settings: Settings) -> datetime:
    """Now, as a naive UTC instant; with `app.today` pinned (a demo), that day at the present time of day."""
    now = datetime.now(UTC).replace(tzinfo=None)
    return datetime.combine(settings.app.today, now.time()) if settings.app.today else now


def period_from(settings: Settings, start: str | None, end: str | None) -> Period:
    """The period of the page's date range (kept in step with the period buttons by `register_period_sync`)."""
    if not start or not end:
        first, last = resolve_period("this_week", today(settings))
        return Period(first, last)
    first, last = resolve_period("custom", today(settings), date.fromisoformat(start[:10]), date.fromisoformat(end[:10]))
    return Period(first, last)


def user_scope(user: User, **narrower: tuple[str, ...]) -> Scope:
    """The user's own scope, optionally narrowed (never widened) by drill-down choices."""
    return Scope(**narrowed_filters(user, **narrower))


def narrowed_filters(user: User, **narrower: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """The user's scope filters (agent, team, site ids), narrowed (never widened) by the choices given."""
    filters = dict(user.scope_filters())
    for dim, values in narrower.items():
        if not values:
            continue
        if dim in filters:  # intersect: a drill-down can only narrow what the user may see
            kept = tuple(v for v in values if v in filters[dim])
            filters[dim] = kept or ("\x00none",)
        else:
            filters[dim] = tuple(values)
    return filters


def choices(found: list[tuple[str, str]], preselect_single: bool = True) -> tuple[list[dict], str | None]:
    """Dropdown options from (id, name) pairs, and the value: the only option when there is just one."""
    options = [{"label": f"{name} ({pid})" if pid else name, "value": pid} for pid, name in found]
    return options, (found[0][0] if preselect_single and len(found) == 1 else None)


def stale_sources(cur: duckdb.DuckDBPyConnection, user: User, kpi_ids: list[str],
                  settings: Settings) -> dict[str, str]:
    """kpi -> why its own source is stale: the kind of file it is built from was last loaded more than
    `app.stale_after_minutes` ago while newer files came in (when nothing is new, the page's banner says so)."""
    loaded = store.source_freshness(cur, user.site_scope)
    if not loaded:
        return {}
    now = datetime.now(UTC).replace(tzinfo=None)
    limit = timedelta(minutes=settings.app.stale_after_minutes)
    if now - max(loaded.values()) > limit:
        return {}
    stale = {}
    for kpi_id in kpi_ids:
        kinds = {k for table in fact_tables_of(kpi_id, settings) for k in KINDS_OF_FACT.get(table, ())}
        old = sorted((loaded[k], k) for k in kinds if k in loaded and now - loaded[k] > limit)
        if old:
            when, kind = old[0]
            stale[kpi_id] = f"{kind.replace('_', ' ')} last loaded {int((now - when).total_seconds() // 60):,} min ago"
    return stale


def tiles_from(result: pd.DataFrame, kpi_ids: list[str], settings: Settings,
               stale: dict[str, str] | None = None) -> list[TileData]:
    by_kpi = {r["kpi"]: r for r in result.to_dict("records")}
    tiles = []
    for kpi_id in kpi_ids:
        k = resolve(kpi_id, settings)
        r = by_kpi.get(kpi_id, {})
        value = r.get("value")
        tiles.append(TileData(kpi=k.id, label=k.label, value=None if pd.isna(value) else value, unit=k.unit,
                              direction=k.direction, target=r.get("target") if pd.notna(r.get("target")) else None,
                              status=r.get("status", "none"), formula=k.formula, variant=k.variant,
                              target_source=r.get("target_source"), stale=(stale or {}).get(kpi_id),
                              note=r["note"] if isinstance(r.get("note"), str) else None))
    return tiles


def period_query(key: str | None, period: Period) -> dict[str, str]:
    """The period as a link carries it: a named period by name (so "Last month" stays "Last month" after a
    drill, not "Custom"), a custom range by its dates."""
    if key in PERIODS and key != "custom":
        return {"period": str(key)}
    return {"from": period.start.isoformat(), "to": period.end.isoformat()}


def register_period_sync(app: Dash, page: str, settings: Settings) -> None:
    """Period buttons set the date range; picking dates by hand switches the period to Custom. The page's
    address keeps the period (assets/url_state.js), so going back to it returns to the period left."""
    app.clientside_callback(
        ClientsideFunction("floorview", "keepPeriod"),
        Input(ids.period(page), "value"),
        Input(ids.custom_range(page), "start_date"),
        Input(ids.custom_range(page), "end_date"),
        prevent_initial_call=True,
    )
    @app.callback(
        Output(ids.period(page), "value"),
        Output(ids.custom_range(page), "start_date"),
        Output(ids.custom_range(page), "end_date"),
        Input(ids.period(page), "value"),
        Input(ids.custom_range(page), "start_date"),
        Input(ids.custom_range(page), "end_date"),
        prevent_initial_call=True,
    )
    def sync(key, start, end):
        if ctx.triggered_id == ids.period(page) and key != "custom":
            first, last = resolve_period(key, today(settings))
            return no_update, first.isoformat(), last.isoformat()
        if ctx.triggered_id == ids.custom_range(page):
            return "custom", no_update, no_update
        return no_update, no_update, no_update


def register(app: Dash) -> None:
    """Panel view toggles, for every panel on every page (pattern-matching ids); exports: callbacks/panel_exports.py."""
    app.clientside_callback(
        """function(view) {
            return [{display: view === 'chart' ? 'block' : 'none'}, {display: view === 'table' ? 'block' : 'none'}];
        }""",
        Output({"type": "fv-panel-chart", "panel": MATCH}, "style"),
        Output({"type": "fv-panel-table", "panel": MATCH}, "style"),
        Input({"type": "fv-panel-view", "panel": MATCH}, "value"),
    )


def register_drill(app: Dash) -> None:
    """A click on a drill-down chart's bar follows the link stored with the bar."""
    app.clientside_callback(
        """function(clicks) {
            const hit = (clicks || []).find(c => c && c.points && c.points[0] && c.points[0].customdata);
            return hit ? hit.points[0].customdata : window.dash_clientside.no_update;
        }""",
        Output(ids.URL, "href"),
        Input({"type": "fv-drill-graph", "panel": ALL}, "clickData"),
        prevent_initial_call=True,
    )
