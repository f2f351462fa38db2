"""The survey HOTLINE: detection of follow-up cases and leads from loaded surveys, routing and scope, the steps of
a case, its service clocks (wall and business hours, across a DST change) and recovery, with hand-worked
numbers. The roster is the test roster: New York (Team T1: A1 Ann, A2 Bo), London (Team T2: L1 Lee)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from accounts import User
from actions import follow_ups as cases_of
from actions.follow_ups import Filters, FollowUpError
from loaders import load_file
from roles import Role
from service_clock import due_at, hours_between
from settings import BusinessHours, load_settings
from tests.conftest import REPO, changed, rows, write

CONTACTS = ("contact_id,queue_id,site_id,offered_at,answered_at,ended_at,agent_id,customer_id,talk_s,hold_s,acw_s\n"
            "C1,Q1,NYC,2026-11-03T14:00:00Z,2026-11-03T14:00:30Z,2026-11-03T14:06:00Z,A1,cust-1,300,0,30\n"
            "C2,Q1,NYC,2026-11-03T15:00:00Z,2026-11-03T15:00:10Z,2026-11-03T15:04:00Z,A2,cust-2,200,20,20\n"
            "C3,Q2,NYC,2026-11-03T16:00:00Z,2026-11-03T16:00:05Z,2026-11-03T16:03:00Z,A1,cust-3,150,0,25\n"
            "C4,Q1,NYC,2026-11-03T17:00:00Z,2026-11-03T17:00:05Z,2026-11-03T17:03:00Z,A2,cust-4,150,0,25\n"
            "C5,Q1,NYC,2026-11-03T18:00:00Z,2026-11-03T18:00:05Z,2026-11-03T18:03:00Z,A1,cust-5,150,0,25\n"
            "C6,Q1,LDN,2026-11-03T10:00:00Z,2026-11-03T10:00:05Z,2026-11-03T10:03:00Z,L1,cust-6,150,0,25\n"
            "C7,Q1,NYC,2026-11-06T14:00:00Z,2026-11-06T14:00:05Z,2026-11-06T14:03:00Z,A2,cust-1,150,0,25\n")
SURVEYS = ("response_id,responded_at,contact_id,nps,csat,resolved,comment\n"
           "R1,2026-11-03T16:00:00Z,C1,3,2,no,Waited ages and nobody fixed it\n"
           "R2,2026-11-03T17:00:00Z,C2,9,4,yes,Fine but I will CANCEL if the price goes up\n"
           "R3,2026-11-03T18:00:00Z,C3,8,4,yes,I am interested in an upgrade to fibre\n"
           "R4,2026-11-03T19:00:00Z,C4,10,5,yes,Brilliant\n"
           "R5,2026-11-03T20:00:00Z,C5,7,1,,\n"
           "R6,2026-11-03T12:00:00Z,C6,2,,,\n")
DESK = User("desk", "Desk", Role.CONTROL_DESK)
SUP_T1 = User("sup1", "Sue", Role.SUPERVISOR, team_ids=("T1",))
SUP_T2 = User("sup2", "Sam", Role.SUPERVISOR, team_ids=("T2",))
MGR_NYC = User("mgr", "Max", Role.MANAGER, site_ids=("NYC",))
ANN = User("ann", "Ann", Role.AGENT, agent_id="A1")


@pytest.fixture
def settings(tmp_path):
    """The test settings with "today" pinned to Sun 8 Nov 2026: the surveys of 3 Nov are recent."""
    return load_settings(REPO / "config.toml", database={"path": tmp_path / "test.duckdb"}, app={"today": "2026-11-08"})


@pytest.fixture
def loaded(roster, settings, tmp_path):
    assert load_file(roster, write(tmp_path, "contacts.csv", CONTACTS), settings).rows_rejected == 0
    result = load_file(roster, write(tmp_path, "surveys.csv", SURVEYS), settings)
    assert (result.status, result.rows_rejected) == ("loaded", 0)
    return roster, result


def test_surveys_open_one_case_each_by_score_keyword_or_lead_and_reloads_open_none(loaded, settings, tmp_path):
    con, result = loaded
    # R1: NPS 3 (detractor), CSAT 2, not resolved. R2: NPS 9 but "cancel". R3: a lead ("interested in", "upgrade").
    # R4: a promoter, nothing to do. R5: CSAT 1. R6: London, NPS 2.
    assert result.follow_ups == 5 and "5 follow-up case(s) opened" in result.summary()
    assert rows(con, "SELECT response_id, kind, reason, agent_id, team_id, site_id, owner_team_id, status "
                     "FROM follow_ups ORDER BY response_id") == [
        ("R1", "follow_up", "NPS 3; CSAT 2; not resolved", "A1", "T1", "NYC", "T1", "new"),
        ("R2", "follow_up", 'said "cancel"', "A2", "T1", "NYC", "T1", "new"),
        ("R3", "lead", 'lead: said "upgrade", "interested in"', "A1", "T1", "NYC", "T1", "new"),
        ("R5", "follow_up", "CSAT 1", "A1", "T1", "NYC", "T1", "new"),
        ("R6", "follow_up", "NPS 2", "L1", "T2", "LDN", "T2", "new")]
    assert rows(con, "SELECT customer_id, queue_id FROM follow_ups WHERE response_id = 'R1'") == [("cust-1", "Q1")]
    again = load_file(con, write(tmp_path, "surveys-again.csv", SURVEYS), settings)
    assert again.follow_ups == 0 and rows(con, "SELECT count(*) FROM follow_ups") == [(5,)]
    assert rows(con, "SELECT count(*) FROM follow_up_actions WHERE action = 'detected'") == [(5,)]


def test_a_backfill_of_old_surveys_opens_no_cases(roster, settings, tmp_path):
    """Only responses of the last open_within_days (14) open cases: a year-old detractor is history."""
    assert load_file(roster, write(tmp_path, "contacts.csv", CONTACTS), settings).rows_rejected == 0
    old = write(tmp_path, "old.csv", "response_id,responded_at,contact_id,nps\nR0,2026-10-24T12:00:00Z,C1,0\n"
                                     "R00,2026-10-25T00:00:00Z,C2,0\n")
    assert load_file(roster, old, settings).follow_ups == 1  # 25 Oct is 14 days before 8 Nov; 24 Oct is not
    assert rows(roster, "SELECT response_id FROM follow_ups") == [("R00",)]


def test_criteria_can_be_switched_off_and_routed_to_a_named_team_or_sales_owner(roster, settings, tmp_path):
    assert load_file(roster, write(tmp_path, "contacts.csv", CONTACTS), settings).rows_rejected == 0
    strict = changed(settings, follow_ups={"by_csat": False, "by_not_resolved": False, "keywords": [],
                                           "owner_team_by_site": {"NYC": "T2"}, "sales_owner": "sally"})
    load_file(roster, write(tmp_path, "surveys.csv", SURVEYS), strict)
    # Only NPS opens cases now: R1 (3) and R6 (2); R3 is still a lead, owned by the sales owner.
    assert rows(roster, "SELECT response_id, kind, owner_team_id, owner FROM follow_ups ORDER BY 1") == [
        ("R1", "follow_up", "T2", None), ("R3", "lead", "T2", "sally"), ("R6", "follow_up", "T2", None)]


def test_each_role_sees_its_own_cases(loaded, settings):
    con, _ = loaded

    def seen(user, **kw):
        return sorted(c["response_id"] for c in cases_of.cases(con, settings, user, Filters(**kw)))

    assert seen(DESK) == ["R1", "R2", "R3", "R5", "R6"]
    assert seen(SUP_T1) == ["R1", "R2", "R3", "R5"] and seen(SUP_T2) == ["R6"]
    assert seen(MGR_NYC) == ["R1", "R2", "R3", "R5"]
    assert seen(ANN) == ["R1", "R3", "R5"]  # the cases about her own contacts
    assert seen(User("nobody", "No one", Role.SUPERVISOR)) == []
    assert seen(DESK, site="LDN") == ["R6"] and seen(DESK, status="closed") == []
    with pytest.raises(FollowUpError, match="leaders act on them"):
        cases_of.act(con, settings, ANN, _case(con, "R1"), "called back", "")
    with pytest.raises(FollowUpError, match="no such case in your scope"):
        cases_of.act(con, settings, SUP_T2, _case(con, "R1"), "called back", "")


def test_agents_do_not_see_the_customer_when_ids_are_private(loaded, settings):
    con, _ = loaded
    private = changed(settings, privacy={"hash_customer_ids": True})
    mine = cases_of.cases(con, private, ANN)
    assert mine and all(c["customer_id"] is None for c in mine)
    assert all(c["customer_id"] for c in cases_of.cases(con, private, SUP_T1) if c["response_id"] != "R6")


def _case(con, response_id):
    return rows(con, "SELECT case_id FROM follow_ups WHERE response_id = ?", [response_id])[0][0]


def test_a_case_goes_from_new_to_closed_and_back_every_step_audited(loaded, settings):
    con, _ = loaded
    r1 = _case(con, "R1")
    with pytest.raises(FollowUpError, match="the action is one of"):
        cases_of.act(con, settings, SUP_T1, r1, "sent flowers", "")
    cases_of.act(con, settings, SUP_T1, r1, "called back", "Left her my direct line")
    assert rows(con, "SELECT status, first_action_at IS NOT NULL FROM follow_ups WHERE case_id = ?", [r1]) == [
        ("in_progress", True)]
    for resolution, cause, reached, said in (("", "long wait", True, "say how"),
                                              ("Refunded the fee", "bad cause", True, "root cause is one of"),
                                              ("Refunded the fee", "long wait", None, "reached")):
        with pytest.raises(FollowUpError, match=said):
            cases_of.close(con, settings, SUP_T1, r1, resolution, cause, reached)
    cases_of.close(con, settings, SUP_T1, r1, "Refunded the fee", "long wait", True)
    assert rows(con, "SELECT status, resolution, root_cause, reached FROM follow_ups WHERE case_id = ?", [r1]) == [
        ("closed", "Refunded the fee", "long wait", True)]
    with pytest.raises(FollowUpError, match="say why"):
        cases_of.reopen(con, settings, MGR_NYC, r1, " ")
    cases_of.reopen(con, settings, MGR_NYC, r1, "She called again: the refund never arrived")
    one = cases_of.case(con, settings, DESK, r1)
    assert one["status"] == "in_progress" and one["resolution"] is None
    assert [(t["username"], t["action"]) for t in one["timeline"]] == [
        ("floorview", "detected"), ("sup1", "called back"), ("sup1", "closed"), ("mgr", "reopened")]
    assert rows(con, "SELECT username, action, old_value, new_value FROM audit_log WHERE object = ? "
                     "ORDER BY happened_at", [f"case {r1}"]) == [
        ("sup1", "follow-up: called back", "new", "in_progress"), ("sup1", "follow-up: closed", "in_progress", "closed"),
        ("mgr", "follow-up: reopened", "closed", "in_progress")]


def test_the_case_view_has_the_contact_and_the_customers_other_contacts(loaded, settings):
    con, _ = loaded
    one = cases_of.case(con, settings, SUP_T1, _case(con, "R1"))
    # C1: waited 30 s, handled 300 + 0 + 30 = 330 s. The same customer called again 3 days later (C7): within
    # the 7-day FCR window.
    assert (one["wait_s"], one["handle_s"], one["queue_name"], one["agent_name"]) == (30, 330, "Billing", "Ann Adams")
    assert one["comment"] == "Waited ages and nobody fixed it" and (one["nps"], one["csat"]) == (3, 2)
    assert [c["contact_id"] for c in one["other_contacts"]] == ["C7"]


def test_clocks_flag_overdue_cases_first(loaded, settings):
    con, _ = loaded
    detected = rows(con, "SELECT min(detected_at) FROM follow_ups")[0][0]
    r2 = _case(con, "R2")
    cases_of.act(con, settings, SUP_T1, r2, "emailed", "")
    # 25 h later: every case without a first action is past its 24 h; R2 was acted on in time. At 73 h every
    # open case is past its 72 h close.
    later = cases_of.cases(con, settings, DESK, at=detected + timedelta(hours=25))
    assert {c["response_id"]: c["overdue"] for c in later} == {"R1": True, "R2": False, "R3": True, "R5": True,
                                                              "R6": True}
    assert later[-1]["response_id"] == "R2"  # overdue first
    assert all(c["overdue"] for c in cases_of.cases(con, settings, DESK, at=detected + timedelta(hours=73)))
    overdue = cases_of.cases(con, settings, DESK, Filters(overdue_only=True), at=detected + timedelta(hours=25))
    assert sorted(c["response_id"] for c in overdue) == ["R1", "R3", "R5", "R6"]


def test_a_later_survey_from_the_same_customer_shows_recovery(loaded, settings, tmp_path):
    con, _ = loaded
    assert cases_of.case(con, settings, DESK, _case(con, "R1"))["recovered"] is None
    # cust-1 answered again after C7: NPS 8, a passive: recovered.
    load_file(con, write(tmp_path, "later.csv", "response_id,responded_at,contact_id,nps\n"
                                                "R9,2026-11-07T12:00:00Z,C7,8\n"), settings)
    assert cases_of.case(con, settings, DESK, _case(con, "R1"))["recovered"] is True
    load_file(con, write(tmp_path, "latest.csv", "response_id,responded_at,contact_id,nps\n"
                                                 "R10,2026-11-08T12:00:00Z,C7,4\n"), settings)
    assert cases_of.case(con, settings, DESK, _case(con, "R1"))["recovered"] is False


# --- service clocks ----------------------------------------------------------------------------------------

HOURS = BusinessHours()


def test_wall_clock_hours_are_elapsed_hours_across_a_dst_change():
    # London leaves BST on Sun 25 Oct 2026. Sat 23:30 BST (22:30 UTC) + 24 h = Sun 22:30 UTC, which London's
    # clock shows as 22:30 GMT: 24 real hours, 23 on the wall clock.
    assert due_at(datetime(2026, 10, 24, 22, 30), 24, "Europe/London", "wall", HOURS) == datetime(2026, 10, 25, 22, 30)


def test_business_hours_skip_nights_and_weekends():
    # Fri 23 Oct 17:00 BST (16:00 UTC), 08:00-18:00 Mon-Fri, 24 business hours: 1 h on Friday, 10 on Monday
    # (now GMT), 10 on Tuesday, 3 on Wednesday: Wed 28 Oct 11:00 GMT = 11:00 UTC.
    assert due_at(datetime(2026, 10, 23, 16, 0), 24, "Europe/London", "business", HOURS) == datetime(2026, 10, 28, 11)
    assert hours_between(datetime(2026, 10, 23, 16, 0), datetime(2026, 10, 28, 11), "Europe/London", "business",
                         HOURS) == pytest.approx(24)


def test_business_hours_on_the_day_the_clocks_change():
    # Open every day. Sat 24 Oct 17:00 BST (16:00 UTC) + 3 business hours: 1 h on Saturday, then Sunday opens at
    # 08:00 GMT (08:00 UTC, the new offset): due 10:00 UTC. With Saturday's offset it would be 09:00 UTC.
    every_day = BusinessHours(weekdays=(0, 1, 2, 3, 4, 5, 6))
    assert due_at(datetime(2026, 10, 24, 16, 0), 3, "Europe/London", "business", every_day) == datetime(
        2026, 10, 25, 10, 0)
    # New York springs forward on Sun 8 Mar 2026. Sat 18:30 EST (23:30 UTC) is after closing; Sunday opens at
    # 08:00 EDT = 12:00 UTC, so 1 business hour is due at 13:00 UTC (Saturday's offset would say 14:00).
    assert due_at(datetime(2026, 3, 7, 23, 30), 1, "America/New_York", "business", every_day) == datetime(
        2026, 3, 8, 13, 0)


# --- the command line: the list and the monthly management report --------------------------------------------

def test_follow_ups_list_and_monthly_report_on_the_command_line(loaded, settings, tmp_path, capsys):
    import io
    import json
    from datetime import UTC

    import pandas as pd

    from cli import main

    con, _ = loaded
    r1 = _case(con, "R1")
    cases_of.act(con, settings, SUP_T1, r1, "called back", "")
    cases_of.close(con, settings, SUP_T1, r1, "Refunded the fee", "long wait", True)
    con.execute("CHECKPOINT")
    con.close()
    db = str(settings.db_path)
    assert main(["follow-ups", "list", "--db", db, "--status", "closed", "--format", "json"], delegate=False) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [(c["response_id"], c["contact_id"], c["agent_id"], c["site_id"], c["status"], c["resolution"])
            for c in listed] == [("R1", "C1", "A1", "NYC", "closed", "Refunded the fee")]
    assert set(listed[0]) == {"case_id", "response_id", "contact_id", "agent_id", "site_id", "reason", "status",
                              "detected_at", "first_action_at", "closed_at", "resolution"}
    assert main(["follow-ups", "list", "--db", db, "--format", "csv"], delegate=False) == 0
    table = pd.read_csv(io.StringIO(capsys.readouterr().out))
    assert len(table) == 5 and list(table.columns)[:3] == ["case_id", "response_id", "contact_id"]

    # The report of the month the cases were detected in (today, UTC): one row per case, raw values in the CSV,
    # typed cells in the workbook.
    month = datetime.now(UTC).strftime("%Y-%m")
    out_csv, out_xlsx = tmp_path / "report.csv", tmp_path / "report.xlsx"
    assert main(["follow-ups", "report", "--db", db, "--month", month, "--out", str(out_csv)], delegate=False) == 0
    assert main(["follow-ups", "report", "--db", db, "--month", month, "--format", "xlsx", "--out", str(out_xlsx)],
                delegate=False) == 0
    assert "5 case(s) detected in" in capsys.readouterr().out
    for frame in (pd.read_csv(out_csv), pd.read_excel(out_xlsx, engine="calamine")):
        assert list(frame.columns) == ["Case", "Customer", "Contact", "Site", "Agent", "Kind", "Brief description",
                                       "Customer's words", "Detected (UTC)", "First acted on (UTC)", "Closed (UTC)",
                                       "Status", "Final resolution", "Root cause", "Customer reached", "Overdue"]
        closed = frame[frame["Contact"] == "C1"].iloc[0]
        assert (closed["Customer"], closed["Brief description"], closed["Final resolution"], closed["Root cause"]) == (
            "cust-1", "NPS 3; CSAT 2; not resolved", "Refunded the fee", "long wait")
        assert bool(closed["Customer reached"]) is True and len(frame) == 5
    assert pd.read_excel(out_xlsx, engine="calamine")["Detected (UTC)"].dtype.kind == "M"  # a date, not text
    assert main(["follow-ups", "report", "--db", db, "--month", "2026-13", "--out", str(out_csv)],
                delegate=False) == 2


# --- the HOTLINE's KPIs ----------------------------------------------------------------------------------

def test_follow_up_kpis_by_hand(loaded, settings, tmp_path):
    """New York's follow-ups: R1, R2, R5 (R3 is a lead, R6 is London's). Set by hand: R1 first acted on 2 h after
    detection and closed after 10 h; R2 first acted on after 30 h (past its 24 h), still open; R5 after 1 h.
    Opened 3; closed 1 of 3 = 33.3 %; first action in time 2 of the 3 acted on = 66.7 %; closed in time 1 of
    the 1 closed (the other two are open and their 72 h have not run out: they count for neither) = 100 %; median
    hours to the first action of (1, 2, 30) = 2 (the mean would be 11). R1's customer answers again with NPS 8: 1 of 1 re-surveyed recovered, 100 %."""
    from datetime import date

    from kpis.compute import Period, Scope, compute

    con, _ = loaded
    con.execute("""UPDATE follow_ups SET first_action_at = detected_at + INTERVAL 2 HOUR, hours_to_first_action = 2,
                          closed_at = detected_at + INTERVAL 10 HOUR, status = 'closed' WHERE response_id = 'R1'""")
    con.execute("""UPDATE follow_ups SET first_action_at = detected_at + INTERVAL 30 HOUR, hours_to_first_action = 30,
                          status = 'in_progress' WHERE response_id = 'R2'""")
    con.execute("""UPDATE follow_ups SET first_action_at = detected_at + INTERVAL 1 HOUR, hours_to_first_action = 1,
                          status = 'in_progress' WHERE response_id = 'R5'""")
    load_file(con, write(tmp_path, "later.csv", "response_id,responded_at,contact_id,nps\n"
                                                "R9,2026-11-07T12:00:00Z,C7,8\n"), settings)
    ids = ["follow_ups_opened", "follow_up_closure_rate", "follow_up_first_action_within_sla",
           "follow_up_closed_within_sla", "median_hours_to_first_action", "follow_up_recovery_rate"]
    today = datetime.now().date()
    period = Period(date(2026, 11, 1), today + timedelta(days=1))
    got = compute(con, settings, ids, period, scope=Scope(site=("NYC",))).set_index("kpi")
    assert got.loc["follow_ups_opened", "value"] == 3
    assert round(got.loc["follow_up_closure_rate", "value"], 2) == 33.33
    assert round(got.loc["follow_up_first_action_within_sla", "value"], 2) == 66.67
    assert got.loc["follow_up_closed_within_sla", "value"] == 100
    assert got.loc["median_hours_to_first_action", "value"] == 2
    assert got.loc["follow_up_recovery_rate", "value"] == 100
    assert got.loc["follow_up_closure_rate", "status"] == "red"  # 33 % against a 90 % target
    # Past the clocks (R5's and R2's 72 h run out): they count as missed.
    con.execute("UPDATE follow_ups SET close_due = close_due - INTERVAL 100 HOUR WHERE response_id IN ('R2', 'R5')")
    later = compute(con, settings, ["follow_up_closed_within_sla"], period, scope=Scope(site=("NYC",)))
    assert round(later.value.iloc[0], 2) == 33.33
    # By team and agent like any KPI; the centre counts London's case too (4 opened).
    by_agent = compute(con, settings, ["follow_ups_opened"], period, by=["agent"]).set_index("agent").value
    assert by_agent.to_dict() == {"A1": 2, "A2": 1, "L1": 1}


def test_the_first_action_records_its_clock_hours(loaded, settings):
    con, _ = loaded
    r5 = _case(con, "R5")
    cases_of.act(con, settings, SUP_T1, r5, "emailed", "")
    cases_of.act(con, settings, SUP_T1, r5, "called back", "")  # only the first action counts
    hours, first = rows(con, "SELECT hours_to_first_action, first_action_at FROM follow_ups WHERE case_id = ?",
                        [r5])[0]
    assert 0 <= hours < 0.1 and first is not None
    assert rows(con, "SELECT count(*) FROM follow_up_actions WHERE case_id = ?", [r5]) == [(3,)]
