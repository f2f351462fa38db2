"""Row-level reads behind the dashboards' drill-downs: who people are, one agent's day, survey comments.

Every function takes the filters already derived from the signed-in user; values are bound, never formatted.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import duckdb


@dataclass(frozen=True)
class AgentProfile:
    agent_id: str
    name: str
    team_id: str
    team: str
    site_id: str
    site: str
    timezone: str
    hire_date: date | None


def agent_profile(con: duckdb.DuckDBPyConnection, agent_id: str) -> AgentProfile | None:
    rows = con.execute("""
        SELECT a.agent_id, a.name, a.team_id, t.name, a.site_id, s.name, s.timezone, a.hire_date
        FROM agents a JOIN teams t USING (team_id) JOIN sites s ON s.site_id = a.site_id
        WHERE a.agent_id = ?""", [agent_id]).fetchall()
    return AgentProfile(*rows[0]) if rows else None


_FILTERED_BY = (("agent", "a.agent_id"), ("team", "a.team_id"), ("site", "a.site_id"))


def agent_filter(filters: dict[str, tuple[str, ...]]) -> tuple[str, list[Any]]:
    """The WHERE clause (on agents `a`) and its parameters for filters of agent, team or site ids."""
    where, params = ["true"], []
    for dim, column in _FILTERED_BY:
        if dim in filters:
            where.append(f"list_contains(?, {column})")
            params.append(list(filters[dim]))
    return " AND ".join(where), params


def agent_filter_named(filters: dict[str, tuple[str, ...]]) -> tuple[str, dict[str, Any]]:
    """agent_filter with named parameters ($agent, $team, $site), for queries that take others by name."""
    where, params = ["true"], {}
    for dim, column in _FILTERED_BY:
        if dim in filters:
            where.append(f"list_contains(${dim}, {column})")
            params[dim] = list(filters[dim])
    return " AND ".join(where), params


def agents_in(con: duckdb.DuckDBPyConnection, filters: dict[str, tuple[str, ...]]) -> list[dict[str, Any]]:
    """Agents visible within the filters (agent ids, team ids or site ids), with tenure in days."""
    where, params = agent_filter(filters)
    return _records(con.execute(f"""
        SELECT a.agent_id, a.name, a.team_id, t.name AS team, a.site_id, a.hire_date
        FROM agents a JOIN teams t USING (team_id) WHERE {where} ORDER BY a.name""",  # noqa: S608
                                params))


def sites_in(con: duckdb.DuckDBPyConnection, filters: dict[str, tuple[str, ...]]) -> list[str]:
    """The sites of the agents visible within the filters (the cheap question the poll asks every time)."""
    where, params = agent_filter(filters)
    return [s for (s,) in con.execute(
        f"SELECT DISTINCT a.site_id FROM agents a WHERE {where} ORDER BY 1", params).fetchall()]  # noqa: S608


def _records(cursor: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """Rows as dicts with Python values (dates stay dates)."""
    columns = [d[0] for d in cursor.description]
    return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def in_scope(con: duckdb.DuckDBPyConnection, agent_id: str, filters: dict[str, tuple[str, ...]]) -> bool:
    return any(a["agent_id"] == agent_id for a in agents_in(con, filters | {"agent": (agent_id,)}))


def names(con: duckdb.DuckDBPyConnection, table: str) -> dict[str, str]:
    """id -> display name for sites, teams, queues or agents."""
    key = {"sites": "site_id", "teams": "team_id", "queues": "queue_id", "agents": "agent_id"}[table]
    return dict(con.execute(f"SELECT {key}, name FROM {table}").fetchall())  # noqa: S608 - fixed names


def site_timezones(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT site_id, timezone FROM sites").fetchall())


def agent_day(con: duckdb.DuckDBPyConnection, agent_id: str, day: date) -> dict[str, list[dict[str, Any]]]:
    """Schedule and states overlapping the agent's local day, in site-local wall-clock time."""
    result: dict[str, list[dict[str, Any]]] = {}
    for name, table, what in (("schedule", "schedule", "activity"), ("states", "agent_states", "state")):
        found = con.execute(f"""
            WITH z AS (SELECT s.timezone AS tz FROM agents a JOIN sites s ON s.site_id = a.site_id
                       WHERE a.agent_id = ?)
            SELECT {what} AS code, timezone(z.tz, start_at::TIMESTAMPTZ) AS start,
                   timezone(z.tz, end_at::TIMESTAMPTZ) AS "end"
            FROM {table}, z
            WHERE agent_id = ? AND start_at < ? + INTERVAL 2 DAY AND end_at > ? - INTERVAL 1 DAY
              AND timezone(z.tz, end_at::TIMESTAMPTZ) > ?
              AND timezone(z.tz, start_at::TIMESTAMPTZ) < ? + INTERVAL 1 DAY
            ORDER BY start_at""", [agent_id, agent_id] + [datetime.combine(day, datetime.min.time())] * 4)  # noqa: S608
        result[name] = _records(found)
    return result


def worked_days(con: duckdb.DuckDBPyConnection, agent_id: str, start: date, end: date) -> list[date]:
    rows = con.execute("""SELECT DISTINCT date_local FROM fact_agent_interval
                          WHERE agent_id = ? AND date_local BETWEEN ? AND ? AND sched_tracked_s > 0
                          ORDER BY 1""", [agent_id, start, end]).fetchall()
    return [r[0] for r in rows]


def survey_comments(con: duckdb.DuckDBPyConnection, filters: dict[str, tuple[str, ...]], start: date,
                    end: date, limit: int = 200) -> list[dict[str, Any]]:
    """Verbatims with their scores, newest first, within the filters (agent, team or site)."""
    where, params = ["v.comment IS NOT NULL", "v.comment <> ''"], []
    for dim, column in (("agent", "a.agent_id"), ("team", "a.team_id"), ("site", "a.site_id")):
        if dim in filters:
            where.append(f"list_contains(?, {column})")
            params.append(list(filters[dim]))
    # The period's responses found first, by a UTC range a day wider on each side (a cheap filter on the stored
    # column), then cut to the site-local days; only those few are joined to their contacts for the queue.
    rows = con.execute(f"""
        WITH said AS (
            SELECT CAST(timezone(s.timezone, v.responded_at::TIMESTAMPTZ) AS DATE) AS day, a.name AS agent,
                   v.contact_id, v.nps, v.csat, v.resolved, v.comment, v.responded_at
            FROM surveys v JOIN agents a ON a.agent_id = v.agent_id JOIN sites s ON s.site_id = a.site_id
            WHERE {' AND '.join(where)} AND v.responded_at >= ? AND v.responded_at < ?
              AND CAST(timezone(s.timezone, v.responded_at::TIMESTAMPTZ) AS DATE) BETWEEN ? AND ?
            ORDER BY v.responded_at DESC LIMIT ?)
        SELECT day, agent, q.name AS queue, nps, csat, resolved, comment
        FROM said LEFT JOIN contacts c USING (contact_id) LEFT JOIN queues q ON q.queue_id = c.queue_id
        ORDER BY responded_at DESC""",  # noqa: S608
                       params + [start - timedelta(days=1), end + timedelta(days=2), start, end, limit]).fetchall()
    keys = ("day", "agent", "queue", "nps", "csat", "resolved", "comment")
    return [dict(zip(keys, (r[0].isoformat(), *r[1:]), strict=True)) for r in rows]



def exceptions(schedule: list[dict[str, Any]], states: list[dict[str, Any]], satisfied_by: dict[str, list[str]],
               tracked: set[str]) -> list[dict[str, Any]]:
    """Stretches of tracked scheduled time where the agent's state did not match, with the reason."""
    out: list[dict[str, Any]] = []
    for sched in schedule:
        if sched["code"] not in tracked:
            continue
        cursor = sched["start"]
        for st in states:
            s, e = max(st["start"], sched["start"]), min(st["end"], sched["end"])
            if e <= s:
                continue
            if s > cursor:
                out.append({"start": cursor, "end": s, "why": f"not logged in while scheduled {sched['code']}"})
            if st["code"] not in satisfied_by.get(sched["code"], []):
                out.append({"start": s, "end": e,
                            "why": f"{st['code'].replace('_', ' ')} while scheduled {sched['code']}"})
            cursor = max(cursor, e)
        if cursor < sched["end"]:
            out.append({"start": cursor, "end": sched["end"], "why": f"not logged in while scheduled {sched['code']}"})
    merged: list[dict[str, Any]] = []
    for x in sorted(out, key=lambda r: r["start"]):
        if merged and merged[-1]["end"] >= x["start"] and merged[-1]["why"] == x["why"]:
            merged[-1]["end"] = max(merged[-1]["end"], x["end"])
        else:
            merged.append(dict(x))
    return merged
