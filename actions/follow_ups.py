"""Follow-up cases (the survey HOTLINE) after detection: who sees them, their service clocks, and the steps
new -> in progress (first action logged) -> closed (resolution, root cause, customer reached), reopened.

Who sees a case: the control desk all; a manager the cases of their sites; a supervisor those owned by their
teams; the person a lead is owned by; an agent, read-only, the cases about their own contacts (without the
customer's identity when `privacy.hash_customer_ids` is on). Who acts on one: the same, agents excepted. Every
step goes to the case's timeline and the audit trail.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from accounts import User
from actions.audit import now, record
from kpis.measures import LATER_SURVEY
from service_clock import hours_between
from settings import Settings

STATUSES = ("new", "in_progress", "closed")
COLUMNS = ("case_id", "response_id", "contact_id", "agent_id", "site_id", "reason", "status", "detected_at",
           "first_action_at", "closed_at", "resolution")


class FollowUpError(ValueError):
    pass


@dataclass(frozen=True)
class Filters:
    status: str | None = None
    owner_team: str | None = None
    site: str | None = None
    team: str | None = None
    overdue_only: bool = False
    case_id: int | None = None


def _scope_sql(user: User) -> tuple[str, list[Any]]:
    """The WHERE clause of the cases this user may see (fails closed: an unknown role sees none)."""
    if user.role == "control_desk":
        return "true", []
    if user.role == "manager":
        return "(list_contains(?, f.site_id) OR f.owner = ?)", [list(user.site_ids), user.username]
    if user.role == "supervisor":
        return "(list_contains(?, f.owner_team_id) OR f.owner = ?)", [list(user.team_ids), user.username]
    if user.role == "agent" and user.agent_id:
        return "f.agent_id = ?", [user.agent_id]
    return "false", []


def cases(con: duckdb.DuckDBPyConnection, settings: Settings, user: User, filters: Filters = Filters(),
          at: datetime | None = None) -> list[dict[str, Any]]:
    """The cases the user may see, overdue first, then newest: each with its clocks (`first_action_due`,
    `close_due`, `overdue`), names, the survey's answers and whether a later survey shows the customer
    recovered."""
    scope, params = _scope_sql(user)
    where = [scope]
    for column, value in (("f.status", filters.status), ("f.owner_team_id", filters.owner_team),
                          ("f.site_id", filters.site), ("f.team_id", filters.team), ("f.case_id", filters.case_id)):
        if value is not None and value != "":
            where.append(f"{column} = ?")
            params.append(value)
    cur = con.execute(f"""
        SELECT f.*, s.nps, s.csat, s.resolved AS said_resolved, s.comment, st.timezone,
               ag.name AS agent_name, tm.name AS team_name, ot.name AS owner_team_name, st.name AS site_name,
               q.name AS queue_name, c.offered_at, c.answered_at, c.ended_at,
               epoch(c.answered_at - c.offered_at) AS wait_s,
               coalesce(c.talk_s, 0) + coalesce(c.hold_s, 0) + coalesce(c.acw_s, 0) AS handle_s,
               later.nps AS later_nps, later.responded_at AS later_at
        FROM follow_ups f
        LEFT JOIN surveys s USING (response_id)
        LEFT JOIN sites st ON st.site_id = f.site_id
        LEFT JOIN agents ag ON ag.agent_id = f.agent_id
        LEFT JOIN teams tm ON tm.team_id = f.team_id
        LEFT JOIN teams ot ON ot.team_id = f.owner_team_id
        LEFT JOIN queues q ON q.queue_id = f.queue_id
        LEFT JOIN contacts c ON c.contact_id = f.contact_id
        {LATER_SURVEY}
        WHERE {' AND '.join(where)}""", params)  # noqa: S608 - clauses are fixed text, values bound
    names = [d[0] for d in cur.description]
    found = [dict(zip(names, row, strict=True)) for row in cur.fetchall()]
    moment = at or now()
    hide_customer = user.role == "agent" and settings.privacy.hash_customer_ids
    for case in found:  # the clocks' due times are those in force when the case opened (set at detection)
        late_first = case["first_action_due"] is not None and (case["first_action_at"] or moment) > case[
            "first_action_due"]
        late_close = case["close_due"] is not None and (case["closed_at"] or moment) > case["close_due"]
        case["first_action_late"], case["close_late"] = late_first, late_close
        case["overdue"] = case["status"] != "closed" and (
            (case["first_action_at"] is None and late_first) or late_close)
        later = case.get("later_nps")
        case["recovered"] = None if later is None else later >= 7
        if hide_customer:
            case["customer_id"] = None
    if filters.overdue_only:
        found = [c for c in found if c["overdue"]]
    found.sort(key=lambda c: (not c["overdue"], c["status"] == "closed", -c["detected_at"].timestamp()))
    return found


def case(con: duckdb.DuckDBPyConnection, settings: Settings, user: User, case_id: int) -> dict[str, Any]:
    """One case the user may see, with its timeline and the customer's other contacts in the FCR window."""
    found = cases(con, settings, user, Filters(case_id=case_id))
    if not found:
        raise FollowUpError("no such case in your scope")
    one = found[0]
    one["timeline"] = [dict(zip(("happened_at", "username", "action", "note"), r, strict=True)) for r in con.execute(
        """SELECT happened_at, username, action, note FROM follow_up_actions WHERE case_id = ?
           ORDER BY happened_at, action""", [case_id]).fetchall()]
    one["other_contacts"] = [] if not one.get("customer_id") else [
        dict(zip(("contact_id", "offered_at", "queue_id", "agent_id", "answered"), r, strict=True))
        for r in con.execute("""
            SELECT o.contact_id, o.offered_at, o.queue_id, o.agent_id, o.answered_at IS NOT NULL
            FROM contacts o JOIN contacts c ON c.contact_id = ?
            WHERE o.customer_id = c.customer_id AND o.contact_id <> c.contact_id
              AND o.offered_at BETWEEN c.offered_at - to_days(?) AND c.offered_at + to_days(?)
            ORDER BY o.offered_at""", [one["contact_id"], settings.fcr.window_days,
                                       settings.fcr.window_days]).fetchall()]
    return one


def _for_action(con: duckdb.DuckDBPyConnection, settings: Settings, user: User, case_id: int) -> dict[str, Any]:
    if user.role == "agent":
        raise FollowUpError("agents see the cases about their contacts; their leaders act on them")
    return case(con, settings, user, case_id)


def _log(con: duckdb.DuckDBPyConnection, user: User, found: dict[str, Any], action: str, note: str | None,
         old: str, new: str) -> None:
    con.execute("INSERT INTO follow_up_actions VALUES (?, ?, ?, ?, ?)",
                [found["case_id"], now(), user.username, action, note])
    record(con, user.username, f"follow-up: {action}", f"case {found['case_id']}", old, new, note,
           sites=[found["site_id"]] if found.get("site_id") else [])


def act(con: duckdb.DuckDBPyConnection, settings: Settings, user: User, case_id: int, action: str,
        note: str) -> None:
    """Log an action (called back, emailed, …); the first one starts the case (new -> in progress)."""
    found = _for_action(con, settings, user, case_id)
    if action not in settings.follow_ups.actions:
        raise FollowUpError(f"the action is one of: {', '.join(settings.follow_ups.actions)}")
    if found["status"] == "closed":
        raise FollowUpError("the case is closed; reopen it first")
    note = (note or "").strip()[:2000]
    _first_action(con, settings, found, now())
    con.execute("UPDATE follow_ups SET status = 'in_progress' WHERE case_id = ?", [case_id])
    _log(con, user, found, action, note or None, found["status"], "in_progress")


def close(con: duckdb.DuckDBPyConnection, settings: Settings, user: User, case_id: int, resolution: str,
          root_cause: str, reached: bool | None) -> None:
    """Close a case: what was done (resolution), why it happened (a configured root cause), and whether the
    customer was reached."""
    found = _for_action(con, settings, user, case_id)
    resolution = (resolution or "").strip()
    if found["status"] == "closed":
        raise FollowUpError("the case is closed already")
    if not resolution:
        raise FollowUpError("say how the case was resolved: it goes into the management report")
    if root_cause not in settings.follow_ups.root_causes:
        raise FollowUpError(f"the root cause is one of: {', '.join(settings.follow_ups.root_causes)}")
    if reached is None:
        raise FollowUpError("say whether the customer was reached")
    moment = now()
    _first_action(con, settings, found, moment)  # closing at once is the first action too
    con.execute("""UPDATE follow_ups SET status = 'closed', closed_at = ?, resolution = ?, root_cause = ?,
                          reached = ? WHERE case_id = ?""", [moment, resolution[:2000], root_cause, reached, case_id])
    _log(con, user, found, "closed", f"{root_cause}; customer {'reached' if reached else 'not reached'}: "
         f"{resolution[:2000]}", found["status"], "closed")


def _first_action(con: duckdb.DuckDBPyConnection, settings: Settings, found: dict[str, Any], at: datetime) -> None:
    """The case's first action, once: when, and after how many clock hours (wall or business) since detection."""
    if found["first_action_at"] is not None:
        return
    fu = settings.follow_ups
    hours = hours_between(found["detected_at"], at, found.get("timezone") or "UTC", fu.clock, fu.business_hours)
    con.execute("UPDATE follow_ups SET first_action_at = ?, hours_to_first_action = ? WHERE case_id = ?",
                [at, round(hours, 4), found["case_id"]])


def reopen(con: duckdb.DuckDBPyConnection, settings: Settings, user: User, case_id: int, reason: str) -> None:
    found = _for_action(con, settings, user, case_id)
    if found["status"] != "closed":
        raise FollowUpError("only a closed case can be reopened")
    reason = (reason or "").strip()
    if not reason:
        raise FollowUpError("say why the case is reopened")
    con.execute("""UPDATE follow_ups SET status = 'in_progress', closed_at = NULL, resolution = NULL,
                          root_cause = NULL, reached = NULL WHERE case_id = ?""", [case_id])
    _log(con, user, found, "reopened", reason[:2000], "closed", "in_progress")
