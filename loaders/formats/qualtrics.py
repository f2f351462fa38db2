"""Qualtrics survey CSV -> surveys.

Three header rows: column ids; question texts; import ids as JSON carrying the time zone of the dates.
The NPS question is `vendors.qualtrics_nps_column`, else the column with a companion `<id>_NPS_GROUP` (or
one named NPS); the contact id comes from `vendors.qualtrics_contact_column`, else ExternalReference (or an
embedded-data column `contact_id`); `agent_id`, `csat`, `resolved` and `comment` are read from
embedded-data columns of those names when present.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import duckdb

from loaders.formats.base import Converted, FormatError, IdMap, open_text
from loaders.formats.timeparse import as_text, parse_local
from settings import Settings

STANDARD = ("startdate", "enddate", "responseid", "recordeddate")


def looks_like_qualtrics(text: str) -> bool:
    first = text.lstrip("\ufeff").splitlines()[0].lower() if text.strip() else ""
    return all(c in first for c in STANDARD) and "importid" in text.lower()


def convert(path: Path, con: duckdb.DuckDBPyConnection, settings: Settings) -> Converted:
    with open_text(path) as fh:
        reader = csv.reader(fh)
        try:
            ids_row, _questions, imports = next(reader), next(reader), next(reader)
        except StopIteration:
            raise FormatError(f"{path.name}: fewer than the three Qualtrics header rows") from None
        rows = [(reader.line_num, row) for row in reader if any(row)]
    columns = [c.strip() for c in ids_row]
    lower = [c.lower() for c in columns]
    zone = None
    for cell in imports:
        try:
            zone = zone or json.loads(cell).get("timeZone")
        except (json.JSONDecodeError, AttributeError):
            continue
    wanted_nps = settings.vendors.qualtrics_nps_column
    if wanted_nps and wanted_nps not in columns:
        raise FormatError(f"{path.name}:1: no column {wanted_nps!r} (vendors.qualtrics_nps_column)")
    nps_col = wanted_nps or next((c for c in columns if f"{c}_NPS_GROUP" in columns), None) or next(
        (c for c in columns if c.lower() == "nps"), None)
    wanted_contact = settings.vendors.qualtrics_contact_column.lower()
    if wanted_contact and wanted_contact not in lower:
        raise FormatError(f"{path.name}:1: no column {wanted_contact!r} (vendors.qualtrics_contact_column)")

    def col(*names: str) -> int | None:
        return next((lower.index(n) for n in names if n in lower), None)

    where = {"response": col("responseid"), "when": col("recordeddate", "enddate"),
             "contact": col(wanted_contact) if wanted_contact else col("externalreference", "contact_id"), "agent": col("agent_id"), "csat": col("csat"), "resolved": col("resolved"),
             "comment": col("comment"), "nps": columns.index(nps_col) if nps_col else None}
    out = Converted("surveys", mapping=[
        ("ResponseId", "response_id"), (f"RecordedDate ({zone or 'site time'})", "responded_at"),
        (settings.vendors.qualtrics_contact_column or "ExternalReference", "contact_id"), (nps_col or "(no NPS question found)", "nps"),
        ("agent_id / csat / resolved / comment (embedded data)", "the same columns")])
    agents = IdMap(con, "qualtrics")
    for line, row in rows:
        def get(key: str, row: list[str] = row) -> str | None:
            i = where[key]
            return row[i].strip() if i is not None and i < len(row) and row[i].strip() else None

        when = get("when")
        try:
            responded = as_text(parse_local(when or "", ("%Y-%m-%d %H:%M:%S", "%m/%d/%Y %H:%M")), zone)
        except ValueError:
            out.reject(line, "RecordedDate", when, "not a date-time (YYYY-MM-DD HH:MM:SS)")
            continue
        out.add(line, response_id=get("response"), responded_at=responded, contact_id=get("contact"),
                agent_id=agents.get("agent", get("agent")), nps=get("nps"), csat=get("csat"),
                resolved=get("resolved"), comment=get("comment"))
    return out
