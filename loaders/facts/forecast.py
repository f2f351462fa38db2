"""Forecast facts: forecast volume, workload and requirement per site-local interval."""

from __future__ import annotations

import duckdb

from loaders.facts.grid import Grid
from loaders.facts.insert import insert
from loaders.facts.window import GRID
from semantic import FORECAST


def build(con: duckdb.DuckDBPyConnection, grid: Grid) -> None:
    # A forecast interval longer than the grid is spread evenly over its quarter-hours.
    insert(con, FORECAST, f"""
        SELECT x.site_id, x.queue_id, q.call_type, q.channel,
               g.interval_utc, g.interval_local, g.date_local, g.interval_fold,
               {', '.join(f"{m.builder} AS {m.name}" for m in FORECAST.measures)}
        FROM (
            SELECT f.*, 15.0 / f.interval_minutes AS share,
                   unnest(generate_series(f.interval_start,
                          f.interval_start + to_minutes(f.interval_minutes) - INTERVAL 1 MICROSECOND, {GRID})) AS grid
            FROM forecast f JOIN {grid.sites} w USING (site_id)
            WHERE f.interval_start < w.w1 AND f.interval_start + to_minutes(f.interval_minutes) > w.w0
        ) x
        JOIN queues q ON q.queue_id = x.queue_id
        JOIN {grid.cells} g ON g.site_id = x.site_id AND g.grid = x.grid
        GROUP BY ALL""")
