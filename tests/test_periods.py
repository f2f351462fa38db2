"""Named periods, hand-worked on two dates: Sunday 1 Nov 2026 (a month's first day, a week's last) and
Wednesday 18 Nov 2026."""

from __future__ import annotations

from datetime import date

import pytest

from kpis.periods import PERIODS, resolve_period

D = date


@pytest.mark.parametrize(("key", "today", "expected"), [
    ("today", D(2026, 11, 1), (D(2026, 11, 1), D(2026, 11, 1))),
    ("yesterday", D(2026, 11, 1), (D(2026, 10, 31), D(2026, 10, 31))),
    ("this_week", D(2026, 11, 1), (D(2026, 10, 26), D(2026, 11, 1))),  # weeks start on Monday
    ("last_week", D(2026, 11, 18), (D(2026, 11, 9), D(2026, 11, 15))),
    ("this_month", D(2026, 11, 1), (D(2026, 11, 1), D(2026, 11, 1))),  # one day on the 1st …
    ("last_30_days", D(2026, 11, 1), (D(2026, 10, 3), D(2026, 11, 1))),  # … which is why Last 30 days exists
    ("last_30_days", D(2026, 3, 1), (D(2026, 1, 31), D(2026, 3, 1))),
    ("last_month", D(2026, 1, 18), (D(2025, 12, 1), D(2025, 12, 31))),
    ("quarter", D(2026, 11, 18), (D(2026, 10, 1), D(2026, 11, 18))),
])
def test_each_named_period_on_hand_worked_dates(key, today, expected):
    assert resolve_period(key, today) == expected


def test_every_period_offered_resolves_and_a_custom_one_needs_both_ends():
    for key in PERIODS:
        if key != "custom":
            start, end = resolve_period(key, D(2026, 11, 18))
            assert start <= end
    assert resolve_period("custom", D(2026, 11, 18), D(2026, 11, 20), D(2026, 11, 2)) == (D(2026, 11, 2),
                                                                                        D(2026, 11, 20))
    with pytest.raises(ValueError, match="needs a start and an end"):
        resolve_period("custom", D(2026, 11, 18))
