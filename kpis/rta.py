"""Real-time adherence: for every agent scheduled now or logged in, the activity they should be in, the state
they are in, whether the two match, and for how long, graded by the grace and severe thresholds.

A state satisfies an activity as configured in [activities] (`satisfied_by`), the same rule the adherence KPI
uses; no state at all counts as logged out ("offline"). All times are UTC instants, so a run that crosses
midnight or a clock change lasts exactly as long as it did; sites' wall-clock times are for display only.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import duckdb

from kpis.detail import agent_filter
from settings import PRODUCTIVE_STATES, Settings

# Worst first: the order rows sort in and counts are told in.
STATUSES = ("severe", "out", "grace", "in", "none")
STATUS_WORDS = {"severe": "Severe", "out": "Out of adherence", "grace": "Grace period", "in": "In adherence",
                "none": "Not tracked"}
LOOK_BACK = timedelta(hours=12)  # how far back a run is traced (and a shift's start looked for)


@dataclass(frozen=True)
class Segment:
    start: datetime
    end: datetime
    value: str  # an activity code, or a state category
    reason: str | None = None


@dataclass(frozen=True)
class AgentNow:
    agent_id: str
    name: str
    team_id: str
    team: str
    site_id: str
    timezone: str
    activity: str | None  # scheduled now
    activity_until: datetime | None
    next_activity: str | None
    next_at: datetime | None
    state: str | None  # state category now; None when logged out
    state_since: datetime | None
    reason: str | None
    status: str  # one of STATUSES
    status_since: datetime
    seconds: int  # in the current status
    grace_s: int
    severe_s: int
    out_s_this_interval: float  # seconds out of adherence since the current interval began


def now_view(con: duckdb.DuckDBPyConnection, settings: Settings, now: datetime,
             filters: dict[str, tuple[str, ...]]) -> list[AgentNow]:
    """Every agent within the filters who is scheduled (for a tracked activity) or logged in at `now` (UTC,
    naive), worst first: severe, out, grace (longest first), then in adherence and not tracked."""
    where, params = agent_filter(filters)
    agents = con.execute(f"""
        SELECT a.agent_id, a.name, a.team_id, t.name, a.site_id, s.timezone FROM agents a
        JOIN teams t USING (team_id) JOIN sites s ON s.site_id = a.site_id WHERE {where}""",  # noqa: S608
                         params).fetchall()
    if not agents:
        return []
    ids = [a[0] for a in agents]
    since, until = now - LOOK_BACK, now + LOOK_BACK
    schedule = _segments(con.execute("""
        SELECT agent_id, start_at, end_at, activity, NULL FROM schedule
        WHERE list_contains(?, agent_id) AND end_at > ? AND start_at < ?""", [ids, since, until]).fetchall())
    states = _segments(con.execute("""
        SELECT agent_id, start_at, end_at, state, reason FROM agent_states
        WHERE list_contains(?, agent_id) AND end_at > ? AND start_at <= ?""", [ids, since, now]).fetchall())
    # The state each agent is in now, from live events: the last event, open until the next one.
    for agent, at, code, reason in con.execute("""
            SELECT agent_id, max(event_at), arg_max(state, event_at), arg_max(reason, event_at) FROM agent_events
            WHERE list_contains(?, agent_id) AND event_at <= ? AND event_at > ? GROUP BY agent_id""",
                                              [ids, now, since]).fetchall():
        category = settings.states.get(code)
        if category is not None:  # open: it lasts until the agent's next event
            states.setdefault(agent, []).append(Segment(at, until, category, reason))
    rows = [_agent_now(settings, now, a, schedule.get(a[0], []), states.get(a[0], [])) for a in agents]
    listed = [r for r in rows if r is not None]
    listed.sort(key=lambda r: (STATUSES.index(r.status), -r.seconds if r.status != "in" else 0, r.name))
    return listed


def site_counts(rows: Iterable[AgentNow], settings: Settings) -> dict[str, dict[str, float]]:
    """Per site: scheduled now for an open (contact-handling) activity, on hand now (available, on a contact
    or in ACW), out of adherence now (past the grace period), and minutes out of adherence this interval."""
    opened = {code for code, a in settings.activities.items() if a.open}
    counts: dict[str, dict[str, float]] = {}
    for r in rows:
        c = counts.setdefault(r.site_id, {"scheduled": 0, "on_hand": 0, "out": 0, "minutes_lost": 0.0})
        c["scheduled"] += r.activity in opened
        c["on_hand"] += r.state in PRODUCTIVE_STATES
        c["out"] += r.status in ("out", "severe")
        c["minutes_lost"] += r.out_s_this_interval / 60
    return counts


def _segments(found: list[tuple]) -> dict[str, list[Segment]]:
    by_agent: dict[str, list[Segment]] = {}
    for agent, start, end, value, reason in found:
        by_agent.setdefault(agent, []).append(Segment(start, end, value, reason))
    for segs in by_agent.values():
        segs.sort(key=lambda s: s.start)
    return by_agent


def _at(segs: list[Segment], t: datetime) -> Segment | None:
    """The segment covering instant t (the latest-starting one if pieces overlap)."""
    found = None
    for s in segs:
        if s.start <= t < s.end:
            found = s
        elif s.start > t:
            break
    return found


def _class(settings: Settings, activity: Segment | None, state: Segment | None) -> str:
    """'in', 'out' or 'none' (not scheduled for a tracked activity) for one moment."""
    if activity is None:
        return "none"
    rule = settings.activities.get(activity.value)
    if rule is None or not rule.adherence_tracked:
        return "none"
    return "in" if (state.value if state else "offline") in rule.satisfied_by else "out"


def _agent_now(settings: Settings, now: datetime, agent: tuple, schedule: list[Segment],
               states: list[Segment]) -> AgentNow | None:
    agent_id, name, team_id, team, site_id, tz = agent
    activity, state = _at(schedule, now), _at(states, now)
    logged_in = state is not None and state.value != "offline"
    tracked = _class(settings, activity, state) != "none"
    if not (tracked or logged_in):
        return None
    # Moments where anything changes, newest first; between two of them the class is constant.
    cuts = sorted({t for s in (*schedule, *states) for t in (s.start, s.end) if now - LOOK_BACK < t < now},
                  reverse=True)
    current = _class(settings, activity, state)
    status_since = now - LOOK_BACK
    for t in cuts:
        before = t - timedelta(microseconds=1)
        if _class(settings, _at(schedule, before), _at(states, before)) != current:
            status_since = t
            break
    seconds = int((now - status_since).total_seconds())
    began = _at(schedule, status_since)
    shift_start = began is not None and began.start == status_since and _at(
        schedule, status_since - timedelta(microseconds=1)) is None
    grace, severe = settings.adherence.rta_thresholds(began.value if began else None, shift_start)
    status = current
    if current == "out":
        status = "grace" if seconds < grace else "severe" if seconds >= severe else "out"
    upcoming = next((s for s in schedule if s.start > now), None)
    return AgentNow(
        agent_id, name, team_id, team, site_id, tz, activity.value if activity else None,
        activity.end if activity else None, upcoming.value if upcoming else None,
        upcoming.start if upcoming else None, state.value if logged_in else None,
        _state_since(states, state, now) if logged_in else None, state.reason if logged_in else None,
        status, status_since, seconds, grace, severe,
        _out_seconds(settings, schedule, states, _interval_start(now, tz, settings.data.interval_minutes), now))


def _state_since(states: list[Segment], state: Segment | None, now: datetime) -> datetime | None:
    """When the agent's current state began: back over adjacent segments of the same state."""
    if state is None:
        return None
    since = state.start
    for s in sorted((s for s in states if s.end <= since), key=lambda s: s.end, reverse=True):
        if s.end == since and s.value == state.value:
            since = s.start
        elif s.end < since:
            break
    return since


def _interval_start(now: datetime, tz: str, minutes: int) -> datetime:
    """The start of the site's current reporting interval, as a UTC instant (a zone's offset can be a half
    hour, so the site's wall clock decides where an hour begins)."""
    zone = ZoneInfo(tz)
    local = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    floor = local.replace(minute=local.minute - local.minute % minutes, second=0, microsecond=0)
    return floor.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)


def _out_seconds(settings: Settings, schedule: list[Segment], states: list[Segment], start: datetime,
                 end: datetime) -> float:
    cuts = sorted({start, end, *(t for s in (*schedule, *states) for t in (s.start, s.end) if start < t < end)})
    total = 0.0
    for a, b in zip(cuts, cuts[1:], strict=False):
        if _class(settings, _at(schedule, a), _at(states, a)) == "out":
            total += (b - a).total_seconds()
    return total
