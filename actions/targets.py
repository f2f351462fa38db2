"""Targets set in the app: who may set what, the change itself, and its audit record.

Control desk: the enterprise and any site. Manager: their sites, the queues served there, and the teams
and agents of their sites. Supervisor: their teams and those teams' agents. Agents set nothing.
A change is a new rule from its effective date; older rules stay, so history keeps the colours of the
target then in force.
"""

from __future__ import annotations

import math
from datetime import date
from typing import Any

import duckdb

from accounts import User
from actions.audit import now, record
from actions.scope import places_in_scope, sites_of
from kpis.catalogue import BY_ID, out_of_scale, resolve
from kpis.targets import Target, TargetBook
from settings import Settings

LEVELS_BY_ROLE: dict[str, tuple[str, ...]] = {
    "control_desk": ("enterprise", "site"),
    "manager": ("site", "queue", "team", "agent"),
    "supervisor": ("team", "agent"),
    "agent": (),
}
LEVEL_WORDS = {"enterprise": "Enterprise", "site": "Site", "queue": "Queue", "team": "Team", "agent": "Agent"}


class TargetError(ValueError):
    pass


class TargetRefused(TargetError):
    """A target looser than the one set above the setter (target_policy.looser_than_above = "refuse"). The
    attempt is audited by `record_refusal`, in a write of its own: the refused change itself rolls back."""

    def __init__(self, message: str, audit: dict[str, Any]) -> None:
        super().__init__(message)
        self.audit = audit


def record_refusal(con: duckdb.DuckDBPyConnection, user: User, refused: TargetRefused) -> None:
    record(con, user.username, "target refused", **refused.audit)


def settable_kpis() -> list[tuple[str, str]]:
    """(id, label) of every KPI that has a direction, so a target means something."""
    return [(k.id, k.label) for k in BY_ID.values() if k.direction != "none"]


def places(con: duckdb.DuckDBPyConnection, user: User, level: str) -> list[tuple[str, str]]:
    """(id, name) of the places at `level` this user may set targets for."""
    if level not in LEVELS_BY_ROLE.get(user.role, ()):
        return []
    if level == "enterprise":
        return [("", "Whole centre")]
    return places_in_scope(con, user, level)


def _context(con: duckdb.DuckDBPyConnection, level: str, place: str) -> dict[str, str]:
    """The place and the places above it, so 'old value' is the target that applied there before."""
    if level == "agent":
        team, site = con.execute("SELECT team_id, site_id FROM agents WHERE agent_id = ?", [place]).fetchall()[0]
        return {"agent": place, "team": team, "site": site}
    if level == "team":
        (site,) = con.execute("SELECT site_id FROM teams WHERE team_id = ?", [place]).fetchall()[0]
        return {"team": place, "site": site}
    return {} if level == "enterprise" else {level: place}


def _describe(target: float, amber: float | None, unit: str) -> str:
    band = f", amber band {amber:g} {unit}" if amber is not None else ""
    return f"{target:g} {unit}{band}".strip()


def set_target(con: duckdb.DuckDBPyConnection, settings: Settings, user: User, kpi_id: str, level: str,
               place: str, target: float, amber: float | None, effective_from: date,
               effective_to: date | None, reason: str) -> int:
    """Store a new target rule after checking the user's authority; audit old and new. Returns the rule id."""
    if kpi_id not in BY_ID or BY_ID[kpi_id].direction == "none":
        raise TargetError(f"{kpi_id!r} is not a KPI that takes a target")
    if level not in LEVELS_BY_ROLE.get(user.role, ()):
        raise TargetError(f"a {user.role.replace('_', ' ')} may not set {level} targets")
    place = "" if level == "enterprise" else (place or "")
    if place not in {p for p, _ in places(con, user, level)}:
        raise TargetError(f"that {level} is not in your scope")
    if target is None or not math.isfinite(target):
        raise TargetError("the target must be a number")
    for problem in out_of_scale("the target", kpi_id, target):
        raise TargetError(problem)
    if amber is not None and (not math.isfinite(amber) or amber < 0):
        raise TargetError("the amber band must be a number of zero or more")
    if effective_from is None:
        raise TargetError("say from which date the target applies")
    if effective_to is not None and effective_to < effective_from:
        raise TargetError("the end date is before the start date")
    reason = (reason or "").strip()
    if not reason:
        raise TargetError("say why the target changes: it goes into the audit trail")
    kpi = resolve(kpi_id, settings)
    book = TargetBook.load(con, settings)
    context = _context(con, level, place)
    before = book.resolve(kpi, context, effective_from)
    where = "enterprise" if level == "enterprise" else f"{level} {place}"
    above = looser_than_above(book, kpi, user, context, float(target), effective_from)
    if above is not None and settings.target_policy.looser_than_above == "refuse":
        shown = f"{_describe(above.value, None, kpi.unit)} ({above.source})"
        raise TargetRefused(
            f"{_describe(float(target), None, kpi.unit)} is looser than the target of {shown} set above you; "
            "ask whoever sets that target to change it",
            {"obj": f"{kpi.label} · {where}", "old": shown, "new": _describe(float(target), amber, kpi.unit),
             "reason": f"looser than the target set above: {reason[:400]}", "sites": sites_of(con, level, place)})
    rule_id = int(con.execute("SELECT nextval('action_id_seq')").fetchall()[0][0])
    con.execute("INSERT INTO stored_targets VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [rule_id, kpi_id, level, place, float(target), amber, effective_from, effective_to,
                 user.username, now(), reason[:500]])
    old = f"{_describe(before.value, before.amber, kpi.unit)} ({before.source})" if before else "no target"
    until = f" to {effective_to.isoformat()}" if effective_to else ""
    new = f"{_describe(float(target), amber, kpi.unit)} from {effective_from.isoformat()}{until}"
    record(con, user.username, "set target", f"{kpi.label} · {where}", old, new, reason[:500],
           sites=sites_of(con, level, place))
    return rule_id


def looser_than_above(book: TargetBook, kpi: Any, user: User, context: dict[str, str], target: float,
                      on: date) -> Target | None:
    """The target set above the user's own levels (by someone else) that `target` would be easier to meet than,
    or None. The control desk sets the enterprise target itself: nothing is above it."""
    own = set(LEVELS_BY_ROLE.get(user.role, ()))
    if "enterprise" in own:
        return None
    above = book.resolve(kpi, {lv: place for lv, place in context.items() if lv not in own}, on)
    if above is None or kpi.direction not in ("higher", "lower"):
        return None
    looser = target < above.value if kpi.direction == "higher" else target > above.value
    return above if looser else None


def in_force(con: duckdb.DuckDBPyConnection, settings: Settings, user: User, kpi_id: str, level: str, place: str,
             on: date) -> tuple[Target | None, str]:
    """The target that applies at a place the user may set targets for, on a day, and the KPI's unit."""
    if kpi_id not in BY_ID or (place or "") not in {p for p, _ in places(con, user, level)}:
        raise TargetError("that place is not in your scope")
    kpi = resolve(kpi_id, settings)
    return TargetBook.load(con, settings).resolve(kpi, _context(con, level, place or ""), on), kpi.unit


def describe(target: Target, unit: str) -> str:
    return _describe(target.value, target.amber, unit)


def visible_rules(con: duckdb.DuckDBPyConnection, user: User) -> list[dict[str, Any]]:
    """Stored rules for places the user may set targets for (control desk: all), newest first."""
    rows = con.execute("""SELECT rule_id, kpi, level, scope_id, target, amber, CAST(effective_from AS VARCHAR),
                                 CAST(effective_to AS VARCHAR), set_by, strftime(set_at, '%Y-%m-%d %H:%M'), reason
                          FROM stored_targets ORDER BY rule_id DESC""").fetchall()
    mine = {lv: {p for p, _ in places(con, user, lv)} for lv in ("enterprise", "site", "queue", "team", "agent")}
    keys = ("rule_id", "kpi", "level", "place", "target", "amber", "effective_from", "effective_to", "set_by",
            "set_at_utc", "reason")
    out = []
    for r in rows:
        if user.role == "control_desk" or r[3] in mine.get(r[2], set()):
            row = dict(zip(keys, r, strict=True))
            row["kpi"] = BY_ID[row["kpi"]].label if row["kpi"] in BY_ID else row["kpi"]
            out.append(row)
    return out
