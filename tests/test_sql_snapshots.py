"""Snapshots (syrupy) of the SQL Floorview generates: the fact tables' DDL from the semantic model, the fact
builders' statements and the KPI queries of a few representative KPIs.

A change to any of them shows up here as a diff to review; when it is meant, accept it with
`.venv/bin/pytest tests/test_sql_snapshots.py --snapshot-update` and commit the updated snapshot file.
"""

from __future__ import annotations

from datetime import date

import pytest

import semantic
from kpis.compute import Period, Scope, plan_for, query_sql
from loaders import facts, load_file
from loaders.facts import insert as insert_module
from tests.conftest import write

DAY = Period(date(2026, 11, 3), date(2026, 11, 3))


def tidy(sql: str) -> str:
    """One statement, its lines stripped of indentation and blank lines (layout is not what is reviewed)."""
    return "\n".join(line.strip() for line in sql.strip().splitlines() if line.strip())


def test_fact_table_ddl(snapshot):
    assert "\n".join(f.ddl() for f in semantic.FACTS) == snapshot


@pytest.mark.parametrize(("kpi", "by", "scope"), [
    ("service_level", ("site",), Scope()),
    ("aht", ("agent",), Scope(team=("T1",))),
    ("adherence", ("time_of_day",), Scope(site=("NYC",))),
    ("on_hand_agents", (), Scope()),
    ("on_hand_agents", ("interval_utc",), Scope()),
    ("shrinkage_meeting", ("date",), Scope()),
])
def test_kpi_queries(settings, snapshot, kpi, by, scope):
    plan = plan_for([kpi], settings)
    statements = []
    for source, measures in sorted(plan.measures_by_source.items()):
        sql, params = query_sql(settings, source, measures, DAY, by, scope, 900)
        statements.append(f"-- {source}; params {params}\n{tidy(sql)}")
    assert "\n".join(statements) == snapshot


def test_fact_builder_statements(roster, settings, tmp_path, monkeypatch, snapshot):
    """Every builder's SELECT for one site-day, with the temporary relations they read named as built."""
    write(tmp_path, "states.csv", "agent_id,state,start_at,end_at\nA1,available,2026-11-03T14:00:00Z,2026-11-03T14:20:00Z\n")
    assert load_file(roster, tmp_path / "states.csv", settings).status == "loaded"
    seen: list[str] = []
    real = insert_module.insert

    def recording(con, table, select_sql):
        seen.append(f"-- {table.name}\n{tidy(select_sql)}")
        real(con, table, select_sql)

    monkeypatch.setattr(insert_module, "insert", recording)
    for module in ("queue", "handle", "agent", "forecast", "survey", "aggregates"):
        monkeypatch.setattr(f"loaders.facts.{module}.insert", recording, raising=False)
    facts.refresh(roster, settings, window=facts.Window(frozenset({("NYC", date(2026, 11, 3))})))
    assert len(seen) == len(semantic.FACTS)
    assert "\n".join(seen) == snapshot
