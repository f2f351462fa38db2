"""kpis/rta.py judges every agent at once in numpy; tests/rta_reference.py judges one agent at a time, one piece
of time at a time, in plain Python. For random schedules and states (overlaps, gaps, codes the settings lack,
live events, a run across New York's clock change) both must list the same agents with the same rows."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from kpis import rta
from settings import RtaThresholds
from tests import rta_reference
from tests.conftest import changed

AGENTS = ("A1", "A2", "L1")
# Two nows: an ordinary afternoon, and ten minutes after New York's clock went back (06:00 UTC, 1 Nov 2026).
NOWS = (datetime(2026, 11, 3, 14, 18, 7), datetime(2026, 11, 1, 6, 10))

piece = st.tuples(st.integers(-900, 60), st.integers(1, 300))  # start and length, minutes from now
state = st.tuples(st.sampled_from(["available", "on_contact", "acw", "break", "lunch", "aux", "offline",
                                   "training", "unheard-of"]),
                  st.integers(20, 3600),  # seconds long
                  st.sampled_from([0, 0, 0, 45, -30]),  # then: touching, a gap or an overlap
                  st.sampled_from([None, None, "R7"]))
agent_day = st.fixed_dictionaries({
    "schedule": st.lists(st.tuples(st.sampled_from(["open", "open", "break", "lunch", "training", "absence",
                                                    "mystery"]), piece), max_size=5),
    "states_from": st.integers(-800, 0),  # minutes from now
    "states": st.lists(state, max_size=10),
    "event": st.none() | st.tuples(st.sampled_from(["available", "break", "talk", "logout", "ZZZ"]),
                                   st.integers(-700, 0), st.sampled_from([None, "R2"])),
})


def _put(con, now: datetime, days: dict[str, dict]) -> None:
    for table in ("schedule", "agent_states", "agent_events"):
        con.execute(f"DELETE FROM {table}")  # noqa: S608 (a fixed name)
    used: set[tuple[str, datetime]] = set()  # one start per agent and moment: ties have no defined order

    def fresh(agent: str, at: datetime) -> bool:
        if (agent, at) in used:
            return False
        used.add((agent, at))
        return True

    for agent, day in days.items():
        for activity, (start, length) in day["schedule"]:
            s = now.replace(second=0) + timedelta(minutes=start)
            if fresh(agent, s):
                con.execute("INSERT INTO schedule (agent_id, activity, start_at, end_at) VALUES (?, ?, ?, ?)",
                            [agent, activity, s, s + timedelta(minutes=length)])
        at = now + timedelta(minutes=day["states_from"])
        for category, seconds, then, reason in day["states"]:
            if fresh(agent, at):
                con.execute("INSERT INTO agent_states (agent_id, state, start_at, end_at, reason) VALUES (?, ?, ?, ?, ?)",
                            [agent, category, at, at + timedelta(seconds=seconds), reason])
            at += timedelta(seconds=seconds + then)
        if day["event"] is not None:
            code, minutes, reason = day["event"]
            at = now + timedelta(minutes=minutes, seconds=13)
            if fresh(agent, at) and at <= now:
                con.execute("INSERT INTO agent_events VALUES (?, ?, ?, ?, ?, NULL)", [agent, at, code, reason, at])


@hsettings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=st.fixed_dictionaries({a: agent_day for a in AGENTS}), now=st.sampled_from(NOWS),
       shift_grace=st.booleans())
def test_the_numpy_view_equals_the_plain_one(roster_module, days, now, shift_grace):
    con, settings, _ = roster_module
    if shift_grace:  # a longer grace at a shift's start and for lunch: which run began where matters
        settings = changed(settings, adherence={"rta_by_activity": {
            "shift_start": RtaThresholds(grace_s=600), "lunch": RtaThresholds(grace_s=120, severe_s=900)}})
    _put(con, now, days)
    assert [r._asdict() for r in rta.now_view(con, settings, now, {})] == [
        r._asdict() for r in rta_reference.view(con, settings, now)]
