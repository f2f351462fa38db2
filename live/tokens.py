"""Bearer tokens for machines (scripts, vendor integrations): made once, shown once, stored as a hash.

A token is 32 random bytes, so a plain SHA-256 of it cannot be guessed back (no slow hash needed, unlike a
person's password)."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import UTC, datetime

import duckdb

from actions import audit

PREFIX = "fv_"
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$")


class TokenError(ValueError):
    """A token that cannot be made or revoked; the message says why."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create(con: duckdb.DuckDBPyConnection, name: str, by: str) -> str:
    """A new token named `name`; the only time its text exists outside the caller is this return value."""
    if not _NAME.match(name):
        raise TokenError(f"{name!r}: a token name is 1-64 letters, digits, '.', '_' or '-'")
    if con.execute("SELECT count(*) FROM api_tokens WHERE name = ?", [name]).fetchall()[0][0]:
        raise TokenError(f"a token named {name!r} exists already (revoke it first, or pick another name)")
    token = PREFIX + secrets.token_urlsafe(32)
    con.execute("INSERT INTO api_tokens VALUES (?, ?, ?, ?, NULL)",
                [name, _digest(token), datetime.now(UTC).replace(tzinfo=None), by])
    audit.record(con, by, "create API token", name, None, "created")
    return token


def revoke(con: duckdb.DuckDBPyConnection, name: str, by: str) -> None:
    done = con.execute("UPDATE api_tokens SET revoked_at = ? WHERE name = ? AND revoked_at IS NULL RETURNING name",
                       [datetime.now(UTC).replace(tzinfo=None), name]).fetchall()
    if not done:
        raise TokenError(f"no active token named {name!r}")
    audit.record(con, by, "revoke API token", name, "active", "revoked")


def listing(con: duckdb.DuckDBPyConnection) -> list[tuple]:
    return con.execute("""SELECT name, strftime(created_at, '%Y-%m-%d %H:%M'), created_by,
                                 coalesce(strftime(revoked_at, '%Y-%m-%d %H:%M'), '') FROM api_tokens ORDER BY name""").fetchall()


def holder(con: duckdb.DuckDBPyConnection, presented: str | None) -> str | None:
    """The name of the active token presented, or None."""
    if not presented or not presented.startswith(PREFIX):
        return None
    found = con.execute("SELECT name FROM api_tokens WHERE token_sha256 = ? AND revoked_at IS NULL",
                        [_digest(presented)]).fetchall()
    return found[0][0] if found else None
