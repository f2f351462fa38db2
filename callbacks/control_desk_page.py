"""Control desk: all sites in the user's scope; heatmap click or dropdown picks the site shown in detail."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx, no_update

import ids
import store
from callbacks.common import (
    NotAllowed,
    now_utc,
    period_from,
    register_period_sync,
    require_user,
    stale_sources,
    tiles_from,
    user_scope,
)
from kpis import detail
from kpis.compute import KpiFunction, compute
from kpis.today import IntervalToday, SiteToday, today_so_far
from layouts import agent_page, control_desk_page
from layouts.formatting import fmt
from layouts.tiles import tile_strip
from settings import Settings

STAFF = ["required_agents", "scheduled_agents", "on_hand_agents"]
# The centre at a glance: service, and whether the floor has the people it needs.
DESK_TILES = ["service_level", "asa", "abandon_rate", "on_hand_agents", "required_agents", "net_staffing_on_hand",
              "shrinkage"]


def _clock_dim(clock: str | None) -> str:
    return "time_of_day_utc" if clock == "utc" else "time_of_day"


def register(app: Dash, db: store.Database, settings: Settings, compute: KpiFunction = compute) -> None:
    """`compute` is the KPI function the callbacks use: the app passes its per-data-version cache."""
    register_period_sync(app, "desk", settings)

    @app.callback(
        Output(ids.scope_text("desk"), "children"),
        Output(ids.DESK_TILES, "children"),
        Output(ids.DESK_PANELS, "children"),
        Output(ids.DESK_SITE, "options"),
        Output(ids.DESK_SITE, "value"),
        Input(ids.custom_range("desk"), "start_date"),
        Input(ids.custom_range("desk"), "end_date"),
        Input(ids.DESK_CLOCK, "value"),
        Input(ids.DATA_VERSION, "data"),
        State(ids.DESK_SITE, "value"),
    )
    def overview(start, end, clock, _version, chosen):
        with db.session() as cur:
            try:
                user = require_user("control_desk")
                scope = user_scope(user)
                period = period_from(settings, start, end)
                fields = [f for f, _, _ in control_desk_page.SITE_KPIS]
                by_site = compute(cur, settings, fields, period, by=["site"], scope=scope)
                dim = _clock_dim(clock)
                net = compute(cur, settings, ["net_staffing_on_hand"], period, by=["site", dim], scope=scope)
                shrink = compute(cur, settings, [k for k, _ in control_desk_page.SHRINK], period, by=["site"], scope=scope)
                names = detail.names(cur, "sites")
                centre = compute(cur, settings, DESK_TILES, period, scope=scope)
                stale = stale_sources(cur, user, DESK_TILES, settings)
            except NotAllowed as err:
                return "", None, agent_page.not_allowed(str(err)), [], None
        rows: dict[str, dict] = {}
        for r in by_site.to_dict("records"):
            row = rows.setdefault(r["site"], {"site": r["site"], "name": names.get(r["site"], r["site"])})
            row[r["kpi"]], row[f"{r['kpi']}_status"], row[f"{r['kpi']}_target"] = r["value"], r["status"], r["target"]
        sites = sorted(rows)
        times = sorted({r[dim] for r in net.to_dict("records")})
        cell = {(r["site"], r[dim]): r["value"] for r in net.to_dict("records")}
        z = [[None if cell.get((s, t)) is None else round(cell[(s, t)], 1) for t in times] for s in sites]
        for s, zr in zip(sites, z, strict=True):
            lowest = min(((v, t) for v, t in zip(zr, times, strict=True) if v is not None), default=None)
            rows[s]["net_worst"], rows[s]["net_worst_at"] = lowest if lowest else (None, None)
        worst = min(((v, s) for s, zr in zip(sites, z, strict=True) for v in zr if v is not None), default=(0, None))[1]
        parts = {label: [next((r["value"] for r in shrink.to_dict("records") if r["site"] == s and r["kpi"] == k),
                              None) for s in sites] for k, label in control_desk_page.SHRINK}
        focus = chosen if chosen in rows else worst or (sites[0] if sites else None)
        scope_text = (f"{len(sites)} site(s) · {period.start:%d %b} – {period.end:%d %b %Y} · "
                      f"times {'in UTC' if clock == 'utc' else 'in each site’s local time'}")
        return (scope_text, tile_strip(tiles_from(centre, DESK_TILES, settings, stale)),
                [control_desk_page.sites_table(list(rows.values())),
                 control_desk_page.net_heatmap([names.get(s, s) for s in sites], times, z, clock or "local"),
                 control_desk_page.shrinkage_by_activity([names.get(s, s) for s in sites], parts)],
                [{"label": names.get(s, s), "value": s} for s in sites], focus)

    @app.callback(
        Output(ids.DESK_TODAY, "children"),
        Input(ids.DATA_VERSION, "data"),
        Input(ids.LIVE_TICK, "n_intervals"),
    )
    def today(_version, _tick):
        with db.session() as cur:
            try:
                user = require_user("control_desk")
            except NotAllowed:
                return None
            zones = detail.site_timezones(cur)
            names = detail.names(cur, "sites")
            found = today_so_far(cur, settings, compute, user_scope(user), zones, now_utc(settings))
        return control_desk_page.today_so_far([_today_row(s, names.get(s.site_id, s.site_id)) for s in found])

    @app.callback(
        Output(ids.DESK_DETAIL, "children"),
        Input(ids.DESK_SITE, "value"),
        Input(ids.custom_range("desk"), "start_date"),
        Input(ids.custom_range("desk"), "end_date"),
        Input(ids.DESK_CLOCK, "value"),
    )
    def site_detail(site, start, end, clock):
        if not site:
            return None
        with db.session() as cur:
            try:
                user = require_user("control_desk")
                scope = user_scope(user, site=(site,))
                period = period_from(settings, start, end)
                dim = _clock_dim(clock)
                staff = compute(cur, settings, STAFF + ["forecast_contacts", "offered"], period, by=[dim], scope=scope)
                shrink = compute(cur, settings, [k for k, _ in control_desk_page.SHRINK], period, by=[dim], scope=scope)
                name = detail.names(cur, "sites").get(site, site)
            except NotAllowed as err:
                return agent_page.not_allowed(str(err))
        records = staff.to_dict("records")
        times = sorted({r[dim] for r in records})
        value = {(r[dim], r["kpi"]): r["value"] for r in records}
        labels = {"required_agents": "Required", "scheduled_agents": "Scheduled", "on_hand_agents": "On hand"}
        series = {labels[k]: [value.get((t, k)) for t in times] for k in STAFF}
        contacts = {"Forecast": [value.get((t, "forecast_contacts")) for t in times],
                    "Actual": [value.get((t, "offered")) for t in times]}
        part = {(r[dim], r["kpi"]): r["value"] for r in shrink.to_dict("records")}
        shrink_by_time = {label: [part.get((t, k)) for t in times] for k, label in control_desk_page.SHRINK}
        return control_desk_page.site_detail(name, times, series, contacts, clock or "local", shrink_by_time)

    @app.callback(
        Output(ids.DESK_SITE, "value", allow_duplicate=True),
        Input({"type": "fv-graph", "panel": "desk-net"}, "clickData"),
        State(ids.DESK_SITE, "options"),
        prevent_initial_call=True,
    )
    def pick_site(click, options):
        if not click or ctx.triggered_id is None:
            return no_update
        label = click["points"][0]["y"]
        return next((o["value"] for o in options or [] if o["label"] == label), no_update)


def _today_row(s: SiteToday, name: str) -> dict:
    now = s.now
    worst = s.worst_ahead
    share = f" ({100 * (s.factor - 1):+.1f} %)" if s.factor is not None else ""
    return {
        "site_id": s.site_id, "name": name, "now": f"{s.current_local:%H:%M}", "gap_now": s.gap_now,
        "contacts": f"{fmt(s.offered_so_far, 'count')} / {fmt(s.forecast_so_far, 'count')}{share}",
        "service_level": fmt(s.service_level_so_far, "%"),
        "staffing_now": " · ".join(fmt(v, "agents") for v in (now.required, now.scheduled, now.on_hand))
        if now else "—",
        "worst_ahead": (f"{worst.start_local:%H:%M}: scheduled {fmt(worst.scheduled, 'agents')} for "
                        f"{fmt(worst.required, 'agents')} required ({worst.scheduled - worst.required:+.1f})")
        if worst else "—",
        "reforecast": (f"{fmt(s.reforecast_rest, 'count')} contacts" if s.reforecast_rest is not None else "—"),
        "intervals": [_interval_row(i, i.start_local < s.current_local, i.start_local == s.current_local)
                      for i in s.intervals],
    }


def _interval_row(i: IntervalToday, ended: bool, now: bool) -> dict:
    """One interval of today: ended or now, its actuals and on hand against the requirement; ahead, the
    re-forecast and the schedule against the requirement."""
    happened = ended or now
    have, need = (i.on_hand if happened else i.scheduled), i.required
    gap = None if have is None or need is None else have - need
    return {"time": f"{i.start_local:%H:%M}", "when": "ended" if ended else "now" if now else "ahead",
            "forecast": fmt(i.forecast, "count"),
            "contacts": fmt(i.offered, "count") if happened else (
                f"{fmt(i.reforecast, 'count')} re-forecast" if i.reforecast is not None else "—"),
            "service_level": fmt(i.service_level, "%") if happened else "—",
            "required": fmt(need, "agents"), "scheduled": fmt(i.scheduled, "agents"),
            "on_hand": fmt(i.on_hand, "agents") if happened else "—",
            "gap": fmt(gap, "agents"), "short": gap is not None and gap < 0}
