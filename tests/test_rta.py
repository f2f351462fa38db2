"""Real-time adherence (kpis/rta.py) with hand-worked numbers: who is in or out of adherence now, for how many
seconds, graded by grace and severe thresholds (also per activity and at a shift's start), across midnight and a
clock change, and the per-site counts.

Test roster: New York (UTC−5 in winter) A1 Ann Adams and A2 Bo Chen; London (UTC+0 in winter) L1 Lee Evans.
config.toml: grace 60 s, severe 600 s, 180 s grace at a shift's start.
"""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from kpis import rta
from loaders import load_file
from settings import RtaThresholds
from tests.conftest import changed, write


def at(text: str) -> datetime:
    return datetime.fromisoformat(text)


def schedule(con, settings, tmp_path, *pieces: tuple[str, str, str, str]) -> None:
    text = "agent_id,activity,start_at,end_at\n" + "".join(f"{a},{act},{s}Z,{e}Z\n" for a, act, s, e in pieces)
    assert load_file(con, write(tmp_path, "schedule.csv", text), settings).rows_rejected == 0


def events(con, settings, tmp_path, *items: tuple[str, str, str]) -> None:
    text = "".join(json.dumps({"agent_id": a, "state": s, "at": f"{t}Z"}) + "\n" for a, s, t in items)
    r = load_file(con, write(tmp_path, "events.jsonl", text), settings)
    assert r.status == "loaded" and r.rows_rejected == 0, r.summary()


def view(con, settings, now: str, **filters) -> dict[str, rta.AgentNow]:
    return {r.agent_id: r for r in rta.now_view(con, settings, at(now), filters)}


@pytest.fixture
def ann_at_work(roster, settings, tmp_path):
    """Ann: open 13:00-14:00, break 14:00-14:15, open 14:15-17:00 (UTC). Logged in at 13:00:10, on a break from
    14:00 to 14:20 (five minutes over), then available."""
    schedule(roster, settings, tmp_path, ("A1", "open", "2026-11-03T13:00:00", "2026-11-03T14:00:00"),
             ("A1", "break", "2026-11-03T14:00:00", "2026-11-03T14:15:00"),
             ("A1", "open", "2026-11-03T14:15:00", "2026-11-03T17:00:00"))
    events(roster, settings, tmp_path, ("A1", "available", "2026-11-03T13:00:10"),
           ("A1", "break", "2026-11-03T14:00:00"), ("A1", "available", "2026-11-03T14:20:00"))
    return roster


def test_in_adherence_since_the_agent_matched_the_schedule(ann_at_work, settings):
    ann = view(ann_at_work, settings, "2026-11-03T13:30:00")["A1"]
    # Offline 13:00:00-13:00:10 while scheduled (out), available from 13:00:10: in for 29:50 = 1,790 s.
    assert (ann.status, ann.seconds, ann.activity, ann.state) == ("in", 1790, "open", "available")
    assert (ann.next_activity, ann.next_at) == ("break", at("2026-11-03T14:00:00"))


def test_grace_then_out_then_severe_as_the_run_goes_on(ann_at_work, settings):
    # The break ends 14:15 but Ann stays on it: out of adherence from 14:15.
    graded = {now: (view(ann_at_work, settings, now)["A1"].status, view(ann_at_work, settings, now)["A1"].seconds)
              for now in ("2026-11-03T14:15:30", "2026-11-03T14:16:00", "2026-11-03T14:19:59")}
    assert graded == {"2026-11-03T14:15:30": ("grace", 30), "2026-11-03T14:16:00": ("out", 60),
                      "2026-11-03T14:19:59": ("out", 299)}
    settings = changed(settings, adherence={"rta_severe_s": 240})
    assert view(ann_at_work, settings, "2026-11-03T14:19:59")["A1"].status == "severe"
    back = view(ann_at_work, settings, "2026-11-03T14:21:00")["A1"]
    assert (back.status, back.seconds) == ("in", 60)  # available again from 14:20


def test_a_longer_grace_for_an_activity(ann_at_work, settings):
    # The run began in the open activity at 14:15: a grace of 10 minutes for "open" keeps 4:59 in grace.
    settings = changed(settings, adherence={"rta_by_activity": {"open": RtaThresholds(grace_s=600)}})
    ann = view(ann_at_work, settings, "2026-11-03T14:19:59")["A1"]
    assert (ann.status, ann.seconds, ann.grace_s, ann.severe_s) == ("grace", 299, 600, 600)


def test_a_longer_grace_at_the_start_of_a_shift(roster, settings, tmp_path):
    schedule(roster, settings, tmp_path, ("A2", "open", "2026-11-03T13:00:00", "2026-11-03T17:00:00"))
    events(roster, settings, tmp_path, ("A2", "available", "2026-11-03T13:03:00"))
    # Not logged in at 13:02: out for 120 s since the shift began, past the 60 s grace ...
    settings = changed(settings, adherence={"rta_by_activity": {}})
    assert view(roster, settings, "2026-11-03T13:02:00")["A2"].status == "out"
    # ... but within a 5-minute grace set for shift starts.
    settings = changed(settings, adherence={"rta_by_activity": {"shift_start": RtaThresholds(grace_s=300)}})
    bo = view(roster, settings, "2026-11-03T13:02:00")["A2"]
    assert (bo.status, bo.seconds, bo.state) == ("grace", 120, None)


def test_a_run_across_midnight_counts_every_second(roster, settings, tmp_path):
    # Lee (London, UTC+0): open 22:00-06:00; on a break from 23:58 (unscheduled). At 00:03 the next day: 5 minutes.
    schedule(roster, settings, tmp_path, ("L1", "open", "2026-11-03T22:00:00", "2026-11-04T06:00:00"))
    events(roster, settings, tmp_path, ("L1", "available", "2026-11-03T22:00:00"),
           ("L1", "break", "2026-11-03T23:58:00"))
    lee = view(roster, settings, "2026-11-04T00:03:00")["L1"]
    assert (lee.status, lee.seconds, lee.state) == ("out", 300, "break")


def test_a_run_across_the_clock_change_counts_real_seconds(roster, settings, tmp_path):
    # New York falls back at 06:00 UTC on Sun 1 Nov 2026 (02:00 EDT becomes 01:00 EST). Bo goes on an
    # unscheduled break at 05:50 UTC (01:50 EDT); at 06:10 UTC the wall clock reads 01:10 EST, 40 minutes
    # "earlier", but he has been out 20 minutes: 1,200 s, severe.
    schedule(roster, settings, tmp_path, ("A2", "open", "2026-11-01T05:00:00", "2026-11-01T09:00:00"))
    events(roster, settings, tmp_path, ("A2", "available", "2026-11-01T05:00:00"),
           ("A2", "break", "2026-11-01T05:50:00"))
    bo = view(roster, settings, "2026-11-01T06:10:00")["A2"]
    assert (bo.status, bo.seconds) == ("severe", 1200)
    # Minutes out this interval: New York's 01:00-01:15 EST interval began at 06:00 UTC: 10 minutes.
    assert bo.out_s_this_interval == 600


def test_rows_are_worst_first_and_sites_are_counted(ann_at_work, settings, tmp_path):
    schedule(ann_at_work, settings, tmp_path, ("A2", "open", "2026-11-03T13:00:00", "2026-11-03T17:00:00"))
    events(ann_at_work, settings, tmp_path, ("A2", "available", "2026-11-03T13:00:00"),
           ("L1", "available", "2026-11-03T14:00:00"))  # Lee: logged in, not scheduled
    rows = rta.now_view(ann_at_work, settings, at("2026-11-03T14:18:00"), {})
    assert [(r.agent_id, r.status) for r in rows] == [("A1", "out"), ("A2", "in"), ("L1", "none")]
    counts = rta.site_counts(rows, settings)
    # New York: both scheduled for open work; Bo on hand (Ann is on her break); Ann out; in the 14:15-14:30
    # interval Ann has been out 3 minutes.
    assert counts["NYC"] == {"scheduled": 2, "on_hand": 1, "out": 1, "minutes_lost": 3.0}
    assert counts["LDN"] == {"scheduled": 0, "on_hand": 1, "out": 0, "minutes_lost": 0.0}
    only_nyc = rta.now_view(ann_at_work, settings, at("2026-11-03T14:18:00"), {"site": ("NYC",)})
    assert {r.agent_id for r in only_nyc} == {"A1", "A2"}


def test_nobody_is_listed_who_is_neither_scheduled_nor_logged_in(ann_at_work, settings, tmp_path):
    after_shift = view(ann_at_work, settings, "2026-11-03T18:00:00")["A1"]  # still logged in, not scheduled
    assert (after_shift.status, after_shift.state, after_shift.seconds) == ("none", "available", 3600)
    events(ann_at_work, settings, tmp_path, ("A1", "offline", "2026-11-03T17:05:00"))
    assert view(ann_at_work, settings, "2026-11-03T18:00:00") == {}


def test_a_shift_that_starts_this_very_second_has_been_missed_for_no_time(roster, settings):
    # Bo's shift starts at 13:00:00 and he is not logged in. At 13:00:00 he has been out 0 s (within the grace
    # period), not for the whole 12-hour look-back.
    roster.execute("INSERT INTO schedule (agent_id, activity, start_at, end_at) VALUES "
                   "('A2', 'open', '2026-11-03 13:00:00', '2026-11-03 17:00:00')")
    bo = view(roster, settings, "2026-11-03T13:00:00")["A2"]
    assert (bo.status, bo.seconds, bo.status_since) == ("grace", 0, at("2026-11-03T13:00:00"))
