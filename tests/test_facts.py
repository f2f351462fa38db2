"""Interval facts checked against hand-worked numbers."""

from __future__ import annotations

from datetime import date, datetime

import store
from loaders import load_file
from settings import load_settings
from tests.conftest import REPO, ROSTER, rows, write


def load(con, settings, tmp_path, name, text):
    result = load_file(con, write(tmp_path, name, text), settings)
    assert result.status == "loaded" and result.rows_rejected == 0, result
    return result


def test_genesys_adherence_example_late_start_and_work_after_shift(roster, settings, tmp_path):
    # Scheduled 60 min on-queue 09:00-10:00; the agent is 10 min late and stays 10 min after the shift.
    load(roster, settings, tmp_path, "schedule.csv",
         "agent_id,activity,start_at,end_at\nA1,open,2026-11-03 09:00,2026-11-03 10:00\n")
    load(roster, settings, tmp_path, "states.csv",
         "agent_id,state,start_at,end_at\nA1,offline,2026-11-03 08:00,2026-11-03 09:10\n"
         "A1,available,2026-11-03 09:10,2026-11-03 10:10\n")
    tracked, adherent, outside, open_s, productive = rows(roster, """
        SELECT sum(sched_tracked_s), sum(adherent_s), sum(work_outside_shift_s), sum(sched_open_s),
               sum(state_available_s + state_on_contact_s + state_acw_s) FROM fact_agent_interval""")[0]
    assert (tracked, adherent, outside) == (3600, 3000, 600)
    assert round(1 - (tracked - adherent) / tracked, 4) == 0.8333  # not counting work outside the shift
    assert round(1 - (tracked - adherent + outside) / (tracked + outside), 4) == 0.7143  # counting it
    assert productive / open_s == 1.0  # conformance: 60 worked of 60 scheduled


def test_activity_matching_break_taken_late(roster, settings, tmp_path):
    # Break scheduled 10:00-10:15, taken 10:05-10:20: 5 min open-but-on-break, 5 min break-but-available.
    load(roster, settings, tmp_path, "schedule.csv", "agent_id,activity,start_at,end_at\n"
         "A1,open,2026-11-03 09:45,2026-11-03 10:00\nA1,break,2026-11-03 10:00,2026-11-03 10:15\n"
         "A1,open,2026-11-03 10:15,2026-11-03 10:30\n")
    load(roster, settings, tmp_path, "states.csv", "agent_id,state,start_at,end_at\n"
         "A1,available,2026-11-03 09:45,2026-11-03 10:05\nA1,break,2026-11-03 10:05,2026-11-03 10:20\n"
         "A1,on_contact,2026-11-03 10:20,2026-11-03 10:30\n")
    by_interval = rows(roster, """SELECT strftime(interval_local, '%H:%M'), sched_tracked_s, adherent_s,
                                         sched_break_s, sched_planned_shrink_s, sched_paid_s
                                  FROM fact_agent_interval ORDER BY interval_utc""")
    assert by_interval == [("09:45", 900, 900, 0, 0, 900), ("10:00", 900, 600, 900, 900, 900),
                           ("10:15", 900, 600, 0, 0, 900)]


def test_a_schedule_off_the_quarter_hours_is_matched_second_by_second(roster, settings, tmp_path):
    # Open 09:05-09:50 (New York); available 09:00-09:20, break 09:20-09:30, available 09:30-10:00.
    load(roster, settings, tmp_path, "schedule.csv",
         "agent_id,activity,start_at,end_at\nA1,open,2026-11-03 09:05,2026-11-03 09:50\n")
    load(roster, settings, tmp_path, "states.csv", "agent_id,state,start_at,end_at\n"
         "A1,available,2026-11-03 09:00,2026-11-03 09:20\nA1,break,2026-11-03 09:20,2026-11-03 09:30\n"
         "A1,available,2026-11-03 09:30,2026-11-03 10:00\n")
    by_interval = rows(roster, """SELECT strftime(interval_local, '%H:%M'), sched_tracked_s, adherent_s,
                                         work_outside_shift_s, open_lost_break_s
                                  FROM fact_agent_interval ORDER BY interval_utc""")
    # 09:00: 10 scheduled minutes, all available, 5 available before the shift; 09:15: 5 of 15 adherent, 10 on
    # break; 09:30: all adherent; 09:45: 5 scheduled minutes, all available, 10 available after the shift.
    assert by_interval == [("09:00", 600, 600, 300, 0), ("09:15", 900, 300, 0, 600), ("09:30", 900, 900, 0, 0),
                           ("09:45", 300, 300, 600, 0)]


def test_unpaid_lunch_is_tracked_but_not_paid(roster, settings, tmp_path):
    load(roster, settings, tmp_path, "schedule.csv",
         "agent_id,activity,start_at,end_at\nA1,lunch,2026-11-03 12:00,2026-11-03 12:30\n")
    assert rows(roster, "SELECT sum(sched_lunch_s), sum(sched_paid_s), sum(sched_tracked_s) FROM fact_agent_interval") == [
        (1800, 0, 1800)]


def test_fall_back_day_has_100_quarter_hours_and_25_hours(roster, settings, tmp_path):
    # New York, Sun 1 Nov 2026: 01:00-02:00 happens twice.
    load(roster, settings, tmp_path, "states.csv",
         "agent_id,state,start_at,end_at\nA1,available,2026-11-01 00:00,2026-11-02 00:00\n")
    n, seconds, labels = rows(roster, """
        SELECT count(DISTINCT interval_utc), sum(state_available_s), count(DISTINCT interval_local)
        FROM fact_agent_interval WHERE date_local = DATE '2026-11-01'""")[0]
    assert (n, seconds, labels) == (100, 25 * 3600, 96)
    twice = rows(roster, """SELECT interval_utc FROM fact_agent_interval
                            WHERE interval_local = TIMESTAMP '2026-11-01 01:15' ORDER BY 1""")
    assert twice == [(datetime(2026, 11, 1, 5, 15),), (datetime(2026, 11, 1, 6, 15),)]


def test_spring_forward_day_has_92_quarter_hours(roster, settings, tmp_path):
    # London, Sun 29 Mar 2026: 01:00 GMT jumps to 02:00 BST.
    load(roster, settings, tmp_path, "states.csv",
         "agent_id,state,start_at,end_at\nL1,available,2026-03-29 00:00,2026-03-30 00:00\n")
    n, seconds, gap = rows(roster, """
        SELECT count(DISTINCT interval_utc), sum(state_available_s),
               count(*) FILTER (hour(interval_local) = 1)
        FROM fact_agent_interval WHERE date_local = DATE '2026-03-29'""")[0]
    assert (n, seconds, gap) == (92, 23 * 3600, 0)


def test_shift_across_midnight_splits_between_local_dates(roster, settings, tmp_path):
    load(roster, settings, tmp_path, "schedule.csv",
         "agent_id,activity,start_at,end_at\nA1,open,2026-11-03 22:00,2026-11-04 06:00\n")
    assert rows(roster, """SELECT date_local::VARCHAR, sum(sched_open_s), count(*) FROM fact_agent_interval
                           GROUP BY 1 ORDER BY 1""") == [("2026-11-03", 7200, 8), ("2026-11-04", 21600, 24)]


def test_contact_across_an_interval_boundary_counts_offered_when_offered_and_handled_when_answered(
        roster, settings, tmp_path):
    load(roster, settings, tmp_path, "contacts.csv",
         "contact_id,queue_id,site_id,offered_at,answered_at,ended_at,agent_id,talk_s,hold_s,acw_s\n"
         "C1,Q1,NYC,2026-11-03 09:14:50,2026-11-03 09:15:10,2026-11-03 09:20:00,A1,270,20,30\n")
    assert rows(roster, "SELECT strftime(interval_local, '%H:%M'), offered, answered, answered_within, "
                        "wait_answered_s FROM fact_queue_interval") == [("09:00", 1, 1, 1, 20)]
    assert rows(roster, "SELECT strftime(interval_local, '%H:%M'), handled, talk_s, hold_s, acw_s "
                        "FROM fact_handle_interval") == [("09:15", 1, 270, 20, 30)]


def test_a_contact_answered_at_local_midnight_is_handled_on_the_new_day(roster, settings, tmp_path):
    # Offered at 23:59:40, answered at 00:00:00 New York time: the answer belongs to the new day's first interval.
    load(roster, settings, tmp_path, "contacts.csv",
         "contact_id,queue_id,site_id,offered_at,answered_at,ended_at,agent_id,talk_s,hold_s,acw_s\n"
         "C1,Q1,NYC,2026-11-03 23:59:40,2026-11-04 00:00:00,2026-11-04 00:05:00,A1,280,0,20\n")
    assert rows(roster, "SELECT date_local, strftime(interval_local, '%H:%M'), handled FROM fact_handle_interval") == [
        (datetime(2026, 11, 4).date(), "00:00", 1)]
    assert rows(roster, "SELECT date_local, offered FROM fact_queue_interval") == [(datetime(2026, 11, 3).date(), 1)]


def test_service_level_counts_use_the_queue_threshold_and_short_abandons(roster, settings, tmp_path):
    # Q1 threshold 20 s, short abandon < 5 s. Waits: answered 20 (within), 21 (after); abandoned 4 (short,
    # within), 20 (within), 25 (after). A transfer leg (initial id differs) is not a new customer contact.
    load(roster, settings, tmp_path, "contacts.csv",
         "contact_id,initial_contact_id,queue_id,site_id,offered_at,answered_at,ended_at,agent_id\n"
         "C1,,Q1,NYC,2026-11-03T14:00:00Z,2026-11-03T14:00:20Z,2026-11-03T14:03:00Z,A1\n"
         "C2,,Q1,NYC,2026-11-03T14:01:00Z,2026-11-03T14:01:21Z,2026-11-03T14:03:00Z,A1\n"
         "C3,,Q1,NYC,2026-11-03T14:02:00Z,,2026-11-03T14:02:04Z,\n"
         "C4,,Q1,NYC,2026-11-03T14:03:00Z,,2026-11-03T14:03:20Z,\n"
         "C5,,Q1,NYC,2026-11-03T14:04:00Z,,2026-11-03T14:04:25Z,\n"
         "C6,C1,Q1,NYC,2026-11-03T14:05:00Z,2026-11-03T14:05:02Z,2026-11-03T14:07:00Z,A2\n")
    assert rows(roster, """SELECT offered, answered, answered_within, abandoned, abandoned_within, short_abandons,
                                  wait_answered_s, wait_abandoned_s FROM fact_queue_interval""") == [
        (5, 2, 1, 3, 2, 1, 41, 49)]
    assert rows(roster, "SELECT sum(handled) FROM fact_handle_interval")[0][0] == 3


def test_forecast_requirement_becomes_agent_seconds_spread_over_its_quarter_hours(roster, settings, tmp_path):
    load(roster, settings, tmp_path, "forecast.csv",
         "site_id,queue_id,interval_start,interval_minutes,contacts,aht_s,required_agents\n"
         "NYC,Q1,2026-11-03 09:00,30,60,300,10\n")
    assert rows(roster, """SELECT strftime(interval_local, '%H:%M'), forecast_contacts, forecast_workload_s,
                                  required_agent_s / 900 FROM fact_forecast_interval ORDER BY 1""") == [
        ("09:00", 30, 9000, 10), ("09:15", 30, 9000, 10)]


def test_thirty_minute_intervals_group_quarter_hour_pieces(con, tmp_path):
    thirty = load_settings(REPO / "config.toml", data={"interval_minutes": 30}, database={"path": tmp_path / "x.db"})
    for name in ("sites.csv", "teams.csv", "agents.csv"):
        load(con, thirty, tmp_path, name, ROSTER[name])
    load(con, thirty, tmp_path, "states.csv",
         "agent_id,state,start_at,end_at\nA1,available,2026-11-03 09:10,2026-11-03 10:05\n")
    assert rows(con, "SELECT strftime(interval_local, '%H:%M'), state_available_s FROM fact_agent_interval "
                     "ORDER BY 1") == [("09:00", 1200), ("09:30", 1800), ("10:00", 300)]


def test_roster_change_moves_facts_to_the_new_team(roster, settings, tmp_path):
    load(roster, settings, tmp_path, "states.csv",
         "agent_id,state,start_at,end_at\nA2,available,2026-11-03 09:00,2026-11-03 09:30\n")
    load(roster, settings, tmp_path, "agents2.csv", "agent_id,name,team_id,site_id\nA2,Bo Chen,T2,NYC\n")
    assert rows(roster, "SELECT DISTINCT team_id FROM fact_agent_interval") == [("T2",)]


def test_open_time_lost_by_state_and_late_login_early_logout(roster, settings, tmp_path):
    # Shift 09:00-11:00 open. Logs in 09:07, aux 09:30-09:40, training 10:00-10:20, logs out 10:50.
    load(roster, settings, tmp_path, "schedule.csv",
         "agent_id,activity,start_at,end_at\nA1,open,2026-11-03 09:00,2026-11-03 11:00\n")
    load(roster, settings, tmp_path, "states.csv", "agent_id,state,start_at,end_at\n"
         "A1,available,2026-11-03 09:07,2026-11-03 09:30\nA1,aux,2026-11-03 09:30,2026-11-03 09:40\n"
         "A1,on_contact,2026-11-03 09:40,2026-11-03 10:00\nA1,training,2026-11-03 10:00,2026-11-03 10:20\n"
         "A1,available,2026-11-03 10:20,2026-11-03 10:50\nA1,offline,2026-11-03 10:50,2026-11-03 12:00\n")
    got = rows(roster, """SELECT sum(sched_open_s), sum(open_productive_s), sum(open_lost_aux_s),
                                 sum(open_lost_training_s), sum(open_lost_offline_s), sum(shifts),
                                 sum(late_login_s), sum(early_logout_s) FROM fact_agent_interval""")[0]
    assert got == (7200, 73 * 60, 600, 1200, 17 * 60, 1, 420, 600)
    where = rows(roster, """SELECT strftime(interval_local, '%H:%M'), late_login_s, early_logout_s
                            FROM fact_agent_interval WHERE shifts > 0 OR early_logout_s > 0 ORDER BY 1""")
    assert where == [("09:00", 420, 0), ("10:45", 0, 600)]


def test_night_shift_across_midnight_is_one_shift(roster, settings, tmp_path):
    load(roster, settings, tmp_path, "schedule.csv", "agent_id,activity,start_at,end_at\n"
         "A1,open,2026-11-03 22:00,2026-11-04 02:00\nA1,lunch,2026-11-04 02:00,2026-11-04 02:30\n"
         "A1,open,2026-11-04 02:30,2026-11-04 06:00\n")
    load(roster, settings, tmp_path, "states.csv", "agent_id,state,start_at,end_at\n"
         "A1,available,2026-11-03 22:03,2026-11-04 06:00\n")
    assert rows(roster, "SELECT sum(shifts), sum(late_login_s) FROM fact_agent_interval") == [(1, 180)]


def test_fcr_by_repeat_contact_within_the_window(roster, settings, tmp_path):
    # Customer K1 calls on day 1 (billing), again on day 5 (sales) and day 20 (billing).
    # Customer K2 calls once; its call is transferred (two legs, one customer contact, credit to the last leg).
    # Window 7 days: day-1 call is a repeat (day 5 within 7 days); by queue it is resolved (next billing is day 20).
    load(roster, settings, tmp_path, "contacts.csv",
         "contact_id,initial_contact_id,queue_id,site_id,offered_at,answered_at,agent_id,customer_id\n"
         "C1,,Q1,NYC,2026-11-01T14:00:00Z,2026-11-01T14:00:10Z,A1,K1\n"
         "C2,,Q2,NYC,2026-11-05T14:00:00Z,2026-11-05T14:00:10Z,A1,K1\n"
         "C3,,Q1,NYC,2026-11-20T14:00:00Z,2026-11-20T14:00:10Z,A1,K1\n"
         "C4,,Q1,NYC,2026-11-02T15:00:00Z,2026-11-02T15:00:05Z,A1,K2\n"
         "C5,C4,Q2,NYC,2026-11-02T15:05:00Z,2026-11-02T15:05:05Z,A2,K2\n"
         "C6,,Q1,NYC,2026-11-02T16:00:00Z,2026-11-02T16:00:05Z,A2,\n")
    by_contact_day = rows(roster, """SELECT date_local::VARCHAR, agent_id, sum(handled), sum(fcr_eligible),
                                            sum(fcr_resolved), sum(fcr_resolved_queue)
                                     FROM fact_handle_interval GROUP BY ALL ORDER BY 1, 2""")
    assert by_contact_day == [
        ("2026-11-01", "A1", 1, 1, 0, 1),
        ("2026-11-02", "A1", 1, 0, 0, 0),  # first leg of a transferred contact: no credit
        ("2026-11-02", "A2", 2, 1, 1, 1),  # last leg (credit) + a contact with no known customer
        ("2026-11-05", "A1", 1, 1, 1, 1),
        ("2026-11-20", "A1", 1, 1, 1, 1),
    ]


def test_a_later_file_turns_an_earlier_contact_into_a_repeat(roster, settings, tmp_path):
    load(roster, settings, tmp_path, "c1.csv", "contact_id,queue_id,site_id,offered_at,answered_at,agent_id,customer_id\n"
         "C1,Q1,NYC,2026-11-01T14:00:00Z,2026-11-01T14:00:10Z,A1,K1\n")
    assert rows(roster, "SELECT sum(fcr_resolved) FROM fact_handle_interval") == [(1,)]
    load(roster, settings, tmp_path, "c2.csv", "contact_id,queue_id,site_id,offered_at,answered_at,agent_id,customer_id\n"
         "C2,Q1,NYC,2026-11-04T14:00:00Z,2026-11-04T14:00:10Z,A1,K1\n")
    assert rows(roster, "SELECT sum(fcr_eligible), sum(fcr_resolved) FROM fact_handle_interval") == [(2, 1)]


def test_incremental_loads_rebuild_the_days_of_the_same_customers_earlier_contacts(roster, settings, tmp_path):
    header = "contact_id,queue_id,site_id,offered_at,answered_at,agent_id,customer_id\n"
    # K1's first call is answered at London (agent L1): its facts live on London's day.
    load(roster, settings, tmp_path, "c1.csv", header + "C1,Q1,NYC,2026-11-01T14:00:00Z,2026-11-01T14:00:10Z,L1,K1\n")
    load(roster, settings, tmp_path, "c2.csv", header + "C2,Q1,NYC,2026-11-04T14:00:00Z,2026-11-04T14:00:10Z,A1,K1\n")
    assert rows(roster, "SELECT sum(fcr_eligible), sum(fcr_resolved) FROM fact_handle_interval") == [(2, 1)]
    # C2 re-exported with another customer: C1 is no longer followed by a repeat, so it is resolved again.
    load(roster, settings, tmp_path, "c2b.csv", header + "C2,Q1,NYC,2026-11-04T14:00:00Z,2026-11-04T14:00:10Z,A1,K9\n")
    assert rows(roster, "SELECT sum(fcr_eligible), sum(fcr_resolved) FROM fact_handle_interval") == [(2, 2)]


def test_survey_facts_take_agent_queue_and_interval_from_the_contact(roster, settings, tmp_path):
    load(roster, settings, tmp_path, "contacts.csv",
         "contact_id,queue_id,site_id,offered_at,answered_at,agent_id\n"
         "C1,Q2,NYC,2026-11-03T14:00:00Z,2026-11-03T14:10:00Z,A2\n")
    load(roster, settings, tmp_path, "surveys.csv", "response_id,responded_at,contact_id,agent_id,nps,csat,resolved\n"
         "R1,2026-11-03T18:00:00Z,C1,,10,5,yes\nR2,2026-11-03T19:00:00Z,,A1,6,3,no\n"
         "R3,2026-11-03T19:30:00Z,,A1,8,,\nR4,2026-11-03T19:40:00Z,,A1,,4,yes\n")
    got = rows(roster, """SELECT agent_id, queue_id, strftime(interval_local, '%H:%M'), responses, nps_responses,
                                 promoters, detractors, csat_responses, csat_top2, resolved_responses, resolved_yes
                          FROM fact_survey_interval ORDER BY 1, 3""")
    assert got == [("A1", None, "14:00", 1, 1, 0, 1, 1, 0, 1, 0), ("A1", None, "14:30", 2, 1, 0, 0, 1, 1, 1, 1),
                   ("A2", "Q2", "09:00", 1, 1, 1, 0, 1, 1, 1, 1)]


def test_short_out_of_adherence_runs_are_forgiven_under_the_exception_threshold(con, tmp_path):
    # Open 09:00-10:00 then break 10:00-10:15 then open 10:15-11:00. Logs in 30 s late (forgiven at 60 s);
    # goes on break 10:00:40 (a 40 s run: forgiven), back at 10:20 (a 5-minute run: not forgiven).
    forgiving = load_settings(REPO / "config.toml", adherence={"exception_threshold_s": 60},
                              database={"path": tmp_path / "f.duckdb"})
    for name in ("sites.csv", "teams.csv", "agents.csv"):
        load(con, forgiving, tmp_path, name, ROSTER[name])
    load(con, forgiving, tmp_path, "schedule.csv", "agent_id,activity,start_at,end_at\n"
         "A1,open,2026-11-03 09:00,2026-11-03 10:00\nA1,break,2026-11-03 10:00,2026-11-03 10:15\n"
         "A1,open,2026-11-03 10:15,2026-11-03 11:00\n")
    load(con, forgiving, tmp_path, "states.csv", "agent_id,state,start_at,end_at\n"
         "A1,available,2026-11-03 09:00:30,2026-11-03 10:00:40\nA1,break,2026-11-03 10:00:40,2026-11-03 10:20\n"
         "A1,available,2026-11-03 10:20,2026-11-03 11:00\n")
    tracked, adherent, forgiven = rows(con, "SELECT sum(sched_tracked_s), sum(adherent_s), sum(forgiven_s) "
                                            "FROM fact_agent_interval")[0]
    assert (tracked, adherent, forgiven) == (7200, 7200 - 30 - 40 - 300, 70)


def test_a_folder_load_builds_the_same_facts_once_and_a_left_backlog_is_finished_later(tmp_path):
    """Loads that defer their facts leave the site-days in fact_backlog; rebuilding them gives exactly the
    facts that file-by-file loading gives, and nothing is left behind."""
    import store
    from loaders import facts, load_paths, vocabulary
    from tests.test_kpis import SCHEDULE, STATES, contacts_csv

    files = tmp_path / "files"
    files.mkdir()
    for name, text in list(ROSTER.items()) + [("schedule.csv", SCHEDULE), ("states.csv", STATES),
                                              ("contacts.csv", contacts_csv())]:
        write(files, name, text)
    fact_sql = """SELECT 'agent', agent_id, interval_utc, adherent_s, sched_tracked_s, state_acw_s FROM fact_agent_interval
                  UNION ALL SELECT 'handle', agent_id, interval_utc, handled, talk_s, fcr_resolved FROM fact_handle_interval
                  UNION ALL SELECT 'queue', queue_id, interval_utc, offered, answered_within, abandoned
                  FROM fact_queue_interval ORDER BY ALL"""

    def database(name):
        settings = load_settings(REPO / "config.toml", database={"path": tmp_path / f"{name}.duckdb"})
        return store.connect(settings.db_path), settings

    one_by_one, settings = database("one_by_one")
    for name in ("sites.csv", "teams.csv", "agents.csv", "queues.csv", "schedule.csv", "states.csv", "contacts.csv"):
        load_file(one_by_one, files / name, settings)
    expected = rows(one_by_one, fact_sql)
    assert len(expected) > 50

    folder, settings = database("folder")
    load_paths(folder, [files], settings)
    assert rows(folder, fact_sql) == expected
    assert rows(folder, "SELECT count(*) FROM fact_backlog") == [(0,)]

    interrupted, settings = database("interrupted")  # as if the process died before the final rebuild
    for name in ("sites.csv", "teams.csv", "agents.csv", "queues.csv", "schedule.csv", "states.csv", "contacts.csv"):
        load_file(interrupted, files / name, settings, defer_facts=True)
    assert rows(interrupted, "SELECT count(*) FROM fact_agent_interval") == [(0,)]
    assert rows(interrupted, "SELECT count(DISTINCT fact_table) FROM fact_backlog") == [(4,)]
    vocabulary.install(interrupted, settings)
    facts.refresh_backlog(interrupted, settings)
    assert rows(interrupted, fact_sql) == expected


def test_rebuilding_one_site_day_gives_the_same_facts_as_rebuilding_everything(tmp_path):
    """Incremental refreshes read only rows near the touched days (states for shift edges, surveys by
    response time); for the day they rebuild, the result must equal a full rebuild."""
    import store
    from loaders import facts, vocabulary
    from tests.test_kpis import FORECAST, SCHEDULE, STATES, SURVEYS, contacts_csv

    settings = load_settings(REPO / "config.toml", database={"path": tmp_path / "f.duckdb"})
    con = store.connect(settings.db_path)
    for name, text in list(ROSTER.items()) + [("schedule.csv", SCHEDULE), ("states.csv", STATES),
                                              ("contacts.csv", contacts_csv()), ("forecast.csv", FORECAST),
                                              ("surveys.csv", SURVEYS)]:
        load(con, settings, tmp_path, name, text)
    day_sql = """SELECT 'agent', agent_id, interval_utc, adherent_s, late_login_s, early_logout_s FROM fact_agent_interval
                 WHERE date_local = '2026-11-03' AND site_id = 'NYC'
                 UNION ALL SELECT 'survey', agent_id, interval_utc, responses, promoters, detractors
                 FROM fact_survey_interval WHERE date_local = '2026-11-03' AND site_id = 'NYC' ORDER BY ALL"""
    vocabulary.install(con, settings)
    facts.refresh(con, settings, everything=True)
    full = rows(con, day_sql)
    assert any(r[0] == "agent" and r[4] == 300 for r in full)  # A1's five-minute late log-in
    assert sum(r[3] for r in full if r[0] == "survey") == 10
    facts.refresh(con, settings, window=facts.Window(frozenset({("NYC", date(2026, 11, 3))})))
    assert rows(con, day_sql) == full


def test_a_threshold_changed_in_config_applies_to_all_history(roster, settings, tmp_path, capsys, monkeypatch):
    """Q3 has no threshold of its own, so service_level.threshold_s applies. Four answered contacts waited
    10, 30, 50 and 70 s; two abandons waited 3 and 8 s. Built at 20 s: 1 of 6 within, 16.7 %; short
    abandons (< 5 s): 1. With threshold_s = 60 and short_abandon_s = 10 in config: 3 of 6, 50 %, and 2 short
    abandons, for the history loaded before the change too. `floorview kpi` (read-only) says which value its
    figures use until the facts are rebuilt."""
    from cli import main
    from kpis.compute import Period, Scope, compute
    from loaders.facts import built_with
    from loaders.run import build_backlog
    from tests.conftest import changed

    load(roster, settings, tmp_path, "queues.csv", "queue_id,name,channel,call_type,sl_threshold_s\n"
                                                   "Q3,Support,voice,support,\n")
    lines = [f"c{n},Q3,NYC,2026-11-03T15:00:00Z,2026-11-03T15:0{wait // 60}:{wait % 60:02d}Z,2026-11-03T15:05:00Z"
             for n, wait in enumerate((10, 30, 50, 70))]
    lines += ["c4,Q3,NYC,2026-11-03T15:00:00Z,,2026-11-03T15:00:03Z",
              "c5,Q3,NYC,2026-11-03T15:00:00Z,,2026-11-03T15:00:08Z"]
    load(roster, settings, tmp_path, "contacts.csv",
         "contact_id,queue_id,site_id,offered_at,answered_at,ended_at\n" + "\n".join(lines) + "\n")
    day, q3 = Period(date(2026, 11, 3), date(2026, 11, 3)), Scope(queue=("Q3",))

    def figures(s):
        result = compute(roster, s, ["service_level", "short_abandons"], day, scope=q3).set_index("kpi").value
        return round(result["service_level"], 1), result["short_abandons"]

    assert figures(settings) == (16.7, 1)
    wider = changed(settings, service_level={"threshold_s": 60, "short_abandon_s": 10})
    assert built_with.differences(roster, wider) == [
        "service_level.threshold_s: the stored facts use 20, the configuration asks for 60",
        "service_level.short_abandon_s: the stored facts use 5, the configuration asks for 10"]

    # The command line, read-only, with the new threshold in the environment: the stored figure, and why.
    roster.execute("CHECKPOINT")
    roster.close()
    monkeypatch.setenv("FLOORVIEW_SERVICE_LEVEL__THRESHOLD_S", "60")
    kpi = ["kpi", "--db", str(settings.db_path), "--kpi", "service_level", "--from", "2026-11-03", "--to",
           "2026-11-03", "--where", "queue=Q3"]
    assert main(kpi) == 0
    out, err = capsys.readouterr()
    assert "16.67" in out
    assert "warning: service_level.threshold_s: the stored facts use 20, the configuration asks for 60" in err
    assert main(["refresh", "--db", str(settings.db_path)]) == 0
    assert main(kpi) == 0
    out, err = capsys.readouterr()
    assert "50.00" in out and "warning" not in err

    # In process, as the next load or the serving app's start builds them: all history at the new values.
    con = store.connect(settings.db_path)
    try:
        build_backlog(con, wider)
        assert built_with.differences(con, wider) == []
        result = compute(con, wider, ["service_level", "short_abandons"], day, scope=q3).set_index("kpi").value
        assert (round(result["service_level"], 1), result["short_abandons"]) == (50.0, 2)
    finally:
        con.close()
