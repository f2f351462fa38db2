"""Qualtrics survey CSV -> surveys.

Header rows: column ids; question texts; then (in current exports) import ids as JSON carrying the time zone
of the dates. An export whose dates carry no time zone is read in the site's, as `floorview inspect` says.
The response's instant is RecordedDate, or EndDate in an older export without it.

The NPS question is `vendors.qualtrics_nps_column`, else the column with a companion `<id>_NPS_GROUP` (or
one named NPS); the contact id comes from `vendors.qualtrics_contact_column`, else ExternalReference (or an
embedded-data column `contact_id`); `csat`, `resolved` and `comment` come from the question columns named in
`[vendors]`, else from embedded-data columns of those names, and `agent_id` from one of that name.

Preview and test responses (Status "Survey Preview"/"Survey Test", or their codes 1 and 2) and unfinished
ones (Finished = False) are not customers' answers: they are left out and counted, not rejected.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb

from loaders.formats.base import Converted, FormatError, IdMap, open_text
from loaders.formats.timeparse import as_text, parse_local
from settings import Settings

REQUIRED = ("startdate", "enddate", "responseid")
NOT_CUSTOMERS = {"survey preview": "a survey preview", "1": "a survey preview", "survey test": "a survey test",
                 "2": "a survey test"}
UNFINISHED = {"false", "0", "no"}


def looks_like_qualtrics(text: str) -> bool:
    first = text.lstrip("\ufeff").splitlines()[0].lower() if text.strip() else ""
    lower = text.lower()
    return all(c in first for c in REQUIRED) and ("importid" in lower or "responseset" in first
                                                  or "recordeddate" in first)


def _import_zone(row: list[str]) -> tuple[bool, str | None]:
    """(whether the row is the import-id row, the time zone it gives the dates)."""
    is_imports, zone = False, None
    for cell in row:
        try:
            found = json.loads(cell)
        except json.JSONDecodeError:
            continue
        if isinstance(found, dict) and "ImportId" in found:
            is_imports = True
            zone = zone or found.get("timeZone")
    return is_imports, zone


def _named(columns: list[str], path: Path, setting: str, wanted: str) -> str | None:
    """A column named in [vendors] (its id, any case), checked to be there."""
    if not wanted:
        return None
    found = next((c for c in columns if c.lower() == wanted.lower()), None)
    if found is None:
        raise FormatError(f"{path.name}:1: no column {wanted.lower()!r} (vendors.{setting})")
    return found


def convert(path: Path, con: duckdb.DuckDBPyConnection, settings: Settings) -> Converted:
    with open_text(path) as fh:
        reader = csv.reader(fh)
        try:
            ids_row, _questions = next(reader), next(reader)
        except StopIteration:
            raise FormatError(f"{path.name}: fewer than the three Qualtrics header rows") from None
        rest = [(reader.line_num, row) for row in reader]
    if not rest:
        raise FormatError(f"{path.name}: fewer than the three Qualtrics header rows")
    is_imports, zone = _import_zone(rest[0][1])
    rows = [(line, row) for line, row in (rest[1:] if is_imports else rest) if any(row)]
    columns = [c.strip() for c in ids_row]
    lower = [c.lower() for c in columns]
    v = settings.vendors
    nps_col = _named(columns, path, "qualtrics_nps_column", v.qualtrics_nps_column) or next(
        (c for c in columns if f"{c}_NPS_GROUP" in columns), None) or next(
        (c for c in columns if c.lower() == "nps"), None)
    contact_col = _named(columns, path, "qualtrics_contact_column", v.qualtrics_contact_column)
    named = {key: _named(columns, path, f"qualtrics_{key}_column", getattr(v, f"qualtrics_{key}_column")) or key
             for key in ("csat", "resolved", "comment")}

    def col(*names: str | None) -> int | None:
        return next((lower.index(n.lower()) for n in names if n and n.lower() in lower), None)

    when_name = "RecordedDate" if "recordeddate" in lower else "EndDate"
    where = {"response": col("responseid"), "when": col(when_name), "status": col("status"),
             "finished": col("finished"), "contact": col(contact_col) if contact_col else col(
                 "externalreference", "contact_id"), "agent": col("agent_id"),
             **{key: col(name) for key, name in named.items()}, "nps": col(nps_col)}
    out = Converted("surveys", mapping=[
        ("ResponseId", "response_id"), (f"{when_name} ({zone or 'site time'})", "responded_at"),
        (contact_col or "ExternalReference", "contact_id"), (nps_col or "(no NPS question found)", "nps"),
        *((name, key) for key, name in named.items()), ("agent_id (embedded data)", "agent_id"),
        ("Status, Finished", "previews, tests and unfinished responses left out")])
    agents = IdMap(con, "qualtrics")
    for line, row in rows:
        def get(key: str, row: list[str] = row) -> str | None:
            i = where[key]
            return row[i].strip() if i is not None and i < len(row) and row[i].strip() else None

        why = NOT_CUSTOMERS.get((get("status") or "").lower()) or (
            "unfinished" if (get("finished") or "").lower() in UNFINISHED else None)
        if why:
            out.left_out[why] = out.left_out.get(why, 0) + 1
            continue
        when = get("when")
        try:
            responded = as_text(parse_local(when or "", ("%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M")), zone)
        except ValueError:
            out.reject(line, when_name, when, "not a date-time (YYYY-MM-DD HH:MM:SS)")
            continue
        out.add(line, response_id=get("response"), responded_at=responded, contact_id=get("contact"),
                agent_id=agents.get("agent", get("agent")), nps=get("nps"), csat=get("csat"),
                resolved=get("resolved"), comment=get("comment"))
    return out
