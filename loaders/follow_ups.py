"""The survey HOTLINE's detection: survey responses that meet `[follow_ups]` open a follow-up case.

Run inside each survey load's transaction (file, inbox or API alike), on the rows that load wrote (those of the
last `open_within_days`: a backfill of old surveys opens no cases). A response
opens at most one case (`follow_ups.response_id` is unique), so loading the file again opens none. A response
that meets a score or complaint criterion opens a follow-up; one that meets none of them but uses a lead
keyword opens a sales lead. The case links the response, contact, customer, agent, team, queue and site, and is
owned by the team named for its queue, else for its site, else the answering agent's team (its supervisor);
leads by `sales_owner` when one is named. What happens to a case next is in actions/follow_ups.py.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import duckdb
import pyarrow as pa

from loaders.facts.window import survey_site
from service_clock import due_at
from settings import Settings

SYSTEM_USER = "floorview"  # who the timeline says detected a case


def detect(con: duckdb.DuckDBPyConnection, settings: Settings, load_id: int) -> int:
    """Open the cases of the responses load `load_id` wrote; returns how many were opened."""
    f = settings.follow_ups
    detected_at = datetime.now(UTC).replace(tzinfo=None)
    # A backfill of old surveys opens no cases: only responses of the last open_within_days (counted back
    # from app.today when a demo pins it).
    since = datetime.combine(settings.app.today or detected_at.date(), time()) - timedelta(days=f.open_within_days)
    params = {
        "load": load_id, "now": detected_at, "since": since,
        "by_nps": f.by_nps, "nps": f.nps_at_most, "by_csat": f.by_csat, "csat": f.csat_at_most,
        "by_resolved": f.by_not_resolved,
        "keywords": [k.lower() for k in f.keywords], "leads": [k.lower() for k in f.lead_keywords],
        "queue_keys": list(f.owner_team_by_queue), "queue_teams": list(f.owner_team_by_queue.values()),
        "site_keys": list(f.owner_team_by_site), "site_teams": list(f.owner_team_by_site.values()),
        "sales_owner": f.sales_owner or None,
    }
    before = con.execute("SELECT count(*) FROM follow_ups").fetchall()[0][0]
    con.execute(f"""
        INSERT INTO follow_ups (case_id, response_id, kind, reason, contact_id, customer_id, agent_id, team_id,
                                queue_id, site_id, owner_team_id, owner, status, responded_at, detected_at, load_id)
        SELECT nextval('action_id_seq'), response_id, kind, reason, contact_id, customer_id, agent_id, team_id,
               queue_id, site_id,
               coalesce($queue_teams[list_position($queue_keys, queue_id)],
                        $site_teams[list_position($site_keys, site_id)], team_id),
               CASE WHEN kind = 'lead' THEN $sales_owner END, 'new', responded_at, $now, $load
        FROM (
            SELECT *,
                   CASE WHEN scores <> '' OR len(complaints) > 0 THEN 'follow_up' ELSE 'lead' END AS kind,
                   CASE WHEN scores <> '' OR len(complaints) > 0
                        THEN concat_ws('; ', nullif(scores, ''), CASE WHEN len(complaints) > 0
                                       THEN 'said "' || array_to_string(complaints, '", "') || '"' END)
                        ELSE 'lead: said "' || array_to_string(lead_words, '", "') || '"' END AS reason
            FROM (
                SELECT s.response_id, s.contact_id, c.customer_id, coalesce(s.agent_id, c.agent_id) AS agent_id,
                       a.team_id, c.queue_id, s.responded_at,
                       {survey_site("a.site_id", "c.site_id", "s.site_id")} AS site_id,
                       concat_ws('; ',
                                 CASE WHEN $by_nps AND s.nps <= $nps THEN 'NPS ' || s.nps END,
                                 CASE WHEN $by_csat AND s.csat <= $csat THEN 'CSAT ' || s.csat END,
                                 CASE WHEN $by_resolved AND s.resolved = false THEN 'not resolved' END) AS scores,
                       list_filter($keywords::VARCHAR[], lambda k: contains(lower(coalesce(s.comment, '')), k))
                           AS complaints,
                       list_filter($leads::VARCHAR[], lambda k: contains(lower(coalesce(s.comment, '')), k))
                           AS lead_words
                FROM surveys s
                LEFT JOIN contacts c ON c.contact_id = s.contact_id
                LEFT JOIN agents a ON a.agent_id = coalesce(s.agent_id, c.agent_id)
                WHERE s.load_id = $load AND s.responded_at >= $since
                  AND s.response_id NOT IN (SELECT response_id FROM follow_ups))
            WHERE scores <> '' OR len(complaints) > 0 OR len(lead_words) > 0)""", params)  # noqa: S608 - a fixed fragment
    con.execute("""INSERT INTO follow_up_actions
                   SELECT case_id, detected_at, ?, 'detected', reason FROM follow_ups
                   WHERE load_id = ? AND detected_at = ?""", [SYSTEM_USER, load_id, detected_at])
    set_clocks(con, settings, [c for (c,) in con.execute(
        "SELECT case_id FROM follow_ups WHERE load_id = ? AND detected_at = ?", [load_id, detected_at]).fetchall()])
    return int(con.execute("SELECT count(*) FROM follow_ups").fetchall()[0][0] - before)


def set_clocks(con: duckdb.DuckDBPyConnection, settings: Settings, case_ids: list[int]) -> None:
    """The due times of the cases' service clocks, from each one's detection, with the settings in force now (a
    later change of follow_ups.*_hours applies to cases opened after it)."""
    f = settings.follow_ups
    cases = con.execute("""SELECT f.case_id, f.detected_at, coalesce(s.timezone, 'UTC') FROM follow_ups f
                           LEFT JOIN sites s USING (site_id) WHERE list_contains(?, f.case_id)""",
                        [case_ids]).fetchall()
    if not cases:
        return
    due = {(at, tz): (due_at(at, f.first_action_hours, tz, f.clock, f.business_hours),
                      due_at(at, f.close_hours, tz, f.clock, f.business_hours)) for _, at, tz in cases}
    clocks = pa.table({"case_id": [c for c, _, _ in cases],
                       "first_due": pa.array([due[(at, tz)][0] for _, at, tz in cases], pa.timestamp("us")),
                       "close_due": pa.array([due[(at, tz)][1] for _, at, tz in cases], pa.timestamp("us"))})
    con.register("fv_case_clocks", clocks)
    try:
        con.execute("""UPDATE follow_ups f SET first_action_due = c.first_due, close_due = c.close_due
                       FROM fv_case_clocks c WHERE c.case_id = f.case_id""")
    finally:
        con.unregister("fv_case_clocks")
