"""Which interval-fact tables a KPI is computed from, so a page can say when a KPI's own source is stale."""

from __future__ import annotations

from kpis.catalogue import resolve
from kpis.measures import MEASURES, SOURCES
from semantic import FACT_TABLES
from settings import Settings


def fact_tables_of(kpi_id: str, settings: Settings) -> frozenset[str]:
    kpi = resolve(kpi_id, settings)
    parts = [kpi, *(resolve(p, settings) for p in (kpi.difference_of or ()))]
    measures = set().union(*(p.measures() for p in parts))
    return frozenset(t for m in measures if m in MEASURES for t in FACT_TABLES
                     if t in SOURCES[MEASURES[m][0]].table)
