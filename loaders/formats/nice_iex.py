"""NICE IEX WFM *Agent Schedule Detail*: pipe-delimited schedule activities -> schedule.

An optional `#fields:` line names the columns (else: mu|agent_id|agent_name|date|activity|start|end);
dates are mmddyyyy and times HH:MM in the management unit's local time (read in the agent's site time
zone). An activity whose end is not after its start crosses midnight; deleted agents appear as
`<Unknown>` and are rejected. Agents go through `id_map` (system nice-iex: IEX agent id); activity names
are lower-cased (spaces as _) and mapped by [activities] in config.toml.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb

from loaders.formats.base import Converted, FormatError, IdMap, lines
from settings import Settings

DEFAULT_FIELDS = ("mu", "agent_id", "agent_name", "date", "activity", "start", "end")


def looks_like_iex(text: str) -> bool:
    first = text.lstrip("\ufeff").splitlines()[0] if text.strip() else ""
    if first.lower().startswith("#fields"):
        return "|" in first
    parts = first.split("|")
    return len(parts) >= 7 and len(parts[3].strip()) == 8 and parts[3].strip().isdigit()


def _fields(header: str) -> tuple[str, ...]:
    names = header.split(":", 1)[1] if ":" in header else header[len("#fields"):]
    return tuple(n.strip().lower().replace(" ", "_") for n in names.split("|"))


def convert(path: Path, con: duckdb.DuckDBPyConnection, settings: Settings) -> Converted:
    out = Converted("schedule", mapping=[
        ("agent_id", "agent_id (via id_map, system nice-iex)"), ("date (mmddyyyy) + start", "start_at"),
        ("date + end (next day when not after start)", "end_at"), ("activity", "activity (lower-case, _)")])
    ids = IdMap(con, "nice-iex")
    fields: tuple[str, ...] = DEFAULT_FIELDS
    seen_data = False
    for line, text in lines(path):
        text = text.rstrip("\r\n")
        if not text.strip():
            continue
        if text.lower().startswith("#fields"):
            fields = _fields(text)
            missing = [f for f in ("agent_id", "date", "activity", "start", "end") if f not in fields]
            if missing:
                raise FormatError(f"{path.name}:{line}: the #fields line lacks {', '.join(missing)}")
            continue
        if text.startswith("#"):
            continue
        seen_data = True
        row = dict(zip(fields, (v.strip() for v in text.split("|")), strict=False))
        agent = row.get("agent_id", "")
        if not agent or agent == "<Unknown>" or row.get("agent_name") == "<Unknown>":
            out.reject(line, "agent_id", agent or None, "agent unknown to IEX (deleted: <Unknown>)")
            continue
        try:
            day = datetime.strptime(row.get("date", ""), "%m%d%Y")
        except ValueError:
            out.reject(line, "date", row.get("date"), "not a date (mmddyyyy)")
            continue
        try:
            start = _at(day, row.get("start", ""))
            end = _at(day, row.get("end", ""))
        except ValueError as err:
            out.reject(line, "start" if "start" in str(err) else "end", str(err).split(": ", 1)[-1], "not a time (HH:MM)")
            continue
        if end <= start:
            end += timedelta(days=1)  # crosses midnight
        activity = row.get("activity", "").lower().replace(" ", "_")
        out.add(line, agent_id=ids.get("agent", agent), activity=activity, start_at=start.isoformat(sep=" "),
                end_at=end.isoformat(sep=" "))
    if not seen_data:
        raise FormatError(f"{path.name}: no schedule rows")
    return out


def _at(day: datetime, hhmm: str) -> datetime:
    try:
        hours, minutes = (int(p) for p in hhmm.split(":"))
        if not (0 <= hours <= 24 and 0 <= minutes < 60):
            raise ValueError
    except ValueError:
        raise ValueError(f"time: {hhmm}") from None
    return day + timedelta(hours=hours, minutes=minutes)
