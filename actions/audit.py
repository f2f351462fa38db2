"""The audit trail: who did what, when, to what, from which value to which, and why."""

from __future__ import annotations

from datetime import UTC, datetime

import duckdb


def now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def record(con: duckdb.DuckDBPyConnection, username: str, action: str, obj: str, old: str | None,
           new: str | None, reason: str | None = None) -> None:
    con.execute("INSERT INTO audit_log VALUES (?, ?, ?, ?, ?, ?, ?)", [now(), username, action, obj, old, new, reason])


def trail(con: duckdb.DuckDBPyConnection, limit: int = 500) -> list[dict]:
    cur = con.execute("""SELECT strftime(happened_at, '%Y-%m-%d %H:%M:%S') AS at_utc, username, action, object, old_value,
                                new_value, reason FROM audit_log ORDER BY happened_at DESC LIMIT ?""", [limit])
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]
