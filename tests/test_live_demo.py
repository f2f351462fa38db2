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


def test_a_demo_written_in_site_local_time_is_refused_with_the_reason(tmp_path):
    import pytest

    from demo.live import NotReplayable, day_of

    for name, text in (("sites.csv", "site_id,name,timezone\nNYC,New York,America/New_York\n"),
                       ("agents.csv", "agent_id,name,team_id,site_id\nA1,Ann,T1,NYC\n"),
                       ("schedule.csv", "agent_id,activity,start_at,end_at\nA1,open,2026-11-20 09:00:00,"
                                        "2026-11-20 17:00:00\n"),
                       ("agent_states.csv", "agent_id,state,start_at,end_at,reason\n"),
                       ("contacts.csv", "contact_id,queue_id,site_id,offered_at\n")):
        (tmp_path / name).write_text(text)
    with pytest.raises(NotReplayable, match="--local-time"):
        day_of(tmp_path, datetime(2026, 11, 20).date())
