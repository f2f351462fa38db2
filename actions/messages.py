"""Messages and alerts to an agent, a team, a site or everyone, with acknowledgements the sender can see."""

from __future__ import annotations

from typing import Any

import duckdb

import store
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
    message_id = int(con.execute("SELECT nextval('action_id_seq')").fetchall()[0][0])
    con.execute("INSERT INTO messages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [message_id, user.username, kind, level, None if level == "all" else target, kpi, period,
                 body[:1000], now()])
    # The text stays out of the audit trail: leaders reading the trail are not the message's recipients.
    record(con, user.username, f"send {kind}", f"{level} {target or ''}".strip(), None,
           f"message {message_id} {store.MESSAGE_NOT_AUDITED}", sites=sites_of(con, level, target))
    return message_id


# Whether user u (with their agent row ua) is a recipient of message m: written once, used both for a person's
# inbox and for whose acknowledgements a sender sees. Leaders outside the audience are not recipients, so the
# control desk's wide data scope never puts a supervisor's note to one agent in its inbox.
_RECIPIENT = """(
    m.audience_level = 'all'
    OR (u.role = 'agent' AND ((m.audience_level = 'agent' AND m.audience_id = u.agent_id)
        OR (m.audience_level = 'team' AND m.audience_id = ua.team_id)
        OR (m.audience_level = 'site' AND m.audience_id = ua.site_id)))
    OR (u.role = 'supervisor' AND ((m.audience_level = 'team' AND list_contains(u.team_ids, m.audience_id))
        OR (m.audience_level = 'site' AND m.audience_id IN (
            SELECT t.site_id FROM teams t WHERE list_contains(u.team_ids, t.team_id)))))
    OR (u.role = 'manager' AND m.audience_level = 'site' AND list_contains(u.site_ids, m.audience_id)))"""


def inbox(con: duckdb.DuckDBPyConnection, user: User) -> list[dict[str, Any]]:
    """Messages addressed to the user (not their own), newest first, with whether they acknowledged."""
    cur = con.execute(f"""
        SELECT m.message_id, m.kind, m.sender, s.display_name AS sender_name, m.audience_level, m.audience_id,
               m.kpi, m.period, m.body, m.created_at AS sent_at,
               k.acked_at IS NOT NULL AS acknowledged
        FROM users u LEFT JOIN agents ua ON ua.agent_id = u.agent_id
        JOIN messages m ON {_RECIPIENT} AND m.sender <> u.username
        LEFT JOIN users s ON s.username = m.sender
        LEFT JOIN message_acks k ON k.message_id = m.message_id AND k.username = u.username
        WHERE u.username = ? AND NOT u.disabled ORDER BY m.created_at DESC, m.message_id DESC""",  # noqa: S608
                      [user.username])
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


def sent(con: duckdb.DuckDBPyConnection, user: User) -> list[dict[str, Any]]:
    """What the user sent, with who of its recipients acknowledged it (nobody else's acknowledgement counts)."""
    cur = con.execute(f"""
        SELECT m.message_id, m.kind, m.audience_level, m.audience_id,
               CASE m.audience_level WHEN 'all' THEN 'Everyone in scope'
                    ELSE coalesce(ag.name, tm.name, st.name, m.audience_id) END AS audience_name,
               m.kpi, m.body, m.created_at AS sent_at,
               string_agg(u.display_name || ' ' || strftime(k.acked_at, '%H:%M'), ', ' ORDER BY k.acked_at)
                   FILTER (WHERE {_RECIPIENT}) AS acknowledged_by
        FROM messages m LEFT JOIN message_acks k USING (message_id)
        LEFT JOIN agents ag ON m.audience_level = 'agent' AND ag.agent_id = m.audience_id
        LEFT JOIN teams tm ON m.audience_level = 'team' AND tm.team_id = m.audience_id
        LEFT JOIN sites st ON m.audience_level = 'site' AND st.site_id = m.audience_id
        LEFT JOIN users u ON u.username = k.username
        LEFT JOIN agents ua ON ua.agent_id = u.agent_id
        WHERE m.sender = ?
        GROUP BY ALL ORDER BY m.message_id DESC""", [user.username])  # noqa: S608 - fixed text
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]
