"""Interval facts: additive measures per site-local interval, refreshed for the site-days a load touched.

Segments (agent states, schedule) are cut on a 15-minute UTC grid — every real time-zone offset is a
multiple of 15 minutes, so each piece lies inside one local interval of 15, 30 or 60 minutes — and each
piece is labelled with its site-local interval. `interval_utc` is the UTC start of that local interval, so
the repeated hour of a DST fall-back day stays two distinct intervals (100 quarter-hours that day).
"""

from __future__ import annotations

import duckdb

from loaders import vocabulary
from loaders.kinds import Kind
from settings import PRODUCTIVE_STATES, STATE_CATEGORIES, Settings

GRID = "INTERVAL 15 MINUTE"
SCHED_CATEGORIES = ("open", "break", "lunch", "meeting", "training", "coaching", "absence", "other")


# The incoming contacts in the shape of the stored ones, so one query serves new, replaced and earlier rows.
_GOOD_CONTACTS = ("SELECT t_site_id AS site_id, t_agent_id AS agent_id, t_offered_at AS offered_at, "
                  "t_answered_at AS answered_at FROM good")


def _ensure_touched(con: duckdb.DuckDBPyConnection) -> None:
    con.execute("CREATE TEMP TABLE IF NOT EXISTS touched (site_id VARCHAR, date_local DATE)")


def _ranges_sql(kind: Kind, fcr_window_days: int = 0) -> str:
    """(site_id, s, e) UTC ranges covered by the incoming rows and by the stored rows they replace. For contacts,
    also the earlier contacts of the same customers within the FCR window: a new contact can make one of them a
    repeat (their days only, not every day of the window)."""
    key = " AND ".join(f"t.{k} IS NOT DISTINCT FROM g.t_{k}" for k in kind.key)
    old = f"SELECT t.* FROM {kind.table} t WHERE EXISTS (SELECT 1 FROM good g WHERE {key})"
    if kind.name == "contacts":
        prior = f"""
            SELECT c.* FROM contacts c
            WHERE c.customer_id IN (SELECT t_customer_id FROM good UNION SELECT customer_id FROM ({old}))
              AND c.offered_at >= (SELECT min(t_offered_at) FROM good) - INTERVAL {int(fcr_window_days)} DAY
              AND c.offered_at <= (SELECT max(t_offered_at) FROM good)"""
        return "\nUNION ALL ".join(f"""
            SELECT r.site_id, r.offered_at AS s, coalesce(r.answered_at, r.offered_at) AS e FROM ({rows}) r
            UNION ALL SELECT a.site_id, r.answered_at, r.answered_at FROM ({rows}) r JOIN agents a USING (agent_id)
                WHERE r.answered_at IS NOT NULL""" for rows in (_GOOD_CONTACTS, old, prior))
    if kind.name in ("agent_states", "schedule"):
        return f"""
            SELECT a.site_id, t_start_at AS s, t_end_at AS e FROM good JOIN agents a ON a.agent_id = t_agent_id
            UNION ALL SELECT a.site_id, o.start_at, o.end_at FROM ({old}) o JOIN agents a USING (agent_id)"""
    if kind.name == "surveys":
        return f"""
            SELECT coalesce(a.site_id, c.site_id) AS site_id, coalesce(c.answered_at, g.t_responded_at) AS s,
                   coalesce(c.answered_at, g.t_responded_at) AS e
            FROM good g LEFT JOIN contacts c ON c.contact_id = g.t_contact_id
            LEFT JOIN agents a ON a.agent_id = coalesce(g.t_agent_id, c.agent_id)
            UNION ALL
            SELECT coalesce(a.site_id, c.site_id), coalesce(c.answered_at, o.responded_at),
                   coalesce(c.answered_at, o.responded_at)
            FROM ({old}) o LEFT JOIN contacts c ON c.contact_id = o.contact_id
            LEFT JOIN agents a ON a.agent_id = coalesce(o.agent_id, c.agent_id)"""
    if kind.name in ("forecast", "queue_intervals"):
        return f"""SELECT t_site_id AS site_id, t_interval_start AS s,
                          t_interval_start + to_minutes(coalesce(t_interval_minutes, 15)) AS e FROM good
                   UNION ALL SELECT o.site_id, o.interval_start, o.interval_start + to_minutes(o.interval_minutes)
                   FROM ({old}) o"""
    if kind.name == "agent_intervals":
        return f"""
            SELECT a.site_id, t_interval_start AS s, t_interval_start + to_minutes(t_interval_minutes) AS e
            FROM good JOIN agents a ON a.agent_id = t_agent_id
            UNION ALL SELECT a.site_id, o.interval_start, o.interval_start + to_minutes(o.interval_minutes)
            FROM ({old}) o JOIN agents a USING (agent_id)"""
    return ""


def mark_touched(con: duckdb.DuckDBPyConnection, kind: Kind, settings: Settings) -> None:
    """Record the (site, local date) pairs this file's rows touch, before they are merged."""
    _ensure_touched(con)
    # A new contact can turn an earlier contact of the same customer into a repeat: their days are touched too.
    ranges = _ranges_sql(kind, int(settings.fcr.window_days))
    if not ranges:
        return
    con.execute(f"""
        INSERT INTO touched
        SELECT DISTINCT site_id, unnest(generate_series(d0,
                                                        least(d1, d0 + getvariable('fv_max_span_days')),
                                                        INTERVAL 1 DAY))::DATE FROM (
            SELECT DISTINCT r.site_id,
                   timezone(s.timezone, r.s::TIMESTAMPTZ)::DATE AS d0,
                   timezone(s.timezone, r.e::TIMESTAMPTZ)::DATE AS d1
            -- Quarter-hours first: every real UTC offset is whole quarter-hours, so the local date is the same
            -- and the time-zone conversion runs once per quarter-hour instead of once per row. An instant range
            -- (s = e) ends in the quarter-hour it starts in, so it lies on the day of s even at midnight.
            FROM (
                SELECT DISTINCT site_id, time_bucket({GRID}, s) AS s,
                       time_bucket({GRID}, greatest(s, e - INTERVAL 1 MICROSECOND)) AS e
                -- Bounded even for rows stored before the bounds were checked: the backlog is never poisoned.
                FROM ({ranges}) WHERE s >= getvariable('fv_earliest') AND s < getvariable('fv_latest')) r
            JOIN sites s USING (site_id))""")


# Which fact tables each kind of file feeds.
FACTS_OF_KIND = {
    "contacts": ("fact_queue_interval", "fact_handle_interval", "fact_survey_interval"),
    "agent_states": ("fact_agent_interval",),
    "schedule": ("fact_agent_interval",),
    "forecast": ("fact_forecast_interval",),
    "queue_intervals": ("fact_queue_interval", "fact_handle_interval"),
    "agent_intervals": ("fact_agent_interval", "fact_handle_interval"),
    "surveys": ("fact_survey_interval",),
}
ALL_FACTS = ("fact_queue_interval", "fact_handle_interval", "fact_agent_interval", "fact_forecast_interval",
             "fact_survey_interval")
LOST_STATES = ("break", "lunch", "meeting", "training", "coaching", "aux", "offline")


def defer(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...]) -> None:
    """Leave the touched site-days of these fact tables for `refresh_backlog` (committed with the load, so
    facts a crash left unbuilt are built by the next load or `floorview refresh`)."""
    _ensure_touched(con)
    con.execute("""INSERT INTO fact_backlog SELECT DISTINCT t.fact_table, touched.site_id, touched.date_local
                   FROM touched, (SELECT unnest(?) AS fact_table) t""", [list(tables)])
    con.execute("DELETE FROM touched")


def refresh_backlog(con: duckdb.DuckDBPyConnection, settings: Settings) -> int:
    """Rebuild every fact table for the site-days loads left to it; returns site-days done."""
    done = 0
    for (table,) in con.execute("SELECT DISTINCT fact_table FROM fact_backlog ORDER BY 1").fetchall():
        _ensure_touched(con)
        # Days outside the plausible range (left by a version that did not bound them) are dropped, not built.
        con.execute("""INSERT INTO touched SELECT DISTINCT site_id, date_local FROM fact_backlog
                       WHERE fact_table = ? AND date_local >= ? AND date_local < ?""",
                    [table, settings.data.earliest_date, settings.data.latest_date])
        done += refresh(con, settings, (table,))
    con.execute("DELETE FROM fact_backlog")
    return done


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
              FROM forecast f JOIN sites s USING (site_id)
            UNION SELECT DISTINCT a.site_id, timezone(s.timezone, v.responded_at::TIMESTAMPTZ)::DATE
              FROM surveys v JOIN agents a USING (agent_id) JOIN sites s ON s.site_id = a.site_id
            UNION SELECT DISTINCT q.site_id, timezone(s.timezone, q.interval_start::TIMESTAMPTZ)::DATE
              FROM queue_intervals q JOIN sites s USING (site_id)
            UNION SELECT DISTINCT a.site_id, timezone(s.timezone, i.interval_start::TIMESTAMPTZ)::DATE
              FROM agent_intervals i JOIN agents a USING (agent_id) JOIN sites s ON s.site_id = a.site_id""")
        # A day's segments may end on the next local day: include it too.
        con.execute("INSERT INTO touched SELECT site_id, date_local + 1 FROM touched")
        con.execute("DELETE FROM fact_backlog")
    con.execute("CREATE OR REPLACE TEMP TABLE touched_days AS SELECT DISTINCT site_id, date_local FROM touched")
    n = con.execute("SELECT count(*) FROM touched_days").fetchall()[0][0]
    con.execute("DELETE FROM touched")
    if n == 0:
        return 0
    _build_grid(con, settings)
    builders = {
        "fact_queue_interval": lambda: _queue_facts(con, settings),
        "fact_handle_interval": lambda: _handle_facts(con, settings),
        "fact_agent_interval": lambda: _agent_facts(con, settings),
        "fact_forecast_interval": lambda: _forecast_facts(con),
        "fact_survey_interval": lambda: _survey_facts(con),
    }
    for table in tables:
        con.execute(f"DELETE FROM {table} WHERE (site_id, date_local) IN (SELECT site_id, date_local FROM touched_days)")
        builders[table]()
        if table in _AGGREGATES:  # interval aggregates from systems without detail add to the same facts
            _aggregate_facts(con, table)
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
    # The local labels of each site's intervals, joined to facts aggregated by UTC interval.
    con.execute("""CREATE OR REPLACE TEMP TABLE interval_labels AS
                   SELECT DISTINCT site_id, interval_utc, interval_local, date_local FROM grid_map""")
    con.execute("""
        CREATE OR REPLACE TEMP TABLE site_window AS
        SELECT site_id, min(grid) AS w0, max(grid) + INTERVAL 15 MINUTE AS w1 FROM grid_map GROUP BY site_id""")
    # Per agent, so segment tables join it on agent_id (an equality): joined through agents and site_window,
    # the planner may pair every segment with every site's window first.
    con.execute("""
        CREATE OR REPLACE TEMP TABLE agent_window AS
        SELECT a.agent_id, a.site_id, a.team_id, w.w0, w.w1 FROM agents a JOIN site_window w USING (site_id)""")


def _queue_facts(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    sl = settings.service_level
    measures = ("offered", "answered", "answered_within", "abandoned", "abandoned_within", "short_abandons",
                "wait_answered_s", "wait_abandoned_s")
    # Counted per grid cell first, so the grid labels are joined to a few rows per cell instead of every contact.
    con.execute(f"""
        INSERT INTO fact_queue_interval
        SELECT x.site_id, x.queue_id, x.call_type, x.channel, g.interval_utc, any_value(g.interval_local),
               any_value(g.date_local), {', '.join(f'sum(x.{m})' for m in measures)}
        FROM (
            SELECT c.site_id, c.queue_id, c.call_type, c.channel, c.grid,
                   count(*) AS offered,
                   count(c.answered_at) AS answered,
                   count(*) FILTER (c.answered_at IS NOT NULL AND c.wait_s <= c.threshold_s) AS answered_within,
                   count(*) FILTER (c.answered_at IS NULL) AS abandoned,
                   count(*) FILTER (c.answered_at IS NULL AND c.wait_s <= c.threshold_s) AS abandoned_within,
                   count(*) FILTER (c.answered_at IS NULL AND c.wait_s < {int(sl.short_abandon_s)}) AS short_abandons,
                   coalesce(sum(c.wait_s) FILTER (c.answered_at IS NOT NULL), 0) AS wait_answered_s,
                   coalesce(sum(c.wait_s) FILTER (c.answered_at IS NULL), 0) AS wait_abandoned_s
            FROM (
                SELECT c.site_id, c.queue_id, coalesce(c.call_type, q.call_type) AS call_type,
                       coalesce(c.channel, q.channel) AS channel, c.answered_at,
                       epoch(coalesce(c.answered_at, c.ended_at) - c.offered_at) AS wait_s,
                       coalesce(q.sl_threshold_s, {int(sl.threshold_s)}) AS threshold_s,
                       time_bucket({GRID}, c.offered_at) AS grid
                FROM contacts c JOIN queues q USING (queue_id) JOIN site_window w ON w.site_id = c.site_id
                WHERE c.offered_at >= w.w0 AND c.offered_at < w.w1
                  AND (c.initial_contact_id IS NULL OR c.initial_contact_id = c.contact_id)
                  AND coalesce(lower(c.direction), 'inbound') <> 'outbound'
            ) c
            GROUP BY ALL
        ) x
        JOIN grid_map g ON g.site_id = x.site_id AND g.grid = x.grid
        GROUP BY x.site_id, x.queue_id, x.call_type, x.channel, g.interval_utc""")


def _handle_facts(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """Handled legs per agent and answered interval, with first-contact resolution by repeat contacts.

    A customer contact (all legs sharing an initial contact id) is resolved first time when the same
    customer (and, for fcr_resolved_queue, the same queue) makes no further inbound contact within
    fcr.window_days of it. Credit goes to the last leg that was answered.
    """
    days = int(settings.fcr.window_days)
    con.execute(f"""
        INSERT INTO fact_handle_interval
        WITH answered AS (
            -- The agent's site and team come with the window, so the grid join below has both its keys.
            SELECT c.*, coalesce(c.initial_contact_id, c.contact_id) AS cid, w.site_id AS agent_site,
                   w.team_id AS agent_team, time_bucket({GRID}, c.answered_at) AS grid
            FROM contacts c JOIN agent_window w USING (agent_id)
            WHERE c.answered_at IS NOT NULL AND c.answered_at >= w.w0 AND c.answered_at < w.w1),
        chains AS (  -- customer contacts with more than one leg (transfers): few, so only they are ranked
            SELECT DISTINCT initial_contact_id AS cid FROM answered
            WHERE initial_contact_id IS NOT NULL AND initial_contact_id <> contact_id),
        legs AS (
            SELECT *, 1 AS leg_from_end FROM answered ANTI JOIN chains USING (cid)
            UNION ALL BY NAME
            SELECT *, row_number() OVER (PARTITION BY cid ORDER BY answered_at DESC, contact_id DESC) AS leg_from_end
            FROM answered SEMI JOIN chains USING (cid)),
        customer_contacts AS (
            SELECT coalesce(initial_contact_id, contact_id) AS cid, customer_id, queue_id, offered_at
            FROM contacts
            WHERE customer_id IS NOT NULL AND coalesce(lower(direction), 'inbound') <> 'outbound'
              AND (initial_contact_id IS NULL OR initial_contact_id = contact_id)
              AND offered_at >= (SELECT min(w0) FROM site_window) - INTERVAL {days + 1} DAY
              AND offered_at < (SELECT max(w1) FROM site_window) + INTERVAL {days + 1} DAY),
        repeats AS (  -- partitioned by the customer's hash first: cheaper to sort than the text alone, still exact
            SELECT cid, customer_id, offered_at,
                   lead(offered_at) OVER (PARTITION BY hash(customer_id), customer_id ORDER BY offered_at, cid)
                       AS next_any,
                   lead(offered_at) OVER (PARTITION BY hash(customer_id), customer_id, queue_id ORDER BY offered_at, cid)
                       AS next_queue
            FROM customer_contacts)
        -- Grouped by the narrowest key: site and team follow from the agent, the local labels from the interval.
        SELECT any_value(c.agent_site), any_value(c.agent_team), c.agent_id, c.queue_id,
               coalesce(c.call_type, q.call_type),
               coalesce(c.channel, q.channel), g.interval_utc, any_value(g.interval_local), any_value(g.date_local),
               count(*), count(*) FILTER (c.transferred),
               coalesce(sum(c.talk_s), 0), coalesce(sum(c.hold_s), 0), coalesce(sum(c.acw_s), 0),
               count(*) FILTER (c.hold_s > 0),
               count(*) FILTER (c.leg_from_end = 1 AND r.cid IS NOT NULL),
               count(*) FILTER (c.leg_from_end = 1 AND r.cid IS NOT NULL
                                AND (r.next_any IS NULL OR r.next_any > r.offered_at + INTERVAL {days} DAY)),
               count(*) FILTER (c.leg_from_end = 1 AND r.cid IS NOT NULL
                                AND (r.next_queue IS NULL OR r.next_queue > r.offered_at + INTERVAL {days} DAY))
        FROM legs c
        JOIN queues q ON q.queue_id = c.queue_id
        JOIN grid_map g ON g.site_id = c.agent_site AND g.grid = c.grid
        LEFT JOIN repeats r ON r.cid = c.cid
        GROUP BY c.agent_id, c.queue_id, coalesce(c.call_type, q.call_type), coalesce(c.channel, q.channel),
                 g.interval_utc""")


def _survey_facts(con: duckdb.DuckDBPyConnection) -> None:
    """Survey answers, attributed to the contact's agent, queue and answered interval when known."""
    con.execute(f"""
        INSERT INTO fact_survey_interval
        SELECT x.site_id, a.team_id, x.agent, x.queue_id, x.call_type, x.channel,
               g.interval_utc, g.interval_local, g.date_local,
               count(*), count(x.nps),
               count(*) FILTER (x.nps >= 9), count(*) FILTER (x.nps <= 6),
               count(x.csat), count(*) FILTER (x.csat >= 4),
               count(x.resolved), count(*) FILTER (x.resolved)
        FROM (
            SELECT v.nps, v.csat, v.resolved, coalesce(v.agent_id, c.agent_id) AS agent,
                   coalesce(ag.site_id, c.site_id) AS site_id, c.queue_id,
                   coalesce(c.call_type, q.call_type) AS call_type, coalesce(c.channel, q.channel) AS channel,
                   time_bucket({GRID}, coalesce(c.answered_at, v.responded_at)) AS grid
            FROM surveys v
            LEFT JOIN contacts c ON c.contact_id = v.contact_id
            LEFT JOIN queues q ON q.queue_id = c.queue_id
            LEFT JOIN agents ag ON ag.agent_id = coalesce(v.agent_id, c.agent_id)
            -- A response comes after its contact, so earlier responses cannot fall in the window (a day's grace
            -- for clocks that disagree).
            WHERE v.responded_at >= (SELECT min(w0) FROM site_window) - INTERVAL 1 DAY
        ) x
        LEFT JOIN agents a ON a.agent_id = x.agent
        JOIN grid_map g ON g.site_id = x.site_id AND g.grid = x.grid
        GROUP BY ALL""")


def _cut_sql(table: str, extra: str) -> str:
    """WITH clause giving `cut`: a segment table cut on the 15-minute UTC grid, near the touched window.

    Most segments (a call, a break) lie inside one grid cell: they skip the series expansion.
    """
    cells = f"""generate_series(time_bucket({GRID}, seg.start_at), seg.end_at - INTERVAL 1 MICROSECOND, {GRID})"""
    return f"""
        WITH seg AS NOT MATERIALIZED (  -- read twice rather than stored: a scan is cheaper than a copy
            SELECT seg.agent_id, a.site_id, seg.start_at, seg.end_at, {extra},
                   time_bucket({GRID}, seg.start_at) AS first_cell,
                   time_bucket({GRID}, seg.end_at - INTERVAL 1 MICROSECOND) AS last_cell
            FROM {table} seg JOIN agent_window a USING (agent_id)
            WHERE seg.start_at < a.w1 AND seg.end_at > a.w0),
        cut AS (
            SELECT agent_id, site_id, start_at, end_at, {extra.replace('seg.', '')}, first_cell AS grid
            FROM seg WHERE first_cell = last_cell
            UNION ALL
            SELECT agent_id, site_id, start_at, end_at, {extra.replace('seg.', '')}, unnest({cells}) AS grid
            FROM seg WHERE first_cell <> last_cell)"""


def _pieces_sql(table: str, extra: str) -> str:
    """The pieces of a segment table on touched site-days, each with its interval, its start and end, and the start
    of its segment (with the agent and grid cell, a piece's identity)."""
    return f"""{_cut_sql(table, extra)}
        SELECT x.agent_id, x.site_id, {extra.replace('seg.', 'x.')}, g.interval_utc, g.interval_local, g.date_local,
               x.grid, x.start_at AS seg_start, greatest(x.start_at, x.grid) AS ps, least(x.end_at, x.grid + {GRID}) AS pe
        FROM cut x JOIN grid_map g ON g.site_id = x.site_id AND g.grid = x.grid"""


def _state_cells(con: duckdb.DuckDBPyConnection) -> None:
    """`st_cells`: per agent and grid cell, the seconds in each state category (an agent has a few states a
    quarter-hour, but often a dozen pieces), summed before the grid labels are joined; `st_pieces`, the pieces
    themselves, stays a view for what needs their start and end."""
    con.execute(f"CREATE OR REPLACE TEMP VIEW st_pieces AS {_pieces_sql('agent_states', 'seg.state')}")
    by_state = ", ".join(f"sum(CASE WHEN state = '{c}' THEN secs ELSE 0 END) AS state_{c}_s" for c in STATE_CATEGORIES)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE st_cells AS
        {_cut_sql('agent_states', 'seg.state')}
        SELECT c.*, g.interval_utc
        FROM (SELECT agent_id, any_value(site_id) AS site_id, grid, {by_state}
              FROM (SELECT agent_id, site_id, grid, state,
                           epoch(least(end_at, grid + {GRID}) - greatest(start_at, grid)) AS secs FROM cut)
              GROUP BY agent_id, grid) c
        JOIN grid_map g ON g.site_id = c.site_id AND g.grid = c.grid""")


def _state_sum(alias: str, categories: tuple[str, ...]) -> str:
    """SQL adding the state_<category>_s columns of a relation for these state categories."""
    return " + ".join(f"{alias}.state_{c}_s" for c in categories)


def _per_interval(pieces_sql: str) -> str:
    """Sum a branch's measure columns per agent (and its site) and interval: one narrow row per interval, the
    local labels joined once, at the end."""
    return f"""SELECT agent_id, site_id, interval_utc, sum(COLUMNS(* EXCLUDE (agent_id, site_id, interval_utc)))
               FROM ({pieces_sql}) GROUP BY agent_id, site_id, interval_utc"""


def _agent_facts(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    _state_cells(con)
    con.execute(f"CREATE OR REPLACE TEMP TABLE sc_pieces AS {_pieces_sql('schedule', 'seg.activity, seg.paid')}")
    _shift_edges(con)
    _exception_runs(con, int(settings.adherence.exception_threshold_s))
    secs = "epoch(pe - ps)"
    sched_cols = ", ".join(f"CASE WHEN v.category = '{c}' THEN {secs} ELSE 0 END AS sched_{c}_s"
                           for c in SCHED_CATEGORIES if c != "open")
    measures = [f"state_{c}_s" for c in STATE_CATEGORIES] + [f"sched_{c}_s" for c in SCHED_CATEGORIES] + [
        "sched_paid_s", "sched_planned_shrink_s", "sched_tracked_s", "adherent_s"]
    zero = lambda m: f"coalesce({m}, 0)"  # noqa: E731 - a branch with no row for an interval adds nothing
    productive = _state_sum("c", PRODUCTIVE_STATES)
    states_part = f"""
        SELECT agent_id, site_id, interval_utc, COLUMNS('^state_'), {productive} AS productive_s FROM st_cells c"""
    if int(settings.data.interval_minutes) != 15:  # with quarter-hour intervals each cell is already one interval
        states_part = _per_interval(states_part)
    # Schedule against states: the seconds each schedule piece shares with each state category. A piece covering
    # its whole quarter-hour (the usual case) shares all of the cell's state seconds; only the others need the
    # state pieces. Each piece carries both its scheduled seconds and what it shares, so one aggregate per
    # interval gives both.
    whole_cell = f"sc.ps = sc.grid AND sc.pe = sc.grid + {GRID}"
    shared = {c: f"c.state_{c}_s" for c in STATE_CATEGORIES}
    partial_join = ""
    if con.execute(f"SELECT count(*) FROM (SELECT 1 FROM sc_pieces sc WHERE NOT ({whole_cell}) LIMIT 1)").fetchall()[0][0]:
        overlap = "epoch(least(st.pe, sc.pe) - greatest(st.ps, sc.ps))"
        partial_join = f"""
        LEFT JOIN (
            SELECT sc.agent_id, sc.grid, sc.seg_start,
                   {', '.join(f"sum(CASE WHEN st.state = '{c}' THEN {overlap} ELSE 0 END) AS state_{c}_s"
                              for c in STATE_CATEGORIES)}
            FROM sc_pieces sc
            JOIN st_pieces st ON st.agent_id = sc.agent_id AND st.grid = sc.grid AND st.ps < sc.pe AND st.pe > sc.ps
            WHERE NOT ({whole_cell})
            GROUP BY sc.agent_id, sc.grid, sc.seg_start
        ) pt ON pt.agent_id = sc.agent_id AND pt.grid = sc.grid AND pt.seg_start = sc.seg_start"""
        shared = {c: f"CASE WHEN {whole_cell} THEN c.state_{c}_s ELSE pt.state_{c}_s END" for c in STATE_CATEGORIES}
    satisfied = " + ".join(f"CASE WHEN w.sat_{c} THEN p.state_{c}_s ELSE 0 END" for c in STATE_CATEGORIES)
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
               CASE WHEN v.open THEN {_state_sum("p", STATE_CATEGORIES)} ELSE 0 END AS open_covered_s,
               {', '.join(f"CASE WHEN v.open THEN p.state_{c}_s ELSE 0 END AS open_lost_{c}_s" for c in LOST_STATES)}
        FROM (
            SELECT sc.agent_id, sc.site_id, sc.interval_utc, sc.activity, sc.paid, sc.ps, sc.pe,
                   {', '.join(f"coalesce({sql}, 0) AS state_{c}_s" for c, sql in shared.items())}
            FROM sc_pieces sc
            LEFT JOIN st_cells c ON c.agent_id = sc.agent_id AND c.grid = sc.grid{partial_join}
        ) p
        JOIN vocab_activities v ON v.code = p.activity
        JOIN vocab_satisfies_wide w ON w.activity = p.activity
        -- Shift edges and exception runs lie in scheduled intervals: summed with the pieces, not joined after.
        UNION ALL BY NAME SELECT agent_id, site_id, interval_utc, shifts, late_login_s, early_logout_s FROM shift_edges
        UNION ALL BY NAME SELECT agent_id, site_id, interval_utc, forgiven_s FROM forgiven
        UNION ALL BY NAME SELECT agent_id, site_id, interval_utc, approved_s FROM approved""")
    lost = ", ".join(zero(f"open_lost_{c}_s") for c in LOST_STATES if c != "offline")
    # States and the schedule side are joined, not unioned and regrouped: each is already one row per agent and
    # interval.
    con.execute(f"""
        INSERT INTO fact_agent_interval
        WITH st AS ({states_part}), sc AS ({schedule_part}),
        f AS (
            SELECT coalesce(st.agent_id, sc.agent_id) AS agent_id, coalesce(st.site_id, sc.site_id) AS site_id,
                   coalesce(st.interval_utc, sc.interval_utc) AS interval_utc,
                   st.* EXCLUDE (agent_id, site_id, interval_utc), sc.* EXCLUDE (agent_id, site_id, interval_utc)
            FROM st FULL JOIN sc ON sc.agent_id = st.agent_id AND sc.interval_utc = st.interval_utc)
        SELECT f.site_id, a.team_id, f.agent_id, f.interval_utc, l.interval_local, l.date_local,
               {', '.join(zero(m) for m in measures)},
               {zero('f.productive_s')} - {zero('f.productive_in_shift_s')},
               {zero('f.open_productive_s')}, {lost},
               -- scheduled open time with no state at all (not logged in) is lost as 'offline'
               {zero('f.open_lost_offline_s')} + greatest(0, {zero('f.sched_open_s')} - {zero('f.open_covered_s')}),
               {zero('f.shifts')}, {zero('f.late_login_s')}, {zero('f.early_logout_s')},
               {zero('f.forgiven_s')}, {zero('f.approved_s')}
        FROM f
        JOIN agent_window a ON a.agent_id = f.agent_id
        JOIN interval_labels l ON l.site_id = f.site_id AND l.interval_utc = f.interval_utc""")
    con.execute("DROP VIEW st_pieces; DROP TABLE st_cells; DROP TABLE sc_pieces; DROP TABLE shift_edges; "
                "DROP TABLE forgiven; DROP TABLE approved")


def _merge_sql(fragments: str) -> str:
    """Merge touching or overlapping (agent, s, e) fragments into maximal runs (gaps and islands)."""
    return f"""
        SELECT agent_id, any_value(site_id) AS site_id, min(s) AS s, max(e) AS e FROM (
            SELECT *, sum(CASE WHEN prev_e IS NOT NULL AND s <= prev_e THEN 0 ELSE 1 END)
                          OVER (PARTITION BY agent_id ORDER BY s, e ROWS UNBOUNDED PRECEDING) AS grp
            FROM (SELECT *, max(e) OVER (PARTITION BY agent_id ORDER BY s, e
                                         ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS prev_e
                  FROM ({fragments})))
        GROUP BY agent_id, grp"""


def _exception_runs(con: duckdb.DuckDBPyConnection, threshold_s: int) -> None:
    """Out-of-adherence runs, cut into intervals: `forgiven` (shorter than the exception threshold, Genesys
    style) and `approved` (the rest, where it lies inside an exception a supervisor approved).

    A run is a stretch of adherence-tracked scheduled time, continuous across activity changes, in
    which the agent's state does not satisfy the scheduled activity.
    """
    for table, column in (("forgiven", "forgiven_s"), ("approved", "approved_s")):
        con.execute(f"CREATE OR REPLACE TEMP TABLE {table} (site_id VARCHAR, agent_id VARCHAR, "
                    f"interval_utc TIMESTAMP, interval_local TIMESTAMP, date_local DATE, {column} DOUBLE)")
    if threshold_s <= 0 and not con.execute("SELECT count(*) FROM adherence_exceptions").fetchall()[0][0]:
        return  # nothing to forgive or approve: skip finding the runs
    tracked = """SELECT sc.agent_id, sc.site_id, sc.ps AS s, sc.pe AS e FROM sc_pieces sc
                 JOIN vocab_activities v ON v.code = sc.activity WHERE v.adherence_tracked"""
    adherent = """SELECT sc.agent_id, sc.site_id, greatest(st.ps, sc.ps) AS s, least(st.pe, sc.pe) AS e
                  FROM sc_pieces sc
                  JOIN st_pieces st ON st.agent_id = sc.agent_id AND st.grid = sc.grid
                       AND st.ps < sc.pe AND st.pe > sc.ps
                  JOIN vocab_activities v ON v.code = sc.activity
                  JOIN vocab_satisfies sat ON sat.activity = sc.activity AND sat.state = st.state
                  WHERE v.adherence_tracked"""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE out_runs AS
        WITH ev AS (
            SELECT *, 0 AS k FROM ({_merge_sql(tracked)})
            UNION ALL
            SELECT *, 1 AS k FROM ({_merge_sql(adherent)})),
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
    approvals = _merge_sql("""SELECT x.agent_id, NULL AS site_id, x.start_at AS s, x.end_at AS e
                              FROM adherence_exceptions x WHERE x.agent_id IN (SELECT agent_id FROM out_runs)""")
    for table, column, runs in (
        ("forgiven", "forgiven_s", f"SELECT r.agent_id, r.site_id, r.s, r.e FROM out_runs r WHERE {short}"),
        ("approved", "approved_s", f"""
            SELECT r.agent_id, r.site_id, greatest(r.s, w.s) AS s, least(r.e, w.e) AS e
            FROM out_runs r JOIN ({approvals}) w ON w.agent_id = r.agent_id AND w.s < r.e AND w.e > r.s
            WHERE NOT ({short})"""),
    ):
        con.execute(f"""
            INSERT INTO {table}
            SELECT x.site_id, x.agent_id, g.interval_utc, g.interval_local, g.date_local,
                   sum(epoch(least(x.e, x.grid + {GRID}) - greatest(x.s, x.grid)))::DOUBLE AS {column}
            FROM (SELECT r.*, unnest(generate_series(time_bucket({GRID}, r.s), r.e - INTERVAL 1 MICROSECOND, {GRID}))
                         AS grid
                  FROM ({runs}) r) x
            JOIN grid_map g ON g.site_id = x.site_id AND g.grid = x.grid
            GROUP BY ALL""")
    con.execute("DROP TABLE out_runs")


def _shift_edges(con: duckdb.DuckDBPyConnection) -> None:
    """Per shift: late log-in at its start interval, early log-out at its end interval.

    A shift is a run of adherence-tracked schedule segments with gaps under two hours (so a night
    shift across midnight is one shift). Log-in is the start of the first non-offline state that ends
    after the shift starts; log-out the end of the last one that starts before the shift ends (for states
    that do not overlap each other: the earliest start and latest end among the states overlapping the shift).
    """
    # Only states near the window: a day's load must not scan the whole history.
    logged = """SELECT st.agent_id, st.start_at, st.end_at, st.start_at::DATE AS d0,
                       (st.end_at - INTERVAL 1 MICROSECOND)::DATE AS d1
                FROM agent_states st JOIN agent_window a USING (agent_id)
                WHERE st.state <> 'offline' AND st.end_at > a.w0 - INTERVAL 2 DAY AND st.start_at < a.w1 + INTERVAL 2 DAY"""
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE shift_edges AS
        WITH tracked AS (
            SELECT sc.agent_id, a.site_id, sc.start_at, sc.end_at,
                   lag(sc.end_at) OVER (PARTITION BY sc.agent_id ORDER BY sc.start_at) AS prev_end
            FROM schedule sc JOIN vocab_activities v ON v.code = sc.activity
            JOIN agent_window a USING (agent_id)
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
        JOIN grid_map g ON g.site_id = x.site_id AND g.grid = x.grid
        GROUP BY ALL""")


# What interval aggregates add to each fact table: SELECTs naming the fact table's label columns they know,
# `interval_start`, and the measures they carry (whole counts rounded).
_AGGREGATES = {
    "fact_queue_interval": ["""
        SELECT x.site_id, x.queue_id, q.call_type, q.channel, x.interval_start,
               round(x.offered) AS offered, round(x.answered) AS answered, round(x.answered_within) AS answered_within,
               round(x.abandoned) AS abandoned, round(x.abandoned_within) AS abandoned_within,
               round(x.short_abandons) AS short_abandons, x.wait_answered_s, x.wait_abandoned_s
        FROM queue_intervals x JOIN queues q USING (queue_id)"""],
    "fact_handle_interval": ["""
        SELECT x.site_id, x.queue_id, q.call_type, q.channel, x.interval_start, round(x.handled) AS handled,
               x.talk_s, x.hold_s, x.acw_s
        FROM queue_intervals x JOIN queues q USING (queue_id) WHERE x.handled IS NOT NULL""", """
        SELECT a.site_id, a.team_id, x.agent_id, x.channel, x.interval_start, round(x.handled) AS handled,
               x.talk_s, x.hold_s, x.acw_s, round(x.held) AS held, round(x.transferred) AS transferred
        FROM agent_intervals x JOIN agents a USING (agent_id) WHERE x.handled IS NOT NULL"""],
    "fact_agent_interval": ["""
        SELECT a.site_id, a.team_id, x.agent_id, x.interval_start, x.state_available_s, x.state_on_contact_s,
               x.state_acw_s, x.state_break_s, x.state_lunch_s, x.state_aux_s
        FROM agent_intervals x JOIN agents a USING (agent_id)"""],
}
_LABELS = ("site_id", "team_id", "agent_id", "queue_id", "call_type", "channel")


def _aggregate_facts(con: duckdb.DuckDBPyConnection, table: str) -> None:
    """Interval aggregates (Avaya CMS, Genesys summaries) into the facts, each in the grid cell where its
    interval starts; measures they do not carry are zero, so sums across sources stay whole."""
    if not con.execute("SELECT count(*) FROM (SELECT 1 FROM queue_intervals UNION ALL SELECT 1 FROM agent_intervals "
                       "LIMIT 1)").fetchall()[0][0]:
        return
    columns = [c for (c,) in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ? ORDER BY ordinal_position",
        [table]).fetchall()]
    for source in _AGGREGATES[table]:
        given = {d[0] for d in con.execute(f"SELECT * FROM ({source}) LIMIT 0").description}  # noqa: S608
        picks, keys = [], []
        for c in columns:
            if c in ("interval_utc", "interval_local", "date_local"):
                picks.append(f"g.{c}")
                keys.append(f"g.{c}")
            elif c in _LABELS:
                picks.append(f"x.{c}" if c in given else "NULL")
                if c in given:
                    keys.append(f"x.{c}")
            else:
                picks.append(f"coalesce(sum(x.{c}), 0)" if c in given else "0")
        con.execute(f"""
            INSERT INTO {table}
            SELECT {', '.join(picks)}
            FROM ({source}) x
            JOIN grid_map g ON g.site_id = x.site_id AND g.grid = time_bucket({GRID}, x.interval_start)
            GROUP BY {', '.join(keys)}""")  # noqa: S608


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


def refresh_agent_span(con: duckdb.DuckDBPyConnection, settings: Settings, agent_id: str, start_at, end_at) -> int:
    """Rebuild the agent facts of the site-days an agent's UTC span touches (after an adherence exception
    is approved: the span's out-of-adherence time becomes excused)."""
    vocabulary.install(con, settings)
    _ensure_touched(con)
    con.execute("""
        INSERT INTO touched
        SELECT DISTINCT a.site_id, unnest(generate_series(timezone(s.timezone, ?::TIMESTAMPTZ)::DATE,
                                                          timezone(s.timezone, ?::TIMESTAMPTZ)::DATE, INTERVAL 1 DAY))::DATE
        FROM agents a JOIN sites s USING (site_id) WHERE a.agent_id = ?""", [start_at, end_at, agent_id])
    return refresh(con, settings, ("fact_agent_interval",))


def retag_teams(con: duckdb.DuckDBPyConnection) -> None:
    """After a roster change, attribute facts to each agent's current team."""
    for table in ("fact_agent_interval", "fact_handle_interval"):
        con.execute(f"""
            UPDATE {table} f SET team_id = a.team_id FROM agents a
            WHERE a.agent_id = f.agent_id AND f.team_id IS DISTINCT FROM a.team_id""")
