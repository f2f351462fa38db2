"""Adherence runs for the agent facts: out-of-adherence runs (forgiven as short, or approved as exceptions) and
shift edges (late log-in, early log-out), each cut into the window's intervals."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from loaders.facts.grid import Grid
from loaders.facts.segments import Pieces
from loaders.facts.window import GRID
from loaders.vocabulary import VOCAB


@dataclass(frozen=True)
class Runs:
    """What the agent builder reads back, by name (site_id, agent_id, interval_utc, … and the measure)."""

    forgiven: str = "fv_forgiven"
    approved: str = "fv_approved"
    shift_edges: str = "fv_shift_edges"
    out: str = "fv_out_runs"  # private: the runs themselves


RUNS = Runs()


def merge_sql(fragments: str) -> str:
    """Merge touching or overlapping (agent, s, e) fragments into maximal runs (gaps and islands)."""
    return f"""
        SELECT agent_id, any_value(site_id) AS site_id, min(s) AS s, max(e) AS e FROM (
            SELECT *, sum(CASE WHEN prev_e IS NOT NULL AND s <= prev_e THEN 0 ELSE 1 END)
                          OVER (PARTITION BY agent_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS grp
            FROM (SELECT *, max(e) OVER (PARTITION BY agent_id ORDER BY s, e
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_e
                  FROM ({fragments})))
        GROUP BY agent_id, grp"""


def exception_runs(con: duckdb.DuckDBPyConnection, grid: Grid, p: Pieces, threshold_s: int) -> None:
    """Out-of-adherence runs, cut into intervals: `forgiven` (shorter than the exception threshold, Genesys
    style) and `approved` (the rest, where it lies inside an exception a supervisor approved).

    A run is a stretch of adherence-tracked scheduled time, continuous across activity changes, in
    which the agent's state does not satisfy the scheduled activity.
    """
    for table, column in ((RUNS.forgiven, "forgiven_s"), (RUNS.approved, "approved_s")):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} (site_id VARCHAR, agent_id VARCHAR, "
                    f"interval_utc TIMESTAMP, interval_local TIMESTAMP, date_local DATE, {column} DOUBLE)")
    if threshold_s <= 0 and not con.execute("SELECT count(*) FROM adherence_exceptions").fetchall()[0][0]:
        return  # nothing to forgive or approve: skip finding the runs
    tracked = f"""SELECT sc.agent_id, sc.site_id, sc.ps AS s, sc.pe AS e FROM {p.schedule} sc
                 JOIN {VOCAB.activities} v ON v.code = sc.activity WHERE v.adherence_tracked"""
    adherent = f"""SELECT sc.agent_id, sc.site_id, greatest(st.ps, sc.ps) AS s, least(st.pe, sc.pe) AS e
                  FROM {p.schedule} sc
                  JOIN {p.states} st ON st.agent_id = sc.agent_id AND st.grid = sc.grid
                       AND st.ps < sc.pe AND st.pe > sc.ps
                  JOIN {VOCAB.activities} v ON v.code = sc.activity
                  JOIN {VOCAB.satisfies} sat ON sat.activity = sc.activity AND sat.state = st.state
                  WHERE v.adherence_tracked"""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {RUNS.out} AS
        WITH ev AS (
            SELECT *, 0 AS k FROM ({merge_sql(tracked)})
            UNION ALL
            SELECT *, 1 AS k FROM ({merge_sql(adherent)})),
        o AS (
            SELECT *,
                   last_value(CASE WHEN k = 0 THEN e END IGNORE NULLS) OVER upto AS block_e,
                   lag(CASE WHEN k = 0 THEN s ELSE e END) OVER seq AS prev_cover,
                   lead(k) OVER seq AS next_k
            FROM ev
            WINDOW seq AS (PARTITION BY agent_id ORDER BY s, k),
                   upto AS (PARTITION BY agent_id ORDER BY s, k ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW))
        SELECT agent_id, site_id, prev_cover AS s, s AS e FROM o WHERE k = 1 AND s > prev_cover
        UNION ALL
        SELECT agent_id, site_id, CASE WHEN k = 1 THEN e ELSE s END, block_e FROM o
        WHERE (next_k IS NULL OR next_k = 0) AND block_e > CASE WHEN k = 1 THEN e ELSE s END""")
    short = f"epoch(r.e - r.s) < {int(threshold_s)}"
    # Approved windows are merged first, so overlapping approvals never count a second twice.
    approvals = merge_sql(f"""SELECT x.agent_id, NULL AS site_id, x.start_at AS s, x.end_at AS e
                              FROM adherence_exceptions x WHERE x.agent_id IN (SELECT agent_id FROM {RUNS.out})""")
    for table, column, runs in (
        (RUNS.forgiven, "forgiven_s", f"SELECT r.agent_id, r.site_id, r.s, r.e FROM {RUNS.out} r WHERE {short}"),
        (RUNS.approved, "approved_s", f"""
            SELECT r.agent_id, r.site_id, greatest(r.s, w.s) AS s, least(r.e, w.e) AS e
            FROM {RUNS.out} r JOIN ({approvals}) w ON w.agent_id = r.agent_id AND w.s < r.e AND w.e > r.s
            WHERE NOT ({short})"""),
    ):
        con.execute(f"""
            INSERT INTO {table}
            SELECT x.site_id, x.agent_id, g.interval_utc, g.interval_local, g.date_local,
                   sum(epoch(least(x.e, x.grid + {GRID}) - greatest(x.s, x.grid)))::DOUBLE AS {column}
            FROM (SELECT r.*, unnest(generate_series(time_bucket({GRID}, r.s), r.e - INTERVAL 1 MICROSECOND, {GRID}))
                         AS grid
                  FROM ({runs}) r) x
            JOIN {grid.cells} g ON g.site_id = x.site_id AND g.grid = x.grid
            GROUP BY ALL""")
    con.execute(f"DROP TABLE {RUNS.out}")


def shift_edges(con: duckdb.DuckDBPyConnection, grid: Grid) -> None:
    """Per shift: late log-in at its start interval, early log-out at its end interval.

    A shift is a run of adherence-tracked schedule segments with gaps under two hours (so a night
    shift across midnight is one shift). Log-in is the start of the first non-offline state that ends
    after the shift starts; log-out the end of the last one that starts before the shift ends (for states
    that do not overlap each other: the earliest start and latest end among the states overlapping the shift).
    """
    # Only states near the window: a day's load must not scan the whole history.
    logged = f"""SELECT st.agent_id, st.start_at, st.end_at, st.start_at::DATE AS d0,
                       (st.end_at - INTERVAL 1 MICROSECOND)::DATE AS d1
                FROM agent_states st JOIN {grid.agents} a USING (agent_id)
                WHERE st.state <> 'offline' AND st.end_at > a.w0 - INTERVAL 2 DAY AND st.start_at < a.w1 + INTERVAL 2 DAY"""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {RUNS.shift_edges} AS
        WITH tracked AS (
            SELECT sc.agent_id, a.site_id, sc.start_at, sc.end_at,
                   lag(sc.end_at) OVER (PARTITION BY sc.agent_id ORDER BY sc.start_at) AS prev_end
            FROM schedule sc JOIN {VOCAB.activities} v ON v.code = sc.activity
            JOIN {grid.agents} a USING (agent_id)
            WHERE v.adherence_tracked AND sc.start_at < a.w1 + INTERVAL 1 DAY AND sc.end_at > a.w0 - INTERVAL 1 DAY),
        numbered AS (
            SELECT *, sum(CASE WHEN prev_end IS NOT NULL AND start_at - prev_end < INTERVAL 2 HOUR THEN 0 ELSE 1 END)
                          OVER (PARTITION BY agent_id ORDER BY start_at ROWS UNBOUNDED PRECEDING) AS shift_no
            FROM tracked),
        shifts AS (
            SELECT agent_id, any_value(site_id) AS site_id, min(start_at) AS s, max(end_at) AS e
            FROM numbered GROUP BY agent_id, shift_no),
        -- The states that overlap a shift decide its edges: log-in is the earliest start among them, log-out
        -- the latest end. They are paired with their shifts by agent and UTC day (an equality join, where an
        -- ordered ASOF join would sort every state of the history), a state or shift spanning days once per day.
        shift_days AS (
            SELECT *, unnest(generate_series(s::DATE, (e - INTERVAL 1 MICROSECOND)::DATE, INTERVAL 1 DAY))::DATE AS day
            FROM shifts),
        logged_days AS (  -- written out twice, not a shared CTE: a materialised CTE hides its size from the planner
            SELECT agent_id, start_at, end_at, d0 AS day FROM ({logged})
            UNION ALL
            SELECT agent_id, start_at, end_at, unnest(generate_series(d0 + 1, d1, INTERVAL 1 DAY))::DATE
            FROM ({logged}) WHERE d1 > d0),
        edges AS (
            SELECT sh.agent_id, any_value(sh.site_id) AS site_id, sh.s, sh.e,
                   coalesce(greatest(0, epoch(min(l.start_at) - sh.s)), 0) AS late_s,
                   coalesce(greatest(0, epoch(sh.e - max(l.end_at))), 0) AS early_s
            FROM shift_days sh
            LEFT JOIN logged_days l ON l.agent_id = sh.agent_id AND l.day = sh.day
                 AND l.start_at < sh.e AND l.end_at > sh.s
            GROUP BY sh.agent_id, sh.s, sh.e)
        SELECT x.site_id, x.agent_id, g.interval_utc, g.interval_local, g.date_local,
               sum(x.shifts) AS shifts, sum(x.late_s) AS late_login_s, sum(x.early_s) AS early_logout_s
        FROM (
            SELECT site_id, agent_id, time_bucket({GRID}, s) AS grid, 1 AS shifts, late_s, 0 AS early_s FROM edges
            UNION ALL
            SELECT site_id, agent_id, time_bucket({GRID}, e - INTERVAL 1 MICROSECOND), 0, 0, early_s FROM edges
        ) x
        JOIN {grid.cells} g ON g.site_id = x.site_id AND g.grid = x.grid
        GROUP BY ALL""")


def drop(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"DROP TABLE {RUNS.shift_edges}; DROP TABLE {RUNS.forgiven}; DROP TABLE {RUNS.approved}")
