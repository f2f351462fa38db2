"""Today so far, per site, for the intraday control desk: contacts against forecast and service level over the
intervals that have ended, staffing now and for the rest of the day, and a simple re-forecast of the rest.

Each site's "today" is its own local date and its "now" the interval its wall clock is in. The re-forecast is
labelled as what it is: the day's remaining forecast scaled by actual ÷ forecast over the ended intervals.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import duckdb

from kpis.compute import KpiFunction, Period, Scope
from kpis.rta import interval_start
from settings import Settings

PER_INTERVAL = ["offered", "forecast_contacts", "service_level", "required_agents", "scheduled_agents",
                "on_hand_agents"]


@dataclass
class IntervalToday:
    start_local: datetime
    offered: float | None
    forecast: float | None
    service_level: float | None
    required: float | None
    scheduled: float | None
    on_hand: float | None
    reforecast: float | None = None  # ended intervals: None


@dataclass
class SiteToday:
    site_id: str
    day: str  # the site's local date, ISO
    current_local: datetime  # the start of the interval now, site wall clock
    intervals: list[IntervalToday] = field(default_factory=list)
    offered_so_far: float = 0.0
    forecast_so_far: float | None = None  # None: no forecast loaded for the ended intervals (never 0)
    service_level_so_far: float | None = None
    factor: float | None = None  # actual ÷ forecast over the ended intervals
    now: IntervalToday | None = None

    @property
    def gap_now(self) -> float | None:
        """On hand minus required in the interval now (negative: short)."""
        n = self.now
        return None if n is None or n.on_hand is None or n.required is None else n.on_hand - n.required

    @property
    def worst_ahead(self) -> IntervalToday | None:
        """The interval from now on where the schedule falls furthest short of the requirement."""
        ahead = [i for i in self.intervals if i.start_local >= self.current_local
                 and i.required is not None and i.scheduled is not None]
        return min(ahead, key=lambda i: (i.scheduled or 0.0) - (i.required or 0.0), default=None)

    @property
    def reforecast_rest(self) -> float | None:
        rest = [i.reforecast for i in self.intervals if i.reforecast is not None]
        return sum(rest) if rest else None


def today_so_far(con: duckdb.DuckDBPyConnection, settings: Settings, compute: KpiFunction, scope: Scope,
                 sites: dict[str, str], now: datetime) -> list[SiteToday]:
    """`sites`: site id -> time zone, those in scope. Sorted with the site shortest of staff now first."""
    found = []
    minutes = settings.data.interval_minutes
    for site_id, tz in sites.items():
        zone = ZoneInfo(tz)
        local_now = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
        day = local_now.date()
        current = interval_start(now, tz, minutes)  # UTC
        current_local = current.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)
        one = Scope(**{**scope.filters(), "site": (site_id,)})
        rows = compute(con, settings, PER_INTERVAL, Period(day, day), by=["interval"], scope=one)
        site = SiteToday(site_id, day.isoformat(), current_local)
        by_interval: dict[str, dict[str, Any]] = {}
        for r in rows.to_dict("records"):
            known = r["value"] is not None and r["value"] == r["value"]  # NaN: the source has no such number
            by_interval.setdefault(r["interval"], {})[r["kpi"]] = r["value"] if known else None
        for label, v in sorted(by_interval.items()):
            start_local = datetime.fromisoformat(label.replace(" +", "+").replace(" -", "-")).replace(tzinfo=None)
            site.intervals.append(IntervalToday(start_local, v.get("offered"), v.get("forecast_contacts"),
                                                v.get("service_level"), v.get("required_agents"),
                                                v.get("scheduled_agents"), v.get("on_hand_agents")))
        ended = [i for i in site.intervals if i.start_local < current_local]
        site.offered_so_far = sum(i.offered or 0 for i in ended)
        forecasts = [i.forecast for i in ended if i.forecast is not None]
        site.forecast_so_far = sum(forecasts) if forecasts else None
        site.factor = site.offered_so_far / site.forecast_so_far if site.forecast_so_far else None
        for i in site.intervals:
            if i.start_local >= current_local and i.forecast is not None and site.factor is not None:
                i.reforecast = i.forecast * site.factor
        site.now = next((i for i in site.intervals if i.start_local == current_local), None)
        so_far = compute(con, settings, ["service_level"], Period(day, day, before=current), scope=one)
        level = so_far.iloc[0]["value"] if len(so_far) else None
        site.service_level_so_far = None if level is None or level != level else float(level)
        found.append(site)
    found.sort(key=lambda s: (s.gap_now is None, s.gap_now if s.gap_now is not None else 0, s.site_id))
    return found
