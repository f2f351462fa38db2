"""A slow, plain-Python real-time adherence view: one agent at a time, one moment at a time, straight from the
raw rows. tests/test_rta_reference.py checks kpis/rta.py (which judges every agent at once in numpy) against it
on random schedules and states; the hand-worked tests in tests/test_rta.py check both kinds of rule."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

import duckdb

from kpis.rta import LOOK_BACK, STATUSES, AgentNow, interval_start
from settings import Settings

TICK = timedelta(microseconds=1)


@dataclass(frozen=True)
class Piece:
    start: datetime
    end: datetime
    value: str | None  # an activity code or a state category; None: a state category the settings lack


def view(con: duckdb.DuckDBPyConnection, settings: Settings, now: datetime) -> list[AgentNow]:
    since, until = now - LOOK_BACK, now + LOOK_BACK
    cats = set(settings.states.values()) | {"offline"}
    rows = []
    for agent in con.execute("""SELECT a.agent_id, a.name, a.team_id, t.name, a.site_id, s.timezone FROM agents a
                                JOIN teams t USING (team_id) JOIN sites s ON s.site_id = a.site_id""").fetchall():
        schedule = sorted((Piece(s, e, act) for s, e, act in con.execute(
            "SELECT start_at, end_at, activity FROM schedule WHERE agent_id = ? AND end_at > ? AND start_at < ?",
            [agent[0], since, until]).fetchall()), key=lambda p: p.start)
        states = [(s, e, cat if cat in cats else None, reason) for s, e, cat, reason in con.execute(
            "SELECT start_at, end_at, state, reason FROM agent_states WHERE agent_id = ? AND end_at > ? "
            "AND start_at <= ?", [agent[0], since, now]).fetchall()]
        last = con.execute("SELECT event_at, state, reason FROM agent_events WHERE agent_id = ? AND event_at <= ? "
                           "AND event_at > ? ORDER BY event_at DESC LIMIT 1", [agent[0], now, since]).fetchone()
        if last is not None and last[1] in settings.states:  # the open state: from the last event on
            states.append((last[0], until, settings.states[last[1]], last[2]))
        states.sort(key=lambda x: x[0])
        row = _agent(settings, now, agent, schedule, states)
        if row is not None:
            rows.append(row)
    rows.sort(key=lambda r: (STATUSES.index(r.status), -r.seconds if r.status != "in" else 0, r.name))
    return rows


def _satisfies(settings: Settings, category: str | None) -> frozenset[str] | None:
    if category is None:
        return None
    return frozenset(code for code, a in settings.activities.items() if category in a.satisfied_by)


def _runs(settings: Settings, states: list[tuple]) -> list[Piece]:
    """Touching states that satisfy the same activities, merged."""
    runs: list[Piece] = []
    previous_end, previous_kind = None, None
    for start, end, cat, _reason in states:
        kind = ("known", _satisfies(settings, cat)) if cat is not None else ("unknown",)
        if runs and start == previous_end and kind == previous_kind:
            runs[-1] = Piece(runs[-1].start, max(runs[-1].end, end), runs[-1].value)
        else:
            runs.append(Piece(start, end, cat))
        previous_end, previous_kind = end, kind
    return runs


def _current(states: list[tuple], now: datetime) -> tuple[str, str | None, datetime] | None:
    """The last state (by start) covering now, its reason, and where its unbroken stretch of that state began."""
    found = None
    for n, (start, end, _category, _reason) in enumerate(states):
        if start <= now < end:
            found = n
    if found is None or states[found][2] is None:
        return None
    begun = found
    while begun > 0 and states[begun - 1][1] == states[begun][0] and states[begun - 1][2] == states[found][2]:
        begun -= 1
    return states[found][2], states[found][3], states[begun][0]


def _at(pieces: list[Piece], t: datetime) -> Piece | None:
    found = None
    for p in pieces:
        if p.start <= t < p.end:
            found = p
    return found


def _class(settings: Settings, activity: Piece | None, state: Piece | None) -> str:
    rule = settings.activities.get(activity.value or "") if activity else None
    if rule is None or not rule.adherence_tracked:
        return "none"
    return "in" if (state.value if state else "offline") in rule.satisfied_by else "out"


def _agent(settings: Settings, now: datetime, agent: tuple, schedule: list[Piece],
           states: list[tuple]) -> AgentNow | None:
    agent_id, name, team_id, team, site_id, tz = agent
    runs, current = _runs(settings, states), _current(states, now)
    activity = _at(schedule, now)
    klass = _class(settings, activity, _at(runs, now))
    logged_in = current is not None and current[0] != "offline"
    if klass == "none" and not logged_in:
        return None
    # Every change happens at a piece's edge: now's own included (a shift starting this very moment).
    edges = sorted({t for p in (*schedule, *runs) for t in (p.start, p.end) if now - LOOK_BACK < t <= now},
                   reverse=True)
    status_since = next((t for t in edges if _class(settings, _at(schedule, t - TICK), _at(runs, t - TICK)) != klass),
                        now - LOOK_BACK)
    seconds = int((now - status_since).total_seconds())
    began = _at(schedule, status_since)
    shift_start = began is not None and began.start == status_since and _at(schedule, status_since - TICK) is None
    grace, severe = settings.adherence.rta_thresholds(began.value if began else None, shift_start)
    status = klass
    if klass == "out":
        status = "grace" if seconds < grace else "severe" if seconds >= severe else "out"
    upcoming = next((p for p in schedule if p.start > now), None)
    state, reason, state_since = current if logged_in and current else (None, None, None)
    begin = interval_start(now, tz, settings.data.interval_minutes)
    cuts = sorted({begin, now, *(t for p in (*schedule, *runs) for t in (p.start, p.end) if begin < t < now)})
    out = sum((b - a).total_seconds() for a, b in zip(cuts, cuts[1:], strict=False)
              if _class(settings, _at(schedule, a), _at(runs, a)) == "out")
    return AgentNow(agent_id, name, team_id, team, site_id, tz, activity.value if activity else None,
                    activity.end if activity else None, upcoming.value if upcoming else None,
                    upcoming.start if upcoming else None, state, state_since, reason, status, status_since, seconds,
                    grace, severe, out)
