"""Live agent-state events: each event starts a state, and the agent's next event ends it.

Events arrive at least once and in any order (POST /api/v1/agent-events, or event files in the inbox). They are
kept in `agent_events` (one per agent and instant, so a duplicate is ignored); every segment between two of an
agent's events is an `agent_states` row, keyed by its start, so the interval facts and every KPI read them like
states loaded from a file. An out-of-order event splits the segment it falls in: the earlier part keeps its key
with a new end, the later part starts at the new event. The agent's last event is the state they are in now:
an open segment, closed by the next event.

The conversion is a vendor-format converter (canonical agent_states rows plus the line each came from), so
events get the loader's rejects, manifest and fact refresh; the new events themselves are written by
`Converted.after_merge`, in the same transaction as the segments.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from loaders.formats import amazon_connect
from loaders.formats.base import Converted, IdMap
from loaders.formats.jsonrecords import dig, records
from settings import Settings

GENERIC = "floorview-agent-events"
AMAZON = "amazon-connect-agent-events"


@dataclass(frozen=True)
class Event:
    line: int
    agent_id: str
    state: str  # the code as sent, mapped through [states] like a state file's
    at: datetime  # UTC, naive
    reason: str | None = None
    inferred: bool = False  # read from a vendor's "previous state" snapshot, not sent as an event of its own


def looks_like_generic(text: str) -> bool:
    """JSON lines whose first record has agent_id, state and at."""
    first = text.lstrip("\ufeff \t\r\n[").split("\n", 1)[0].strip().rstrip(",")
    try:
        rec = json.loads(first)
    except ValueError:
        return False
    return isinstance(rec, dict) and {"agent_id", "state", "at"} <= set(rec)


def _instant(value: object) -> datetime | None:
    try:
        at = datetime.fromisoformat(str(value).strip().replace("Z", "+00:00"))
    except ValueError:
        return None
    if at.tzinfo is None:
        return None  # a wall-clock time without its offset: which zone it meant cannot be told
    return at.astimezone(UTC).replace(tzinfo=None)


def read_generic(path: Path, out: Converted) -> list[Event]:
    """`{"agent_id": …, "state": …, "at": ISO-8601 with offset, "reason": optional}` per record."""
    found = []
    for line, rec, problem in records(path):
        if rec is None:
            out.reject(line, None, None, problem or "not an agent event")
            continue
        agent, state = str(rec.get("agent_id") or "").strip(), str(rec.get("state") or "").strip()
        if not agent:
            out.reject(line, "agent_id", None, "required value is missing")
        elif not state:
            out.reject(line, "state", None, "required value is missing")
        elif (at := _instant(rec.get("at"))) is None:
            out.reject(line, "at", rec.get("at"), "not an ISO-8601 date-time with its UTC offset (e.g. "
                                                  "2026-11-20T13:00:05Z)")
        else:
            reason = rec.get("reason")
            found.append(Event(line, agent, state, at, None if reason in (None, "") else str(reason)[:200]))
    return found


def read_amazon_connect(path: Path, con: duckdb.DuckDBPyConnection, out: Converted) -> list[Event]:
    """Amazon Connect agent event stream records (as a Kinesis consumer forwards them): a heartbeat changes
    nothing; every other event's snapshot is the state from then on. A state decided by a contact starts at
    the contact's StateStartTimestamp (a contact enters ACW then, not when the event was sent). Each agent's
    PreviousAgentSnapshot before their earliest event in the batch gives the state they were already in and
    since when, so a file's first stretch (a call already connected) is not lost."""
    ids = IdMap(con, amazon_connect.SYSTEM)
    found: list[Event] = []
    previous: dict[str, tuple[Event, dict[str, Any] | None]] = {}  # agent -> (earliest event, its previous snapshot)
    for line, rec, problem in records(path):
        if rec is None:
            out.reject(line, None, None, problem or "not an agent event")
            continue
        event_type = str(rec.get("EventType") or "").upper()
        if event_type == "HEART_BEAT":
            continue
        user = dig(rec, "CurrentAgentSnapshot", "Configuration", "Username") or dig(
            rec, "PreviousAgentSnapshot", "Configuration", "Username")
        if not user:
            out.reject(line, "Configuration.Username", None, "required value is missing")
            continue
        at = _instant(rec.get("EventTimestamp", ""))
        if at is None:
            out.reject(line, "EventTimestamp", rec.get("EventTimestamp"), "not an ISO-8601 date-time")
            continue
        state, reason, since = amazon_connect.state_of(rec.get("CurrentAgentSnapshot"), event_type)
        if state is None:
            out.reject(line, "CurrentAgentSnapshot", None, "no agent status in the event")
            continue
        started = _instant(since) if state in ("on_contact", "acw") and since else None
        event = Event(line, ids.get("agent", user) or user, state, started if started and started <= at else at,
                      reason)
        found.append(event)
        if event.agent_id not in previous or event.at < previous[event.agent_id][0].at:
            previous[event.agent_id] = (event, rec.get("PreviousAgentSnapshot"))
    for first, snapshot in previous.values():
        state, reason, since = amazon_connect.state_of(snapshot, "STATE_CHANGE")
        before = _instant(since) if since else None
        if state is not None and before is not None and before < first.at:
            found.append(Event(first.line, first.agent_id, state, before, reason, inferred=True))
    return found


def convert_generic(path: Path, con: duckdb.DuckDBPyConnection, settings: Settings) -> Converted:
    out = _converted([("agent_id", "agent_id"), ("state", "state (mapped by [states] in config.toml)"),
                      ("at", "start_at of this state, end_at of the agent's previous one"), ("reason", "reason")])
    return segments(con, settings, read_generic(path, out), out)


def convert_amazon_connect(path: Path, con: duckdb.DuckDBPyConnection, settings: Settings) -> Converted:
    out = _converted([
        ("CurrentAgentSnapshot.Configuration.Username", "agent_id (via id_map)"),
        ("EventTimestamp", "start_at of this state, end_at of the agent's previous one"),
        ("AgentStatus.Type ROUTABLE / OFFLINE, Contacts[].State", "state available / offline / on_contact / acw"),
        ("AgentStatus.Name (CUSTOM)", "state (lower-case, mapped by [states] in config.toml) and reason")])
    return segments(con, settings, read_amazon_connect(path, con, out), out)


def _converted(mapping: list[tuple[str, str]]) -> Converted:
    return Converted("agent_states", mapping=mapping)


def segments(con: duckdb.DuckDBPyConnection, settings: Settings, events: Iterable[Event],
             out: Converted) -> Converted:
    """The agent_states rows the events make or change, with the stored events around them; the new events
    are written by `out.after_merge` once the rows are merged."""
    given = list(events)
    fresh = _checked(con, settings, [e for e in given if not e.inferred], out)
    inferred = [e for e in given if e.inferred and e.state in settings.states]
    stored = _stored_around(con, fresh + inferred)
    longest = timedelta(hours=settings.data.max_segment_hours)
    fresh += _inferred_kept(inferred, fresh, stored, longest)
    new: dict[tuple[str, datetime], Event] = {}
    for e in fresh:
        kept = stored.get((e.agent_id, e.at))
        if kept is None:
            new[(e.agent_id, e.at)] = e
        elif kept.state != e.state:
            out.reject(e.line, "state", e.state, f"this agent already has state {kept.state!r} recorded at this "
                                                 "instant; the first one stands")
        else:
            out.duplicates += 1  # delivered again: nothing to do
    by_agent: dict[str, list[Event]] = {}
    for e in (*stored.values(), *new.values()):
        by_agent.setdefault(e.agent_id, []).append(e)
    for agent, seq in by_agent.items():
        seq.sort(key=lambda e: e.at)
        for here, after in zip(seq, seq[1:], strict=False):
            is_new = (agent, here.at) in new
            if not is_new and (agent, after.at) not in new:
                continue  # a segment between two stored events is already stored as it is
            # A missed logout would otherwise make a days-long state: the segment stops at the longest allowed.
            end = min(after.at, here.at + longest)
            out.add(here.line if is_new else after.line, agent_id=agent, state=here.state, start_at=_z(here.at),
                    end_at=_z(end), reason=here.reason)
    out.events = len(new)
    rows = list(new.values())
    out.after_merge = lambda cur, load_id, sites: _record(cur, rows, load_id, sites)
    return out


def _checked(con: duckdb.DuckDBPyConnection, settings: Settings, events: list[Event], out: Converted) -> list[Event]:
    """Events of known agents, with known state codes, at plausible instants; within the batch, one per agent
    and instant (the same event twice is a duplicate; two different states at one instant, the later line
    wins and the earlier is rejected naming it)."""
    wanted = sorted({e.agent_id for e in events})
    known = {a for (a,) in con.execute("SELECT agent_id FROM agents WHERE list_contains(?, agent_id)",
                                       [wanted]).fetchall()} if wanted else set()
    earliest = datetime.combine(settings.data.earliest_date, datetime.min.time())
    latest = datetime.combine(settings.data.latest_date, datetime.min.time())
    seen: dict[tuple[str, datetime], Event] = {}
    for e in events:
        if e.agent_id not in known:
            out.reject(e.line, "agent_id", e.agent_id, "not in the roster (agents); load the agent first")
        elif e.state not in settings.states:
            out.reject(e.line, "state", e.state, "unknown code (not in the states vocabulary of config.toml)")
        elif not earliest <= e.at < latest:
            out.reject(e.line, "at", _z(e.at), f"outside the plausible range {settings.data.earliest_date} to "
                                               f"{settings.data.latest_date} (data.earliest_date, data.latest_date)")
        elif (earlier := seen.get((e.agent_id, e.at))) is not None and earlier.state == e.state:
            out.duplicates += 1
        else:
            if earlier is not None:
                out.reject(earlier.line, "state", earlier.state,
                           f"another state for this agent at the same instant; replaced by line {e.line}")
            seen[(e.agent_id, e.at)] = e
    return list(seen.values())


def _inferred_kept(inferred: list[Event], fresh: list[Event], stored: dict[tuple[str, datetime], Event],
                   longest: timedelta) -> list[Event]:
    """The states read from "previous" snapshots that nothing else already covers: one is kept only for an
    agent whose real events were accepted, when no event (sent or stored) lies between it and the agent's
    earliest new event, and no longer ago than the longest state allowed. It is never a reject or a duplicate
    of its own."""
    first: dict[str, datetime] = {}
    for e in fresh:
        first[e.agent_id] = min(first.get(e.agent_id, e.at), e.at)
    stored_at: dict[str, list[datetime]] = {}
    for agent, at in stored:
        stored_at.setdefault(agent, []).append(at)
    return [e for e in inferred if e.agent_id in first and first[e.agent_id] - longest <= e.at < first[e.agent_id]
            and not any(e.at <= at < first[e.agent_id] for at in stored_at.get(e.agent_id, ()))]


def _stored_around(con: duckdb.DuckDBPyConnection, fresh: list[Event]) -> dict[tuple[str, datetime], Event]:
    """The stored events of the batch's agents from the one before each agent's earliest new event on: the
    segments the new events split or close, and those after them."""
    if not fresh:
        return {}
    first: dict[str, datetime] = {}
    for e in fresh:
        first[e.agent_id] = min(first.get(e.agent_id, e.at), e.at)
    firsts = pa.table({"agent_id": list(first), "first_at": pa.array(list(first.values()), pa.timestamp("us"))})
    con.register("fv_event_firsts", firsts)
    try:
        found = con.execute("""
            WITH since AS (
                SELECT f.agent_id, coalesce(max(e.event_at), any_value(f.first_at)) AS since
                FROM fv_event_firsts f LEFT JOIN agent_events e ON e.agent_id = f.agent_id AND e.event_at < f.first_at
                GROUP BY f.agent_id)
            SELECT e.agent_id, e.event_at, e.state, e.reason FROM agent_events e JOIN since s USING (agent_id)
            WHERE e.event_at >= s.since""").fetchall()
    finally:
        con.unregister("fv_event_firsts")
    return {(a, at): Event(0, a, state, at, reason) for a, at, state, reason in found}


def _record(con: duckdb.DuckDBPyConnection, events: list[Event], load_id: int,
            sites: tuple[str, ...] | None) -> None:
    """Keep the new events (of the load's sites only, for a manager's upload); called inside the load."""
    if not events:
        return
    table = pa.table({"agent_id": [e.agent_id for e in events],
                      "at": pa.array([e.at for e in events], pa.timestamp("us")),
                      "state": [e.state for e in events], "reason": [e.reason for e in events]})
    con.register("fv_new_events", table)
    try:
        con.execute("""
            INSERT INTO agent_events (agent_id, event_at, state, reason, received_at, load_id)
            SELECT n.agent_id, n.at, n.state, n.reason, now()::TIMESTAMP, $load FROM fv_new_events n
            JOIN agents a USING (agent_id) WHERE $sites IS NULL OR list_contains($sites, a.site_id)
            ON CONFLICT DO NOTHING""", {"load": load_id, "sites": None if sites is None else list(sites)})
    finally:
        con.unregister("fv_new_events")


def _z(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")
