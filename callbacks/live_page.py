"""/live: the real-time adherence rows and the per-site counts, refreshed every `adherence.rta_refresh_s` and
whenever live events or new data arrive; leaders only, each within their own scope."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dash import Dash, Input, Output

import ids
import store
from actions.scope import places_in_scope
from callbacks.common import NotAllowed, narrowed_filters, now_utc, require_user
from kpis import rta
from kpis.detail import names
from layouts import live_page
from roles import LEADERS
from settings import Settings


def register(app: Dash, db: store.Database, settings: Settings) -> None:
    @app.callback(
        Output(ids.RTA_SITE, "options"),
        Output(ids.RTA_TEAM, "options"),
        Output(ids.RTA_ACTIVITY, "options"),
        Input(ids.URL, "pathname"),
    )
    def options(_path):
        try:
            user = require_user(*LEADERS)
        except NotAllowed:
            return [], [], []
        with db.session() as cur:
            sites, teams = places_in_scope(cur, user, "site"), places_in_scope(cur, user, "team")
        return ([{"label": n, "value": i} for i, n in sites], [{"label": n, "value": i} for i, n in teams],
                [{"label": code, "value": code} for code in settings.activities])

    @app.callback(
        Output(ids.RTA_COUNTS, "children"),
        Output(ids.RTA_TABLE, "children"),
        Input(ids.RTA_TICK, "n_intervals"),
        Input(ids.RTA_SITE, "value"),
        Input(ids.RTA_TEAM, "value"),
        Input(ids.RTA_STATUS, "value"),
        Input(ids.RTA_ACTIVITY, "value"),
        Input(ids.EVENTS_VERSION, "data"),
        Input(ids.DATA_VERSION, "data"),
    )
    def agents_now(_tick, sites, teams, statuses, activities, _events, _data):
        try:
            user = require_user(*LEADERS)
        except NotAllowed:
            return None, live_page.not_allowed("Real-time adherence is for supervisors, managers and the control "
                                               "desk.")
        now = now_utc(settings)  # with app.today pinned (the demo), that day at the present time
        filters = narrowed_filters(user, site=tuple(sites or ()), team=tuple(teams or ()))
        with db.session() as cur:
            rows = rta.now_view(cur, settings, now, filters)
            site_names = names(cur, "sites")
        counted = rta.site_counts(rows, settings)
        shown = [r for r in rows if (not statuses or r.status in statuses)
                 and (not activities or r.activity in activities)]
        sites_now = [{"site_id": s, "name": site_names.get(s, s), **c} for s, c in sorted(
            counted.items(), key=lambda kv: (-kv[1]["out"], site_names.get(kv[0], kv[0])))]
        drawn = [display_row(r, now) for r in shown[:live_page.ROW_LIMIT]]
        return live_page.counts(sites_now), live_page.table(drawn, len(shown), epoch_ms(now), "each site's local time")


def display_row(r: rta.AgentNow, now: datetime) -> dict:
    zone = ZoneInfo(r.timezone)

    def local(at: datetime | None) -> str | None:
        return at.replace(tzinfo=UTC).astimezone(zone).strftime("%H:%M") if at else None

    return {"agent_id": r.agent_id, "name": r.name, "team": r.team, "activity": r.activity,
            "activity_until": local(r.activity_until), "next_activity": r.next_activity, "next_at": local(r.next_at),
            "state": r.state, "reason": r.reason, "state_since": local(r.state_since), "status": r.status,
            "seconds": r.seconds, "since_ms": epoch_ms(r.status_since), "grace_s": r.grace_s, "severe_s": r.severe_s,
            "day": now.replace(tzinfo=UTC).astimezone(zone).date().isoformat()}


def epoch_ms(at: datetime) -> int:
    return int(at.replace(tzinfo=UTC).timestamp() * 1000)
