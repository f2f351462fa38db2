"""The places (sites, queues, teams, agents) a person may act on, from their role and scope."""

from __future__ import annotations

import duckdb

from accounts import User


def places_in_scope(con: duckdb.DuckDBPyConnection, user: User, level: str) -> list[tuple[str, str]]:
    """(id, name) at `level`, ordered by name: the control desk has everything; a manager their sites and what
    is in them (queues with traffic there); a supervisor their teams and those teams' agents; an agent nothing."""
    if user.role == "agent" or level not in ("site", "queue", "team", "agent"):
        return []
    everything = user.role == "control_desk"
    sites = list(user.site_ids) if user.role == "manager" else []
    teams = list(user.team_ids) if user.role == "supervisor" else []
    if level == "site":
        sql, params = "SELECT site_id, name FROM sites WHERE ? OR list_contains(?, site_id)", [everything, sites]
    elif level == "queue":
        sql = """SELECT q.queue_id, q.name FROM queues q WHERE ? OR q.queue_id IN (
                     SELECT queue_id FROM fact_queue_interval WHERE list_contains(?, site_id)
                     UNION SELECT queue_id FROM fact_forecast_interval WHERE list_contains(?, site_id))"""
        params = [everything, sites, sites]
    elif level == "team":
        sql = "SELECT team_id, name FROM teams WHERE ? OR list_contains(?, site_id) OR list_contains(?, team_id)"
        params = [everything, sites, teams]
    else:
        sql = "SELECT agent_id, name FROM agents WHERE ? OR list_contains(?, site_id) OR list_contains(?, team_id)"
        params = [everything, sites, teams]
    return [(i, n) for i, n in con.execute(sql + " ORDER BY 2, 1", params).fetchall()]  # noqa: S608 - fixed text


def leads(user: User, team: str | None, site: str | None) -> bool:
    """Whether the user has authority over people of this team at this site: the control desk over all, a
    manager over their sites, a supervisor over their teams."""
    return (user.role == "control_desk" or (user.role == "manager" and site in user.site_ids)
            or (user.role == "supervisor" and team in user.team_ids))


def sites_of(con: duckdb.DuckDBPyConnection, level: str, place: str | None) -> list[str]:
    """The site(s) an agent, team or site belongs to (none for a queue or everyone: centre-wide)."""
    sql = {"agent": "SELECT site_id FROM agents WHERE agent_id = ?", "team": "SELECT site_id FROM teams WHERE team_id = ?",
           "site": "SELECT site_id FROM sites WHERE site_id = ?"}.get(level)
    return [s for (s,) in con.execute(sql, [place]).fetchall()] if sql and place else []


def home_timezone(con: duckdb.DuckDBPyConnection, user: User) -> str | None:
    """The time zone a person reads times in: their own site's (an agent), their teams' or sites' when those are
    all in one zone; None (UTC) for the control desk or a scope spanning zones."""
    zones = {z for (z,) in con.execute("""
        SELECT DISTINCT s.timezone FROM sites s
        WHERE s.site_id IN (SELECT site_id FROM agents WHERE agent_id = ?)
           OR (? = 'supervisor' AND s.site_id IN (SELECT site_id FROM teams WHERE list_contains(?, team_id)))
           OR (? = 'manager' AND list_contains(?, s.site_id))""",
        [user.agent_id, user.role, list(user.team_ids), user.role, list(user.site_ids)]).fetchall()}
    return zones.pop() if len(zones) == 1 else None
