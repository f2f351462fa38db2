"""The refresh window: the site-local days whose interval facts a change makes stale.

A window is computed from what changed (a file's staged rows, an agent's span, the whole history) and handed
to the fact builders explicitly; nothing is left in a shared temporary table.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

import duckdb

from loaders.kinds import Kind
from semantic import AgentId, SiteId

GRID = "INTERVAL 15 MINUTE"


def survey_site(agent_site: str, contact_site: str, own_site: str) -> str:
    """A survey response's site: its agent's, its contact's, the one it names itself, or the centre's only site
    (SQL over the given column expressions)."""
    return f"coalesce({agent_site}, {contact_site}, {own_site}, (SELECT min(site_id) FROM sites HAVING count(*) = 1))"


@dataclass(frozen=True)
class Window:
    """Site-local days (site id, date) to rebuild."""

    site_days: frozenset[tuple[SiteId, date]] = frozenset()

    def __bool__(self) -> bool:
        return bool(self.site_days)

    def __len__(self) -> int:
        return len(self.site_days)

    def __or__(self, other: Window) -> Window:
        return Window(self.site_days | other.site_days)

    def columns(self) -> tuple[list[SiteId], list[date]]:
        """The window as two parallel lists, for `unnest(?), unnest(?)` in SQL."""
        ordered = sorted(self.site_days)
        return [s for s, _ in ordered], [d for _, d in ordered]

    def within(self, earliest: date, latest: date) -> Window:
        return Window(frozenset((s, d) for s, d in self.site_days if earliest <= d < latest))


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None) -> Window:
    return Window(frozenset((s, d) for s, d in con.execute(sql, params or []).fetchall()))


def _ranges_sql(kind: Kind, staged: str, fcr_window_days: int) -> str:
    """(site_id, s, e) UTC ranges covered by the staged rows (relation `staged`, columns t_<name>) and by the
    stored rows they replace. For contacts, also the earlier contacts of the same customers within the FCR
    window: a new contact can make one of them a repeat (their days only, not every day of the window)."""
    key = " AND ".join(f"t.{k} IS NOT DISTINCT FROM g.t_{k}" for k in kind.key)
    old = f"SELECT t.* FROM {kind.table} t WHERE EXISTS (SELECT 1 FROM {staged} g WHERE {key})"
    if kind.name == "contacts":
        # Materialized once: joined to agents inline, the planner joined all stored contacts first (0.5 s).
        return f"""
            WITH replaced AS MATERIALIZED ({old}),
            affected AS MATERIALIZED (
                SELECT t_site_id AS site_id, t_agent_id AS agent_id, t_offered_at AS offered_at,
                       t_answered_at AS answered_at FROM {staged}
                UNION ALL SELECT site_id, agent_id, offered_at, answered_at FROM replaced
                UNION ALL SELECT c.site_id, c.agent_id, c.offered_at, c.answered_at FROM contacts c
                WHERE c.customer_id IN (SELECT t_customer_id FROM {staged} UNION SELECT customer_id FROM replaced)
                  AND c.offered_at >= (SELECT min(t_offered_at) FROM {staged}) - INTERVAL {int(fcr_window_days)} DAY
                  AND c.offered_at <= (SELECT max(t_offered_at) FROM {staged}))
            SELECT site_id, offered_at AS s, coalesce(answered_at, offered_at) AS e FROM affected
            UNION ALL SELECT a.site_id, r.answered_at, r.answered_at FROM affected r JOIN agents a USING (agent_id)
                WHERE r.answered_at IS NOT NULL"""
    if kind.name in ("agent_states", "schedule"):
        return f"""
            SELECT a.site_id, t_start_at AS s, t_end_at AS e FROM {staged} JOIN agents a ON a.agent_id = t_agent_id
            UNION ALL SELECT a.site_id, o.start_at, o.end_at FROM ({old}) o JOIN agents a USING (agent_id)"""
    if kind.name == "surveys":
        return f"""
            SELECT {survey_site("a.site_id", "c.site_id", "g.t_site_id")} AS site_id, coalesce(c.answered_at, g.t_responded_at) AS s,
                   coalesce(c.answered_at, g.t_responded_at) AS e
            FROM {staged} g LEFT JOIN contacts c ON c.contact_id = g.t_contact_id
            LEFT JOIN agents a ON a.agent_id = coalesce(g.t_agent_id, c.agent_id)
            UNION ALL
            SELECT {survey_site("a.site_id", "c.site_id", "o.site_id")},
                   coalesce(c.answered_at, o.responded_at),
                   coalesce(c.answered_at, o.responded_at)
            FROM ({old}) o LEFT JOIN contacts c ON c.contact_id = o.contact_id
            LEFT JOIN agents a ON a.agent_id = coalesce(o.agent_id, c.agent_id)"""
    if kind.name in ("forecast", "queue_intervals"):
        return f"""SELECT t_site_id AS site_id, t_interval_start AS s,
                          t_interval_start + to_minutes(coalesce(t_interval_minutes, 15)) AS e FROM {staged}
                   UNION ALL SELECT o.site_id, o.interval_start, o.interval_start + to_minutes(o.interval_minutes)
                   FROM ({old}) o"""
    if kind.name == "agent_intervals":
        return f"""
            SELECT a.site_id, t_interval_start AS s, t_interval_start + to_minutes(t_interval_minutes) AS e
            FROM {staged} JOIN agents a ON a.agent_id = t_agent_id
            UNION ALL SELECT a.site_id, o.interval_start, o.interval_start + to_minutes(o.interval_minutes)
            FROM ({old}) o JOIN agents a USING (agent_id)"""
    return ""


def touched_by(con: duckdb.DuckDBPyConnection, kind: Kind, staged: str, fcr_window_days: int) -> Window:
    """The site-local days the staged rows of a file touch, with those of the stored rows they replace
    (read before the merge). `staged` names the loader's relation of incoming rows."""
    ranges = _ranges_sql(kind, staged, fcr_window_days)
    if not ranges:
        return Window()
    return _fetch(con, f"""
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


def of_agent_span(con: duckdb.DuckDBPyConnection, agent_id: AgentId, start_at: datetime, end_at: datetime) -> Window:
    """The site-local days an agent's UTC span touches."""
    return _fetch(con, """
        SELECT DISTINCT a.site_id, unnest(generate_series(timezone(s.timezone, ?::TIMESTAMPTZ)::DATE,
                                                          timezone(s.timezone, ?::TIMESTAMPTZ)::DATE, INTERVAL 1 DAY))::DATE
        FROM agents a JOIN sites s USING (site_id) WHERE a.agent_id = ?""", [start_at, end_at, agent_id])


def everything(con: duckdb.DuckDBPyConnection) -> Window:
    """Every site-local day any stored row lies on, and the day after (a day's segments may end on the next)."""
    days = _fetch(con, f"""
        SELECT DISTINCT a.site_id, timezone(s.timezone, st.start_at::TIMESTAMPTZ)::DATE
          FROM agent_states st JOIN agents a USING (agent_id) JOIN sites s ON s.site_id = a.site_id
        UNION SELECT DISTINCT c.site_id, timezone(s.timezone, c.offered_at::TIMESTAMPTZ)::DATE
          FROM contacts c JOIN sites s USING (site_id)
        UNION SELECT DISTINCT a.site_id, timezone(s.timezone, sc.start_at::TIMESTAMPTZ)::DATE
          FROM schedule sc JOIN agents a USING (agent_id) JOIN sites s ON s.site_id = a.site_id
        UNION SELECT DISTINCT f.site_id, timezone(s.timezone, f.interval_start::TIMESTAMPTZ)::DATE
          FROM forecast f JOIN sites s USING (site_id)
        UNION SELECT DISTINCT s.site_id, timezone(s.timezone, v.responded_at::TIMESTAMPTZ)::DATE
          FROM surveys v LEFT JOIN agents a USING (agent_id) LEFT JOIN contacts c ON c.contact_id = v.contact_id
          JOIN sites s ON s.site_id = {survey_site("a.site_id", "c.site_id", "v.site_id")}
        UNION SELECT DISTINCT q.site_id, timezone(s.timezone, q.interval_start::TIMESTAMPTZ)::DATE
          FROM queue_intervals q JOIN sites s USING (site_id)
        UNION SELECT DISTINCT a.site_id, timezone(s.timezone, i.interval_start::TIMESTAMPTZ)::DATE
          FROM agent_intervals i JOIN agents a USING (agent_id) JOIN sites s ON s.site_id = a.site_id""")
    return days | Window(frozenset((s, date.fromordinal(d.toordinal() + 1)) for s, d in days.site_days))
