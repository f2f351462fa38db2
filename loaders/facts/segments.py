"""Segment tables (agent states, schedule) cut on the 15-minute UTC grid of a refresh window."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from loaders.facts.grid import Grid
from loaders.facts.window import GRID
from semantic import STATES


@dataclass(frozen=True)
class Pieces:
    """The relations the agent builder and its adherence runs share, by name."""

    states: str = "fv_state_pieces"  # view: agent_id, site_id, state, interval…, grid, seg_start, ps, pe
    state_cells: str = "fv_state_cells"  # agent_id, site_id, grid, interval_utc, state_<c>_s per category
    schedule: str = "fv_schedule_pieces"  # agent_id, site_id, activity, paid, interval…, grid, seg_start, ps, pe


def cut_sql(grid: Grid, table: str, extra: str) -> str:
    """WITH clause giving `cut`: a segment table cut on the 15-minute UTC grid, near the window.

    Most segments (a call, a break) lie inside one grid cell: they skip the series expansion.
    """
    cells = f"""generate_series(time_bucket({GRID}, seg.start_at), seg.end_at - INTERVAL 1 MICROSECOND, {GRID})"""
    return f"""
        WITH seg AS NOT MATERIALIZED (  -- read twice rather than stored: a scan is cheaper than a copy
            SELECT seg.agent_id, a.site_id, seg.start_at, seg.end_at, {extra},
                   time_bucket({GRID}, seg.start_at) AS first_cell,
                   time_bucket({GRID}, seg.end_at - INTERVAL 1 MICROSECOND) AS last_cell
            FROM {table} seg JOIN {grid.agents} a USING (agent_id)
            WHERE seg.start_at < a.w1 AND seg.end_at > a.w0),
        cut AS (
            SELECT agent_id, site_id, start_at, end_at, {extra.replace('seg.', '')}, first_cell AS grid
            FROM seg WHERE first_cell = last_cell
            UNION ALL
            SELECT agent_id, site_id, start_at, end_at, {extra.replace('seg.', '')}, unnest({cells}) AS grid
            FROM seg WHERE first_cell <> last_cell)"""


def pieces_sql(grid: Grid, table: str, extra: str) -> str:
    """The pieces of a segment table in the window, each with its interval, its start and end, and the start of
    its segment (with the agent and grid cell, a piece's identity)."""
    return f"""{cut_sql(grid, table, extra)}
        SELECT x.agent_id, x.site_id, {extra.replace('seg.', 'x.')}, g.interval_utc, g.interval_local, g.date_local,
               x.grid, x.start_at AS seg_start, greatest(x.start_at, x.grid) AS ps, least(x.end_at, x.grid + {GRID}) AS pe
        FROM cut x JOIN {grid.cells} g ON g.site_id = x.site_id AND g.grid = x.grid"""


def build(con: duckdb.DuckDBPyConnection, grid: Grid) -> Pieces:
    """State pieces (a view, for what needs their start and end), state seconds per agent and grid cell (an agent
    has a few states a quarter-hour, but often a dozen pieces, so they are summed before the grid labels are
    joined) and schedule pieces."""
    p = Pieces()
    con.execute(f"CREATE OR REPLACE TEMP VIEW {p.states} AS {pieces_sql(grid, 'agent_states', 'seg.state')}")
    by_state = ", ".join(f"sum(CASE WHEN state = '{c}' THEN secs ELSE 0 END) AS state_{c}_s" for c in STATES)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {p.state_cells} AS
        {cut_sql(grid, 'agent_states', 'seg.state')}
        SELECT c.*, g.interval_utc
        FROM (SELECT agent_id, any_value(site_id) AS site_id, grid, {by_state}
              FROM (SELECT agent_id, site_id, grid, state,
                           epoch(least(end_at, grid + {GRID}) - greatest(start_at, grid)) AS secs FROM cut)
              GROUP BY agent_id, grid) c
        JOIN {grid.cells} g ON g.site_id = c.site_id AND g.grid = c.grid""")
    con.execute(f"CREATE OR REPLACE TEMP TABLE {p.schedule} AS {pieces_sql(grid, 'schedule', 'seg.activity, seg.paid')}")
    return p


def drop(con: duckdb.DuckDBPyConnection, p: Pieces) -> None:
    con.execute(f"DROP VIEW {p.states}; DROP TABLE {p.state_cells}; DROP TABLE {p.schedule}")
