"""Service clocks of follow-up cases: when a first action or the close is due.

Wall-clock hours are elapsed time (UTC arithmetic, so a DST change neither adds nor loses an hour). Business
hours run only inside the site's business hours (site-local, on its business weekdays); each day's window is
turned into UTC on its own date, so a window after a DST change has that day's offset.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from settings import BusinessHours

LONGEST_SEARCH_DAYS = 3700  # a clock of any configurable length ends well within this


def due_at(start_utc: datetime, hours: float, timezone: str, clock: str, business: BusinessHours) -> datetime:
    """The UTC instant (naive) `hours` of the clock after `start_utc` (naive UTC)."""
    if clock != "business":
        return start_utc + timedelta(hours=hours)
    zone = ZoneInfo(timezone)
    at = start_utc.replace(tzinfo=UTC)
    remaining = timedelta(hours=hours)
    day = at.astimezone(zone).date()
    for _ in range(LONGEST_SEARCH_DAYS):
        if day.weekday() in business.weekdays:
            opens = datetime.combine(day, business.start, zone).astimezone(UTC)
            closes = datetime.combine(day, business.end, zone).astimezone(UTC)
            begin = max(at, opens)
            if begin < closes:
                if begin + remaining <= closes:
                    return (begin + remaining).replace(tzinfo=None)
                remaining -= closes - begin
        day += timedelta(days=1)
    raise ValueError("the service clock never ends: no business hours configured")


def hours_between(start_utc: datetime, end_utc: datetime, timezone: str, clock: str,
                  business: BusinessHours) -> float:
    """Clock hours from `start_utc` to `end_utc` (wall or business), for "hours to first action"."""
    if clock != "business":
        return (end_utc - start_utc).total_seconds() / 3600
    zone = ZoneInfo(timezone)
    at, end = start_utc.replace(tzinfo=UTC), end_utc.replace(tzinfo=UTC)
    total = timedelta()
    day = at.astimezone(zone).date()
    while day <= end.astimezone(zone).date():
        if day.weekday() in business.weekdays:
            opens = datetime.combine(day, business.start, zone).astimezone(UTC)
            closes = datetime.combine(day, business.end, zone).astimezone(UTC)
            begin, finish = max(at, opens), min(end, closes)
            if begin < finish:
                total += finish - begin
        day += timedelta(days=1)
    return total.total_seconds() / 3600
