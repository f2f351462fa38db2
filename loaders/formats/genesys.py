"""Genesys Cloud UI CSV exports -> agent interval aggregates.

*Agent Performance Summary*: per agent, interval and media type — answered, average talk/hold/ACW
(seconds or h:mm:ss), held, transferred. *Agent Status Summary*: time per presence in each interval
(`" 135:40:34.625"`; hours may exceed 24): Idle is available, On Queue less Idle and Not Responding is on
a contact, Break is break, Meal is lunch, Available/Away/Not Responding and other off-queue time is aux.
Dates like `11/3/26 9:00 AM` are in the site's local time. Agents go through `id_map` (system genesys:
the Genesys agent id).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from loaders.formats.base import Converted, IdMap, csv_rows, header_columns, seconds_of
from loaders.formats.timeparse import as_text, parse_local
from settings import Settings

SYSTEM = "genesys"
PERFORMANCE = ("interval start", "interval end", "agent id", "answered", "avg handle", "avg talk", "avg hold",
               "avg acw", "held", "transferred")
STATUS = ("interval start", "interval end", "agent id", "logged in", "on queue", "idle", "available", "away",
          "break", "meal", "not responding", "off queue")


def looks_like_performance(first_line: str) -> bool:
    return set(PERFORMANCE) <= header_columns(first_line)


def looks_like_status(first_line: str) -> bool:
    return set(STATUS) <= header_columns(first_line)


def _interval(out: Converted, line: int, row: dict[str, Any]) -> tuple[str, int] | None:
    try:
        start, end = parse_local(row["interval start"]), parse_local(row["interval end"])
    except ValueError as err:
        out.reject(line, "Interval Start", row.get("interval start"), str(err))
        return None
    minutes = int((end - start).total_seconds() // 60)
    if minutes <= 0:
        out.reject(line, "Interval End", row.get("interval end"), "interval end is not after its start")
        return None
    return as_text(start), minutes


def convert_performance(path: Path, con: duckdb.DuckDBPyConnection, settings: Settings) -> Converted:
    out = Converted("agent_intervals", mapping=[
        ("Agent Id", "agent_id (via id_map, system genesys)"), ("Interval Start / End", "interval_start, minutes"),
        ("Media Type", "channel"), ("Answered", "handled"), ("Avg Talk × Answered", "talk_s"),
        ("Avg Hold × Answered", "hold_s"), ("Avg ACW × Answered", "acw_s"), ("Held, Transferred", "held, transferred")])
    ids = IdMap(con, SYSTEM)
    for line, row in csv_rows(path, PERFORMANCE):
        when = _interval(out, line, row)
        if when is None:
            continue
        try:
            answered = float(row["answered"] or 0)
            parts = {k: seconds_of(row[k] or "0") for k in ("avg talk", "avg hold", "avg acw")}
            held, transferred = float(row["held"] or 0), float(row["transferred"] or 0)
        except ValueError as err:
            out.reject(line, None, None, f"not a number or duration ({err})")
            continue
        out.add(line, agent_id=ids.get("agent", row["agent id"]), source="genesys-agent-performance",
                interval_start=when[0], interval_minutes=when[1], channel=(row.get("media type") or "").lower() or None,
                handled=answered, talk_s=parts["avg talk"] * answered, hold_s=parts["avg hold"] * answered,
                acw_s=parts["avg acw"] * answered, held=held, transferred=transferred)
    return out


def convert_status(path: Path, con: duckdb.DuckDBPyConnection, settings: Settings) -> Converted:
    out = Converted("agent_intervals", mapping=[
        ("Agent Id", "agent_id (via id_map, system genesys)"), ("Interval Start / End", "interval_start, minutes"),
        ("Idle", "state_available_s"), ("On Queue − Idle − Not Responding", "state_on_contact_s"),
        ("Break", "state_break_s"), ("Meal", "state_lunch_s"),
        ("Available + Away + Not Responding + other Off Queue", "state_aux_s")])
    ids = IdMap(con, SYSTEM)
    for line, row in csv_rows(path, STATUS):
        when = _interval(out, line, row)
        if when is None:
            continue
        try:
            t = {k: seconds_of(row[k] or "0") for k in STATUS[3:]}
        except ValueError as err:
            out.reject(line, None, None, f"not a duration ({err})")
            continue
        other_off_queue = max(0.0, t["off queue"] - t["available"] - t["away"] - t["break"] - t["meal"])
        out.add(line, agent_id=ids.get("agent", row["agent id"]), source="genesys-agent-status",
                interval_start=when[0], interval_minutes=when[1], state_available_s=t["idle"],
                state_on_contact_s=max(0.0, t["on queue"] - t["idle"] - t["not responding"]),
                state_break_s=t["break"], state_lunch_s=t["meal"],
                state_aux_s=t["available"] + t["away"] + t["not responding"] + other_off_queue)
    return out
