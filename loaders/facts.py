"""Interval facts: additive measures per site-local interval, refreshed for the site-days a load touched.

Segments (agent states, schedule) are cut on a 15-minute UTC grid — every real time-zone offset is a
multiple of 15 minutes, so each piece lies inside one local interval of 15, 30 or 60 minutes — and each
piece is labelled with its site-local interval. `interval_utc` is the UTC start of that local interval, so
the repeated hour of a DST fall-back day stays two distinct intervals (100 quarter-hours that day).
"""

from __future__ import annotations

import duckdb

from loaders.kinds import Kind
from settings import STATE_CATEGORIES, Settings

GRID = "INTERVAL 15 MINUTE"
SCHED_CATEGORIES = ("open", "break", "lunch", "meeting", "training", "coaching", "absence", "other")


def _ensure_touched(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TEMP TABLE IF NOT EXISTS touched (site_id VARCHAR, date_local DATE)")


def _ranges_sql(kind: Kind) -> str:
    """(site_id, s, e) UTC ranges covered by the incoming rows and by the stored rows they replace."""
    key = " AND ".join(f"t.{k} IS NOT DISTINCT FROM g.t_{k}" for k in kind.key)
    old = f"SELECT t.* FROM {kind.table} t WHERE EXISTS (SELECT 1 FROM good g WHERE {key})"
    if kind.name == "contacts":
        return f"""
            SELECT t_site_id AS site_id, t_offered_at AS s, coalesce(t_answered_at, t_offered_at) AS e FROM good
            UNION ALL SELECT a.site_id, t_answered_at, t_answered_at FROM good JOIN agents a ON a.agent_id = t_agent_id
                WHERE t_answered_at IS NOT NULL
            UNION ALL SELECT o.site_id, o.offered_at, coalesce(o.answered_at, o.offered_at) FROM ({old}) o
            UNION ALL SELECT a.site_id, o.answered_at, o.answered_at FROM ({old}) o JOIN agents a USING (agent_id)
                WHERE o.answered_at IS NOT NULL"""
    if kind.name in ("agent_states", "schedule"):
        return f"""
            SELECT a.site_id, t_start_at AS s, t_end_at AS e FROM good JOIN agents a ON a.agent_id = t_agent_id
            UNION ALL SELECT a.site_id, o.start_at, o.end_at FROM ({old}) o JOIN agents a USING (agent_id)"""
    if kind.name == "forecast":
        return """SELECT t_site_id AS site_id, t_interval_start AS s,
                         t_interval_start + to_minutes(coalesce(t_interval_minutes, 15)) AS e FROM good"""
    return ""


def mark_touched(con: duckdb.DuckDBPyConnection, kind: Kind, settings: Settings) -> None:
    """Record the (site, local date) pairs this file's rows touch, before they are merged."""
    _ensure_touched(con)
    ranges = _ranges_sql(kind)
    if not ranges:
        return
    con.execute(f"""
        INSERT INTO touched
        SELECT DISTINCT site_id, unnest(generate_series(d0, d1, INTERVAL 1 DAY))::DATE FROM (
            SELECT DISTINCT r.site_id,
                   timezone(s.timezone, r.s::TIMESTAMPTZ)::DATE AS d0,
                   timezone(s.timezone, (r.e - INTERVAL 1 MICROSECOND)::TIMESTAMPTZ)::DATE AS d1
            FROM ({ranges}) r JOIN sites s USING (site_id) WHERE r.s IS NOT NULL)""")


# Which fact tables each kind of file feeds.
FACTS_OF_KIND = {
    "contacts": ("fact_queue_interval", "fact_handle_interval"),
    "agent_states": ("fact_agent_interval",),
    "schedule": ("fact_agent_interval",),
    "forecast": ("fact_forecast_interval",),
}
ALL_FACTS = ("fact_queue_interval", "fact_handle_interval", "fact_agent_interval", "fact_forecast_interval")


def refresh(con: duckdb.DuckDBPyConnection, settings: Settings, tables: tuple[str, ...] = ALL_FACTS,
            everything: bool = False) -> int:
    """Rebuild the given interval facts for the touched site-days (or all days); returns site-days done."""
    _ensure_touched(con)
    if everything:
        con.execute("DELETE FROM touched")
        con.execute("""
            INSERT INTO touched
            SELECT DISTINCT a.site_id, timezone(s.timezone, st.start_at::TIMESTAMPTZ)::DATE
              FROM agent_states st JOIN agents a USING (agent_id) JOIN sites s ON s.site_id = a.site_id
            UNION SELECT DISTINCT c.site_id, timezone(s.timezone, c.offered_at::TIMESTAMPTZ)::DATE
              FROM contacts c JOIN sites s USING (site_id)
            UNION SELECT DISTINCT a.site_id, timezone(s.timezone, sc.start_at::TIMESTAMPTZ)::DATE
              FROM schedule sc JOIN agents a USING (agent_id) JOIN sites s ON s.site_id = a.site_id
            UNION SELECT DISTINCT f.site_id, timezone(s.timezone, f.interval_start::TIMESTAMPTZ)::DATE
              FROM forecast f JOIN sites s USING (site_id)""")
        # A day's segments may end on the next local day: include it too.
        con.execute("INSERT INTO touched SELECT site_id, date_local + 1 FROM touched")
    con.execute("CREATE OR REPLACE TEMP TABLE touched_days AS SELECT DISTINCT site_id, date_local FROM touched")
    n = con.execute("SELECT count(*) FROM touched_days").fetchall()[0][0]
    con.execute("DELETE FROM touched")
    if n == 0:
        return 0
    _build_grid(con, settings)
    builders = {
        "fact_queue_interval": lambda: _queue_facts(con, settings),
        "fact_handle_interval": lambda: _handle_facts(con),
        "fact_agent_interval": lambda: _agent_facts(con),
        "fact_forecast_interval": lambda: _forecast_facts(con),
    }
    for table in tables:
        con.execute(f"DELETE FROM {table} WHERE (site_id, date_local) IN (SELECT site_id, date_local FROM touched_days)")
        builders[table]()
    return n


def _build_grid(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    minutes = int(settings.data.interval_minutes)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE grid_map AS
        WITH days AS (
            SELECT t.site_id, t.date_local, s.timezone AS tz,
                   timezone('UTC', timezone(s.timezone, t.date_local::TIMESTAMP)) AS u0,
                   timezone('UTC', timezone(s.timezone, (t.date_local + 1)::TIMESTAMP)) AS u1
            FROM touched_days t JOIN sites s USING (site_id)),
        grid AS (
            SELECT site_id, date_local, tz, unnest(generate_series(u0, u1 - {GRID}, {GRID})) AS grid FROM days),
        labelled AS (
            SELECT site_id, date_local, grid, timezone(tz, grid::TIMESTAMPTZ) AS local FROM grid)
        SELECT site_id, date_local, grid,
               time_bucket(INTERVAL {minutes} MINUTE, local) AS interval_local,
               grid - (local - time_bucket(INTERVAL {minutes} MINUTE, local)) AS interval_utc
        FROM labelled""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE site_window AS
        SELECT site_id, min(grid) AS w0, max(grid) + INTERVAL 15 MINUTE AS w1 FROM grid_map GROUP BY site_id""")


def _queue_facts(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    sl = settings.service_level
    con.execute(f"""
        INSERT INTO fact_queue_interval
        SELECT c.site_id, c.queue_id, coalesce(c.call_type, q.call_type), coalesce(c.channel, q.channel),
               g.interval_utc, g.interval_local, g.date_local,
               count(*),
               count(c.answered_at),
               count(*) FILTER (c.answered_at IS NOT NULL AND c.wait_s <= c.threshold_s),
               count(*) FILTER (c.answered_at IS NULL),
               count(*) FILTER (c.answered_at IS NULL AND c.wait_s <= c.threshold_s),
               count(*) FILTER (c.answered_at IS NULL AND c.wait_s < {int(sl.short_abandon_s)}),
               coalesce(sum(c.wait_s) FILTER (c.answered_at IS NOT NULL), 0),
               coalesce(sum(c.wait_s) FILTER (c.answered_at IS NULL), 0)
        FROM (
            SELECT c.*, epoch(coalesce(c.answered_at, c.ended_at) - c.offered_at) AS wait_s,
                   coalesce(q.sl_threshold_s, {int(sl.threshold_s)}) AS threshold_s,
                   time_bucket({GRID}, c.offered_at) AS grid
            FROM contacts c JOIN queues q USING (queue_id) JOIN site_window w ON w.site_id = c.site_id
            WHERE c.offered_at >= w.w0 AND c.offered_at < w.w1
              AND (c.initial_contact_id IS NULL OR c.initial_contact_id = c.contact_id)
              AND coalesce(lower(c.direction), 'inbound') <> 'outbound'
        ) c
        JOIN queues q USING (queue_id)
        JOIN grid_map g ON g.site_id = c.site_id AND g.grid = c.grid
        GROUP BY ALL""")


def _handle_facts(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"""
        INSERT INTO fact_handle_interval
        SELECT a.site_id, a.team_id, c.agent_id, c.queue_id, coalesce(c.call_type, q.call_type),
               coalesce(c.channel, q.channel), g.interval_utc, g.interval_local, g.date_local,
               count(*), count(*) FILTER (c.transferred),
               coalesce(sum(c.talk_s), 0), coalesce(sum(c.hold_s), 0), coalesce(sum(c.acw_s), 0)
        FROM contacts c
        JOIN agents a USING (agent_id)
        JOIN queues q ON q.queue_id = c.queue_id
        JOIN site_window w ON w.site_id = a.site_id
        JOIN grid_map g ON g.site_id = a.site_id AND g.grid = time_bucket({GRID}, c.answered_at)
        WHERE c.answered_at IS NOT NULL AND c.answered_at >= w.w0 AND c.answered_at < w.w1
        GROUP BY ALL""")


def _pieces(con: duckdb.DuckDBPyConnection, name: str, table: str, extra: str) -> None:
    """Cut a segment table on the 15-minute UTC grid, keeping the pieces on touched site-days."""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {name} AS
        SELECT x.agent_id, x.site_id, {extra.replace('seg.', 'x.')}, g.interval_utc, g.interval_local, g.date_local,
               x.grid, greatest(x.start_at, x.grid) AS ps, least(x.end_at, x.grid + {GRID}) AS pe
        FROM (
            SELECT seg.agent_id, a.site_id, seg.start_at, seg.end_at, {extra},
                   unnest(generate_series(time_bucket({GRID}, seg.start_at), seg.end_at - INTERVAL 1 MICROSECOND,
                                          {GRID})) AS grid
            FROM {table} seg JOIN agents a USING (agent_id) JOIN site_window w ON w.site_id = a.site_id
            WHERE seg.start_at < w.w1 AND seg.end_at > w.w0
        ) x
        JOIN grid_map g ON g.site_id = x.site_id AND g.grid = x.grid""")


def _agent_facts(con: duckdb.DuckDBPyConnection) -> None:
    _pieces(con, "st_pieces", "agent_states", "seg.state")
    _pieces(con, "sc_pieces", "schedule", "seg.activity, seg.paid")
    keys = "site_id, agent_id, interval_utc, interval_local, date_local"
    secs = "epoch(pe - ps)"
    state_cols = ", ".join(f"CASE WHEN state = '{c}' THEN {secs} ELSE 0 END AS state_{c}_s" for c in STATE_CATEGORIES)
    sched_cols = ", ".join(f"CASE WHEN v.category = '{c}' THEN {secs} ELSE 0 END AS sched_{c}_s"
                           for c in SCHED_CATEGORIES)
    overlap = "epoch(least(st.pe, sc.pe) - greatest(st.ps, sc.ps))"
    measures = [f"state_{c}_s" for c in STATE_CATEGORIES] + [f"sched_{c}_s" for c in SCHED_CATEGORIES] + [
        "sched_paid_s", "sched_planned_shrink_s", "sched_tracked_s", "adherent_s"]
    sums = ", ".join(f"coalesce(sum({m}), 0)" for m in measures)
    con.execute(f"""
        INSERT INTO fact_agent_interval
        SELECT f.site_id, a.team_id, f.agent_id, f.interval_utc, f.interval_local, f.date_local, {sums},
               coalesce(sum(productive_s), 0) - coalesce(sum(productive_in_shift_s), 0)
        FROM (
            SELECT {keys}, {state_cols},
                   CASE WHEN state IN ('available', 'on_contact', 'acw') THEN {secs} ELSE 0 END AS productive_s
            FROM st_pieces
            UNION ALL BY NAME
            SELECT sc.site_id, sc.agent_id, sc.interval_utc, sc.interval_local, sc.date_local, {sched_cols},
                   CASE WHEN coalesce(sc.paid, v.paid) THEN {secs} ELSE 0 END AS sched_paid_s,
                   CASE WHEN v.planned_shrinkage AND coalesce(sc.paid, v.paid) THEN {secs} ELSE 0 END
                       AS sched_planned_shrink_s,
                   CASE WHEN v.adherence_tracked THEN {secs} ELSE 0 END AS sched_tracked_s
            FROM sc_pieces sc JOIN vocab_activities v ON v.code = sc.activity
            UNION ALL BY NAME
            SELECT sc.site_id, sc.agent_id, sc.interval_utc, sc.interval_local, sc.date_local,
                   CASE WHEN v.adherence_tracked AND sat.state IS NOT NULL THEN {overlap} ELSE 0 END AS adherent_s,
                   CASE WHEN st.state IN ('available', 'on_contact', 'acw') THEN {overlap} ELSE 0 END
                       AS productive_in_shift_s
            FROM sc_pieces sc
            JOIN st_pieces st ON st.agent_id = sc.agent_id AND st.grid = sc.grid AND st.ps < sc.pe AND st.pe > sc.ps
            JOIN vocab_activities v ON v.code = sc.activity
            LEFT JOIN vocab_satisfies sat ON sat.activity = sc.activity AND sat.state = st.state
        ) f
        JOIN agents a ON a.agent_id = f.agent_id
        GROUP BY f.site_id, a.team_id, f.agent_id, f.interval_utc, f.interval_local, f.date_local""")
    con.execute("DROP TABLE st_pieces; DROP TABLE sc_pieces")


def _forecast_facts(con: duckdb.DuckDBPyConnection) -> None:
    # A forecast interval longer than the grid is spread evenly over its quarter-hours.
    con.execute(f"""
        INSERT INTO fact_forecast_interval
        SELECT x.site_id, x.queue_id, q.call_type, q.channel, g.interval_utc, g.interval_local, g.date_local,
               sum(x.contacts * x.share), sum(x.contacts * x.share * x.aht_s),
               sum(x.required_agents * 900)
        FROM (
            SELECT f.*, 15.0 / f.interval_minutes AS share,
                   unnest(generate_series(f.interval_start,
                          f.interval_start + to_minutes(f.interval_minutes) - INTERVAL 1 MICROSECOND, {GRID})) AS grid
            FROM forecast f JOIN site_window w USING (site_id)
            WHERE f.interval_start < w.w1 AND f.interval_start + to_minutes(f.interval_minutes) > w.w0
        ) x
        JOIN queues q ON q.queue_id = x.queue_id
        JOIN grid_map g ON g.site_id = x.site_id AND g.grid = x.grid
        GROUP BY ALL""")


def retag_teams(con: duckdb.DuckDBPyConnection) -> None:
    """After a roster change, attribute facts to each agent's current team."""
    for table in ("fact_agent_interval", "fact_handle_interval"):
        con.execute(f"""
            UPDATE {table} f SET team_id = a.team_id FROM agents a
            WHERE a.agent_id = f.agent_id AND f.team_id IS DISTINCT FROM a.team_id""")
