"""Interval aggregates from systems without detail (Avaya CMS, Genesys summaries), added to the same facts."""

from __future__ import annotations

import duckdb

from loaders.facts.grid import Grid
from loaders.facts.insert import insert
from loaders.facts.window import GRID
from semantic import AGENT, HANDLE, QUEUE, TIME_COLUMNS, FactTable

# An aggregate carries a duration for all its handled contacts or for none (a CMS report without hold data).
KNOWN = ", ".join(f"CASE WHEN x.{m}_s IS NOT NULL THEN round(x.handled) END AS {m}_known" for m in ("talk", "hold", "acw"))

# What interval aggregates add to each fact table: SELECTs naming the fact table's label columns they know,
# `interval_start`, and the measures they carry (whole counts rounded).
SOURCES: dict[str, list[str]] = {
    QUEUE.name: ["""
        SELECT x.site_id, x.queue_id, q.call_type, q.channel, x.interval_start,
               round(x.offered) AS offered, round(x.answered) AS answered, round(x.answered_within) AS answered_within,
               round(x.abandoned) AS abandoned, round(x.abandoned_within) AS abandoned_within,
               round(x.short_abandons) AS short_abandons, x.wait_answered_s, x.wait_abandoned_s,
               CASE WHEN x.wait_abandoned_s IS NOT NULL THEN round(x.abandoned) END AS abandoned_timed
        FROM queue_intervals x JOIN queues q USING (queue_id)"""],
    HANDLE.name: [f"""
        SELECT x.site_id, x.queue_id, q.call_type, q.channel, x.interval_start, round(x.handled) AS handled,
               x.talk_s, x.hold_s, x.acw_s, {KNOWN}
        FROM queue_intervals x JOIN queues q USING (queue_id) WHERE x.handled IS NOT NULL""", f"""
        SELECT a.site_id, a.team_id, x.agent_id, x.channel, x.interval_start, round(x.handled) AS handled,
               x.talk_s, x.hold_s, x.acw_s, round(x.held) AS held, round(x.transferred) AS transferred, {KNOWN}
        FROM agent_intervals x JOIN agents a USING (agent_id) WHERE x.handled IS NOT NULL"""],
    AGENT.name: ["""
        SELECT a.site_id, a.team_id, x.agent_id, x.interval_start, x.state_available_s, x.state_on_contact_s,
               x.state_acw_s, x.state_break_s, x.state_lunch_s, x.state_aux_s
        FROM agent_intervals x JOIN agents a USING (agent_id)"""],
}


def add(con: duckdb.DuckDBPyConnection, table: FactTable, grid: Grid) -> None:
    """Each aggregate row in the grid cell where its interval starts; measures it does not carry are zero, so
    sums across sources stay whole."""
    if table.name not in SOURCES or not con.execute(
            "SELECT count(*) FROM (SELECT 1 FROM queue_intervals UNION ALL SELECT 1 FROM agent_intervals LIMIT 1)"
    ).fetchall()[0][0]:
        return
    for source in SOURCES[table.name]:
        given = set(con.sql(f"SELECT * FROM ({source})").columns)  # noqa: S608 - declared above
        picks = [f"g.{c} AS {c}" for c, _ in TIME_COLUMNS]
        keys = [f"g.{c}" for c, _ in TIME_COLUMNS]
        for c in table.label_columns:
            picks.append(f"x.{c} AS {c}" if c in given else f"NULL AS {c}")
            if c in given:
                keys.append(f"x.{c}")
        picks += [f"coalesce(sum(x.{m}), 0) AS {m}" if m in given else f"0 AS {m}" for m in table.measure_names]
        insert(con, table, f"""
            SELECT {', '.join(picks)}
            FROM ({source}) x
            JOIN {grid.cells} g ON g.site_id = x.site_id AND g.grid = time_bucket({GRID}, x.interval_start)
            GROUP BY {', '.join(keys)}""")
