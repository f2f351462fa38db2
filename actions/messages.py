"""Messages and alerts to an agent, a team, a site or everyone, with acknowledgements the sender can see."""

from __future__ import annotations

import duckdb

from accounts import User
from actions.audit import now, record
from actions.scope import leads, places_in_scope, sites_of

LEVELS = ("agent", "team", "site", "all")
# Whom each role may address (within its scope, checked again when sending).
AUDIENCE_LEVELS = {"control_desk": ("site", "team", "agent", "all"), "manager": ("site", "team", "agent"),
                   "supervisor": ("team", "agent"), "agent": ()}


class MessageError(ValueError):
    pass


def _may_address(con: duckdb.DuckDBPyConnection, user: User, level: str, target: str | None) -> bool:
    if user.role == "control_desk":
        return True
    if user.role == "agent" or level == "all":
        return False
    if level == "site":
        return user.role == "manager" and target in user.site_ids
    if level == "team":
        row = con.execute("SELECT team_id, site_id FROM teams WHERE team_id = ?", [target]).fetchall()
    else:
        row = con.execute("SELECT team_id, site_id FROM agents WHERE agent_id = ?", [target]).fetchall()
    return bool(row) and leads(user, *row[0])


def audiences(con: duckdb.DuckDBPyConnection, user: User, level: str) -> list[tuple[str, str]]:
    """(id, name) of whom the user may address at this level."""
    if level not in AUDIENCE_LEVELS.get(user.role, ()):
        return []
    return [("", "Everyone")] if level == "all" else places_in_scope(con, user, level)


def send(con: duckdb.DuckDBPyConnection, user: User, level: str, target: str | None, body: str,
         kind: str = "message", kpi: str | None = None, period: str | None = None) -> int:
    if level not in LEVELS or kind not in ("message", "alert"):
        raise MessageError("unknown audience or kind")
    body = (body or "").strip()
    if not body:
        raise MessageError("the message is empty")
    if not _may_address(con, user, level, target):
        raise MessageError("you may not send to that audience")
    message_id = con.execute("SELECT nextval('action_id_seq')").fetchall()[0][0]
    con.execute("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [message_id, user.username, kind, level, None if level == "all" else target, kpi, period,
                 body[:1000], now()])
    record(con, user.username, f"send {kind}", f"{level} {target or ''}".strip(), None, body[:200],
           sites=sites_of(con, level, target))
    return message_id


def _addressed_to(user: User, con: duckdb.DuckDBPyConnection) -> tuple[str, list]:
    """SQL condition (on messages m) and parameters for the messages addressed to this user."""
    if user.role == "control_desk":
        return "true", []
    if user.role == "agent":
        team, site = con.execute("SELECT team_id, site_id FROM agents WHERE agent_id = ?", [user.agent_id]).fetchall()[0]
        return ("(m.audience_level = 'all' OR (m.audience_level = 'agent' AND m.audience_id = ?) "
                "OR (m.audience_level = 'team' AND m.audience_id = ?) OR (m.audience_level = 'site' AND m.audience_id = ?))",
                [user.agent_id, team, site])
    if user.role == "supervisor":
        sites = [s for (s,) in con.execute("SELECT DISTINCT site_id FROM teams WHERE list_contains(?, team_id)",
                                           [list(user.team_ids)]).fetchall()]
        return ("(m.audience_level = 'all' OR (m.audience_level = 'team' AND list_contains(?, m.audience_id)) "
                "OR (m.audience_level = 'site' AND list_contains(?, m.audience_id)))", [list(user.team_ids), sites])
    return ("(m.audience_level = 'all' OR (m.audience_level = 'site' AND list_contains(?, m.audience_id)))",
            [list(user.site_ids)])


def inbox(con: duckdb.DuckDBPyConnection, user: User) -> list[dict]:
    """Messages addressed to the user (not their own), newest first, with whether they acknowledged."""
    condition, params = _addressed_to(user, con)
    cur = con.execute(f"""
        SELECT m.message_id, m.kind, m.sender, u.display_name AS sender_name, m.audience_level, m.audience_id,
               m.kpi, m.period, m.body, strftime(m.created_at, '%Y-%m-%d %H:%M') AS sent_utc,
               k.acked_at IS NOT NULL AS acknowledged
        FROM messages m LEFT JOIN users u ON u.username = m.sender
        LEFT JOIN message_acks k ON k.message_id = m.message_id AND k.username = ?
        WHERE {condition} AND m.sender <> ? ORDER BY m.created_at DESC""",  # noqa: S608
                      [user.username] + params + [user.username])
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]


def acknowledge(con: duckdb.DuckDBPyConnection, user: User, message_id: int) -> None:
    if not any(m["message_id"] == message_id for m in inbox(con, user)):
        raise MessageError("no such message for you")
    con.execute("INSERT OR IGNORE INTO message_acks VALUES (?, ?, ?)", [message_id, user.username, now()])
    level, target = con.execute("SELECT audience_level, audience_id FROM messages WHERE message_id = ?",
                                [message_id]).fetchall()[0]
    record(con, user.username, "acknowledge", f"message {message_id}", None, "acknowledged",
           sites=sites_of(con, level, target))


def sent(con: duckdb.DuckDBPyConnection, user: User) -> list[dict]:
    """What the user sent, with who acknowledged it."""
    cur = con.execute("""
        SELECT m.message_id, m.kind, m.audience_level, m.audience_id, m.body,
               strftime(m.created_at, '%Y-%m-%d %H:%M') AS sent_utc,
               string_agg(u.display_name || ' ' || strftime(k.acked_at, '%H:%M'), ', ' ORDER BY k.acked_at)
                   AS acknowledged_by
        FROM messages m LEFT JOIN message_acks k USING (message_id) LEFT JOIN users u ON u.username = k.username
        WHERE m.sender = ? GROUP BY ALL ORDER BY m.message_id DESC""", [user.username])
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]
