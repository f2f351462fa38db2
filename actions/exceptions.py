"""Adherence exceptions: a supervisor approves an agent's out-of-adherence stretch with a reason.

With `adherence.count_approved_exceptions` (default true) the out-of-adherence seconds inside an approved
stretch count as adherent; the agent's timeline shows the approval. Times come in the agent's site-local
wall-clock time, as the timeline shows them, and are stored in UTC.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import duckdb

from accounts import User
from actions.audit import now, record
from actions.scope import leads
from loaders.facts import refresh_agent_span
from semantic import AgentId
from settings import Settings

LONGEST = timedelta(hours=24)


class ExceptionError(ValueError):
    pass


def _agent_in_scope(con: duckdb.DuckDBPyConnection, user: User, agent_id: str) -> tuple[str, str]:
    row = con.execute("""SELECT a.team_id, a.site_id, s.timezone FROM agents a JOIN sites s USING (site_id)
                         WHERE a.agent_id = ?""", [agent_id]).fetchall()
    if not row:
        raise ExceptionError("that agent is not in your scope")
    team, site, tz = row[0]
    if not leads(user, team, site):
        raise ExceptionError("that agent is not in your scope")
    return site, tz


def approve(con: duckdb.DuckDBPyConnection, settings: Settings, user: User, agent_id: AgentId, start_local: datetime,
            end_local: datetime, reason: str) -> int:
    """Store the approval, rebuild the agent's facts for the days it touches, audit it; returns its id."""
    site, tz = _agent_in_scope(con, user, agent_id)
    if not start_local or not end_local or end_local <= start_local:
        raise ExceptionError("the exception must end after it starts")
    if end_local - start_local > LONGEST:
        raise ExceptionError("an exception covers at most one day; approve each day separately")
    reason = (reason or "").strip()
    if not reason:
        raise ExceptionError("say why the exception is approved (e.g. 'phone system outage')")
    start_at, end_at = con.execute(
        "SELECT timezone('UTC', timezone(?, ?::TIMESTAMP)), timezone('UTC', timezone(?, ?::TIMESTAMP))",
        [tz, start_local, tz, end_local]).fetchall()[0]
    exception_id = int(con.execute("SELECT nextval('action_id_seq')").fetchall()[0][0])
    con.execute("INSERT INTO adherence_exceptions VALUES (?, ?, ?, ?, ?, ?, ?)",
                [exception_id, agent_id, start_at, end_at, reason[:500], user.username, now()])
    refresh_agent_span(con, settings, agent_id, start_at, end_at)
    span = f"{start_local:%Y-%m-%d %H:%M:%S}–{end_local:%H:%M:%S} site time"
    record(con, user.username, "approve adherence exception", f"agent {agent_id}", "out of adherence",
           f"approved {span}", reason[:500], sites=[site])
    return exception_id


def for_day(con: duckdb.DuckDBPyConnection, agent_id: str, day_start_local: datetime) -> list[dict[str, Any]]:
    """Approved exceptions overlapping the agent's local day, in local time (for the timeline)."""
    cur = con.execute("""
        WITH z AS (SELECT s.timezone AS tz FROM agents a JOIN sites s USING (site_id) WHERE a.agent_id = ?)
        SELECT timezone(z.tz, x.start_at::TIMESTAMPTZ) AS start, timezone(z.tz, x.end_at::TIMESTAMPTZ) AS "end",
               x.reason, x.approved_by
        FROM adherence_exceptions x, z
        WHERE x.agent_id = ? AND timezone(z.tz, x.end_at::TIMESTAMPTZ) > ?
          AND timezone(z.tz, x.start_at::TIMESTAMPTZ) < ? + INTERVAL 1 DAY
        ORDER BY x.start_at""", [agent_id, agent_id, day_start_local, day_start_local])
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]
