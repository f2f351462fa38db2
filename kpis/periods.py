"""Named reporting periods (today, this week, …) as inclusive site-local date ranges."""

from __future__ import annotations

from datetime import date, timedelta

PERIODS = {
    "today": "Today", "yesterday": "Yesterday", "this_week": "This week", "last_week": "Last week",
    "this_month": "This month", "last_month": "Last month", "last_30_days": "Last 30 days",
    "quarter": "This quarter", "custom": "Custom",
}


def _month_start(d: date) -> date:
    return d.replace(day=1)


def resolve_period(key: str, today: date, start: date | None = None, end: date | None = None) -> tuple[date, date]:
    """The first and last day of a named period; weeks start on Monday; `custom` takes start and end."""
    if key == "today":
        return today, today
    if key == "yesterday":
        return today - timedelta(days=1), today - timedelta(days=1)
    monday = today - timedelta(days=today.weekday())
    if key == "this_week":
        return monday, today
    if key == "last_week":
        return monday - timedelta(days=7), monday - timedelta(days=1)
    if key == "this_month":
        return _month_start(today), today
    if key == "last_month":
        last = _month_start(today) - timedelta(days=1)
        return _month_start(last), last
    if key == "last_30_days":  # a month's worth on any date (This month on the 1st is one day)
        return today - timedelta(days=29), today
    if key == "quarter":
        return date(today.year, 3 * ((today.month - 1) // 3) + 1, 1), today
    if key == "custom":
        if not start or not end:
            raise ValueError("a custom period needs a start and an end date")
        return (start, end) if start <= end else (end, start)
    raise ValueError(f"unknown period {key!r}")


def month_of(text: str) -> tuple[date, date]:
    """The first and last day of a month written YYYY-MM; ValueError naming it otherwise."""
    try:
        first = date.fromisoformat(f"{text}-01")
    except ValueError:
        raise ValueError(f"month {text!r}: give it as YYYY-MM") from None
    after = date(first.year + first.month // 12, first.month % 12 + 1, 1)
    return first, after - timedelta(days=1)


def describe(start: date, end: date) -> str:
    """'Mon 2 Nov' for one day, '1–30 Nov 2026' within a month, else both dates in full."""
    if start == end:
        return f"{start:%a} {start.day} {start:%b %Y}"
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {end:%b %Y}"
    return f"{start.day} {start:%b %Y} – {end.day} {end:%b %Y}"
