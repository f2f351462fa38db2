"""Property tests (hypothesis): for random small centres, a team's and a site's KPIs equal the KPIs recomputed in
plain Python from the raw records loaded, by their definitions (docs/KPI-CATALOGUE.md), not from the facts."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

import store
from kpis.compute import Period, Scope, compute
from loaders import load_file
from tests.conftest import write

DAY = Period(date(2026, 11, 3), date(2026, 11, 3))
START = datetime(2026, 11, 3, 14, 0)  # 09:00 in New York, where team T1 (A1, A2) works
THRESHOLD = {"Q1": 20, "Q2": 30}  # the queues' service-level thresholds in the roster

contact = st.fixed_dictionaries({
    "agent": st.sampled_from(["A1", "A2"]), "queue": st.sampled_from(["Q1", "Q2"]),
    "minute": st.integers(0, 300), "wait": st.integers(0, 90), "answered": st.booleans(),
    "talk": st.integers(1, 900), "hold": st.integers(0, 120), "acw": st.integers(0, 120)})
segment = st.tuples(st.sampled_from(["available", "on_contact", "acw", "break", "aux"]), st.integers(1, 45))


def _reset(con) -> None:
    for table in ("contacts", "agent_states", *store.FACT_TABLES):
        con.execute(f"DELETE FROM {table}")


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def _value(con, settings, kpi, scope):
    got = compute(con, settings, [kpi], DAY, scope=scope)
    v = got.value.iloc[0]
    return None if v is None or v != v else v


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(contacts=st.lists(contact, min_size=1, max_size=25))
def test_team_and_site_contact_kpis_equal_their_raw_records(roster_module, contacts):
    con, settings, folder = roster_module
    _reset(con)
    lines = ["contact_id,queue_id,site_id,offered_at,answered_at,ended_at,agent_id,talk_s,hold_s,acw_s"]
    for i, c in enumerate(contacts):
        offered = START + timedelta(minutes=c["minute"], seconds=i)  # distinct instants
        answered = offered + timedelta(seconds=c["wait"])
        if c["answered"]:
            ended = answered + timedelta(seconds=c["talk"] + c["hold"] + c["acw"])
            lines.append(f"C{i},{c['queue']},NYC,{_iso(offered)},{_iso(answered)},{_iso(ended)},{c['agent']},"
                         f"{c['talk']},{c['hold']},{c['acw']}")
        else:
            lines.append(f"C{i},{c['queue']},NYC,{_iso(offered)},,{_iso(answered)},,,,")
    result = load_file(con, write(folder, "contacts.csv", "\n".join(lines) + "\n"), settings)
    assert result.rows_rejected == 0, result.sample_rejects

    handled = [c for c in contacts if c["answered"]]
    expected_aht = (sum(c["talk"] + c["hold"] + c["acw"] for c in handled) / len(handled)) if handled else None
    got_aht = _value(con, settings, "aht", Scope(team=("T1",)))
    assert (got_aht is None) == (expected_aht is None)
    if expected_aht is not None:
        assert got_aht == pytest.approx(expected_aht)
    within = sum(1 for c in contacts if c["answered"] and c["wait"] <= THRESHOLD[c["queue"]])
    assert _value(con, settings, "service_level", Scope(site=("NYC",))) == pytest.approx(100 * within / len(contacts))
    abandoned = sum(1 for c in contacts if not c["answered"])
    assert _value(con, settings, "abandon_rate", Scope(site=("NYC",))) == pytest.approx(100 * abandoned / len(contacts))


@hsettings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(days=st.fixed_dictionaries({"A1": st.lists(segment, min_size=1, max_size=12),
                                   "A2": st.lists(segment, min_size=1, max_size=12)}))
def test_team_occupancy_equals_its_agents_state_seconds(roster_module, days):
    con, settings, folder = roster_module
    _reset(con)
    lines = ["agent_id,state,start_at,end_at"]
    seconds: dict[str, int] = {}
    for agent, segments in days.items():
        at = START
        for state, minutes in segments:
            end = at + timedelta(minutes=minutes)
            lines.append(f"{agent},{state},{_iso(at)},{_iso(end)}")
            seconds[state] = seconds.get(state, 0) + minutes * 60
            at = end
    assert load_file(con, write(folder, "states.csv", "\n".join(lines) + "\n"), settings).rows_rejected == 0
    busy = seconds.get("on_contact", 0) + seconds.get("acw", 0)
    productive = busy + seconds.get("available", 0)
    got = _value(con, settings, "occupancy", Scope(team=("T1",)))
    if productive == 0:
        assert got is None  # no productive time: unknown, never 0 %
    else:
        assert got == pytest.approx(100 * busy / productive)
