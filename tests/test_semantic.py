"""The semantic model (semantic.py): the schema, the KPI measures and the builders follow its one declaration,
and agent counts roll up the way a control desk reads them (hand-worked)."""

from __future__ import annotations

from datetime import date

import pytest

import semantic
import store
from kpis.compute import Period, compute
from kpis.measures import ADDITIVE, MEASURES, SOURCES
from loaders import facts, load_file
from loaders.facts.insert import BuilderMismatch, insert
from tests.conftest import rows, write

DAY = Period(date(2026, 11, 3), date(2026, 11, 3))


def load(con, settings, tmp_path, name, text):
    result = load_file(con, write(tmp_path, name, text), settings)
    assert result.status == "loaded" and result.rows_rejected == 0, result


def test_the_migrated_schema_is_the_declared_one(con):
    for table in semantic.FACTS:
        assert store.fact_columns(con, table.name) == list(table.columns), table.name
    assert store.FACT_TABLES == facts.ALL_FACTS == semantic.FACT_TABLES


def test_every_stored_measure_is_a_kpi_measure_of_its_own_source():
    for table in semantic.FACTS:
        for m in table.measure_names:
            assert MEASURES[m] == (table.source, f"sum({m})")
        assert SOURCES[table.source].table == table.name
        assert SOURCES[table.source].dims == frozenset(table.labels)
    assert "agent_interval_s" not in ADDITIVE and "staffed_s" in ADDITIVE


def test_a_fact_table_whose_columns_differ_from_the_model_is_recreated_and_rebuilt(roster, settings, tmp_path):
    load(roster, settings, tmp_path, "states.csv",
         "agent_id,state,start_at,end_at\nA1,meeting,2026-11-03T14:00:00Z,2026-11-03T14:10:00Z\n")
    expected = rows(roster, "SELECT agent_id, interval_utc, state_meeting_s FROM fact_agent_interval")
    assert expected
    # As a database built before a measure was declared: the column is missing.
    roster.execute("ALTER TABLE fact_agent_interval DROP COLUMN interval_fold")
    store.migrate(roster)
    assert store.fact_columns(roster, "fact_agent_interval") == list(semantic.AGENT.columns)
    assert facts.pending(roster, settings)
    from loaders.run import build_backlog
    build_backlog(roster, settings)
    assert rows(roster, "SELECT agent_id, interval_utc, state_meeting_s FROM fact_agent_interval") == expected
    assert not facts.pending(roster, settings)


def test_a_builder_that_forgets_a_declared_column_fails_loudly(con):
    select = "SELECT " + ", ".join(f"NULL AS {c}" for c, _ in semantic.QUEUE.columns if c != "abandoned")
    with pytest.raises(BuilderMismatch, match=r"missing \['abandoned'\]"):
        insert(con, semantic.QUEUE, select)


def test_each_state_and_activity_lands_in_its_own_column(roster, settings, tmp_path):
    """The reviewer's mutation (meeting time stored as coaching) is caught here: 10 min meeting, 5 min coaching,
    scheduled as 15 min meeting then 15 min coaching."""
    load(roster, settings, tmp_path, "schedule.csv", "agent_id,activity,start_at,end_at\n"
         "A1,meeting,2026-11-03T14:00:00Z,2026-11-03T14:15:00Z\n"
         "A1,coaching,2026-11-03T14:15:00Z,2026-11-03T14:30:00Z\n")
    load(roster, settings, tmp_path, "states.csv", "agent_id,state,start_at,end_at\n"
         "A1,meeting,2026-11-03T14:00:00Z,2026-11-03T14:10:00Z\n"
         "A1,lunch,2026-11-03T14:10:00Z,2026-11-03T14:15:00Z\n"
         "A1,coaching,2026-11-03T14:15:00Z,2026-11-03T14:20:00Z\n")
    got = rows(roster, """SELECT sum(state_meeting_s), sum(state_coaching_s), sum(state_lunch_s),
                                 sum(sched_meeting_s), sum(sched_coaching_s), sum(adherent_s)
                          FROM fact_agent_interval""")
    assert got == [(600, 300, 300, 900, 900, 900)]


# --- non-additive agent counts -----------------------------------------------------------------------------
# New York (UTC-5 on 3 Nov) has A1 and A2 on hand 09:00-10:00 local; London (UTC+0) has L1 09:00-11:00 local.
# Per local interval the sites add up: 3 agents at 09:00-10:00, 1 at 10:00-11:00. Over the day, the average of
# those eight quarter-hour totals is (4 × 3 + 4 × 1) ÷ 8 = 2.0 agents. New York alone: 2.0; London: 1.0.
# (Counting UTC intervals instead, the centre's day is 12 quarter-hours long and it would read 1.33.)
STAFFED = ("agent_id,state,start_at,end_at\n"
           "A1,available,2026-11-03T14:00:00Z,2026-11-03T15:00:00Z\n"
           "A2,on_contact,2026-11-03T14:00:00Z,2026-11-03T15:00:00Z\n"
           "L1,available,2026-11-03T09:00:00Z,2026-11-03T11:00:00Z\n")


def _on_hand(con, settings, by=()):
    got = compute(con, settings, ["on_hand_agents"], DAY, by=by)
    return {tuple(r[d] for d in by): round(r["value"], 4) for r in got.to_dict("records")}


def test_agents_on_hand_add_up_per_local_interval_and_average_over_the_day(roster, settings, tmp_path):
    load(roster, settings, tmp_path, "states.csv", STAFFED)
    assert _on_hand(roster, settings) == {(): 2.0}
    assert _on_hand(roster, settings, ("site",)) == {("NYC",): 2.0, ("LDN",): 1.0}
    chart = _on_hand(roster, settings, ("time_of_day",))
    assert chart == {(f"{h:02d}:{m:02d}",): (3.0 if h == 9 else 1.0) for h in (9, 10) for m in (0, 15, 30, 45)}
    assert sum(chart.values()) / len(chart) == 2.0  # the centre's figure is the average of its chart


def test_on_the_utc_clock_sites_add_up_at_the_same_instant(roster, settings, tmp_path):
    load(roster, settings, tmp_path, "states.csv", STAFFED)
    chart = _on_hand(roster, settings, ("time_of_day_utc",))
    assert chart[("09:00",)] == 1.0 and chart[("14:00",)] == 2.0 and len(chart) == 12


def test_a_dst_fall_back_hour_counts_twice_on_the_local_clock(roster, settings, tmp_path):
    """New York falls back on 1 Nov 2026: 01:00-02:00 local happens twice. One agent on hand through both
    passes is one agent on hand in each of 8 quarter-hours, not two agents in four."""
    load(roster, settings, tmp_path, "states.csv",
         "agent_id,state,start_at,end_at\nA1,available,2026-11-01T05:00:00Z,2026-11-01T07:00:00Z\n")
    day = Period(date(2026, 11, 1), date(2026, 11, 1))
    got = compute(roster, settings, ["on_hand_agents"], day)
    assert got.value.iloc[0] == pytest.approx(1.0)
    intervals = rows(roster, "SELECT interval_fold, count(*) FROM fact_agent_interval GROUP BY 1 ORDER BY 1")
    assert intervals == [(0, 4), (1, 4)]


ADD_A_CATEGORY = r'''
import sys
from datetime import date
from pathlib import Path

import store
from kpis.compute import Period, Scope, compute
from loaders import load_file
from settings import load_settings

repo, folder = Path(sys.argv[1]), Path(sys.argv[2])
settings = load_settings(repo / "config.toml", database={"path": folder / "x.duckdb"},
                         states={"outbound": "outbound"})
con = store.connect(settings.db_path)
files = {
    "sites.csv": "site_id,name,timezone\nNYC,New York,America/New_York\n",
    "teams.csv": "team_id,name,site_id\nT1,Falcon,NYC\n",
    "agents.csv": "agent_id,name,team_id,site_id\nA1,Ann,T1,NYC\n",
    "states.csv": "agent_id,state,start_at,end_at\nA1,outbound,2026-11-03T14:00:00Z,2026-11-03T14:10:00Z\n"
                  "A1,break,2026-11-03T14:10:00Z,2026-11-03T14:15:00Z\n",
}
for name, text in files.items():
    (folder / name).write_text(text)
    assert load_file(con, folder / name, settings).rows_rejected == 0, name
print(con.execute("SELECT sum(state_outbound_s), sum(state_break_s) FROM fact_agent_interval").fetchall()[0])
got = compute(con, settings, ["on_hand_agents"], Period(date(2026, 11, 3), date(2026, 11, 3)), scope=Scope())
print(round(got.value.iloc[0], 4))
'''


def test_adding_a_state_category_is_one_declaration_and_a_vocabulary_entry(tmp_path):
    """A copy of semantic.py with one more category (outbound calling, counted as on hand) ahead of the real one
    on the path; the vocabulary maps the code. Nothing else is edited."""
    import subprocess
    import sys

    from tests.conftest import REPO

    patched = tmp_path / "model"
    patched.mkdir()
    text = (REPO / "semantic.py").read_text()
    anchor = '    StateCategory("offline", staffed=False),\n'
    assert anchor in text
    (patched / "semantic.py").write_text(text.replace(anchor, anchor + '    StateCategory("outbound", productive=True),\n'))
    env = {"PYTHONPATH": f"{patched}:{REPO}", "PATH": "/usr/bin:/bin"}
    done = subprocess.run([sys.executable, "-c", ADD_A_CATEGORY, str(REPO), str(tmp_path)], env=env,
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    sums, on_hand = done.stdout.strip().splitlines()
    assert sums == "(600.0, 300.0)"
    assert on_hand == str(round(600 / 900, 4))  # 10 of the quarter-hour's 15 minutes on hand (outbound)


def test_the_app_rebuilds_facts_the_model_changed_when_it_starts(roster, settings, tmp_path):
    """The serving process's ingest worker builds a pending full rebuild first, before any load arrives."""
    import time

    from live.worker import IngestWorker

    load(roster, settings, tmp_path, "states.csv",
         "agent_id,state,start_at,end_at\nA1,available,2026-11-03T14:00:00Z,2026-11-03T14:30:00Z\n")
    expected = rows(roster, "SELECT sum(state_available_s) FROM fact_agent_interval")
    roster.execute("ALTER TABLE fact_agent_interval DROP COLUMN interval_fold")
    roster.close()
    db = store.Database(settings.db_path)  # migrates: the table is recreated, empty, and a rebuild is pending
    try:
        with db.session() as cur:
            assert facts.pending(cur, settings) and rows(cur, "SELECT count(*) FROM fact_agent_interval") == [(0,)]
        worker = IngestWorker(db, settings).start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with db.session() as cur:
                if not facts.pending(cur, settings):
                    break
            time.sleep(0.1)
        with db.session() as cur:
            assert not facts.pending(cur, settings)
            assert rows(cur, "SELECT sum(state_available_s) FROM fact_agent_interval") == expected == [(1800.0,)]
        worker.stop()
    finally:
        db.close()
