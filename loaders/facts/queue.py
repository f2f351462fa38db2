"""Queue facts: contacts offered, answered and abandoned, counted in the interval they were offered."""

from __future__ import annotations

import duckdb

from loaders.facts.grid import Grid
from loaders.facts.insert import insert
from loaders.facts.window import GRID
from semantic import QUEUE
from settings import Settings


def build(con: duckdb.DuckDBPyConnection, settings: Settings, grid: Grid) -> None:
    sl = settings.service_level
    measures = ", ".join(f"{m.builder.format(short_abandon_s=int(sl.short_abandon_s))} AS {m.name}"
                         for m in QUEUE.measures)
    # Counted per grid cell first, so the grid labels are joined to a few rows per cell instead of every contact.
    insert(con, QUEUE, f"""
        SELECT x.site_id, x.queue_id, x.call_type, x.channel, g.interval_utc,
               any_value(g.interval_local) AS interval_local, any_value(g.date_local) AS date_local,
               any_value(g.interval_fold) AS interval_fold,
               {', '.join(f'sum(x.{m}) AS {m}' for m in QUEUE.measure_names)}
        FROM (
            SELECT c.site_id, c.queue_id, c.call_type, c.channel, c.grid, {measures}
            FROM (
                SELECT c.site_id, c.queue_id, coalesce(c.call_type, q.call_type) AS call_type,
                       coalesce(c.channel, q.channel) AS channel, c.answered_at,
                       epoch(coalesce(c.answered_at, c.ended_at) - c.offered_at) AS wait_s,
                       coalesce(q.sl_threshold_s, {int(sl.threshold_s)}) AS threshold_s,
                       time_bucket({GRID}, c.offered_at) AS grid
                FROM contacts c JOIN queues q USING (queue_id) JOIN {grid.sites} w ON w.site_id = c.site_id
                WHERE c.offered_at >= w.w0 AND c.offered_at < w.w1
                  AND (c.initial_contact_id IS NULL OR c.initial_contact_id = c.contact_id)
                  AND coalesce(lower(c.direction), 'inbound') <> 'outbound'
            ) c
            GROUP BY ALL
        ) x
        JOIN {grid.cells} g ON g.site_id = x.site_id AND g.grid = x.grid
        GROUP BY x.site_id, x.queue_id, x.call_type, x.channel, g.interval_utc""")
