"""Vendor date-times: the layouts their exports use, read to ISO-8601 text for the canonical loader."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

US_LAYOUTS = ("%m/%d/%Y %I:%M:%S %p", "%m/%d/%Y %I:%M %p", "%m/%d/%y %I:%M:%S %p", "%m/%d/%y %I:%M %p",
              "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%y %H:%M:%S", "%m/%d/%y %H:%M")


def parse_local(text: str, layouts: tuple[str, ...] = US_LAYOUTS) -> datetime:
    """A date-time in one of the layouts or ISO-8601; ValueError naming the value otherwise."""
    value = text.strip()
    for layout in layouts:
        try:
            return datetime.strptime(value, layout)
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"not a date-time this format knows: {text!r}") from None


def as_text(moment: datetime, zone: str | None = None) -> str:
    """ISO-8601 for the canonical loader: with its offset when known (or given a zone), else naive (the
    loader reads naive values in the site's time zone)."""
    if moment.tzinfo is None and zone:
        moment = moment.replace(tzinfo=ZoneInfo(zone))
    return moment.isoformat(sep=" ")
