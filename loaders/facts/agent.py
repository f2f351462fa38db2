"""Agent facts: state, schedule and adherence seconds per agent and site-local interval.

Every column comes from the category lists of the semantic model (semantic.AGENT): a new state category
gets its state, lost-time and satisfaction columns here without an edit.
"""

from __future__ import annotations

import duckdb

from loaders.facts import adherence_runs, segments
from loaders.facts.adherence_runs import RUNS
from loaders.facts.grid import Grid
from loaders.facts.insert import insert
from loaders.facts.window import GRID
from loaders.vocabulary import VOCAB
from semantic import ACTIVITY_CATEGORIES, AGENT, LOST_STATES, NOT_LOGGED_IN, PRODUCTIVE_STATES, STATES
from settings import Settings

# Summed per agent and interval from the schedule pieces (and the states they share), then taken as they are.
_SCHEDULE_SIDE = ([f"sched_{c}_s" for c in ACTIVITY_CATEGORIES]
                  + ["sched_paid_s", "sched_planned_shrink_s", "sched_tracked_s", "adherent_s", "open_productive_s",
                     "shifts", "late_login_s", "early_logout_s", "forgiven_s", "approved_s"]
                  + [f"open_lost_{c}_s" for c in LOST_STATES if c != NOT_LOGGED_IN])


def _state_sum(alias: str, categories: tuple[str, ...]) -> str:
    """SQL adding the state_<category>_s columns of a relation for these state categories."""
    return " + ".join(f"{alias}.state_{c}_s" for c in categories)


def _per_interval(pieces_sql: str) -> str:
    """Sum a branch's measure columns per agent (and its site) and interval: one narrow row per interval, the
    local labels joined once, at the end."""
    return f"""SELECT agent_id, site_id, interval_utc, sum(COLUMNS(* EXCLUDE (agent_id, site_id, interval_utc)))
               FROM ({pieces_sql}) GROUP BY agent_id, site_id, interval_utc"""


def build(con: duckdb.DuckDBPyConnection, settings: Settings, grid: Grid) -> None:
    p = segments.build(con, grid)
    adherence_runs.shift_edges(con, grid)
    adherence_runs.exception_runs(con, grid, p, int(settings.adherence.exception_threshold_s))
    secs = "epoch(pe - ps)"
    sched_cols = ", ".join(f"CASE WHEN v.category = '{c}' THEN {secs} ELSE 0 END AS sched_{c}_s"
                           for c in ACTIVITY_CATEGORIES if c != "open")

    def zero(m: str) -> str:  # a branch with no row for an interval adds nothing
        return f"coalesce(f.{m}, 0)"

    productive = _state_sum("c", PRODUCTIVE_STATES)
    states_part = f"""
        SELECT agent_id, site_id, interval_utc, COLUMNS('^state_'), {productive} AS productive_s
        FROM {p.state_cells} c"""
    if int(settings.data.interval_minutes) != 15:  # with quarter-hour intervals each cell is already one interval
        states_part = _per_interval(states_part)
    # Schedule against states: the seconds each schedule piece shares with each state category. A piece covering
    # its whole quarter-hour (the usual case) shares all of the cell's state seconds; only the others need the
    # state pieces. Each piece carries both its scheduled seconds and what it shares, so one aggregate per
    # interval gives both.
    whole_cell = f"sc.ps = sc.grid AND sc.pe = sc.grid + {GRID}"
    shared = {c: f"c.state_{c}_s" for c in STATES}
    partial_join = ""
    if con.execute(f"SELECT count(*) FROM (SELECT 1 FROM {p.schedule} sc WHERE NOT ({whole_cell}) LIMIT 1)"
                   ).fetchall()[0][0]:
        overlap = "epoch(least(st.pe, sc.pe) - greatest(st.ps, sc.ps))"
        partial_join = f"""
        LEFT JOIN (
            SELECT sc.agent_id, sc.grid, sc.seg_start,
                   {', '.join(f"sum(CASE WHEN st.state = '{c}' THEN {overlap} ELSE 0 END) AS state_{c}_s"
                              for c in STATES)}
            FROM {p.schedule} sc
            JOIN {p.states} st ON st.agent_id = sc.agent_id AND st.grid = sc.grid AND st.ps < sc.pe AND st.pe > sc.ps
            WHERE NOT ({whole_cell})
            GROUP BY sc.agent_id, sc.grid, sc.seg_start
        ) pt ON pt.agent_id = sc.agent_id AND pt.grid = sc.grid AND pt.seg_start = sc.seg_start"""
        shared = {c: f"CASE WHEN {whole_cell} THEN c.state_{c}_s ELSE pt.state_{c}_s END" for c in STATES}
    satisfied = " + ".join(f"CASE WHEN w.sat_{c} THEN p.state_{c}_s ELSE 0 END" for c in STATES)
    schedule_part = _per_interval(f"""
        SELECT p.agent_id, p.site_id, p.interval_utc, {sched_cols},
               CASE WHEN v.open THEN {secs} ELSE 0 END AS sched_open_s,
               CASE WHEN coalesce(p.paid, v.paid) THEN {secs} ELSE 0 END AS sched_paid_s,
               CASE WHEN v.planned_shrinkage AND coalesce(p.paid, v.paid) THEN {secs} ELSE 0 END
                   AS sched_planned_shrink_s,
               CASE WHEN v.adherence_tracked THEN {secs} ELSE 0 END AS sched_tracked_s,
               CASE WHEN v.adherence_tracked THEN {satisfied} ELSE 0 END AS adherent_s,
               {_state_sum("p", PRODUCTIVE_STATES)} AS productive_in_shift_s,
               CASE WHEN v.open THEN {_state_sum("p", PRODUCTIVE_STATES)} ELSE 0 END AS open_productive_s,
               CASE WHEN v.open THEN {_state_sum("p", STATES)} ELSE 0 END AS open_covered_s,
               {', '.join(f"CASE WHEN v.open THEN p.state_{c}_s ELSE 0 END AS open_lost_{c}_s" for c in LOST_STATES)}
        FROM (
            SELECT sc.agent_id, sc.site_id, sc.interval_utc, sc.activity, sc.paid, sc.ps, sc.pe,
                   {', '.join(f"coalesce({sql}, 0) AS state_{c}_s" for c, sql in shared.items())}
            FROM {p.schedule} sc
            LEFT JOIN {p.state_cells} c ON c.agent_id = sc.agent_id AND c.grid = sc.grid{partial_join}
        ) p
        JOIN {VOCAB.activities} v ON v.code = p.activity
        JOIN {VOCAB.satisfies_wide} w ON w.activity = p.activity
        -- Shift edges and exception runs lie in scheduled intervals: summed with the pieces, not joined after.
        UNION ALL BY NAME SELECT agent_id, site_id, interval_utc, shifts, late_login_s, early_logout_s
                          FROM {RUNS.shift_edges}
        UNION ALL BY NAME SELECT agent_id, site_id, interval_utc, forgiven_s FROM {RUNS.forgiven}
        UNION ALL BY NAME SELECT agent_id, site_id, interval_utc, approved_s FROM {RUNS.approved}""")
    offline = f"open_lost_{NOT_LOGGED_IN}_s"
    # States and the schedule side are joined, not unioned and regrouped: each is already one row per agent and
    # interval.
    insert(con, AGENT, f"""
        WITH st AS ({states_part}), sc AS ({schedule_part}),
        f AS (
            SELECT coalesce(st.agent_id, sc.agent_id) AS agent_id, coalesce(st.site_id, sc.site_id) AS site_id,
                   coalesce(st.interval_utc, sc.interval_utc) AS interval_utc,
                   st.* EXCLUDE (agent_id, site_id, interval_utc), sc.* EXCLUDE (agent_id, site_id, interval_utc)
            FROM st FULL JOIN sc ON sc.agent_id = st.agent_id AND sc.interval_utc = st.interval_utc)
        SELECT f.site_id, a.team_id, f.agent_id, f.interval_utc, l.interval_local, l.date_local, l.interval_fold,
               {', '.join(f"{zero(f'state_{c}_s')} AS state_{c}_s" for c in STATES)},
               {', '.join(f"{zero(m)} AS {m}" for m in _SCHEDULE_SIDE)},
               {zero('productive_s')} - {zero('productive_in_shift_s')} AS work_outside_shift_s,
               -- scheduled open time with no state at all (not logged in) is lost as not logged in
               {zero(offline)} + greatest(0, {zero('sched_open_s')} - {zero('open_covered_s')}) AS {offline}
        FROM f
        JOIN {grid.agents} a ON a.agent_id = f.agent_id
        JOIN {grid.labels} l ON l.site_id = f.site_id AND l.interval_utc = f.interval_utc""")
    segments.drop(con, p)
    adherence_runs.drop(con)
