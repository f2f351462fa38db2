"""Live agent-state events (loaders/formats/agent_events.py), with numbers worked by hand: each event starts a
state the agent's next event ends; duplicates are ignored, a late event splits the segment it falls in, the
last event is the open state now, and the KPIs of events equal those of the same states loaded as a file.

Test roster: New York (UTC−5) agents A1 Ann Adams and A2 Bo Chen, London L1 Lee Evans. Tue 3 Nov 2026.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from kpis.compute import Period, Scope, compute
from loaders import load_file
from tests.conftest import rows, write

DAY = Period(date(2026, 11, 3), date(2026, 11, 3))
ANN = Scope(agent=("A1",))


def events(*items: tuple) -> str:
    return "\n".join(json.dumps({"agent_id": a, "state": s, "at": at, **({"reason": r[0]} if r else {})})
                     for a, s, at, *r in items) + "\n"


def segments(con, agent: str = "A1") -> list[tuple]:
    return rows(con, """SELECT state, strftime(start_at, '%H:%M'), strftime(end_at, '%H:%M') FROM agent_states
                        WHERE agent_id = ? ORDER BY start_at""", [agent])


def kpi(con, settings, name: str, scope: Scope = ANN) -> float | None:
    return compute(con, settings, [name], DAY, scope=scope).iloc[0]["value"]


FIRST = events(("A1", "available", "2026-11-03T13:00:00Z"), ("A1", "on_contact", "2026-11-03T13:10:00Z"),
               ("A1", "acw", "2026-11-03T13:20:00Z"), ("A1", "available", "2026-11-03T13:25:00Z"))


def test_each_event_ends_the_previous_state_and_the_last_stays_open(roster, settings, tmp_path):
    r = load_file(roster, write(tmp_path, "events.jsonl", FIRST), settings)
    assert (r.status, r.format, r.rows_loaded, r.rows_rejected) == ("loaded", "floorview-agent-events", 3, 0)
    # available 13:00-13:10, on a contact 13:10-13:20, ACW 13:20-13:25; available since 13:25, still open.
    assert segments(roster) == [("available", "13:00", "13:10"), ("on_contact", "13:10", "13:20"),
                                ("acw", "13:20", "13:25")]
    assert rows(roster, "SELECT count(*) FROM agent_events") == [(4,)]
    # Staffed 25 minutes so far (the open state counts once it closes); occupancy (10 + 5) / 25 = 60 %.
    assert kpi(roster, settings, "staffed_hours") == pytest.approx(25 / 60)
    assert kpi(roster, settings, "occupancy") == pytest.approx(60.0)

    closing = events(("A1", "offline", "2026-11-03T13:40:00Z"))
    load_file(roster, write(tmp_path, "later.jsonl", closing), settings)
    assert segments(roster)[-1] == ("available", "13:25", "13:40")  # the next event closed the open state
    assert kpi(roster, settings, "staffed_hours") == pytest.approx(40 / 60)


def test_a_duplicate_delivery_changes_nothing(roster, settings, tmp_path):
    load_file(roster, write(tmp_path, "events.jsonl", FIRST), settings)
    before = segments(roster)
    again = load_file(roster, write(tmp_path, "again.jsonl", FIRST + events(("A1", "available",
                                                                            "2026-11-03T13:00:00Z"))), settings)
    assert (again.status, again.rows_loaded, again.rows_rejected) == ("loaded", 0, 0)
    assert segments(roster) == before and rows(roster, "SELECT count(*) FROM agent_events") == [(4,)]


def test_a_late_event_splits_the_state_it_falls_in(roster, settings, tmp_path):
    load_file(roster, write(tmp_path, "events.jsonl", FIRST), settings)
    late = events(("A1", "break", "2026-11-03T13:05:00Z", "Comfort"))  # arrives after 13:25's event
    r = load_file(roster, write(tmp_path, "late.jsonl", late), settings)
    assert (r.status, r.rows_loaded) == ("loaded", 2)  # available now ends 13:05; the break 13:05-13:10
    assert segments(roster) == [("available", "13:00", "13:05"), ("break", "13:05", "13:10"),
                                ("on_contact", "13:10", "13:20"), ("acw", "13:20", "13:25")]
    assert rows(roster, "SELECT reason FROM agent_states WHERE state = 'break'") == [("Comfort",)]
    # Productive: available 5 + on contact 10 + ACW 5 = 20 minutes (the break is logged in, not productive).
    assert kpi(roster, settings, "productive_hours") == pytest.approx(20 / 60)
    assert kpi(roster, settings, "staffed_hours") == pytest.approx(25 / 60)


def test_events_in_any_order_in_one_batch_are_put_in_order(roster, settings, tmp_path):
    shuffled = "\n".join(reversed(FIRST.strip().splitlines())) + "\n"
    load_file(roster, write(tmp_path, "shuffled.jsonl", shuffled), settings)
    assert segments(roster) == [("available", "13:00", "13:10"), ("on_contact", "13:10", "13:20"),
                                ("acw", "13:20", "13:25")]


def test_bad_events_are_rejected_with_line_and_field_and_the_rest_load(roster, settings, tmp_path):
    text = FIRST + events(("ZZ9", "available", "2026-11-03T13:00:00Z"), ("A2", "dancing", "2026-11-03T13:00:00Z"),
                          ("A2", "available", "2026-11-03T13:00:00")) + '{"agent_id": "A2", "state": \n'
    r = load_file(roster, write(tmp_path, "mixed.jsonl", text), settings)
    assert (r.status, r.rows_loaded) == ("loaded", 3)
    got = rows(roster, "SELECT line, field, reason FROM rejects WHERE load_id = ? ORDER BY line", [r.load_id])
    assert [(line, fld) for line, fld, _ in got] == [(5, "agent_id"), (6, "state"), (7, "at"), (8, None)]
    assert "not in the roster" in got[0][2] and "unknown code" in got[1][2] and "UTC offset" in got[2][2]


def test_kpis_from_events_equal_the_same_states_loaded_as_a_file(roster, settings, tmp_path, con):
    stream = events(("A1", "available", "2026-11-03T14:00:00Z"), ("A1", "on_contact", "2026-11-03T14:12:00Z"),
                    ("A1", "acw", "2026-11-03T14:30:00Z"), ("A1", "lunch", "2026-11-03T14:33:00Z"),
                    ("A1", "available", "2026-11-03T15:03:00Z"), ("A1", "offline", "2026-11-03T15:45:00Z"))
    load_file(roster, write(tmp_path, "events.jsonl", stream), settings)
    from_events = {k: kpi(roster, settings, k) for k in ("staffed_hours", "productive_hours", "occupancy")}
    # The same day as a state file, loaded for Bo Chen (A2), the same site.
    states = ("agent_id,state,start_at,end_at\n" + "".join(
        f"A2,{s},2026-11-03T{a}:00Z,2026-11-03T{b}:00Z\n" for s, a, b in (
            ("available", "14:00", "14:12"), ("on_contact", "14:12", "14:30"), ("acw", "14:30", "14:33"),
            ("lunch", "14:33", "15:03"), ("available", "15:03", "15:45"))))
    load_file(roster, write(tmp_path, "states.csv", states), settings)
    from_file = {k: kpi(roster, settings, k, Scope(agent=("A2",))) for k in from_events}
    assert from_events == from_file
    # Worked by hand: logged in 12 + 18 + 3 + 30 + 42 = 105 minutes, productive 105 − 30 lunch = 75;
    # occupancy (18 + 3) / 75 = 28 %.
    assert from_events["staffed_hours"] == pytest.approx(105 / 60)
    assert from_events["productive_hours"] == pytest.approx(75 / 60)
    assert from_events["occupancy"] == pytest.approx(28.0)


def test_a_missed_logout_does_not_make_a_days_long_state(roster, settings, tmp_path):
    gap = events(("A1", "available", "2026-11-03T13:00:00Z"), ("A1", "available", "2026-11-06T09:00:00Z"))
    load_file(roster, write(tmp_path, "gap.jsonl", gap), settings)
    hours = rows(roster, "SELECT epoch(end_at - start_at) / 3600 FROM agent_states WHERE agent_id = 'A1'")
    assert hours == [(settings.data.max_segment_hours,)]


def test_the_events_apis_requests_are_summed_up_not_listed_with_the_files(roster, settings, tmp_path):
    from datetime import datetime

    import store

    posted = load_file(roster, write(tmp_path, f"{store.EVENT_POSTS}acd.jsonl", FIRST), settings)
    dropped = load_file(roster, write(tmp_path, "states-by-hand.jsonl", FIRST.replace("13:", "15:")), settings)
    listed = [r["file_name"] for r in store.load_history(roster)]
    assert dropped.file.endswith(listed[0]) and f"{store.EVENT_POSTS}acd.jsonl" not in listed
    summed = store.event_posts(roster, datetime(2000, 1, 1))
    assert (summed["requests"], summed["segments"]) == (1, posted.rows_loaded) == (1, 3)
    assert store.event_posts(roster, datetime(2000, 1, 1), sites=("LDN",))["requests"] == 0  # New York's
    assert store.load_history(roster, sites=("NYC",))[0]["file_name"] == "states-by-hand.jsonl"
