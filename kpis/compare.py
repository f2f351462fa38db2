"""Adherence as another system reports it (table vendor_adherence) beside Floorview's own, per agent and period.

Differences usually come from the definition (work outside the shift, exception thresholds, which states
satisfy which activity; see docs/KPI-CATALOGUE.md), so each row shows both figures and the gap in points.
"""

from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd

from kpis.compute import Period, Scope, compute
from settings import Settings


def adherence_comparison(con: duckdb.DuckDBPyConnection, settings: Settings, start: date, end: date,
                         scope: Scope | None = None) -> pd.DataFrame:
    """One row per vendor figure inside [start, end]: agent, period, source, vendor %, Floorview %, gap (pts)."""
    vendor = con.execute("""
        SELECT v.agent_id, a.name AS agent, a.team_id, a.site_id, v.source, v.period_start, v.period_end,
               v.adherence_pct
        FROM vendor_adherence v JOIN agents a USING (agent_id)
        WHERE v.period_start >= ? AND v.period_end <= ?
        ORDER BY v.period_start, a.name""", [start, end]).df()
    for dim, values in (scope or Scope()).filters().items():
        if dim in ("agent", "team", "site"):
            vendor = vendor[vendor[f"{dim}_id"].isin(values)]
    ours = {}
    for (first, last), group in vendor.groupby(["period_start", "period_end"]):
        period = Period(pd.Timestamp(first).date(), pd.Timestamp(last).date())
        agents = tuple(group.agent_id.unique())
        result = compute(con, settings, ["adherence"], period, by=["agent"], scope=Scope(agent=agents))
        ours.update({(a, first, last): v for a, v in zip(result.agent, result.value, strict=True)})
    vendor["floorview_pct"] = [ours.get((a, f, t)) for a, f, t in
                               zip(vendor.agent_id, vendor.period_start, vendor.period_end, strict=True)]
    vendor["gap_pts"] = vendor.floorview_pct - vendor.adherence_pct
    vendor = vendor.drop(columns=["team_id", "site_id"])
    return vendor.rename(columns={"adherence_pct": "vendor_pct"}).reset_index(drop=True)
