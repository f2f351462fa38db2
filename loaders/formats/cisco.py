"""Cisco contact-centre agent states: UCCX *Agent State Detail* (CSV report) and UCCE *Agent_State_Trace*.

UCCX rows are state transitions with a duration; UCCE rows are numeric state changes, each lasting until
the agent's next one. Agents go through `id_map` (system cisco-uccx: agent name; cisco-ucce: SkillTargetID).
Date-times without an offset are read in the agent's site time zone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from loaders.formats.base import Converted, IdMap, csv_rows, header_columns, seconds_of
from loaders.formats.timeparse import as_text, parse_local
from settings import Settings

UCCX_COLUMNS = ("agent name", "state transition time", "agent state", "duration")
UCCE_COLUMNS = ("datetime", "skilltargetid", "agentstate")
# UCCE numeric agent states onto Floorview state categories (Cisco's Agent_State_Trace documentation).
UCCE_STATES = {0: "offline", 1: "available", 2: "aux", 3: "available", 4: "on_contact", 5: "acw", 6: "acw",
               7: "on_contact", 8: "available", 10: "on_contact", 12: "available", 13: "on_contact"}


def looks_like_uccx(first_line: str) -> bool:
    return set(UCCX_COLUMNS) <= header_columns(first_line)


def looks_like_ucce(first_line: str) -> bool:
    return set(UCCE_COLUMNS) <= header_columns(first_line)


def convert_uccx(path: Path, con: duckdb.DuckDBPyConnection, settings: Settings) -> Converted:
    out = Converted("agent_states", mapping=[
        ("Agent Name", "agent_id (via id_map, system cisco-uccx)"), ("State Transition Time", "start_at"),
        ("State Transition Time + Duration", "end_at"), ("Agent State", "state (lower-case, spaces as _)"),
        ("Reason Code", "reason")])
    ids = IdMap(con, "cisco-uccx")
    for line, row in csv_rows(path):
        missing = [c for c in UCCX_COLUMNS if not (row.get(c) or "").strip()]
        if missing:
            out.reject(line, missing[0], None, "required value is missing")
            continue
        try:
            start = parse_local(row["state transition time"])
        except ValueError as err:
            out.reject(line, "State Transition Time", row["state transition time"], str(err))
            continue
        try:
            length = seconds_of(row["duration"])
        except ValueError:
            out.reject(line, "Duration", row["duration"], "not a duration (hh:mm:ss)")
            continue
        if length == 0:
            continue  # an instantaneous transition (e.g. Login) holds no time
        out.add(line, agent_id=ids.get("agent", row["agent name"].strip()),
                state=row["agent state"].strip().lower().replace(" ", "_"), start_at=as_text(start),
                end_at=as_text(start + timedelta(seconds=length)), reason=(row.get("reason code") or "").strip() or None)
    return out


def convert_ucce(path: Path, con: duckdb.DuckDBPyConnection, settings: Settings) -> Converted:
    out = Converted("agent_states", mapping=[
        ("SkillTargetID", "agent_id (via id_map, system cisco-ucce)"), ("DateTime", "start_at"),
        ("next DateTime of the agent", "end_at"), ("AgentState (0 Logged Off … 10 Hold)", "state category"),
        ("ReasonCode", "reason")])
    ids = IdMap(con, "cisco-ucce")
    changes: dict[str, list[tuple[datetime, int, str, str | None]]] = {}
    for line, row in csv_rows(path):
        agent = (row.get("skilltargetid") or "").strip()
        if not agent:
            out.reject(line, "SkillTargetID", None, "required value is missing")
            continue
        try:
            at = parse_local(row.get("datetime") or "", ("%Y-%m-%d %H:%M:%S.%f", "%Y-%m-%d %H:%M:%S"))
        except ValueError as err:
            out.reject(line, "DateTime", row.get("datetime"), str(err))
            continue
        try:
            code = int((row.get("agentstate") or "").strip())
        except ValueError:
            out.reject(line, "AgentState", row.get("agentstate"), "not a whole number")
            continue
        state = UCCE_STATES.get(code, f"ucce_{code}")  # an unlisted state is rejected unless mapped in [states]
        reason = (row.get("reasoncode") or "").strip()
        changes.setdefault(ids.get("agent", agent) or agent, []).append((at, line, state, None if reason in ("", "0") else reason))
    for agent, seq in changes.items():
        seq.sort(key=lambda c: (c[0], c[1]))
        for (at, line, state, why), nxt in zip(seq, seq[1:], strict=False):
            if nxt[0] > at:
                out.add(line, agent_id=agent, state=state, start_at=as_text(at), end_at=as_text(nxt[0]), reason=why)
    return out
