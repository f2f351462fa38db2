"""Survey facts: answers attributed to the contact's agent, queue and answered interval when known."""

from __future__ import annotations

import duckdb

from loaders.facts.grid import Grid
from loaders.facts.insert import insert
from loaders.facts.window import GRID, survey_site
from semantic import SURVEY


def build(con: duckdb.DuckDBPyConnection, grid: Grid) -> None:
    insert(con, SURVEY, f"""
        SELECT x.site_id, a.team_id, x.agent AS agent_id, x.queue_id, x.call_type, x.channel,
               g.interval_utc, g.interval_local, g.date_local, g.interval_fold,
               {', '.join(f"{m.builder} AS {m.name}" for m in SURVEY.measures)}
        FROM (
            SELECT v.nps, v.csat, v.resolved, v.comment, coalesce(v.agent_id, c.agent_id) AS agent,
                   -- the agent's site, the contact's, the response's own, or the centre's only site
                   {survey_site("ag.site_id", "c.site_id", "v.site_id")} AS site_id, c.queue_id,
                   coalesce(c.call_type, q.call_type) AS call_type, coalesce(c.channel, q.channel) AS channel,
                   time_bucket({GRID}, coalesce(c.answered_at, v.responded_at)) AS grid
            FROM surveys v
            LEFT JOIN contacts c ON c.contact_id = v.contact_id
            LEFT JOIN queues q ON q.queue_id = c.queue_id
            LEFT JOIN agents ag ON ag.agent_id = coalesce(v.agent_id, c.agent_id)
            -- A response comes after its contact, so earlier responses cannot fall in the window (a day's grace
            -- for clocks that disagree).
            WHERE v.responded_at >= (SELECT min(w0) FROM {grid.sites}) - INTERVAL 1 DAY
        ) x
        LEFT JOIN agents a ON a.agent_id = x.agent
        JOIN {grid.cells} g ON g.site_id = x.site_id AND g.grid = x.grid
        GROUP BY ALL""")
