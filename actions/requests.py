"""Schedule-change requests: an agent asks (date, from/to times, reason); their supervisor decides.

Floorview does not rewrite the WFM schedule: approved requests are listed and exported for the WFM system.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import duckdb

from accounts import User
from actions.audit import now, record
from actions.scope import leads, sites_of

TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class RequestError(ValueError):
    pass


def submit(con: duckdb.DuckDBPyConnection, user: User, day: date, from_time: str, to_time: str, reason: str) -> int:
    """An agent's own request for a change on one day; returns its id."""
    if user.role != "agent" or not user.agent_id:
        raise RequestError("only agents request schedule changes for themselves")
    if not TIME.match(from_time or "") or not TIME.match(to_time or ""):
        raise RequestError("times are HH:MM, e.g. 13:00")
    if from_time >= to_time:
        raise RequestError("the change must end after it starts")
    reason = (reason or "").strip()
    if not reason:
        raise RequestError("say why: your supervisor decides on the reason")
    request_id = int(con.execute("SELECT nextval('action_id_seq')").fetchall()[0][0])
    con.execute("INSERT INTO schedule_requests VALUES (?, ?, ?, ?, ?, ?, ?, 'pending', NULL, NULL, NULL, ?)",
                [request_id, user.agent_id, user.username, day, from_time, to_time, reason[:500], now()])
    record(con, user.username, "request schedule change", f"request {request_id}", None,
           f"{day} {from_time}-{to_time}", reason[:500], sites=sites_of(con, "agent", user.agent_id))
    return request_id


def decide(con: duckdb.DuckDBPyConnection, user: User, request_id: int, approve: bool, note: str = "") -> None:
    """A supervisor (or manager/control desk) with the agent in scope approves or declines a pending request."""
    row = con.execute("""SELECT r.status, a.team_id, a.site_id FROM schedule_requests r
                         JOIN agents a USING (agent_id) WHERE r.request_id = ?""", [request_id]).fetchall()
    if not row:
        raise RequestError(f"no request {request_id}")
    status, team, site = row[0]
    if not leads(user, team, site):
        raise RequestError("that agent is not in your scope")
    if status != "pending":
        raise RequestError(f"request {request_id} is already {status}")
    new = "approved" if approve else "declined"
    con.execute("UPDATE schedule_requests SET status = ?, decided_by = ?, decided_at = ?, note = ? WHERE request_id = ?",
                [new, user.username, now(), (note or "").strip()[:500], request_id])
    record(con, user.username, f"{new} schedule change", f"request {request_id}", status, new, note or None,
           sites=[site])


def visible(con: duckdb.DuckDBPyConnection, user: User, status: str | None = None) -> list[dict[str, Any]]:
    """Requests the user may see: their own (agent) or those of agents in their scope."""
    where: list[str] = ["true"]
    params: list[object] = []
    if user.role == "agent":
        where.append("r.agent_id = ?")
        params.append(user.agent_id)
    elif user.role == "supervisor":
        where.append("list_contains(?, a.team_id)")
        params.append(list(user.team_ids))
    elif user.role == "manager":
        where.append("list_contains(?, a.site_id)")
        params.append(list(user.site_ids))
    if status:
        where.append("r.status = ?")
        params.append(status)
    cur = con.execute(f"""
        SELECT r.request_id, r.agent_id, a.name AS agent, CAST(r.day AS VARCHAR) AS day, r.from_time, r.to_time,
               r.reason, r.status, r.decided_by, r.note, strftime(r.created_at, '%Y-%m-%d %H:%M') AS requested_utc
        FROM schedule_requests r JOIN agents a USING (agent_id)
        WHERE {' AND '.join(where)} ORDER BY r.request_id DESC""", params)  # noqa: S608
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]
