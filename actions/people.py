"""People administration in the app: who may see and manage whose sign-in, within their scope.

The control desk manages everyone. A manager manages the agents and supervisors of their own sites (and
may add them); nobody manages themselves out (disable) or people above their own role. Every change is audited.
"""

from __future__ import annotations

from typing import Any

import duckdb

import accounts
from accounts import AccountError, User
from actions.audit import record
from actions.scope import places_in_scope, sites_of
from roles import ROLES

MANAGERS = ("manager", "control_desk")
ROLES_ADDED_BY = {"control_desk": ROLES, "manager": ("agent", "supervisor")}
MIN_PASSWORD = 8


class PeopleError(ValueError):
    pass


def _sites_of(con: duckdb.DuckDBPyConnection, row: dict[str, Any]) -> set[str]:
    """The sites a user's scope lies in (their agent's, their teams', their own)."""
    sites = set(row["site_ids"] or ())
    if row["agent_id"]:
        sites |= {s for (s,) in con.execute("SELECT site_id FROM agents WHERE agent_id = ?", [row["agent_id"]]).fetchall()}
    if row["team_ids"]:
        sites |= {s for (s,) in con.execute("SELECT site_id FROM teams WHERE list_contains(?, team_id)",
                                            [list(row["team_ids"])]).fetchall()}
    return sites


def _manages(con: duckdb.DuckDBPyConnection, actor: User, row: dict[str, Any]) -> bool:
    if actor.role == "control_desk":
        return True
    if actor.role != "manager" or row["role"] not in ROLES_ADDED_BY["manager"]:
        return False
    sites = _sites_of(con, row)
    return bool(sites) and sites <= set(actor.site_ids)


def visible(con: duckdb.DuckDBPyConnection, actor: User) -> list[dict[str, Any]]:
    """Users the actor manages, for the people page (never password hashes)."""
    if actor.role not in MANAGERS:
        return []
    out = []
    for row in accounts.list_users(con):
        if _manages(con, actor, row):
            out.append({**row, "team_ids": ", ".join(row["team_ids"] or ()), "site_ids": ", ".join(row["site_ids"] or ()),
                        "status": "disabled" if row["disabled"] else "active"})
    return out


def _target(con: duckdb.DuckDBPyConnection, actor: User, username: str) -> dict[str, Any]:
    row = next((r for r in accounts.list_users(con) if r["username"] == (username or "").strip().lower()), None)
    if row is None or not _manages(con, actor, row):
        raise PeopleError("that person is not in your scope")
    return row


def add(con: duckdb.DuckDBPyConnection, actor: User, username: str, display_name: str, role: str, place: str | None,
        password: str) -> None:
    """Add a sign-in: an agent (place = agent id), supervisor (team id), manager (site id) or control desk."""
    if role not in ROLES_ADDED_BY.get(actor.role, ()):
        raise PeopleError(f"a {actor.role.replace('_', ' ')} may not add {role.replace('_', ' ')} users")
    username = (username or "").strip().lower()
    if not username or not username.replace(".", "").replace("-", "").replace("_", "").isalnum():
        raise PeopleError("a username is letters, digits, dots, dashes or underscores")
    if not (display_name or "").strip():
        raise PeopleError("give the person's name")
    if len(password or "") < MIN_PASSWORD:
        raise PeopleError(f"the first password needs at least {MIN_PASSWORD} characters")
    if con.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchall():
        raise PeopleError(f"{username} already exists")
    level = {"agent": "agent", "supervisor": "team", "manager": "site"}.get(role)
    if level and (place or "") not in {p for p, _ in places_in_scope(con, actor, level)}:
        raise PeopleError(f"choose {'an' if level == 'agent' else 'a'} {level} in your scope")
    try:
        accounts.add_user(con, username, display_name.strip(), role, password,
                          agent_id=place if role == "agent" else None,
                          team_ids=(place,) if role == "supervisor" and place else (),
                          site_ids=(place,) if role == "manager" and place else ())
    except AccountError as err:
        raise PeopleError(str(err)) from None
    record(con, actor.username, "add user", username, None, f"{role} {place or ''}".strip(),
           sites=sites_of(con, level or "", place))


def reset_password(con: duckdb.DuckDBPyConnection, actor: User, username: str, password: str) -> None:
    row = _target(con, actor, username)
    if len(password or "") < MIN_PASSWORD:
        raise PeopleError(f"a password needs at least {MIN_PASSWORD} characters")
    accounts.set_password(con, row["username"], password)
    record(con, actor.username, "set password", row["username"], None, "changed", sites=_sites_of(con, row))


def set_disabled(con: duckdb.DuckDBPyConnection, actor: User, username: str, disabled: bool) -> None:
    row = _target(con, actor, username)
    if row["username"] == actor.username:
        raise PeopleError("you cannot disable your own sign-in")
    accounts.set_disabled(con, row["username"], disabled)
    record(con, actor.username, "disable user" if disabled else "enable user", row["username"],
           "disabled" if row["disabled"] else "active", "disabled" if disabled else "active", sites=_sites_of(con, row))
