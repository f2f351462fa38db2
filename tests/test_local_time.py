"""Exports in site-local time (no offsets) load to the same instants as the same exports in UTC."""

from __future__ import annotations

import shutil
from datetime import date, datetime

import pytest

import store
from demo import DemoSpec, generate
from demo.sitetime import rewrite_in_site_time
from loaders import load_paths
from loaders.localtime import build_shifts, shift_join, utc_of
from settings import load_settings
from tests.conftest import REPO, rows

TABLES = ("contacts", "agent_states", "schedule", "forecast", "surveys", "fact_agent_interval",
          "fact_queue_interval", "fact_handle_interval", "fact_forecast_interval", "fact_survey_interval")


def _loaded(folder, tmp_path, name):
    settings = load_settings(REPO / "config.toml", database={"path": tmp_path / f"{name}.duckdb"})
    con = store.connect(settings.db_path)
    results = load_paths(con, [folder], settings)
    assert [(r.status, r.rows_rejected) for r in results] == [("loaded", 0)] * len(results)
    return con


def _differences(con, table):
    cols = ", ".join(c for (c, *_) in con.execute(f"DESCRIBE {table}").fetchall() if c != "load_id")
    return rows(con, f"SELECT * FROM (SELECT {cols} FROM {table} EXCEPT ALL SELECT {cols} FROM local_db.{table}) "
                     f"UNION ALL SELECT * FROM (SELECT {cols} FROM local_db.{table} EXCEPT ALL SELECT {cols} FROM {table})")


def test_a_centre_exported_in_site_local_time_loads_like_the_same_centre_in_utc(tmp_path):
    # Two weeks over both autumn DST changes of 2026: Europe on Sun 25 Oct, New York on Sun 1 Nov.
    utc = tmp_path / "utc"
    generate(DemoSpec(out=utc, agents=60, days=14, end=date(2026, 11, 5)))
    local = tmp_path / "local"
    shutil.copytree(utc, local)
    rewrite_in_site_time(local)
    assert "Z" not in (local / "agent_states.csv").read_text().splitlines()[1]

    con = _loaded(utc, tmp_path, "utc")
    _loaded(local, tmp_path, "local").close()
    con.execute("ATTACH ? AS local_db (READ_ONLY)", [str(tmp_path / "local.duckdb")])
    for table in TABLES:
        if table != "surveys":
            assert _differences(con, table) == [], table
    # A survey answered in New York's repeated hour (01:00-02:00 on 1 Nov) is read as the later 01:xx (EST),
    # an hour after the EDT instant the UTC file gave.
    moved = rows(con, """SELECT u.response_id, l.responded_at - u.responded_at FROM surveys u
                         JOIN local_db.surveys l USING (response_id) WHERE l.responded_at <> u.responded_at""")
    assert all(shift.total_seconds() == 3600 for _, shift in moved)
    assert all(datetime(2026, 11, 1, 5) <= at < datetime(2026, 11, 1, 6) for at, in rows(
        con, "SELECT responded_at FROM surveys WHERE response_id IN (SELECT unnest(?))", [[r for r, _ in moved]]))


@pytest.mark.parametrize(("zone", "year"), [
    ("Europe/London", 2026), ("America/New_York", 2026), ("Australia/Sydney", 2026), ("Australia/Lord_Howe", 2026),
    ("America/St_Johns", 2026), ("Asia/Kathmandu", 2026), ("Pacific/Chatham", 2026), ("America/Moncton", 2005)])
def test_the_shift_table_gives_the_instant_icu_gives_for_every_minute_of_a_year(con, zone, year):
    # Lord Howe moves 30 minutes, St John's is UTC-3:30, Kathmandu +5:45, Chatham +12:45/+13:45; Moncton changed
    # at 00:01 local until 2006, so two of its quarter-hours that year are left to ICU.
    con.execute("CREATE OR REPLACE TEMP TABLE sites AS SELECT 'X' AS site_id, 'x' AS name, ? AS timezone", [zone])
    build_shifts(con, datetime(year, 1, 1), datetime(year, 12, 31, 23, 59))
    con.execute("""CREATE TEMP TABLE walls AS SELECT unnest(generate_series(make_timestamp(?, 1, 1, 0, 0, 0),
                   make_timestamp(?, 12, 31, 23, 59, 0), INTERVAL 1 MINUTE)) AS wall, ? AS zone""", [year, year, zone])
    differ, by_icu = rows(con, f"""
        SELECT count(*) FILTER ({utc_of('w.wall', 'w.zone', 's')} <> timezone('UTC', timezone(w.zone, w.wall))),
               count(*) FILTER (s.shift IS NULL)
        FROM walls w {shift_join('s', 'w.wall', 'w.zone')}""")[0]
    assert differ == 0
    assert by_icu == (2 * 15 if zone == "America/Moncton" else 0)


def test_hand_worked_local_times_at_the_london_changes(con):
    con.execute("CREATE OR REPLACE TEMP TABLE sites AS SELECT 'LDN' AS site_id, 'x' AS name, 'Europe/London' AS timezone")
    build_shifts(con, datetime(2026, 3, 29), datetime(2026, 10, 26))
    walls = [datetime(2026, 3, 29, 0, 59), datetime(2026, 3, 29, 1, 30),  # before the gap; in it (the GMT offset)
             datetime(2026, 3, 29, 2, 0),  # after the gap: BST
             datetime(2026, 7, 1, 12, 0),  # summer: BST, UTC+1
             datetime(2026, 10, 25, 0, 30), datetime(2026, 10, 25, 1, 30)]  # BST; the repeated hour, read as GMT
    con.execute("CREATE TEMP TABLE walls AS SELECT unnest(?::TIMESTAMP[]) AS wall, 'Europe/London' AS zone", [walls])
    got = rows(con, f"SELECT {utc_of('w.wall', 'w.zone', 's')} FROM walls w {shift_join('s', 'w.wall', 'w.zone')} "
                    "ORDER BY w.wall")
    assert [g for (g,) in got] == [datetime(2026, 3, 29, 0, 59), datetime(2026, 3, 29, 1, 30),
                                   datetime(2026, 3, 29, 1, 0), datetime(2026, 7, 1, 11, 0),
                                   datetime(2026, 10, 24, 23, 30), datetime(2026, 10, 25, 1, 30)]
