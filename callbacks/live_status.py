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
    topics = tuple(ids.VERSION_STORES.items())

    @app.callback(
        *(Output(store_id, "data") for _, store_id in topics),
        Output(ids.DATA_AS_OF, "children"),
        Input(ids.LIVE_TICK, "n_intervals"),
        *(State(store_id, "data") for _, store_id in topics),
    )
    def poll(_tick, *seen):
        try:
            user = require_user()
        except NotAllowed:
            return *(no_update for _ in topics), None
        # A topic whose version is unchanged gives no_update, so nothing listening to it redraws.
        versions = [db.version(topic) for topic, _ in topics]
        changed = [v if v != s else no_update for v, s in zip(versions, seen, strict=True)]
        with db.session() as cur:
            home = detail.sites_in(cur, user.scope_filters())
            # The newest load of the sites this person's data lives in (all of them for the control desk).
            last = store.last_load(cur, None if user.role == "control_desk" else tuple(home))
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
        return *changed, as_of
