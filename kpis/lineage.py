"""Which interval-fact tables a KPI is computed from, so a page can say when a KPI's own source is stale."""

from __future__ import annotations

from kpis.catalogue import resolve
from kpis.measures import MEASURES, SOURCES
from settings import Settings

# The fact tables are the sources that are plain tables; a derived source (forecast accuracy) is SQL over them.
FACT_TABLES = frozenset(s.table for s in SOURCES.values() if s.table.isidentifier())


def fact_tables_of(kpi_id: str, settings: Settings) -> frozenset[str]:
    kpi = resolve(kpi_id, settings)
    parts = [kpi, *(resolve(p, settings) for p in (kpi.difference_of or ()))]
    measures = set().union(*(p.measures() for p in parts))
    return frozenset(t for m in measures if m in MEASURES for t in FACT_TABLES if t in SOURCES[MEASURES[m][0]].table)
