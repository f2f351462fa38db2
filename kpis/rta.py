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
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
import numpy as np

from kpis.detail import agent_filter
from semantic import PRODUCTIVE_STATES
from settings import Settings

# Worst first: the order rows sort in and counts are told in.
STATUSES = ("severe", "out", "grace", "in", "none")
LOOK_BACK = timedelta(hours=12)  # how far back a run is traced (and a shift's start looked for)
EPOCH = datetime(1970, 1, 1)


@dataclass(frozen=True)
class Segment:
    start: datetime
    end: datetime
    value: str | None  # an activity code, or a state category (None: a state code the vocabulary lacks)


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
        SELECT agent_id, start_at, end_at, activity FROM schedule
        WHERE list_contains(?, agent_id) AND end_at > ? AND start_at < ?""", [ids, since, until]).fetchall())
    runs, current = _runs_and_current(con, settings, ids, since, now, until)
    rows = [_agent_now(settings, now, a, schedule.get(a[0], []), runs.get(a[0], []), current.get(a[0]))
            for a in agents]
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


# The agents' states around now: stored segments, and each agent's open state from live events (its last
# event, lasting until the next one; codes mapped to categories as a state file's are). Each row comes with the
# agent's position in $ids, and its state category and that category's representative (see _adherence_classes)
# as positions in $cats, so the runs are merged in numpy over plain integers.
_STATES = """
    WITH wanted AS (SELECT unnest($ids) AS agent_id, generate_subscripts($ids, 1) - 1 AS a),
    open_now AS (
        SELECT agent_id, max(event_at) AS start_at, arg_max(state, event_at) AS code,
               arg_max(reason, event_at) AS reason
        FROM agent_events SEMI JOIN wanted USING (agent_id) WHERE event_at <= $now AND event_at > $since
        GROUP BY agent_id),
    around AS (
        SELECT agent_id, start_at, end_at, state, reason FROM agent_states SEMI JOIN wanted USING (agent_id)
        WHERE end_at > $since AND start_at <= $now
        UNION ALL
        SELECT agent_id, start_at, $until, list_extract($cat_of, list_position($codes, code)), reason FROM open_now
        WHERE list_contains($codes, code))
    SELECT w.a, epoch_us(r.start_at) AS s, epoch_us(r.end_at) AS e,
           coalesce(list_position($cats, r.state) - 1, -1) AS sc,
           coalesce(list_position($cats, list_extract($reps, list_position($cats, r.state))) - 1, -1) AS rc,
           r.reason
    FROM around r JOIN wanted w USING (agent_id) ORDER BY w.a, r.start_at"""


def _runs_and_current(con: duckdb.DuckDBPyConnection, settings: Settings, ids: list[str], since: datetime,
                      now: datetime, until: datetime) -> tuple[dict[str, list[Segment]],
                                                               dict[str, tuple[str, str | None, datetime]]]:
    """Each agent's states merged into runs of states that satisfy the same activities (available, on a contact
    and ACW all satisfy open work: an hour of a busy agent's calls is one run, not sixty), and the state each
    agent is in now with its reason and since when without a break (the latest-starting state covering now)."""
    cats, reps = _adherence_classes(settings)
    found = con.execute(_STATES, {"ids": ids, "since": since, "now": now, "until": until, "codes": list(settings.states),
                                  "cat_of": list(settings.states.values()), "cats": cats, "reps": reps}).fetchnumpy()
    if not len(found["a"]):
        return {}, {}
    a, s, e = (np.asarray(found[k]) for k in ("a", "s", "e"))
    sc, rc = np.asarray(found["sc"]), np.asarray(found["rc"])
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (s[1:] != e[:-1])  # a new agent, or a gap (or overlap) between two rows
    run_starts = np.flatnonzero(first | np.r_[True, rc[1:] != rc[:-1]])
    run_ends = np.maximum.reduceat(e, run_starts)
    runs: dict[str, list[Segment]] = {}
    for i, end in zip(run_starts.tolist(), run_ends.tolist(), strict=True):
        runs.setdefault(ids[a[i]], []).append(Segment(_instant(int(s[i])), _instant(end),
                                                      cats[rc[i]] if rc[i] >= 0 else None))
    # The state now: per agent the last row (by start) covering now; "since" is where its stretch of the same
    # state without a break began.
    stretch = first | np.r_[True, sc[1:] != sc[:-1]]
    stretch_start = np.maximum.accumulate(np.where(stretch, np.arange(len(a)), 0))
    t = int((now - EPOCH).total_seconds() * 1_000_000)
    covering = np.flatnonzero((s <= t) & (e > t))
    last = covering[np.r_[a[covering][1:] != a[covering][:-1], True]] if len(covering) else covering
    no_reason, reasons = np.ma.getmaskarray(found["reason"]), np.ma.getdata(found["reason"])
    current = {ids[a[i]]: (cats[sc[i]], None if no_reason[i] or reasons[i] is None else str(reasons[i]),
                           _instant(int(s[stretch_start[i]])))
               for i in last.tolist() if sc[i] >= 0}
    return runs, current


def _instant(microseconds: int) -> datetime:
    return EPOCH + timedelta(microseconds=microseconds)


def _adherence_classes(settings: Settings) -> tuple[list[str], list[str]]:
    """Each state category and a representative of the categories that satisfy exactly the same activities."""
    def satisfies(category: str) -> frozenset[str]:
        return frozenset(code for code, a in settings.activities.items() if category in a.satisfied_by)
    cats = sorted(set(settings.states.values()) | {"offline"})
    reps = [min(c for c in cats if satisfies(c) == satisfies(cat)) for cat in cats]
    return cats, reps


def _segments(found: list[tuple[Any, ...]]) -> dict[str, list[Segment]]:
    by_agent: dict[str, list[Segment]] = {}
    for agent, start, end, value in found:
        by_agent.setdefault(agent, []).append(Segment(start, end, value))
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
    rule = settings.activities.get(activity.value or "")
    if rule is None or not rule.adherence_tracked:
        return "none"
    return "in" if (state.value if state else "offline") in rule.satisfied_by else "out"


def _agent_now(settings: Settings, now: datetime, agent: tuple[Any, ...], schedule: list[Segment], runs: list[Segment],
               current: tuple[str, str | None, datetime] | None) -> AgentNow | None:
    """`runs` are the agent's states merged into runs of states that satisfy the same activities; `current` is
    the state now (category, reason, since when)."""
    agent_id, name, team_id, team, site_id, tz = agent
    activity, run = _at(schedule, now), _at(runs, now)
    logged_in = current is not None and current[0] != "offline"
    klass = _class(settings, activity, run)
    if not (klass != "none" or logged_in):
        return None
    # Moments where anything changes, newest first; between two of them the class is constant.
    cuts = sorted({t for s in (*schedule, *runs) for t in (s.start, s.end) if now - LOOK_BACK < t < now},
                  reverse=True)
    status_since = now - LOOK_BACK
    for t in cuts:
        before = t - timedelta(microseconds=1)
        if _class(settings, _at(schedule, before), _at(runs, before)) != klass:
            status_since = t
            break
    seconds = int((now - status_since).total_seconds())
    began = _at(schedule, status_since)
    shift_start = began is not None and began.start == status_since and _at(
        schedule, status_since - timedelta(microseconds=1)) is None
    grace, severe = settings.adherence.rta_thresholds(began.value if began else None, shift_start)
    status = klass
    if klass == "out":
        status = "grace" if seconds < grace else "severe" if seconds >= severe else "out"
    upcoming = next((s for s in schedule if s.start > now), None)
    state, reason, state_since = current if logged_in and current is not None else (None, None, None)
    return AgentNow(
        agent_id, name, team_id, team, site_id, tz, activity.value if activity else None,
        activity.end if activity else None, upcoming.value if upcoming else None,
        upcoming.start if upcoming else None, state, state_since, reason, status, status_since, seconds, grace,
        severe, _out_seconds(settings, schedule, runs, interval_start(now, tz, settings.data.interval_minutes), now))


@lru_cache(maxsize=256)
def interval_start(now: datetime, tz: str, minutes: int) -> datetime:
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
