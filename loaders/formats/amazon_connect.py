"""Amazon Connect: contact trace records (CTR) -> contacts; the agent event stream -> agent states.

Both are JSON (one record per line, arrays, or back to back; gzip too), times in UTC; unknown keys are
ignored. Vendor ids go through `id_map` with system `amazon-connect` (agent: Username; queue: queue name;
queue_site: queue name -> site for contacts no agent answered).
"""

from __future__ import annotations

import hashlib
from datetime import datetime
from pathlib import Path

import duckdb

from loaders.formats.base import Converted, IdMap, site_finder
from loaders.formats.jsonrecords import dig, records
from settings import Settings

SYSTEM = "amazon-connect"
CONTACT_STATES = {"CONNECTED": "on_contact", "CONNECTED_ONHOLD": "on_contact", "CONNECTING": "on_contact",
                  "INCOMING": "on_contact", "PENDING": "available", "MISSED": "available", "ERROR": "available",
                  "ENDED": "acw", "REJECTED": "available"}


def looks_like_ctr(text: str) -> bool:
    return '"ContactId"' in text and ('"InitiationTimestamp"' in text or '"InitiationMethod"' in text)


def looks_like_agent_events(text: str) -> bool:
    return '"EventType"' in text and '"CurrentAgentSnapshot"' in text


def customer_key(address: str | None, hashed: bool) -> str | None:
    if not address:
        return None
    return "h:" + hashlib.sha256(address.encode()).hexdigest()[:24] if hashed else address


def convert_ctr(path: Path, con: duckdb.DuckDBPyConnection, settings: Settings) -> Converted:
    out = Converted("contacts", mapping=[
        ("ContactId", "contact_id"), ("InitialContactId", "initial_contact_id"), ("Channel", "channel"),
        ("InitiationMethod", "direction"), ("Queue.Name", "queue_id (via id_map)"),
        ("Queue.EnqueueTimestamp", "offered_at"), ("Agent.ConnectedToAgentTimestamp", "answered_at"),
        ("Queue.DequeueTimestamp / DisconnectTimestamp", "ended_at"), ("Agent.Username", "agent_id (via id_map)"),
        ("CustomerEndpoint.Address", "customer_id"), ("Agent.AgentInteractionDuration", "talk_s"),
        ("Agent.CustomerHoldDuration", "hold_s"), ("Agent.AfterContactWorkDuration", "acw_s"),
        ("NextContactId", "transferred"), ("DisconnectReason", "disposition")])
    ids = IdMap(con, SYSTEM)
    site_for = site_finder(con, ids)
    latest: dict[str, tuple[str, int, dict]] = {}  # contact id -> (LastUpdateTimestamp, line, record)
    for line, rec, problem in records(path):
        if rec is None:
            out.reject(line, None, None, problem or "not a contact record")
            continue
        cid = rec.get("ContactId")
        if not cid:
            out.reject(line, "ContactId", None, "required value is missing")
            continue
        stamp = str(rec.get("LastUpdateTimestamp") or "")
        if cid in latest:
            old_stamp, old_line, _ = latest[cid]
            if stamp >= old_stamp:
                out.reject(old_line, "ContactId", cid, f"an earlier update of this contact; replaced by line {line}")
            else:
                out.reject(line, "ContactId", cid, f"an earlier update of this contact; replaced by line {old_line}")
                continue
        latest[cid] = (stamp, line, rec)
    for _, line, rec in sorted(latest.values(), key=lambda v: v[1]):
        queue_name = dig(rec, "Queue", "Name")
        answered = dig(rec, "Agent", "ConnectedToAgentTimestamp")
        agent = ids.get("agent", dig(rec, "Agent", "Username")) if answered else None
        site = site_for(agent, queue_name)
        if site is None:
            who = f"agent {agent} is not in the roster" if agent else "no agent answered"
            out.reject(line, "site_id", queue_name, f"cannot tell the site: {who} and the queue is not mapped to a "
                                                   "site (id_map entity queue_site)")
            continue
        method = str(rec.get("InitiationMethod") or "").upper()
        initial = rec.get("InitialContactId")
        ended = dig(rec, "Queue", "DequeueTimestamp") if not answered else None
        out.add(line, contact_id=rec["ContactId"], initial_contact_id=initial,
                channel=str(rec.get("Channel") or "").lower() or None,
                direction="outbound" if method == "OUTBOUND" else "inbound",
                queue_id=ids.get("queue", queue_name), site_id=site,
                offered_at=dig(rec, "Queue", "EnqueueTimestamp") or rec.get("InitiationTimestamp"),
                answered_at=answered, ended_at=ended or rec.get("DisconnectTimestamp"), agent_id=agent,
                customer_id=customer_key(dig(rec, "CustomerEndpoint", "Address"), settings.privacy.hash_customer_ids),
                talk_s=dig(rec, "Agent", "AgentInteractionDuration") if answered else None,
                hold_s=dig(rec, "Agent", "CustomerHoldDuration") if answered else None,
                acw_s=dig(rec, "Agent", "AfterContactWorkDuration") if answered else None,
                transferred="true" if rec.get("NextContactId") else "false",
                disposition=rec.get("DisconnectReason"))
    return out


def _state_of(snapshot: dict | None, event_type: str) -> tuple[str | None, str | None]:
    """(Floorview state code, reason) from an agent snapshot: a contact in progress wins over the status."""
    if event_type == "LOGOUT":
        return "offline", None
    if not isinstance(snapshot, dict):
        return None, None
    contacts = snapshot.get("Contacts") or []
    contact_states = [CONTACT_STATES.get(str(c.get("State", "")).upper()) for c in contacts if isinstance(c, dict)]
    for wanted in ("on_contact", "acw"):
        if wanted in contact_states:
            return wanted, None
    status = snapshot.get("AgentStatus") or {}
    kind = str(status.get("Type", "")).upper()
    if kind == "ROUTABLE":
        return "available", None
    if kind == "OFFLINE":
        return "offline", None
    name = str(status.get("Name") or "").strip()
    return (name.lower().replace(" ", "_") or None), name or None  # CUSTOM: mapped by [states] in config.toml


def convert_agent_events(path: Path, con: duckdb.DuckDBPyConnection, settings: Settings) -> Converted:
    out = Converted("agent_states", mapping=[
        ("CurrentAgentSnapshot.Configuration.Username", "agent_id (via id_map)"),
        ("EventTimestamp", "start_at / end_at (state until the next change)"),
        ("AgentStatus.Type ROUTABLE / OFFLINE, Contacts[].State", "state available / offline / on_contact / acw"),
        ("AgentStatus.Name (CUSTOM)", "state (lower-case, mapped by [states] in config.toml) and reason")])
    ids = IdMap(con, SYSTEM)
    events: dict[str, list[tuple[datetime, int, str | None, str | None]]] = {}
    for line, rec, problem in records(path):
        if rec is None:
            out.reject(line, None, None, problem or "not an agent event")
            continue
        event_type = str(rec.get("EventType") or "").upper()
        user = dig(rec, "CurrentAgentSnapshot", "Configuration", "Username") or dig(
            rec, "PreviousAgentSnapshot", "Configuration", "Username")
        if not user:
            out.reject(line, "Configuration.Username", None, "required value is missing")
            continue
        try:
            at = datetime.fromisoformat(str(rec.get("EventTimestamp", "")).replace("Z", "+00:00"))
        except ValueError:
            out.reject(line, "EventTimestamp", rec.get("EventTimestamp"), "not an ISO-8601 date-time")
            continue
        state, reason = _state_of(rec.get("CurrentAgentSnapshot"), event_type)
        events.setdefault(ids.get("agent", user), []).append((at, line, state, reason))
    for agent, seq in events.items():
        seq.sort(key=lambda e: (e[0], e[1]))
        current: tuple[datetime, int, str, str | None] | None = None
        for at, line, state, reason in seq:
            if current and (state is None or (state, reason) == (current[2], current[3])):
                continue  # a heartbeat or a repeat: the state goes on
            if current and at > current[0]:
                out.add(current[1], agent_id=agent, state=current[2], start_at=_z(current[0]), end_at=_z(at),
                        reason=current[3])
            current = (at, line, state, reason) if state else None
        if current and seq[-1][0] > current[0]:  # the last state lasts until the agent's last event
            out.add(current[1], agent_id=agent, state=current[2], start_at=_z(current[0]), end_at=_z(seq[-1][0]),
                    reason=current[3])
    return out


def _z(at: datetime) -> str:
    return at.isoformat().replace("+00:00", "Z")
