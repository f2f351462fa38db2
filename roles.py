"""Roles and the pages each may open: declared once here; the database CHECK, sign-in guard, navigation,
CLI choices and catalogue derive from it. Anything not declared (an unknown role) may open nothing."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    AGENT = "agent"
    SUPERVISOR = "supervisor"
    MANAGER = "manager"
    CONTROL_DESK = "control_desk"


ROLES: tuple[str, ...] = tuple(r.value for r in Role)
LEADERS: tuple[str, ...] = (Role.SUPERVISOR, Role.MANAGER, Role.CONTROL_DESK)
PLANNERS: tuple[str, ...] = (Role.MANAGER, Role.CONTROL_DESK)
ROLE_WORDS: dict[str, str] = {Role.AGENT: "Agent", Role.SUPERVISOR: "Supervisor", Role.MANAGER: "Manager",
                              Role.CONTROL_DESK: "Control desk"}


@dataclass(frozen=True)
class Page:
    path: str
    label: str
    roles: tuple[str, ...]


# In navigation order. A role's home is the first page here that names it as its own.
PAGES: tuple[Page, ...] = (
    Page("/agent", "Agent", ROLES),
    Page("/supervisor", "Supervisor", LEADERS),
    Page("/manager", "Manager", PLANNERS),
    Page("/control-desk", "Control desk", (Role.CONTROL_DESK,)),
    Page("/live", "Live", LEADERS),
    Page("/targets", "Targets", LEADERS),
    Page("/messages", "Messages", LEADERS),
    Page("/follow-ups", "Follow-ups", ROLES),  # agents: read-only, the cases about their own contacts
    Page("/voice", "Voice", ROLES),  # agents: their own customers' words
    Page("/admin", "People", PLANNERS),
    Page("/data", "Data", PLANNERS),
    Page("/help", "Help", ROLES),
)
HOME: dict[str, str] = {Role.AGENT: "/agent", Role.SUPERVISOR: "/supervisor", Role.MANAGER: "/manager",
                        Role.CONTROL_DESK: "/control-desk"}


def known(role: str | None) -> bool:
    return role in ROLES


def pages_for(role: str | None) -> tuple[str, ...]:
    """The paths a role may open, the landing page "/" included; nothing for a role not declared here."""
    if not known(role):
        return ()
    return ("/",) + tuple(p.path for p in PAGES if role in p.roles)


def check_sql(column: str = "role") -> str:
    """The CHECK clause that keeps undeclared roles out of the users table."""
    return f"CHECK ({column} IN ({', '.join(repr(r) for r in ROLES)}))"
