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
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo

import duckdb
import numpy as np
import pyarrow.compute as pc

from kpis.detail import agent_filter_named
from semantic import PRODUCTIVE_STATES
from settings import Settings

# Worst first: the order rows sort in and counts are told in.
STATUSES = ("severe", "out", "grace", "in", "none")
LOOK_BACK = timedelta(hours=12)  # how far back a run is traced (and a shift's start looked for)
EPOCH = datetime(1970, 1, 1)
# A moment's class: not scheduled for a tracked activity, in adherence, out of adherence.
NONE, IN, OUT = 0, 1, 2
CLASS_WORDS = ("none", "in", "out")
_PER_AGENT = 1 << 40  # µs (12.7 days) per agent in a span key: agent and time sort as one int64


class AgentNow(NamedTuple):  # a tuple, not a frozen dataclass: 2,000 of them were 11 ms of each /live refresh
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
    naive), worst first: severe, out, grace (longest first), then in adherence and not tracked.

    Every agent is judged at once, in numpy over integer microseconds: at 2,000 agents a loop per agent cost
    more than the queries (the /live page refreshes every few seconds)."""
    where, chosen = agent_filter_named(filters)
    agents = con.execute(f"""
        SELECT a.agent_id, a.name, a.team_id, t.name, a.site_id, s.timezone FROM agents a
        JOIN teams t USING (team_id) JOIN sites s ON s.site_id = a.site_id WHERE {where}
        ORDER BY a.agent_id""", chosen).fetchall()  # noqa: S608 (declared columns, bound values)
    if not agents:
        return []
    # The same agents, numbered in the same order, inside the other queries: cheaper to plan than a list of
    # 2,000 ids as a parameter.
    wanted = Wanted(f"""wanted AS (SELECT a.agent_id, row_number() OVER (ORDER BY a.agent_id) - 1 AS a
                                   FROM agents a WHERE {where})""", chosen)  # noqa: S608 (as above)
    since, until = now - LOOK_BACK, now + LOOK_BACK
    window = _Window(_us(since), _us(now), _us(until))
    cats, reps = _adherence_classes(settings)
    schedule, activities = _schedule(con, settings, wanted, window)
    runs, current = _runs_and_current(con, settings, wanted, len(agents), window, cats, reps)
    minutes = settings.data.interval_minutes
    starts_by_zone = {tz: _us(interval_start(now, tz, minutes)) for tz in {a[5] for a in agents}}
    offline = cats.index("offline")
    judged = _judge(_class_table(settings, cats), offline, window, len(agents), schedule, runs,
                    np.array([starts_by_zone[a[5]] for a in agents], dtype=np.int64))
    logged_in = (current.category >= 0) & (current.category != offline)
    listed = np.flatnonzero((judged.klass != NONE) | logged_in)
    now_in, upcoming = judged.now_in[listed], judged.upcoming[listed]
    # Every instant shown, converted at once.
    until_at = _instants(schedule.picked(schedule.end, now_in))
    next_at = _instants(schedule.picked(schedule.start, upcoming))
    state_since = _instants(np.where(logged_in[listed], current.since[listed], -1))
    status_since = _datetimes(judged.since[listed])
    thresholds: dict[tuple[str | None, bool], tuple[int, int]] = {}
    rows = []
    for n, i in enumerate(listed.tolist()):
        began = int(judged.began[i])
        key = (activities[began] if began >= 0 else None, bool(judged.shift_start[i]))
        if key not in thresholds:
            thresholds[key] = settings.adherence.rta_thresholds(*key)
        grace, severe = thresholds[key]
        seconds = int(judged.seconds[i])
        status = CLASS_WORDS[judged.klass[i]]
        if status == "out":
            status = "grace" if seconds < grace else "severe" if seconds >= severe else "out"
        doing, coming, category = int(now_in[n]), int(upcoming[n]), int(current.category[i])
        logged = state_since[n] is not None
        agent_id, name, team_id, team, site_id, tz = agents[i]
        rows.append(AgentNow(
            agent_id, name, team_id, team, site_id, tz, activities[doing] if doing >= 0 else None, until_at[n],
            activities[coming] if coming >= 0 else None, next_at[n], cats[category] if logged else None,
            state_since[n], current.reasons.get(i) if logged else None, status, status_since[n], seconds, grace,
            severe, float(judged.out_us[i]) / 1e6))
    rank = {status: n for n, status in enumerate(STATUSES)}
    rows.sort(key=lambda r: (rank[r.status], -r.seconds if r.status != "in" else 0, r.name))
    return rows


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


class Wanted(NamedTuple):
    """The agents a view is about, as a CTE named `wanted` (agent_id, a: the position in the view's list), and
    its named parameters."""
    cte: str
    params: dict[str, Any]


@dataclass(frozen=True)
class _Window:
    """The instants the view works within, as µs since the epoch: the look-back's start, now, the look-ahead's
    end."""
    since: int
    now: int
    until: int


class _Spans:
    """Time spans per agent (agent = position in the view's agent list), sorted by agent then start, in µs since
    the epoch. `value` is an index: into the activities for the schedule, into the state categories for states
    (-1: a code the settings do not configure)."""

    def __init__(self, window: _Window, agent: np.ndarray, start: np.ndarray, end: np.ndarray,
                 value: np.ndarray) -> None:
        self.order = np.lexsort((start, agent))  # the given spans' positions, in the order kept
        order = self.order
        self.agent, self.start, self.end, self.value = (np.asarray(x, dtype=np.int64)[order]
                                                        for x in (agent, start, end, value))
        self._base = window.since - (window.until - window.since)  # keys stay within one agent's slot
        self._key = self._keyed(self.agent, self.start)
        # The furthest any of an agent's spans so far reaches: whether an earlier span can still cover a moment.
        self._reach = np.maximum.accumulate(self._keyed(self.agent, self.end)) if len(self.agent) else self._key

    def _keyed(self, agent: np.ndarray, t: np.ndarray) -> np.ndarray:
        return np.asarray(agent * _PER_AGENT + np.clip(t - self._base, 0, _PER_AGENT - 1))

    def at(self, agent: np.ndarray, t: np.ndarray) -> np.ndarray:
        """For each (agent, t): the index of the span covering t, the latest-starting one if spans overlap;
        -1 for none."""
        found = np.full(len(agent), -1, dtype=np.int64)
        if not len(self.agent):
            return found
        q = self._keyed(agent, t)
        i = np.searchsorted(self._key, q, side="right") - 1  # the last span starting at or before t
        j = np.maximum(i, 0)
        mine = (i >= 0) & (self.agent[j] == agent)
        covers = mine & (self.end[j] > t)
        found[covers] = j[covers]
        # Overlapping spans (rare): an earlier one may still cover t; looked for one by one.
        for n in np.flatnonzero(mine & ~covers & (self._reach[j] > q)).tolist():
            k = int(j[n]) - 1
            while k >= 0 and self.agent[k] == agent[n]:
                if self.start[k] <= t[n] < self.end[k]:
                    found[n] = k
                    break
                k -= 1
        return found

    def value_at(self, agent: np.ndarray, t: np.ndarray, absent: int) -> np.ndarray:
        """The value of the span covering each (agent, t); `absent` where none does."""
        found = self.at(agent, t)
        return np.where(found >= 0, self.picked(self.value, found), absent)

    def picked(self, column: np.ndarray, index: np.ndarray) -> np.ndarray:
        """`column` (one of the spans' arrays) at each index; -1 where the index is -1."""
        if not len(column):
            return np.full(len(index), -1, dtype=np.int64)
        return np.where(index >= 0, column[np.maximum(index, 0)], -1)

    def next_after(self, agent: np.ndarray, t: np.ndarray) -> np.ndarray:
        """For each (agent, t): the index of the agent's first span starting after t; -1 for none."""
        i = np.searchsorted(self._key, self._keyed(agent, t), side="right")
        j = np.minimum(i, len(self.agent) - 1)
        ok = (i < len(self.agent)) & (self.agent[j] == agent) if len(self.agent) else np.zeros(len(agent), bool)
        return np.where(ok, j, -1)


def _schedule(con: duckdb.DuckDBPyConnection, settings: Settings, wanted: Wanted,
              window: _Window) -> tuple[_Spans, list[str]]:
    """The agents' scheduled activities around now, and each span's activity code."""
    found = con.execute(f"""
        WITH {wanted.cte}
        SELECT w.a, epoch_us(s.start_at) AS s, epoch_us(s.end_at) AS e,
               coalesce(list_position($codes, s.activity) - 1, -1) AS k, s.activity
        FROM schedule s JOIN wanted w USING (agent_id)
        WHERE s.end_at > $since AND s.start_at < $until""",  # noqa: S608 (declared columns, bound values)
                        {**wanted.params, "codes": list(settings.activities), "since": _instant(window.since),
                         "until": _instant(window.until)}).fetchnumpy()
    spans = _Spans(window, found["a"], found["s"], found["e"], found["k"])
    return spans, [str(found["activity"][i]) for i in spans.order.tolist()]


@dataclass(frozen=True)
class _Current:
    category: np.ndarray  # per agent: the state category now (index into the categories), -1 for none known
    since: np.ndarray  # µs: since when, without a break
    reasons: dict[int, str]  # per agent with one: the reason code of the state now


# The agents' states around now: stored segments, and each agent's open state from live events (its last
# event, lasting until the next one; codes mapped to categories as a state file's are). Each row comes with the
# agent's position in `wanted`, and its state category and that category's representative (see _adherence_classes)
# as positions in $cats, so the runs are merged in numpy over plain integers. Reasons only matter now. The rows
# are sorted in numpy (DuckDB's sort took longer than the rest of the query).
_STATES = """
    WITH {wanted},
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
           CASE WHEN r.start_at <= $now AND r.end_at > $now THEN r.reason END AS reason
    FROM around r JOIN wanted w USING (agent_id)"""


def _runs_and_current(con: duckdb.DuckDBPyConnection, settings: Settings, wanted: Wanted, n: int, window: _Window,
                      cats: list[str], reps: list[str]) -> tuple[_Spans, _Current]:
    """Each agent's states merged into runs of states that satisfy the same activities (available, on a contact
    and ACW all satisfy open work: an hour of a busy agent's calls is one run, not sixty), and the state each
    agent is in now with its reason and since when without a break (the latest-starting state covering now)."""
    found = con.sql(_STATES.format(wanted=wanted.cte), params={
        **wanted.params, "since": _instant(window.since), "now": _instant(window.now), "until": _instant(window.until),
        "codes": list(settings.states), "cat_of": list(settings.states.values()), "cats": cats, "reps": reps,
    }).to_arrow_table()  # Arrow: the mostly empty reasons cost nothing to fetch
    order = np.lexsort((found.column("s").to_numpy(), found.column("a").to_numpy()))
    a, s, e, sc, rc = (found.column(k).to_numpy().astype(np.int64)[order] for k in ("a", "s", "e", "sc", "rc"))
    category, since = np.full(n, -1, dtype=np.int64), np.zeros(n, dtype=np.int64)
    if not len(a):
        return _Spans(window, a, s, e, rc), _Current(category, since, {})
    first = np.ones(len(a), dtype=bool)
    first[1:] = (a[1:] != a[:-1]) | (s[1:] != e[:-1])  # a new agent, or a gap (or overlap) between two rows
    run_starts = np.flatnonzero(first | np.r_[True, rc[1:] != rc[:-1]])
    runs = _Spans(window, a[run_starts], s[run_starts], np.maximum.reduceat(e, run_starts), rc[run_starts])
    # The state now: per agent the last row (by start) covering now; "since" is where its stretch of the same
    # state without a break began.
    stretch = first | np.r_[True, sc[1:] != sc[:-1]]
    stretch_start = np.maximum.accumulate(np.where(stretch, np.arange(len(a)), 0))
    covering = np.flatnonzero((s <= window.now) & (e > window.now))
    last = covering[np.r_[a[covering][1:] != a[covering][:-1], True]] if len(covering) else covering
    last = last[sc[last] >= 0]
    category[a[last]], since[a[last]] = sc[last], s[stretch_start[last]]
    given = pc.indices_nonzero(pc.is_valid(found.column("reason"))).to_numpy()  # positions before sorting
    sorted_at = np.empty_like(order)
    sorted_at[order] = np.arange(len(order))
    reasons = dict(zip(sorted_at[given].tolist(), found.column("reason").take(given).to_pylist(), strict=True))
    return runs, _Current(category, since, {int(a[i]): reasons[i] for i in last.tolist() if i in reasons})


@dataclass(frozen=True)
class _Judged:
    """Per agent: the class now, since when (µs) and for how many whole seconds; the schedule spans (indices,
    -1 for none) now, next and where the current class began, whether that was a shift's start; and the µs out
    of adherence since the current interval began."""
    klass: np.ndarray
    since: np.ndarray
    seconds: np.ndarray
    now_in: np.ndarray
    upcoming: np.ndarray
    began: np.ndarray
    shift_start: np.ndarray
    out_us: np.ndarray


def _judge(table: np.ndarray, offline: int, window: _Window, n: int, schedule: _Spans, runs: _Spans,
           interval_starts: np.ndarray) -> _Judged:
    def klass_at(agent: np.ndarray, t: np.ndarray) -> np.ndarray:
        # No activity: the table's last row (never tracked); no state: logged out.
        return np.asarray(table[schedule.value_at(agent, t, -1), runs.value_at(agent, t, offline)])

    everyone = np.arange(n, dtype=np.int64)
    now, since = np.full(n, window.now), np.full(n, window.since)
    # The moments where anything changes, per agent; between two of them the class is constant.
    agent = np.concatenate([schedule.agent, schedule.agent, runs.agent, runs.agent, everyone, everyone, everyone])
    t = np.concatenate([schedule.start, schedule.end, runs.start, runs.end, since, interval_starts, now])
    inside = (t >= window.since) & (t <= window.now)
    agent, t = agent[inside], t[inside]
    order = np.lexsort((t, agent))
    agent, t = agent[order], t[order]
    distinct = np.r_[True, (agent[1:] != agent[:-1]) | (t[1:] != t[:-1])]
    agent, t = agent[distinct], t[distinct]
    pair = np.flatnonzero(agent[:-1] == agent[1:])  # [t[p], t[p + 1]) is one piece of agent[p]'s look-back
    who, start, end = agent[pair], t[pair], t[pair + 1]
    piece = klass_at(who, start)
    klass = klass_at(everyone, now)
    # The current class began where the last piece of another class ended.
    other = piece != klass[who]
    who_other, end_other = who[other], end[other]
    latest = np.r_[who_other[1:] != who_other[:-1], True] if len(who_other) else np.zeros(0, bool)
    status_since = since.copy()
    status_since[who_other[latest]] = end_other[latest]
    out = (piece == OUT) * np.clip(end - np.maximum(start, interval_starts[who]), 0, None)
    began = schedule.at(everyone, status_since)
    before = schedule.at(everyone, status_since - 1)
    shift_start = (schedule.picked(schedule.start, began) == status_since) & (before < 0)
    return _Judged(klass, status_since, (window.now - status_since) // 1_000_000, schedule.at(everyone, now),
                   schedule.next_after(everyone, now), began, shift_start,
                   np.bincount(who, weights=out, minlength=n))


def _class_table(settings: Settings, cats: list[str]) -> np.ndarray:
    """The class of a moment by [activity, state category]: rows are the configured activities and then one for
    none (or one not configured); columns the categories and then one for a state code the settings lack."""
    table = np.full((len(settings.activities) + 1, len(cats) + 1), NONE, dtype=np.int8)
    for i, rule in enumerate(settings.activities.values()):
        if rule.adherence_tracked:
            table[i] = [IN if cat in rule.satisfied_by else OUT for cat in cats] + [OUT]
    return table


def _us(at: datetime) -> int:
    return (at - EPOCH) // timedelta(microseconds=1)


def _instant(microseconds: int) -> datetime:
    return EPOCH + timedelta(microseconds=microseconds)


def _datetimes(microseconds: np.ndarray) -> list[datetime]:
    """µs since the epoch as datetimes, converted at once (datetime64 to datetime in C)."""
    return list(microseconds.astype("datetime64[us]").tolist())


def _instants(microseconds: np.ndarray) -> list[datetime | None]:
    """As _datetimes, with None for -1 (no such instant)."""
    return [None if m == -1 else d for m, d in zip(microseconds.tolist(), _datetimes(microseconds), strict=True)]


def _adherence_classes(settings: Settings) -> tuple[list[str], list[str]]:
    """Each state category and a representative of the categories that satisfy exactly the same activities."""
    def satisfies(category: str) -> frozenset[str]:
        return frozenset(code for code, a in settings.activities.items() if category in a.satisfied_by)
    cats = sorted(set(settings.states.values()) | {"offline"})
    reps = [min(c for c in cats if satisfies(c) == satisfies(cat)) for cat in cats]
    return cats, reps


@lru_cache(maxsize=256)
def interval_start(now: datetime, tz: str, minutes: int) -> datetime:
    """The start of the site's current reporting interval, as a UTC instant (a zone's offset can be a half
    hour, so the site's wall clock decides where an hour begins)."""
    zone = ZoneInfo(tz)
    local = now.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone)
    floor = local.replace(minute=local.minute - local.minute % minutes, second=0, microsecond=0)
    return floor.astimezone(ZoneInfo("UTC")).replace(tzinfo=None)
