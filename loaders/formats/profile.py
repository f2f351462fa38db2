"""Mapping profiles: any CSV read through a named profile of config.toml (`floorview load --profile NAME`).

Columns are renamed onto a canonical kind (one file column may feed several), constants added, sentinel values
read as blank, rows left out by a column's value (counted, not rejected), date-times parsed with the profile's
format and zone (or a time of day combined with a date column), durations turned into seconds, codes mapped,
ids joined from several columns or derived (an instant plus seconds), and agent/queue/team/site ids looked up
in `id_map` under the profile's system — a new ACD with no code change.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, time, timedelta
from pathlib import Path

import duckdb

from loaders import workbook
from loaders.formats.base import Converted, FormatError, IdMap, open_text, seconds_of
from loaders.formats.timeparse import as_text
from loaders.kinds import KINDS
from settings import MappingProfile, Settings

ID_COLUMNS = {"agent_id": "agent", "queue_id": "queue", "team_id": "team", "site_id": "site"}


DATE_DIRECTIVES = ("%d", "%m", "%Y", "%y", "%j", "%b", "%B", "%x", "%c", "%F")


def _targets(value: str | list[str]) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def profile_named(settings: Settings, name: str) -> MappingProfile:
    if name not in settings.profiles:
        known = ", ".join(settings.profiles) or "none defined"
        raise FormatError(f"no mapping profile {name!r} in config.toml ([profiles.NAME]; defined: {known})")
    profile = settings.profiles[name]
    if profile.kind not in KINDS:
        raise FormatError(f"profile {name!r}: unknown kind {profile.kind!r}; one of {', '.join(KINDS)}")
    names = KINDS[profile.kind].names
    mapped = [c for dst in profile.columns.values() for c in _targets(dst)]
    unknown = [c for c in mapped + list(profile.constants) + list(profile.derived) + list(profile.joined)
               if c not in names]
    if unknown:
        raise FormatError(f"profile {name!r}: {', '.join(unknown)} not column(s) of {profile.kind}")
    fmt = profile.timestamp_format
    if fmt and not any(d in fmt for d in DATE_DIRECTIVES) and not profile.date_column:
        # Read alone, a time of day is 1 January 1900: a year of data would land on one day.
        raise FormatError(f"profile {name!r}: timestamp_format {fmt!r} has no date in it; name the file column "
                          "holding the date (date_column) or give a format with the date")
    for dst, rule in profile.derived.items():
        if len(rule.split(" + ")) != 2:
            raise FormatError(f"profile {name!r}: derived.{dst} = {rule!r}; write it as "
                              "\"<canonical instant column> + <column of seconds>\"")
    return profile


def _duration(value: str, form: str) -> str:
    if form == "hh:mm:ss":
        return str(seconds_of(value))
    number = float(value)
    return str(number * 60 if form == "minutes" else number)


class _Problem(Exception):
    def __init__(self, fld: str, value: str | None, reason: str) -> None:
        super().__init__(reason)
        self.fld, self.value, self.reason = fld, value, reason


def _time_of_day(value: str, formats: list[str]) -> time | None:
    for form in formats:
        try:
            return datetime.strptime(value, form).time()
        except ValueError:
            continue
    return None


def _instant(profile: MappingProfile, src: str, value: str, row: dict[str, str | None]) -> str:
    """A file's date-time as ISO text for the canonical loader: a time of day on the row's date (date_column),
    the profile's timestamp_format, or ISO-8601."""
    if profile.date_column:
        clock = _time_of_day(value, profile.time_formats)
        if clock is not None:
            day_text = row.get(profile.date_column)
            if not day_text:
                raise _Problem(profile.date_column, None, "no date for the time of day in " + src)
            try:
                day = datetime.strptime(day_text, profile.date_format).date()
            except ValueError:
                raise _Problem(profile.date_column, day_text,
                               f"not a date in the profile's date_format {profile.date_format!r}") from None
            return as_text(datetime.combine(day, clock), profile.timezone)
    if profile.timestamp_format:
        return as_text(datetime.strptime(value, profile.timestamp_format), profile.timezone)
    if profile.timezone and "T" not in value:
        return as_text(datetime.fromisoformat(value), profile.timezone)
    return value


def _blank(profile: MappingProfile, src: str, value: str) -> bool:
    return value == "" or value in profile.null_values or value in profile.null_values_by_column.get(src, ())


def _left_out(profile: MappingProfile, row: dict[str, str | None]) -> str | None:
    for src, values in profile.skip_when.items():
        if row.get(src) in values:
            return f"{src} = {row.get(src)}"
    return None


def _derive(profile: MappingProfile, values: dict[str, str | None], row: dict[str, str | None],
            types: dict[str, str]) -> None:
    """derived columns, in order: an instant plus seconds (a file column in duration_format, or a canonical
    column already read); blank when either side is blank."""
    for dst, rule in profile.derived.items():
        base_name, secs_name = (part.strip() for part in rule.split(" + "))
        base = values.get(base_name)
        if secs_name in row:
            raw = row.get(secs_name)
            secs = None if raw is None else float(_duration(raw, profile.duration_format))
        else:
            known = values.get(secs_name)
            secs = None if known is None else float(known)
        if base is None or secs is None:
            values[dst] = None
            continue
        moment = datetime.fromisoformat(base) + timedelta(seconds=secs)
        values[dst] = moment.isoformat(sep=" ") if types.get(dst) == "instant" else str(secs)


def convert(path: Path, con: duckdb.DuckDBPyConnection, settings: Settings, name: str) -> Converted:
    profile = profile_named(settings, name)
    kind = KINDS[profile.kind]
    types: dict[str, str] = {c.name: c.type for c in kind.columns}
    out = Converted(profile.kind, mapping=[(src, dst) for src, dsts in profile.columns.items() for dst in _targets(dsts)]
                    + [(f"(constant {value!r})", col) for col, value in profile.constants.items()]
                    + [(" & ".join(srcs), col) for col, srcs in profile.joined.items()]
                    + [(f"({rule})", col) for col, rule in profile.derived.items()])
    ids = IdMap(con, profile.system or name)
    needed = list(profile.columns) + [c for srcs in profile.joined.values() for c in srcs] + list(profile.skip_when)
    needed += [profile.date_column] if profile.date_column else []
    with _records(path, profile) as (header, records):
        missing = list(dict.fromkeys(src for src in needed if src not in header))
        if missing:
            raise FormatError(f"{path.name}:{profile.skip_rows + 1}: column(s) the profile {name!r} maps are "
                              f"missing: {', '.join(missing)}")
        for line, raw in records:
            row: dict[str, str | None] = {}
            for k, v in raw.items():
                src, text = (k or "").strip(), (v or "").strip()
                row[src] = None if _blank(profile, src, text) else text
            why = _left_out(profile, row)
            if why is not None:
                out.left_out[why] = out.left_out.get(why, 0) + 1
                continue
            try:
                values = _row_values(profile, row, types, ids)
                _derive(profile, values, row, types)
            except _Problem as problem:
                out.reject(line, problem.fld, problem.value, problem.reason)
                continue
            except ValueError:
                out.reject(line, None, None, "a derived value could not be computed (see the profile's derived)")
                continue
            out.add(line, **values)
    return out


@contextmanager
def _records(path: Path, profile: MappingProfile) -> Iterator[tuple[list[str], Iterator[tuple[int, dict[str, str]]]]]:
    """The file's header and (line, column -> text) rows: a CSV after its skipped lines, or a workbook's sheet."""
    if workbook.is_workbook(path):
        try:
            yield workbook.sheet_rows(path, profile.sheet, profile.skip_rows)
        except workbook.WorkbookError as err:
            raise FormatError(str(err)) from None
        return
    with open_text(path) as fh:
        for _ in range(profile.skip_rows):
            fh.readline()
        reader = csv.DictReader(fh, delimiter=profile.delimiter)
        header = [h.strip() for h in (reader.fieldnames or [])]
        yield header, ((reader.line_num + profile.skip_rows, {(k or ""): (v or "") for k, v in raw.items()})
                       for raw in reader)


def raw_records(path: Path, profile: MappingProfile, limit: int) -> list[tuple[int, dict[str, str]]]:
    """The file's first `limit` rows as the profile reads them, before any of its rules (for inspect)."""
    with _records(path, profile) as (_header, records):
        found: list[tuple[int, dict[str, str]]] = []
        for item in records:
            if len(found) >= limit:
                break
            found.append(item)
        return found


def _row_values(profile: MappingProfile, row: dict[str, str | None], types: dict[str, str],
                ids: IdMap) -> dict[str, str | None]:
    values: dict[str, str | None] = dict(profile.constants)
    for col, srcs in profile.joined.items():
        parts = [row.get(s) for s in srcs]
        values[col] = "-".join(p for p in parts if p) if any(parts) else None
    for src, dsts in profile.columns.items():
        for dst in _targets(dsts):
            value = row.get(src)
            if value is not None and dst in profile.codes:
                value = profile.codes[dst].get(value, value)
            if value is not None and dst in ID_COLUMNS:
                value = ids.get(ID_COLUMNS[dst], value)
            try:
                if value is not None and types.get(dst) == "instant":
                    value = _instant(profile, src, value, row)
                elif value is not None and dst.endswith("_s") and types.get(dst) == "float":
                    value = _duration(value, profile.duration_format)
            except ValueError:
                raise _Problem(src, value, f"not a {'date-time' if types.get(dst) == 'instant' else 'duration'} "
                                           "in the profile's format") from None
            values[dst] = value
    return values
