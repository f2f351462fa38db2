"""How numbers look: percentages with one decimal, durations as m:ss, counts with separators, NPS signed."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

STATUS_TEXT = {"green": ("✓", "On target"), "amber": ("▲", "Near target"), "red": ("✕", "Off target"),
               "none": ("–", "No target")}


def known(value: object) -> bool:
    """A value that is there: not None and not NaN (how a missing number comes out of a data frame)."""
    return value is not None and not (isinstance(value, float) and math.isnan(value))


def fmt(value: float | None, unit: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if unit == "%":
        return f"{value:.1f} %"
    if unit == "s":
        minutes, seconds = divmod(int(round(value)), 60)
        return f"{minutes}:{seconds:02d}"
    if unit == "pts":
        return f"{value:+.0f}"
    if unit == "agents":
        return f"{value:,.1f}"
    if unit == "min":
        return f"{value:,.0f} min" if abs(value) >= 10 else f"{value:,.1f} min"
    if unit == "h":
        return f"{value:,.1f} h"
    if unit == "/h":
        return f"{value:,.2f} /h"
    if unit == "/5":
        return f"{value:.2f} / 5"
    return f"{value:,.0f}"


def fmt_target(target: float | None, unit: str, direction: str) -> str:
    if target is None:
        return "no target"
    sign = "≥" if direction == "higher" else "≤" if direction == "lower" else ""
    return f"target {sign} {fmt(target, unit)}".replace("  ", " ")


def fmt_against(value: float | None, target: float | None, unit: str) -> str:
    """A value as shown beside its target: a percentage one decimal finer while it would read as the target
    itself (99.96 % against a 100 % target is "99.96 %", not "100.0 %" marked near target)."""
    if unit == "%" and known(value) and known(target) and value != target:
        for places in (1, 2, 3):
            if f"{value:.{places}f}" != f"{target:.{places}f}":
                return f"{value:.{places}f} %"
    if unit == "s" and known(value) and known(target) and value != target and fmt(value, "s") == fmt(target, "s"):
        minutes, seconds = divmod(float(value), 60)  # type: ignore[arg-type]
        return f"{int(minutes)}:{seconds:04.1f}"  # 0:19.6 against a 0:20 target
    return fmt(value, unit)


def fmt_gap(value: float | None, target: float | None, unit: str) -> str:
    """Signed distance from target in the KPI's unit ('−4.2 pts' for percentages; '−0.04 pts' rather than a
    '−0.0' that hides which side of the target the value is)."""
    if value is None or target is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    gap = value - target
    if unit == "%":
        places = next((p for p in (1, 2, 3) if round(gap, p) != 0), 1) if gap else 1
        return f"{gap:+.{places}f} pts".replace("-", "−")
    if unit == "s":
        sign = "+" if gap >= 0 else "−"
        return f"{sign}{abs(gap):.1f} s" if 0 < abs(gap) < 0.5 else f"{sign}{fmt(abs(gap), 's')}"
    return f"{gap:+,.1f}".replace("-", "−")


def local_stamp(at: datetime | None, timezone: str | None) -> str:
    """A stored UTC instant as its reader reads it: 'Fri 20 Nov 14:05 SAST' in their site's time, else UTC."""
    if at is None:
        return ""
    local = at.replace(tzinfo=UTC).astimezone(ZoneInfo(timezone) if timezone else UTC)
    return f"{local:%a %d %b %H:%M} {local.tzname()}"


def tenure_words(days: int) -> str:
    """'under a month', '1 month', '7 months', '3 years 1 month' in the job."""
    months = days * 12 // 365
    if months < 1:
        return "under a month"
    years, months = divmod(months, 12)
    parts = ([f"{years} year{'s' if years > 1 else ''}"] if years else []) + (
        [f"{months} month{'s' if months > 1 else ''}"] if months else [])
    return " ".join(parts)


def tenure_text(months: float | None) -> str:
    """Tenure given in months (as the grids sort it) in words."""
    return "–" if months is None else tenure_words(round(months * 365 / 12))
