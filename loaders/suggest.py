"""`floorview profile suggest FILE`: a mapping profile proposed from a file's header and sample values, printed
as TOML to edit, paste into config.toml and load with `--profile`. Nothing here is guessed silently: every
choice is written out, and what it could not place is listed for the person to decide."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path

from loaders import workbook
from loaders.formats.base import open_text
from loaders.inspect import SENTINELS, mostly_sentinel
from loaders.kinds import KINDS

SAMPLE = 2000
DATE_FORMATS = ("%Y-%m-%d", "%m/%d/%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y%m%d", "%y%m%d", "%d-%b-%Y", "%m/%d/%y")
TIME_FORMATS = ("%H:%M:%S", "%H:%M", "%I:%M:%S %p", "%I:%M %p")
DATETIME_FORMATS = tuple(f"{d} {t}" for d in DATE_FORMATS for t in TIME_FORMATS)

# (pattern over a normalised column name, canonical column) per kind, most specific first.
NAMES: dict[str, tuple[tuple[str, str], ...]] = {
    "contacts": (
        (r"\b(call|contact|interaction|ticket) ?id\b|^id$", "contact_id"),
        (r"\b(agent|server|rep|representative|employee|user ?name)\b", "agent_id"),
        (r"\b(queue|skill|split|topic|type|line)\b", "queue_id"),
        (r"\b(customer|caller|ani|phone)\b", "customer_id"),
        (r"\b(talk|conversation|duration)\b", "talk_s"),
        (r"\bhold\b", "hold_s"),
        (r"\b(acw|wrap|after call)\b", "acw_s"),
        (r"\b(offered|start|entry|arrival|time)\b", "offered_at"),
        (r"\b(answer(ed)? ?(at|time)|connected)\b", "answered_at"),
        (r"\b(end|exit|disconnect)\b", "ended_at"),
    ),
    "agent_states": (
        (r"\b(agent|login|user ?name|employee)\b", "agent_id"),
        (r"\b(state|status|reason code)\b", "state"),
        (r"\b(start|from|begin)\b", "start_at"),
        (r"\b(end|to|finish)\b", "end_at"),
    ),
    "surveys": (
        (r"\b(response ?id|survey ?id)\b", "response_id"),
        (r"\b(call|contact|interaction) ?id\b", "contact_id"),
        (r"\b(agent|rep)\b", "agent_id"),
        (r"\b(nps|recommend|likelihood)\b", "nps"),
        (r"\b(satisfaction|csat|rating)\b", "csat"),
        (r"\b(resolved|resolution|fcr)\b", "resolved"),
        (r"\b(comment|verbatim|feedback|text)\b", "comment"),
        (r"\b(date|time|recorded|responded|submitted)\b", "responded_at"),
    ),
}
WAIT = r"\b(wait|speed of answer|asa|queue time|time to answer)\b"
SKIP_VALUES = ("PHANTOM", "TEST", "Survey Preview", "IVR")


def _norm(name: str) -> str:
    """'AvgTalkDuration (s)' -> 'avg talk duration s'."""
    return re.sub(r"[^a-z0-9]+", " ", re.sub(r"([a-z])([A-Z])", r"\1 \2", name).lower()).strip()


def _sample(path: Path, skip_rows: int) -> tuple[list[str], list[dict[str, str]]]:
    if workbook.is_workbook(path):
        header, records = workbook.sheet_rows(path, None, skip_rows)
        return header, [row for _, (_line, row) in zip(range(SAMPLE), records, strict=False)]
    import csv

    with open_text(path) as fh:
        for _ in range(skip_rows):
            fh.readline()
        first = fh.readline()
        delimiter = max((",", ";", "\t", "|"), key=first.count)
        reader = csv.DictReader([first], delimiter=delimiter)
        header = [h.strip() for h in (reader.fieldnames or [])]
        lines = csv.reader(fh, delimiter=delimiter)
        sample = [dict(zip(header, (v.strip() for v in values), strict=False)) for _, values in
                  zip(range(SAMPLE), lines, strict=False)]
    return header, sample


def _fits(values: list[str], formats: tuple[str, ...]) -> str | None:
    """The first format every value reads with (sentinels and blanks aside), or None."""
    real = [v for v in values if v and v not in SENTINELS][:200]
    if not real:
        return None
    for form in formats:
        try:
            for v in real:
                datetime.strptime(v, form)
            return form
        except ValueError:
            continue
    return None


def _is_duration(values: list[str]) -> bool:
    real = [v for v in values if v and v not in SENTINELS][:200]
    return bool(real) and all(re.fullmatch(r"\d+:\d{2}(:\d{2})?", v) or re.fullmatch(r"\d+(\.\d+)?", v)
                              for v in real)


def _kind_of(header: list[str]) -> str:
    names = " | ".join(_norm(h) for h in header)
    if re.search(r"\b(nps|recommend|response ?id)\b", names) or (
            re.search(r"\b(satisfaction|csat)\b", names) and not re.search(r"\b(call|contact) ?id\b", names)):
        return "surveys"
    if re.search(r"\b(state|status)\b", names) and not re.search(r"\b(call|contact) ?id\b", names):
        return "agent_states"
    return "contacts"


def _toml(value: object) -> str:
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml(k)} = {_toml(v)}" for k, v in value.items()) + " }"
    return str(value)


def suggest(path: Path, kind: str | None = None, name: str | None = None, skip_rows: int = 0) -> str:
    """TOML for `[profiles.<name>]`, with comments saying what each line rests on and what is left to decide."""
    header, rows = _sample(path, skip_rows)
    if not header:
        raise ValueError(f"{path.name}: no header row")
    kind = kind or _kind_of(header)
    if kind not in NAMES:
        raise ValueError(f"profile suggest knows contacts, agent_states and surveys; not {kind!r}")
    values = {h: [r.get(h, "") for r in rows] for h in header}
    columns: dict[str, str] = {}
    notes: list[str] = []
    extra: dict[str, object] = {}
    taken: set[str] = set()
    date_column = next((h for h in header if _norm(h) in ("date", "call date", "day") and _fits(values[h], DATE_FORMATS)),
                       None)
    if date_column:
        extra["date_column"] = date_column
        extra["date_format"] = _fits(values[date_column], DATE_FORMATS)
    timestamp = None
    for h in header:
        norm = _norm(h)
        if h == date_column:
            continue
        target = next((col for pattern, col in NAMES[kind] if re.search(pattern, norm) and col not in taken), None)
        if kind == "contacts" and re.search(WAIT, norm):
            extra.setdefault("derived", {})["answered_at"] = f"offered_at + {h}"  # type: ignore[index]
            notes.append(f"{h!r} reads as the wait before an answer: answered_at = offered_at + it")
            continue
        if target is None:
            if any(v in SKIP_VALUES for v in values[h]):
                found = sorted({v for v in values[h] if v in SKIP_VALUES})
                extra.setdefault("skip_when", {})[h] = found  # type: ignore[index]
                notes.append(f"{h!r} holds {', '.join(found)}: those rows are left out (delete the line to keep them)")
            else:
                notes.append(f"{h!r}: not placed; map it by hand if it matters")
            continue
        column_type = next(c.type for c in KINDS[kind].columns if c.name == target)
        if column_type == "instant":
            if date_column and _fits(values[h], TIME_FORMATS):
                extra["time_formats"] = [f for f in TIME_FORMATS if _fits(values[h], (f,))][:1] or list(TIME_FORMATS)
            elif (form := _fits(values[h], DATETIME_FORMATS)) is not None:
                timestamp = form
            elif not _fits(values[h], ("%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%dT%H:%M:%SZ")):
                notes.append(f"{h!r} -> {target}: its values match no date-time format tried; set timestamp_format")
        if target.endswith("_s") and _is_duration(values[h]) and any(":" in v for v in values[h]):
            extra["duration_format"] = "hh:mm:ss"
        columns[h] = target
        taken.add(target)
        if target in ("agent_id", "queue_id"):
            shown = ", ".join(sorted({v for v in values[h] if v})[:3])
            notes.append(f"{h!r} -> {target}: its values ({shown} …) must be ids of the roster; map them with codes "
                         f"= {{ {target} = {{ \"file value\" = \"id\" }} }} or the id_map")
        hit = mostly_sentinel(values[h])
        if hit is not None:
            sentinel = hit[0]
            extra.setdefault("null_values_by_column", {})[h] = [sentinel]  # type: ignore[index]
            notes.append(f"{h!r} is mostly {sentinel!r}: read as blank")
    if timestamp:
        extra["timestamp_format"] = timestamp
    missing = [c for c in KINDS[kind].required if c not in columns.values()
               and c not in extra.get("derived", {})]  # type: ignore[operator]
    for c in missing:
        if c != "site_id":  # given a constant to fill in below
            notes.append(f"{c} is required and no column was found for it: map one, or give it a constant")
    lines = [f"# Proposed by `floorview profile suggest {path.name}` from its header and {len(rows):,} sample rows.",
             "# Check each line, then load with `floorview load --profile "
             f"{name or _norm(path.stem).replace(' ', '_') or 'mine'} {path.name}` (inspect it first).",
             f"[profiles.{name or _norm(path.stem).replace(' ', '_') or 'mine'}]",
             f"kind = {_toml(kind)}"]
    if skip_rows:
        lines.append(f"skip_rows = {skip_rows}")
    lines.append(f"columns = {_toml(columns)}")
    if "site_id" in missing:
        lines.append('constants = { site_id = "SITE" }  # no site column: the id of the site these rows belong to')
    for key, value in extra.items():
        lines.append(f"{key} = {_toml(value)}")
    lines += ["# " + n for n in notes]
    return "\n".join(lines)
