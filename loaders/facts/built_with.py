"""The settings each fact table's numbers are built with, remembered beside the facts.

A threshold is counted into the facts when they are built (answered within the service-level threshold, short
abandons, the FCR window, forgiven adherence runs, the interval length). So that a setting asked for is the
setting used, each table's settings are kept in `meta` when its whole history is built; a table built with
other settings than the configuration's is rebuilt over its whole history by the next build (a load, the
serving app's start, `floorview refresh`), and a read-only reader (`floorview kpi`) is told which value its
figures still use.
"""

from __future__ import annotations

import json

import duckdb

from semantic import AGENT, FORECAST, HANDLE, QUEUE, SURVEY
from settings import Settings

_KEY = "facts_built_with:"


def of(settings: Settings) -> dict[str, dict[str, object]]:
    """Per fact table: the settings (by their config.toml name) its builder counts into the facts."""
    common: dict[str, object] = {"data.interval_minutes": int(settings.data.interval_minutes)}
    return {
        QUEUE.name: {**common, "service_level.threshold_s": int(settings.service_level.threshold_s),
                     "service_level.short_abandon_s": int(settings.service_level.short_abandon_s)},
        HANDLE.name: {**common, "fcr.window_days": int(settings.fcr.window_days)},
        AGENT.name: {**common, "adherence.exception_threshold_s": int(settings.adherence.exception_threshold_s)},
        FORECAST.name: common,
        SURVEY.name: common,
    }


def stored(con: duckdb.DuckDBPyConnection) -> dict[str, dict[str, object]]:
    return {key.removeprefix(_KEY): json.loads(value) for key, value in con.execute(
        "SELECT key, value FROM meta WHERE starts_with(key, ?)", [_KEY]).fetchall()}


def stale(con: duckdb.DuckDBPyConnection, settings: Settings) -> tuple[str, ...]:
    """The fact tables whose facts were built with other settings than these (or never recorded)."""
    have = stored(con)
    return tuple(table for table, wanted in of(settings).items() if have.get(table) != wanted)


def record(con: duckdb.DuckDBPyConnection, settings: Settings, tables: tuple[str, ...]) -> None:
    """After these tables' whole history was built with `settings`."""
    wanted = of(settings)
    for table in tables:
        con.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", [_KEY + table, json.dumps(wanted[table])])


def differences(con: duckdb.DuckDBPyConnection, settings: Settings) -> list[str]:
    """In words, each setting whose value in the stored facts differs from the configuration's."""
    found: dict[str, str] = {}
    for table, built in stored(con).items():
        for name, value in of(settings).get(table, {}).items():
            if built.get(name) != value:
                found[name] = f"{name}: the stored facts use {built.get(name)}, the configuration asks for {value}"
    return list(found.values())
