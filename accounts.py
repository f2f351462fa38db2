"""People who sign in: roles, the data scope each role grants, and argon2-hashed passwords."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from roles import HOME, ROLES, Role, known
from semantic import AgentId, SiteId, TeamId

_END_SESSIONS = "session_version = session_version + 1"
NOTHING = ("\x00none",)  # a filter value no row has: what a person without scope sees
_hasher = PasswordHasher()


class AccountError(ValueError):
    pass


@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: Role
    agent_id: AgentId | None = None
    team_ids: tuple[TeamId, ...] = ()
    site_ids: tuple[SiteId, ...] = ()
    session_version: int = 0  # sessions issued under an older version are over

    @property
    def home(self) -> str:
        return HOME.get(self.role, "/")

    @property
    def has_scope(self) -> bool:
        """Whether the role is known and carries what it needs (an agent id, teams, sites); if not, nothing is
        shown and the person is told why."""
        if not known(self.role):
            return False
        return {Role.AGENT: bool(self.agent_id), Role.SUPERVISOR: bool(self.team_ids),
                Role.MANAGER: bool(self.site_ids)}.get(Role(self.role), True)

    @property
    def site_scope(self) -> tuple[str, ...] | None:
        """The sites whose load history, counts and rejects this person may see: None means all (control desk);
        a manager sees their own sites; anyone else none."""
        if self.role == Role.CONTROL_DESK:
            return None
        if self.role == Role.MANAGER:
            return self.site_ids or NOTHING
        return NOTHING

    def scope_filters(self) -> dict[str, tuple[str, ...]]:
        """The only data this person may see: their own agent id, their teams, their sites, or everything
        (control desk only). Anything else, an unknown role included, sees nothing: it fails closed."""
        if self.role == Role.CONTROL_DESK:
            return {}
        if self.role == Role.AGENT:
            return {"agent": (self.agent_id,) if self.agent_id else NOTHING}
        if self.role == Role.SUPERVISOR:
            return {"team": self.team_ids or NOTHING}
        if self.role == Role.MANAGER:
            return {"site": self.site_ids or NOTHING}
        return {"agent": NOTHING, "team": NOTHING, "site": NOTHING}


def _validate(con: duckdb.DuckDBPyConnection, role: str, agent_id: str | None, team_ids: tuple[str, ...],
              site_ids: tuple[str, ...]) -> None:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}; one of {', '.join(ROLES)}")
    if role == "agent" and (
            not agent_id or not con.execute("SELECT 1 FROM agents WHERE agent_id = ?", [agent_id]).fetchall()):
        raise AccountError(f"an agent user needs a known agent id (got {agent_id!r})")
    if role == "supervisor":
        known = {t for (t,) in con.execute("SELECT team_id FROM teams WHERE list_contains(?, team_id)",
                                           [list(team_ids)]).fetchall()}
        if not team_ids or known != set(team_ids):
            raise AccountError(f"a supervisor needs known team ids (unknown: {sorted(set(team_ids) - known)})")
    if role == "manager":
        known = {s for (s,) in con.execute("SELECT site_id FROM sites WHERE list_contains(?, site_id)",
                                           [list(site_ids)]).fetchall()}
        if not site_ids or known != set(site_ids):
            raise AccountError(f"a manager needs known site ids (unknown: {sorted(set(site_ids) - known)})")


def add_user(con: duckdb.DuckDBPyConnection, username: str, display_name: str, role: str, password: str,
             agent_id: str | None = None, team_ids: tuple[str, ...] = (), site_ids: tuple[str, ...] = (),
             replace: bool = False) -> User:
    username = username.strip().lower()
    if not username or len(password) < 4:
        raise AccountError("a username and a password of at least 4 characters are needed")
    _validate(con, role, agent_id, tuple(team_ids), tuple(site_ids))
    verb = "INSERT OR REPLACE" if replace else "INSERT"
    # Replacing a user ends the sessions of the one replaced.
    before = con.execute("SELECT session_version FROM users WHERE username = ?", [username]).fetchall()
    try:
        con.execute(f"{verb} INTO users (username, display_name, role, agent_id, team_ids, site_ids, password_hash, "
                    "session_version) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [username, display_name, role, agent_id, list(team_ids), list(site_ids), _hasher.hash(password),
                     before[0][0] + 1 if before else 0])
    except duckdb.ConstraintException:
        raise AccountError(f"user {username!r} already exists") from None
    return User(username, display_name, Role(role), AgentId(agent_id) if agent_id else None,
                tuple(TeamId(t) for t in team_ids), tuple(SiteId(s) for s in site_ids))


def get_user(con: duckdb.DuckDBPyConnection, username: str) -> User | None:
    rows = con.execute("SELECT username, display_name, role, agent_id, team_ids, site_ids, session_version FROM users "
                       "WHERE username = ? AND NOT disabled", [username]).fetchall()
    if not rows:
        return None
    u = rows[0]
    return User(u[0], u[1], Role(u[2]), u[3], tuple(u[4] or ()), tuple(u[5] or ()), u[6])


def authenticate(con: duckdb.DuckDBPyConnection, username: str, password: str) -> User | None:
    """The user when the password matches an enabled account, else None (same answer for unknown names)."""
    rows = con.execute("SELECT password_hash FROM users WHERE username = ? AND NOT disabled",
                       [username.strip().lower()]).fetchall()
    if not rows:
        _hasher.hash(password)  # spend the same time as a real check
        return None
    try:
        _hasher.verify(rows[0][0], password)
    except (VerificationError, InvalidHashError):
        return None
    return get_user(con, username.strip().lower())


def list_users(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    cur = con.execute("""SELECT username, display_name, role, agent_id, team_ids, site_ids, disabled FROM users
                         ORDER BY role, username""")
    columns = [d[0] for d in cur.description]
    return [dict(zip(columns, r, strict=True)) for r in cur.fetchall()]


def _require(con: duckdb.DuckDBPyConnection, username: str) -> None:
    if not con.execute("SELECT 1 FROM users WHERE username = ?", [username]).fetchall():
        raise AccountError(f"no user {username!r}")


def set_password(con: duckdb.DuckDBPyConnection, username: str, password: str) -> None:
    _require(con, username)
    if len(password) < 4:
        raise AccountError("a password of at least 4 characters is needed")
    con.execute(f"UPDATE users SET password_hash = ?, {_END_SESSIONS} WHERE username = ?",  # noqa: S608
                [_hasher.hash(password), username])


def end_sessions(con: duckdb.DuckDBPyConnection, username: str) -> None:
    """Sign the user out everywhere: every session issued so far stops working."""
    con.execute(f"UPDATE users SET {_END_SESSIONS} WHERE username = ?", [username])  # noqa: S608


def set_disabled(con: duckdb.DuckDBPyConnection, username: str, disabled: bool = True) -> None:
    _require(con, username)
    con.execute(f"UPDATE users SET disabled = ?, {_END_SESSIONS} WHERE username = ?",  # noqa: S608
                [disabled, username])


def set_role(con: duckdb.DuckDBPyConnection, username: str, role: str, agent_id: str | None = None,
             team_ids: tuple[str, ...] = (), site_ids: tuple[str, ...] = ()) -> None:
    _require(con, username)
    _validate(con, role, agent_id, tuple(team_ids), tuple(site_ids))
    sql = f"UPDATE users SET role = ?, agent_id = ?, team_ids = ?, site_ids = ?, {_END_SESSIONS} WHERE username = ?"  # noqa: S608
    con.execute(sql, [role, agent_id, list(team_ids), list(site_ids), username])
