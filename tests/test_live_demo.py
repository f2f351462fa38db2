"""The live demo's replay (demo/live.py): one map for every instant, and the events a day of states makes."""

from __future__ import annotations

from datetime import datetime, timedelta

from demo.live import Clock, state_events


def test_the_clock_keeps_the_present_and_runs_the_rest_faster():
    clock = Clock(start=datetime(2026, 12, 3, 10, 55), now=datetime(2026, 12, 3, 16, 0), speed=60)
    assert clock.at(datetime(2026, 12, 3, 10, 55)) == datetime(2026, 12, 3, 16, 0)
    assert clock.at(datetime(2026, 12, 3, 11, 55)) == datetime(2026, 12, 3, 16, 1)  # an hour in a minute
    assert clock.at(datetime(2026, 12, 3, 9, 55)) == datetime(2026, 12, 3, 15, 59)  # the past, compressed too


def test_each_segment_starts_an_event_and_a_gap_is_a_log_out():
    rows = [{"agent_id": "A1", "state": s, "start_at": a, "end_at": b, "reason": r} for s, a, b, r in (
        ("on_contact", "2026-11-20T13:10:00Z", "2026-11-20T13:20:00Z", ""),
        ("available", "2026-11-20T13:00:00Z", "2026-11-20T13:10:00Z", ""),
        ("break", "2026-11-20T13:30:00Z", "2026-11-20T13:45:00Z", "Comfort"))]
    clock = Clock(start=datetime(2026, 12, 3, 13, 0), now=datetime(2026, 12, 3, 13, 0))
    events = state_events(rows, timedelta(days=13), clock)  # 20 Nov replayed as 3 Dec, real time
    assert [(e["state"], f"{e['at']:%H:%M}", e.get("reason")) for e in events] == [
        ("available", "13:00", None), ("on_contact", "13:10", None),
        ("offline", "13:20", None),  # nothing from 13:20 to 13:30: logged out
        ("break", "13:30", "Comfort"), ("offline", "13:45", None)]
    assert all(e["at"].date() == datetime(2026, 12, 3).date() for e in events)
