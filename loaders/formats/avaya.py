"""Avaya CMS *Split/Skill Interval* report exported as CSV -> queue interval aggregates.

Title lines before the column header name the split/skill and the date (`Split/Skill: 2 Billing`,
`Date: 11/03/26`); each row is a half-hour or hour (`8:00- 8:30 AM`) in the site's local time. Offered =
ACD calls + abandoned calls; answered within the service level = % In Serv Levl × offered (CMS's default
service-level formula); waits and handle parts are the averages times the calls. The split goes through
`id_map` (system avaya-cms: entity queue, and queue_site for its site, else the only site).
"""

from __future__ import annotations

import csv
import re
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from loaders.formats.base import Converted, FormatError, IdMap, open_text, seconds_of, site_finder
from settings import Settings

SYSTEM = "avaya-cms"
INTERVAL = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*(AM|PM)?\s*$", re.IGNORECASE)
NEEDED = ("time", "acd calls", "avg speed ans", "aband calls", "avg aband time", "avg talk time", "avg after call",
          "% in serv levl")


def looks_like_cms(text: str) -> bool:
    low = text.lower()
    return "acd calls" in low and "avg speed ans" in low and "aband calls" in low


def _clock(hours: int, minutes: int, half: str | None) -> timedelta:
    if half:
        hours = hours % 12 + (12 if half.upper() == "PM" else 0)
    return timedelta(hours=hours, minutes=minutes)


def convert(path: Path, con: duckdb.DuckDBPyConnection, settings: Settings) -> Converted:
    out = Converted("queue_intervals", mapping=[
        ("Split/Skill (title line)", "queue_id (via id_map, system avaya-cms)"), ("Date + Time", "interval_start"),
        ("ACD Calls + Aband Calls", "offered"), ("ACD Calls", "answered, handled"),
        ("% In Serv Levl × offered", "answered_within"), ("Avg Speed Ans × ACD Calls", "wait_answered_s"),
        ("Avg Aband Time × Aband Calls", "wait_abandoned_s"), ("Avg Talk Time × ACD Calls", "talk_s"),
        ("Avg After Call × ACD Calls", "acw_s")])
    ids = IdMap(con, SYSTEM)
    site_for = site_finder(con, ids)
    split = day = None
    header: list[str] | None = None
    with open_text(path) as fh:
        reader = csv.reader(fh)
        for row in reader:
            line = reader.line_num
            cells = [c.strip() for c in row]
            if not any(cells):
                continue
            label = cells[0].lower().rstrip(": ")
            if header is None:
                if label in ("split/skill", "split", "skill"):
                    split = next((c for c in cells[1:] if c), None)
                elif label == "date":
                    text = next((c for c in cells[1:] if c), "")
                    try:
                        day = datetime.strptime(text, "%m/%d/%y" if len(text) <= 8 else "%m/%d/%Y")
                    except ValueError:
                        raise FormatError(f"{path.name}:{line}: not a date (mm/dd/yy): {text!r}") from None
                elif label == "time":
                    header = [c.lower() for c in cells]
                    missing = [n for n in NEEDED if n not in header]
                    if missing:
                        raise FormatError(f"{path.name}:{line}: missing column(s) {', '.join(missing)}")
                    if not split or day is None:
                        raise FormatError(f"{path.name}: the title lines must name the Split/Skill and the Date")
                continue
            if label.startswith("total") or label.startswith("summary"):
                continue
            assert day is not None and split is not None  # the header is accepted only after both
            _row(out, line, dict(zip(header, cells, strict=False)), day, split, ids, site_for(None, split))
    if header is None:
        raise FormatError(f"{path.name}: no column header line starting with Time")
    return out


def _row(out: Converted, line: int, row: dict[str, Any], day: datetime, split: str, ids: IdMap, site: str | None) -> None:
    match = INTERVAL.match(row.get("time", ""))
    if not match:
        out.reject(line, "Time", row.get("time"), "not an interval like 8:00- 8:30 AM")
        return
    h1, m1, h2, m2, half = match.groups()
    start, end = _clock(int(h1), int(m1), half), _clock(int(h2), int(m2), half)
    if end <= start:
        end += timedelta(hours=12 if half else 24)
    numbers = {}
    for name in ("acd calls", "aband calls", "% in serv levl"):
        try:
            numbers[name] = float(row.get(name, ""))
        except ValueError:
            out.reject(line, name.title(), row.get(name), "not a number")
            return
    for name in ("avg speed ans", "avg aband time", "avg talk time", "avg after call"):
        try:
            numbers[name] = seconds_of(row.get(name) or "0")
        except ValueError:
            out.reject(line, name.title(), row.get(name), "not a duration (m:ss)")
            return
    acd, aband = numbers["acd calls"], numbers["aband calls"]
    out.add(line, site_id=site, queue_id=ids.get("queue", split), interval_start=(day + start).isoformat(sep=" "),
            interval_minutes=int((end - start).total_seconds() // 60), offered=acd + aband, answered=acd,
            answered_within=numbers["% in serv levl"] / 100 * (acd + aband), abandoned=aband,
            wait_answered_s=numbers["avg speed ans"] * acd, wait_abandoned_s=numbers["avg aband time"] * aband,
            handled=acd, talk_s=numbers["avg talk time"] * acd, hold_s=0, acw_s=numbers["avg after call"] * acd)
