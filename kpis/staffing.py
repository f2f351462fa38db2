"""Required staff from Erlang C where the loaded forecast carries no requirement of its own."""

from __future__ import annotations

from functools import lru_cache

import duckdb
import pandas as pd

from kpis.erlang import required_agents
from settings import Settings


@lru_cache(maxsize=65536)
def _agents(contacts: float, minutes: int, aht_s: float, target: float, threshold_s: float) -> int:
    if contacts <= 0 or aht_s <= 0:
        return 0
    return required_agents(contacts, minutes, aht_s, target, threshold_s).agents


def erlang_requirement(con: duckdb.DuckDBPyConnection, settings: Settings, dims_sql: list[str], dims: list[str],
                       where_sql: str, params: list[object]) -> pd.DataFrame:
    """Agent-seconds required per group, from forecast volume and AHT, for intervals with no requirement.

    Each site-queue-interval is sized on its own (Erlang C is not additive) against the queue's SL target
    and threshold (or the configured ones), then the agent-seconds are summed per group.
    """
    minutes = int(settings.data.interval_minutes)
    sql = f"""
        SELECT {', '.join(dims_sql + [''])} f.forecast_contacts AS contacts,
               f.forecast_workload_s / nullif(f.forecast_contacts, 0) AS aht_s,
               coalesce(q.sl_target, ?) / 100.0 AS target, coalesce(q.sl_threshold_s, ?) AS threshold_s
        FROM fact_forecast_interval f LEFT JOIN queues q USING (queue_id)
        WHERE f.required_agent_s IS NULL AND f.forecast_contacts > 0 AND {where_sql}"""  # noqa: S608
    target = settings.targets.get("service_level")
    sl_target = target.target if target else 80.0
    rows = con.execute(sql, [sl_target, settings.service_level.threshold_s] + params).df()
    if rows.empty:
        return pd.DataFrame(columns=dims + ["erlang_agent_s"])
    rows["erlang_agent_s"] = [
        _agents(round(float(c), 2), minutes, round(float(a), 1), min(float(t), 0.999), float(th)) * minutes * 60
        for c, a, t, th in zip(rows.contacts, rows.aht_s, rows.target, rows.threshold_s, strict=True)]
    if not dims:
        return pd.DataFrame({"erlang_agent_s": [rows.erlang_agent_s.sum()]})
    return rows.groupby(dims, dropna=False, as_index=False).erlang_agent_s.sum()
