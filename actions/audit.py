"""The audit trail: who did what, when, to what, from which value to which, and why."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import duckdb

from accounts import User


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def record(con: duckdb.DuckDBPyConnection, username: str, action: str, obj: str, old: str | None,
           new: str | None, reason: str | None = None, sites: Iterable[str] = ()) -> None:
    """One audit row; `sites` are the sites the action concerns (none: centre-wide, control desk only)."""
    con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [now(), username, action, obj, old, new, reason, sorted(set(sites))])


def trail(con: duckdb.DuckDBPyConnection, user: User, limit: int = 500) -> list[dict[str, Any]]:
    """The actions the user may review: everything (control desk), or those concerning their sites and their
    own (manager); nothing for other roles."""
    if user.role not in ("manager", "control_desk"):
        return []
    cur = con.execute("""SELECT strftime(happened_at, '%Y-%m-%d %H:%M:%S') AS at_utc, username, action, object, old_value,
                                new_value, reason FROM audit_log
                         WHERE ? OR username = ? OR list_has_any(site_ids, ?)
                         ORDER BY happened_at DESC LIMIT ?""",
                      [user.role == "control_desk", user.username, list(user.site_ids), limit])
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]
