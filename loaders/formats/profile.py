"""Mapping profiles: any CSV read through a named profile of config.toml (`floorview load --profile NAME`).

Columns are renamed onto a canonical kind, constants added, date-times parsed with the profile's format
and zone, durations turned into seconds, codes mapped, and agent/queue/team/site ids looked up in `id_map`
under the profile's system — a new ACD with no code change.
"""

from __future__ import annotations

import csv
from datetime import datetime
from pathlib import Path

import duckdb

from loaders.formats.base import Converted, FormatError, IdMap, open_text, seconds_of
from loaders.formats.timeparse import as_text
from loaders.kinds import KINDS
from settings import MappingProfile, Settings

ID_COLUMNS = {"agent_id": "agent", "queue_id": "queue", "team_id": "team", "site_id": "site"}


def profile_named(settings: Settings, name: str) -> MappingProfile:
    if name not in settings.profiles:
        known = ", ".join(settings.profiles) or "none defined"
        raise FormatError(f"no mapping profile {name!r} in config.toml ([profiles.NAME]; defined: {known})")
    profile = settings.profiles[name]
    if profile.kind not in KINDS:
        raise FormatError(f"profile {name!r}: unknown kind {profile.kind!r}; one of {', '.join(KINDS)}")
    unknown = [c for c in list(profile.columns.values()) + list(profile.constants) if c not in KINDS[profile.kind].names]
    if unknown:
        raise FormatError(f"profile {name!r}: {', '.join(unknown)} not column(s) of {profile.kind}")
    return profile


def _duration(value: str, form: str) -> str:
    if form == "hh:mm:ss":
        return str(seconds_of(value))
    number = float(value)
    return str(number * 60 if form == "minutes" else number)


def convert(path: Path, con: duckdb.DuckDBPyConnection, settings: Settings, name: str) -> Converted:
    profile = profile_named(settings, name)
    kind = KINDS[profile.kind]
    types = {c.name: c.type for c in kind.columns}
    out = Converted(profile.kind, mapping=[(src, dst) for src, dst in profile.columns.items()]
                    + [(f"(constant {value!r})", col) for col, value in profile.constants.items()])
    ids = IdMap(con, profile.system or name)
    with open_text(path) as fh:
        for _ in range(profile.skip_rows):
            fh.readline()
        reader = csv.DictReader(fh, delimiter=profile.delimiter)
        header = [h.strip() for h in (reader.fieldnames or [])]
        missing = [src for src in profile.columns if src not in header]
        if missing:
            raise FormatError(f"{path.name}:{profile.skip_rows + 1}: column(s) the profile {name!r} maps are "
                              f"missing: {', '.join(missing)}")
        for raw in reader:
            line = reader.line_num + profile.skip_rows
            row = {(k or "").strip(): (v or "").strip() for k, v in raw.items()}
            values: dict[str, str | None] = dict(profile.constants)
            problem = None
            for src, dst in profile.columns.items():
                value = row.get(src) or None
                if value is not None and dst in profile.codes:
                    value = profile.codes[dst].get(value, value)
                if value is not None and dst in ID_COLUMNS:
                    value = ids.get(ID_COLUMNS[dst], value)
                try:
                    if value is not None and types.get(dst) == "instant" and profile.timestamp_format:
                        value = as_text(datetime.strptime(value, profile.timestamp_format), profile.timezone)
                    elif value is not None and types.get(dst) == "instant" and profile.timezone and "T" not in value:
                        value = as_text(datetime.fromisoformat(value), profile.timezone)
                    elif value is not None and dst.endswith("_s") and types.get(dst) == "float":
                        value = _duration(value, profile.duration_format)
                except ValueError:
                    problem = (src, value, f"not a {'date-time' if types.get(dst) == 'instant' else 'duration'} "
                                           f"in the profile's format")
                    break
                values[dst] = value
            if problem:
                out.reject(line, *problem)
                continue
            out.add(line, **values)
    return out
