"""The interval grid of a refresh window: each site-day cut into 15-minute UTC cells, each cell labelled with
its site-local interval.

Every real time-zone offset is a multiple of 15 minutes, so each cell lies inside one local interval of 15, 30
or 60 minutes. `interval_utc` is the UTC start of that local interval, so the repeated hour of a DST fall-back
day stays two distinct intervals (100 quarter-hours that day); `interval_fold` tells the second pass apart on
the local clock.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from loaders.facts.window import GRID, Window


@dataclass(frozen=True)
class Grid:
    """The relations a builder joins, by name. They live until the next grid is built on the connection."""

    cells: str = "fv_grid_cells"  # site_id, date_local, grid (cell start, UTC), interval_utc, interval_local, fold
    labels: str = "fv_grid_labels"  # site_id, interval_utc, interval_local, date_local, interval_fold
    sites: str = "fv_grid_sites"  # site_id, w0, w1: each site's UTC span
    agents: str = "fv_grid_agents"  # agent_id, site_id, team_id, w0, w1: the span of each agent's site


def build(con: duckdb.DuckDBPyConnection, window: Window, interval_minutes: int) -> Grid:
    grid = Grid()
    sites, days = window.columns()
    minutes = int(interval_minutes)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {grid.cells} AS
        WITH touched AS (SELECT unnest(?::VARCHAR[]) AS site_id, unnest(?::DATE[]) AS date_local),
        days AS (
            SELECT t.site_id, t.date_local, s.timezone AS tz,
                   timezone('UTC', timezone(s.timezone, t.date_local::TIMESTAMP)) AS u0,
                   timezone('UTC', timezone(s.timezone, (t.date_local + 1)::TIMESTAMP)) AS u1
            FROM touched t JOIN sites s USING (site_id)),
        cells AS (
            SELECT site_id, date_local, tz, unnest(generate_series(u0, u1 - {GRID}, {GRID})) AS grid FROM days),
        labelled AS (
            SELECT site_id, date_local, grid, timezone(tz, grid::TIMESTAMPTZ) AS local FROM cells),
        intervals AS (
            SELECT site_id, date_local, grid,
                   time_bucket(INTERVAL {minutes} MINUTE, local) AS interval_local,
                   grid - (local - time_bucket(INTERVAL {minutes} MINUTE, local)) AS interval_utc
            FROM labelled)
        SELECT *, (dense_rank() OVER (PARTITION BY site_id, interval_local ORDER BY interval_utc) - 1)::SMALLINT
                  AS interval_fold
        FROM intervals""", [sites, days])
    # The local labels of each site's intervals, joined to facts aggregated by UTC interval.
    con.execute(f"""CREATE OR REPLACE TEMP TABLE {grid.labels} AS
                    SELECT DISTINCT site_id, interval_utc, interval_local, date_local, interval_fold FROM {grid.cells}""")
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {grid.sites} AS
        SELECT site_id, min(grid) AS w0, max(grid) + {GRID} AS w1 FROM {grid.cells} GROUP BY site_id""")
    # Per agent, so segment tables join it on agent_id (an equality): joined through agents and the site spans,
    # the planner may pair every segment with every site's span first.
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {grid.agents} AS
        SELECT a.agent_id, a.site_id, a.team_id, w.w0, w.w1 FROM agents a JOIN {grid.sites} w USING (site_id)""")
    return grid


def days_sql(grid: Grid) -> str:
    """The window's (site_id, date_local) pairs, for deleting the facts about to be rebuilt."""
    return f"SELECT DISTINCT site_id, date_local FROM {grid.cells}"
