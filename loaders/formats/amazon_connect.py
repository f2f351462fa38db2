"""Amazon Connect: contact trace records (CTR) -> contacts; the agent event stream -> agent states.

Both are JSON (one record per line, arrays, or back to back; gzip too), times in UTC; unknown keys are
ignored. Vendor ids go through `id_map` with system `amazon-connect` (agent: Username; queue: queue name;
queue_site: queue name -> site for contacts no agent answered).
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import duckdb

from loaders.formats.base import Converted, IdMap, site_finder
from loaders.formats.jsonrecords import dig, records, top_level_keys
from settings import Settings

SYSTEM = "amazon-connect"
CONTACT_STATES = {"CONNECTED": "on_contact", "CONNECTED_ONHOLD": "on_contact", "CONNECTING": "on_contact",
                  "INCOMING": "on_contact", "PENDING": "available", "MISSED": "available", "ERROR": "available",
                  "ENDED": "acw", "REJECTED": "available"}


# Told apart by the first record's own top-level keys: an agent event carries a contact's ContactId and
# InitiationMethod too, but inside its snapshot's Contacts[].
def looks_like_ctr(text: str) -> bool:
    keys = top_level_keys(text)
    return "ContactId" in keys and bool({"InitiationTimestamp", "InitiationMethod"} & keys)


def looks_like_agent_events(text: str) -> bool:
    keys = top_level_keys(text)
    return "EventType" in keys and bool({"CurrentAgentSnapshot", "PreviousAgentSnapshot"} & keys)


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
        ("NextContactId / TransferCompletedTimestamp / TransferredToEndpoint", "transferred"), ("DisconnectReason", "disposition")])
    ids = IdMap(con, SYSTEM)
    site_for = site_finder(con, ids)
    latest: dict[str, tuple[str, int, dict[str, Any]]] = {}  # contact id -> (LastUpdateTimestamp, line, record)
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
            old_stamp, _, old = latest[cid]
            # A contact record is delivered again as it is updated (and Kinesis delivers at least once): the
            # latest update wins; the others are counted, not rejected.
            if old == rec:
                out.redelivered += 1
                continue
            out.superseded += 1
            if stamp < old_stamp:
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
                # Transferred within Connect (a next contact) or out of it (an external number: no next contact).
                transferred="true" if (rec.get("NextContactId") or rec.get("TransferCompletedTimestamp")
                                       or rec.get("TransferredToEndpoint")) else "false",
                disposition=rec.get("DisconnectReason"))
    return out


def state_of(snapshot: dict[str, Any] | None, event_type: str) -> tuple[str | None, str | None, str | None]:
    """(Floorview state code, reason, since) from an agent snapshot: a contact in progress wins over the
    status. `since` is when the snapshot says that state began (the contact's StateStartTimestamp, or the
    status's StartTimestamp), None when it does not say."""
    if event_type == "LOGOUT":
        return "offline", None, None
    if not isinstance(snapshot, dict):
        return None, None, None
    contacts = [c for c in snapshot.get("Contacts") or [] if isinstance(c, dict)]
    for wanted in ("on_contact", "acw"):
        found = [c for c in contacts if CONTACT_STATES.get(str(c.get("State", "")).upper()) == wanted]
        if found:
            starts = [str(c["StateStartTimestamp"]) for c in found if c.get("StateStartTimestamp")]
            return wanted, None, min(starts) if starts else None
    status = snapshot.get("AgentStatus") or {}
    since = status.get("StartTimestamp") or None
    kind = str(status.get("Type", "")).upper()
    if kind == "ROUTABLE":
        return "available", None, since
    if kind == "OFFLINE":
        return "offline", None, since
    # CUSTOM, or an older event version without Type: by the status's name, lower-case with spaces as _
    # ("Available" and "Offline" are the standard ones), mapped by [states] in config.toml.
    name = str(status.get("Name") or "").strip()
    code = name.lower().replace(" ", "_") or None
    return code, (None if code in ("available", "offline") else name or None), since
