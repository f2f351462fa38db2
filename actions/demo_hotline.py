"""The demo's HOTLINE history: the cases its survey load opened, worked as a centre's supervisors would have
(`floorview demo --load` runs it after the load; the demo generator writes files only).

A freshly loaded demo would show every case of the last `follow_ups.open_within_days` as new, all opened at the
moment of the load. A centre that runs the HOTLINE has a history instead, so after the load each case is dated
from its response (detection runs with each load, every few minutes) and most were acted on and closed by the
owning team's supervisor, some late. Left open: the newest case of each owning team, and two overdue ones (a
first action never taken, and a case acted on but not closed in time). One New York promotion case is closed
with its resolution; its customer answered a later survey as a promoter or passive (recovered).

Written straight into the tables the actions module keeps (cases, timeline, audit), in a few statements: the
thousands of demo cases one by one through `actions.follow_ups` would take minutes.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa

from loaders.follow_ups import set_clocks
from service_clock import hours_between
from settings import Settings

DETECTION_DELAY = timedelta(minutes=20)  # responses are loaded (and cases opened) a few minutes after they arrive
STORY_RESOLUTION = ("Called the customer back, apologised for the wait on the TV promotion line and placed the "
                    "order at the promotion price")
RESOLUTIONS = {
    "long wait": "Called back, apologised for the wait and sorted the request on the call",
    "agent knowledge": "Called back with the right answer; coaching booked for the agent",
    "agent manner": "Apologised on the phone; the call reviewed with the agent",
    "process or policy": "Explained the policy and waived the fee this once",
    "product fault": "Replacement sent; fault logged with the product team",
}
OTHER_RESOLUTION = "Called back and resolved the customer's issue"


def work_the_hotline(con: duckdb.DuckDBPyConnection, settings: Settings, users: list[dict[str, Any]], now: datetime,
                     seed: int = 7) -> dict[str, Any]:
    """Give the loaded demo's cases their history up to `now` (naive UTC); returns the story's case ids."""
    cases = con.execute("""
        SELECT f.case_id, f.responded_at, f.owner_team_id, f.queue_id, f.site_id, coalesce(s.timezone, 'UTC'),
               t.supervisor_id, later.nps
        FROM follow_ups f LEFT JOIN sites s USING (site_id) LEFT JOIN teams t ON t.team_id = f.owner_team_id
        LEFT JOIN LATERAL (
            SELECT v.nps FROM surveys v JOIN contacts vc ON vc.contact_id = v.contact_id
            WHERE f.customer_id IS NOT NULL AND vc.customer_id = f.customer_id AND v.responded_at > f.responded_at
              AND v.nps IS NOT NULL ORDER BY v.responded_at DESC LIMIT 1) later ON true
        WHERE f.status = 'new' AND f.first_action_at IS NULL
        ORDER BY f.responded_at, f.case_id""").fetchall()
    if not cases:
        return {}
    con.execute("""UPDATE follow_ups SET detected_at = least(responded_at + ?, ?) WHERE status = 'new'
                   AND first_action_at IS NULL""", [DETECTION_DELAY, now])
    con.execute("""UPDATE follow_up_actions a SET happened_at = f.detected_at FROM follow_ups f
                   WHERE f.case_id = a.case_id AND a.action = 'detected'""")
    set_clocks(con, settings, [c[0] for c in cases])
    fates = _fates(cases)
    _write(con, settings, cases, fates, _supervisors(users), now, np.random.default_rng(seed))
    return {"open": sorted(c for c, f in fates.items() if f in ("new", "overdue_new", "overdue_open")),
            "overdue": sorted(c for c, f in fates.items() if f.startswith("overdue")),
            "recovered": [c for c, f in fates.items() if f == "story"]}


def _supervisors(users: list[dict[str, Any]]) -> dict[str, str]:
    return {team: u["username"] for u in users if u["role"] == "supervisor" for team in u.get("team_ids", ())}


def _fates(cases: list[tuple[Any, ...]]) -> dict[int, str]:
    """new (the newest of each owning team), overdue_new / overdue_open (two cases three to five days older than
    the newest),
    story (a recovered promotion case, closed), closed (the rest)."""
    fates = {c[0]: "closed" for c in cases}
    newest: dict[str, int] = {}
    for case in cases:
        newest[case[2] or ""] = case[0]  # ordered by response: the last one per owning team wins
    for case_id in newest.values():
        fates[case_id] = "new"
    latest = cases[-1][1]  # the demo's last response: a demo served days after it was made keeps its story
    window = [c for c in cases if latest - timedelta(days=5) <= c[1] <= latest - timedelta(days=3)
              and fates[c[0]] == "closed"]
    window.sort(key=lambda c: (c[3] != "PROMO", c[1]))  # a promotion case first: story 3's customers wait
    for case, fate in zip(window, ("overdue_new", "overdue_open"), strict=False):
        fates[case[0]] = fate
    recovered = [c for c in cases if c[7] is not None and c[7] >= 7 and fates[c[0]] == "closed"]
    recovered.sort(key=lambda c: (c[3] != "PROMO", c[1]))
    if recovered:
        fates[recovered[0][0]] = "story"
    return fates


def _write(con: duckdb.DuckDBPyConnection, settings: Settings, cases: list[tuple[Any, ...]], fates: dict[int, str],
           supervisors: dict[str, str], now: datetime, rng: np.random.Generator) -> None:
    fu = settings.follow_ups
    detected = dict(con.execute("SELECT case_id, detected_at FROM follow_ups WHERE list_contains(?, case_id)",
                                [[c[0] for c in cases]]).fetchall())
    first_actions = [a for a in fu.actions if a != "other"] or list(fu.actions)
    updates: list[dict[str, Any]] = []
    timeline: list[tuple[Any, ...]] = []
    for case_id, _responded, owner_team, queue_id, site_id, tz, supervisor_id, _later in cases:
        fate = fates[case_id]
        if fate in ("new", "overdue_new"):
            continue
        who = supervisors.get(owner_team or "") or supervisor_id or "supervisor"
        start = detected[case_id]
        left = max((now - start).total_seconds() / 3600, 0.1)
        # Most first actions within hours, one in twelve after the 24-hour clock; most closes within 72 hours.
        h1 = float(rng.lognormal(np.log(3), 1.0)) * (4 if rng.random() < 1 / 12 else 1)
        if fate == "overdue_open":  # acted on in time, then left: the close is what is overdue
            h1 = min(h1, fu.first_action_hours / 2)
        first = start + timedelta(hours=min(h1, left * 0.5))
        action = str(rng.choice(first_actions))
        note = {"called back": "Spoke to the customer", "emailed": "Emailed an apology and the next steps",
                "left a message": "No answer; left a message", "escalated": "Passed to the site manager"}.get(action)
        timeline.append((case_id, first, who, action, note, site_id, "new", "in_progress"))
        row = {"case_id": case_id, "first_action_at": first, "closed_at": None, "resolution": None,
               "root_cause": None, "reached": None,
               "hours": round(hours_between(start, first, tz, fu.clock, fu.business_hours), 4)}
        if fate != "overdue_open":
            h2 = float(rng.lognormal(np.log(18), 0.8))
            closed = first + timedelta(hours=min(h2, max((now - first).total_seconds() / 3600, 0.05) * 0.8))
            cause = _cause(fu.root_causes, queue_id, rng)
            text = STORY_RESOLUTION if fate == "story" else RESOLUTIONS.get(cause, OTHER_RESOLUTION)
            reached = fate == "story" or action != "left a message" or bool(rng.random() < 0.5)
            row.update(closed_at=closed, resolution=text, root_cause=cause, reached=reached)
            timeline.append((case_id, closed, who, "closed",
                             f"{cause}; customer {'reached' if reached else 'not reached'}: {text}", site_id,
                             "in_progress", "closed"))
        updates.append(row)
    _apply(con, updates, timeline)


def _cause(causes: Sequence[str], queue_id: str | None, rng: np.random.Generator) -> str:
    if queue_id == "PROMO" and "long wait" in causes:
        return "long wait"
    return str(rng.choice(causes))


def _apply(con: duckdb.DuckDBPyConnection, updates: list[dict[str, Any]], timeline: list[tuple[Any, ...]]) -> None:
    if not updates:
        return
    worked = pa.Table.from_pylist(updates, schema=pa.schema([
        ("case_id", pa.int64()), ("first_action_at", pa.timestamp("us")), ("closed_at", pa.timestamp("us")),
        ("resolution", pa.string()), ("root_cause", pa.string()), ("reached", pa.bool_()), ("hours", pa.float64())]))
    steps = pa.table({name: [t[i] for t in timeline] for i, name in enumerate(
        ("case_id", "happened_at", "username", "action", "note", "site_id", "old", "new"))})
    con.register("fv_demo_worked", worked)
    con.register("fv_demo_steps", steps)
    try:
        con.execute("""
            UPDATE follow_ups f SET first_action_at = w.first_action_at, hours_to_first_action = w.hours,
                   closed_at = w.closed_at, resolution = w.resolution, root_cause = w.root_cause, reached = w.reached,
                   status = CASE WHEN w.closed_at IS NULL THEN 'in_progress' ELSE 'closed' END
            FROM fv_demo_worked w WHERE w.case_id = f.case_id""")
        con.execute("""INSERT INTO follow_up_actions
                       SELECT case_id, happened_at, username, action, note FROM fv_demo_steps""")
        con.execute("""INSERT INTO audit_log (happened_at, username, action, object, old_value, new_value, reason,
                                              site_ids)
                       SELECT happened_at, username, 'follow-up: ' || action, 'case ' || case_id, old, new, note,
                              CASE WHEN site_id IS NULL THEN [] ELSE [site_id] END
                       FROM fv_demo_steps""")
    finally:
        con.unregister("fv_demo_worked")
        con.unregister("fv_demo_steps")
