"""Every page stays current: a cheap poll finds the data version, pages redraw when it changes, and the line
"Data as of …" says how fresh the data is (with a warning once it is stale)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from dash import Dash, Input, Output, State, no_update

import ids
import store
from callbacks.common import NotAllowed, require_user
from kpis import detail
from layouts import shell
from settings import Settings


def register(app: Dash, db: store.Database, settings: Settings) -> None:
    @app.callback(
        Output(ids.DATA_VERSION, "data"),
        Output(ids.DATA_AS_OF, "children"),
        Input(ids.LIVE_TICK, "n_intervals"),
        State(ids.DATA_VERSION, "data"),
    )
    def poll(_tick, seen):
        try:
            user = require_user()
        except NotAllowed:
            return no_update, None
        version = db.data_version
        with db.session() as cur:
            home = {a["site_id"] for a in detail.agents_in(cur, user.scope_filters())}
            last = store.data_freshness(cur, user.site_scope)["last_load_utc"]
            zones = detail.site_timezones(cur)
            names = detail.names(cur, "sites")
        site = next(iter(home)) if len(home) == 1 else None
        zone, label = (zones.get(site, "UTC"), f"{names.get(site, site)} time") if site else ("UTC", "UTC")
        if last is None:
            as_of = shell.data_as_of(None, label, None, settings.app.stale_after_minutes)
        else:
            when = last.replace(tzinfo=UTC)
            minutes = int((datetime.now(UTC) - when).total_seconds() // 60)
            as_of = shell.data_as_of(when.astimezone(ZoneInfo(zone)).strftime("%a %d %b %H:%M"), label, minutes,
                                     settings.app.stale_after_minutes)
        return (version if version != seen else no_update), as_of
