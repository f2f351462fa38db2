"""Canonical loaders: every kind with a good file, and bad files that get clear errors and lose nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

import pandas as pd
import pytest

import store
from loaders import load_file, load_paths
from loaders.kinds import KINDS, detect_kind
from tests.conftest import ROSTER, rows, write


def rejects_of(con, load_id):
    return rows(con, "SELECT line, field, value, reason FROM rejects WHERE load_id = ? ORDER BY line, field", [load_id])


# --- detection -------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_is_detected_from_its_full_header(kind):
    assert detect_kind(list(KINDS[kind].names)) == kind


def test_agents_header_is_not_mistaken_for_teams():
    assert detect_kind(["agent_id", "name", "team_id", "site_id"]) == "agents"
    assert detect_kind(["team_id", "name", "site_id"]) == "teams"


# --- good files of every kind ----------------------------------------------------------------------

def test_roster_kinds_load(roster):
    assert rows(roster, "SELECT count(*) FROM sites")[0][0] == 3
    assert rows(roster, "SELECT hire_date::VARCHAR FROM agents WHERE agent_id = 'A1'")[0][0] == "2024-01-05"
    assert rows(roster, "SELECT sl_threshold_s FROM queues WHERE queue_id = 'Q2'")[0][0] == 30


def test_contacts_load_with_offsets_and_naive_local_times(roster, settings, tmp_path):
    f = write(tmp_path, "contacts.csv",
              "contact_id,queue_id,site_id,offered_at,answered_at,ended_at,agent_id,talk_s,hold_s,acw_s,transferred\n"
              "C1,Q1,NYC,2026-11-02 09:10:00,2026-11-02 09:10:15,2026-11-02 09:15:00,A1,250,10,30,no\n"
              "C2,Q1,NYC,2026-11-02T14:20:00Z,,2026-11-02T14:20:03Z,,,,,\n"
              "C3,Q2,LDN,2026-11-02T09:20:00+00:00,2026-11-02T09:20:40+00:00,2026-11-02T09:25:00+00:00,L1,200,0,40,1\n")
    r = load_file(roster, f, settings)
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 3, 0)
    got = dict(rows(roster, "SELECT contact_id, offered_at FROM contacts"))
    assert got["C1"] == datetime(2026, 11, 2, 14, 10)  # 09:10 New York (EST, UTC-5) is 14:10 UTC
    assert got["C2"] == datetime(2026, 11, 2, 14, 20)
    assert rows(roster, "SELECT transferred FROM contacts WHERE contact_id = 'C3'")[0][0] is True


def test_instants_with_z_offsets_blanks_and_bad_values_and_padded_ids(roster, settings, tmp_path):
    f = write(tmp_path, "contacts.csv",
              "contact_id,queue_id,site_id,offered_at,ended_at\n"
              "C1,Q1,NYC,2026-11-02T14:20:00+02:00,2026-11-02T14:30:00-0530\n"
              "C2, Q1,NYC , 2026-11-02T14:20:00Z ,2026-11-02T14:21:00z\n"
              "C3,Q1,NYC,2026-11-02T14:20:00.250Z,2026-11-02T25:61:00Z\n"
              "C4,Q1,NYC,2026-11-02,2026-11-02T09:10:00.5+04:00\n")
    r = load_file(roster, f, settings)
    assert (r.rows_loaded, r.rows_rejected) == (3, 1)
    got = {c: (o, e) for c, o, e in rows(roster, "SELECT contact_id, offered_at, ended_at FROM contacts")}
    assert got["C1"] == (datetime(2026, 11, 2, 12, 20), datetime(2026, 11, 2, 20, 0))  # offsets applied, not dropped
    assert got["C2"] == (datetime(2026, 11, 2, 14, 20), datetime(2026, 11, 2, 14, 21))
    assert rows(roster, "SELECT queue_id, site_id FROM contacts WHERE contact_id = 'C2'") == [("Q1", "NYC")]  # trimmed
    # A date alone is local midnight (New York, EST after 1 Nov: 05:00 UTC), not a "-02" offset.
    assert got["C4"] == (datetime(2026, 11, 2, 5, 0), datetime(2026, 11, 2, 5, 10, 0, 500000))
    assert rejects_of(roster, r.load_id) == [(4, "ended_at", "2026-11-02T25:61:00Z", "not an ISO-8601 date-time")]


def test_agent_states_schedule_forecast_and_surveys_load(roster, settings, tmp_path):
    files = {
        "states.csv": "agent_id,state,start_at,end_at,reason\nA1,available,2026-11-02 09:00,2026-11-02 09:30,\n"
                      "A1,break,2026-11-02 09:30,2026-11-02 09:45,coffee\n",
        "schedule.csv": "agent_id,activity,start_at,end_at,paid\nA1,open,2026-11-02 09:00,2026-11-02 09:30,\n"
                        "A1,break,2026-11-02 09:30,2026-11-02 09:45,true\n",
        "forecast.csv": "site_id,queue_id,interval_start,contacts,aht_s,required_agents\n"
                        "NYC,Q1,2026-11-02 09:00,40,300,12.5\n",
        "surveys.csv": "response_id,responded_at,contact_id,agent_id,nps,csat,resolved,comment\n"
                       "R1,2026-11-02T15:00:00Z,C1,A1,9,5,yes,\"Great, thanks\"\n",
    }
    for name, text in files.items():
        r = load_file(roster, write(tmp_path, name, text), settings)
        assert (r.status, r.rows_rejected) == ("loaded", 0), r
    assert rows(roster, "SELECT count(*) FROM agent_states")[0][0] == 2
    assert rows(roster, "SELECT interval_minutes, required_agents FROM forecast")[0] == (15, 12.5)
    assert rows(roster, "SELECT comment, resolved FROM surveys")[0] == ("Great, thanks", True)


def test_parquet_file_loads_like_csv(roster, settings, tmp_path):
    path = tmp_path / "states.parquet"
    pd.DataFrame({"agent_id": ["A1", "ZZ"], "state": ["available", "lunch"],
                  "start_at": ["2026-11-02T14:00:00Z", "2026-11-02T15:00:00Z"],
                  "end_at": ["2026-11-02T14:30:00Z", "2026-11-02T15:30:00Z"]}).to_parquet(path)
    r = load_file(roster, path, settings)
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 1, 1)
    assert rejects_of(roster, r.load_id) == [(2, "agent_id", "ZZ", "unknown agent (not in agents)")]



def test_parquet_timestamps_with_a_zone_are_instants_and_without_one_are_site_local_time(roster, settings, tmp_path):
    utc = tmp_path / "utc.parquet"
    pd.DataFrame({"agent_id": ["A1", "A1", "A1"], "state": ["available", "break", "lunch"],
                  "start_at": pd.to_datetime(["2026-11-02 14:00", "2026-11-02 14:30", "2026-11-02 14:00"], utc=True),
                  "end_at": pd.to_datetime(["2026-11-02 14:30", "2026-11-02 14:45", "2026-11-02 14:20"], utc=True),
                  }).to_parquet(utc)
    r = load_file(roster, utc, settings)
    assert (r.rows_loaded, r.rows_rejected) == (2, 1)  # the third row has the first one's key, and replaces it
    assert rows(roster, "SELECT state, start_at, end_at FROM agent_states ORDER BY start_at") == [
        ("lunch", datetime(2026, 11, 2, 14, 0), datetime(2026, 11, 2, 14, 20)),
        ("break", datetime(2026, 11, 2, 14, 30), datetime(2026, 11, 2, 14, 45))]
    assert rejects_of(roster, r.load_id)[0][:2] == (1, "agent_id, start_at")  # Parquet: row numbers

    local = tmp_path / "local.parquet"
    pd.DataFrame({"agent_id": ["A2"], "state": ["available"], "start_at": pd.to_datetime(["2026-11-02 09:00"]),
                  "end_at": pd.to_datetime(["2026-11-02 09:30"])}).to_parquet(local)
    assert load_file(roster, local, settings).rows_loaded == 1
    # New York is UTC-5 after 1 November.
    assert rows(roster, "SELECT start_at FROM agent_states WHERE agent_id = 'A2'") == [(datetime(2026, 11, 2, 14, 0),)]

# --- bad rows: clear reasons, good rows kept -------------------------------------------------------

def test_wrong_types_are_rejected_with_line_field_and_reason(roster, settings, tmp_path):
    f = write(tmp_path, "contacts.csv",
              "contact_id,queue_id,site_id,offered_at,talk_s,transferred\n"
              "C1,Q1,NYC,2026-11-02T14:00:00Z,12,true\n"
              "C2,Q1,NYC,yesterday,12,true\n"
              "C3,Q1,NYC,2026-11-02T14:00:00Z,twelve,maybe\n")
    r = load_file(roster, f, settings)
    assert (r.rows_loaded, r.rows_rejected) == (1, 2)
    assert rejects_of(roster, r.load_id) == [
        (3, "offered_at", "yesterday", "not an ISO-8601 date-time"),
        (4, "talk_s", "twelve", "not a number"),
        (4, "transferred", "maybe", "not a yes/no value (true/false/1/0/yes/no)"),
    ]


def test_unknown_references_negative_durations_and_end_before_start(roster, settings, tmp_path):
    f = write(tmp_path, "contacts.csv",
              "contact_id,queue_id,site_id,offered_at,answered_at,ended_at,agent_id,talk_s\n"
              "C1,Q9,NYC,2026-11-02T14:00:00Z,,,,\n"
              "C2,Q1,XXX,2026-11-02T14:00:00Z,,,,\n"
              "C3,Q1,NYC,2026-11-02T14:00:00Z,2026-11-02T14:00:10Z,2026-11-02T14:05:00Z,NOBODY,\n"
              "C4,Q1,NYC,2026-11-02T14:00:00Z,2026-11-02T14:00:10Z,2026-11-02T14:05:00Z,A1,-5\n"
              "C5,Q1,NYC,2026-11-02T14:00:00Z,2026-11-02T13:59:00Z,,A1,\n"
              "C6,Q1,NYC,2026-11-02T14:00:00Z,,2026-11-02T14:00:30Z,,\n")
    r = load_file(roster, f, settings)
    assert (r.rows_loaded, r.rows_rejected) == (1, 5)
    assert [(line, field, reason) for line, field, _v, reason in rejects_of(roster, r.load_id)] == [
        (2, "queue_id", "unknown queue (not in queues)"),
        (3, "site_id", "unknown site (not in sites)"),
        (4, "agent_id", "unknown agent (not in agents)"),
        (5, "talk_s", "must be at least 0"),
        (6, "answered_at", "answered_at is before offered_at"),
    ]
    assert rows(roster, "SELECT contact_id FROM contacts") == [("C6",)]


def test_segment_end_before_or_at_start_and_unknown_codes(roster, settings, tmp_path):
    f = _states_file(tmp_path, ["A1,available,2026-11-02T14:00:00Z,2026-11-02T13:00:00Z\n",
                                "A1,available,2026-11-02T15:00:00Z,2026-11-02T15:00:00Z\n",
                                "A1,smoking,2026-11-02T16:00:00Z,2026-11-02T16:10:00Z\n",
                                "A1,lunch,2026-11-02T17:00:00Z,2026-11-02T17:30:00Z\n"])
    r = load_file(roster, f, settings)
    assert (r.rows_loaded, r.rows_rejected) == (1, 3)
    reasons = [x[3] for x in rejects_of(roster, r.load_id)]
    assert reasons == ["end_at is before start_at", "end_at equals start_at",
                       "unknown code (not in the states vocabulary of config.toml)"]


def test_mapped_vendor_state_code_is_accepted_and_stored_as_its_category(con, tmp_path):
    from settings import load_settings
    from tests.conftest import REPO
    mapped = load_settings(REPO / "config.toml", states={"ready": "available"} | {c: c for c in ("lunch",)},
                           database={"path": tmp_path / "m.duckdb"})
    for name in ("sites.csv", "teams.csv", "agents.csv"):
        load_file(con, write(tmp_path, name, ROSTER[name]), mapped)
    f = write(tmp_path, "states.csv", "agent_id,state,start_at,end_at\nA1,ready,2026-11-02T14:00:00Z,2026-11-02T15:00:00Z\n")
    r = load_file(con, f, mapped)
    assert (r.rows_loaded, r.rows_rejected) == (1, 0)
    assert rows(con, "SELECT state FROM agent_states") == [("available",)]


def test_duplicate_keys_in_one_file_keep_the_later_row_and_report_the_earlier(roster, settings, tmp_path):
    f = write(tmp_path, "contacts.csv", "contact_id,queue_id,site_id,offered_at\n"
              "C1,Q1,NYC,2026-11-02T14:00:00Z\nC1,Q2,NYC,2026-11-02T14:05:00Z\n")
    r = load_file(roster, f, settings)
    assert (r.rows_loaded, r.rows_rejected) == (1, 1)
    assert rows(roster, "SELECT queue_id FROM contacts") == [("Q2",)]
    assert rejects_of(roster, r.load_id) == [(2, "contact_id", None, "duplicate key (contact_id); replaced by line 3")]


def test_missing_required_column_fails_the_file_and_changes_nothing(roster, settings, tmp_path):
    before = store.table_counts(roster)
    f = write(tmp_path, "contacts.csv", "contact_id,site_id,offered_at\nC1,NYC,2026-11-02T14:00:00Z\n")
    r = load_file(roster, f, settings, kind="contacts")
    assert r.status == "failed"
    assert r.message == "contacts.csv:1: missing required column(s) for contacts: queue_id"
    assert store.table_counts(roster) == before
    assert rows(roster, "SELECT status, message FROM load_manifest WHERE load_id = ?", [r.load_id]) == [
        ("failed", r.message)]


def test_undetectable_header_names_the_file_and_asks_for_kind(roster, settings, tmp_path):
    r = load_file(roster, write(tmp_path, "mystery.csv", "foo,bar\n1,2\n"), settings)
    assert r.status == "failed"
    assert r.message.startswith("mystery.csv: cannot tell what kind of export this is")
    assert "names its kind with --kind" in r.message and "--format" in r.message and "--profile" in r.message


def test_empty_file_fails_clearly(roster, settings, tmp_path):
    r = load_file(roster, write(tmp_path, "empty.csv", ""), settings)
    assert (r.status, r.message) == ("failed", "empty.csv: the file is empty (no header line)")


def test_truncated_file_keeps_good_rows_and_rejects_the_cut_line(roster, settings, tmp_path):
    f = write(tmp_path, "contacts.csv", "contact_id,queue_id,site_id,offered_at,talk_s\n"
              "C1,Q1,NYC,2026-11-02T14:00:00Z,10\nC2,Q1,NYC,2026-11-02T14:01:00Z,11\nC3,Q1,NY")
    r = load_file(roster, f, settings)
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 2, 1)
    assert [(x[0], x[3]) for x in rejects_of(roster, r.load_id)] == [(4, "line has too few fields (truncated?)")]


def test_non_utf8_file_rejects_the_bad_line_and_keeps_the_rest(roster, settings, tmp_path):
    text = ("contact_id,queue_id,site_id,offered_at,disposition\n"
            "C1,Q1,NYC,2026-11-02T14:00:00Z,ok\nC2,Q1,NYC,2026-11-02T14:00:00Z,r\xe9solu\n").encode("latin-1")
    r = load_file(roster, write(tmp_path, "latin1.csv", text), settings)
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 1, 1)
    assert [(x[0], x[3]) for x in rejects_of(roster, r.load_id)] == [(3, "not UTF-8 text; save the file as UTF-8")]


def test_naive_timestamps_across_the_dst_change_use_the_site_offset_of_that_moment(roster, settings, tmp_path):
    # New York leaves DST on Sun 1 Nov 2026 at 02:00 EDT: before it UTC-4, after it UTC-5.
    f = write(tmp_path, "states.csv", "agent_id,state,start_at,end_at\n"
              "A1,available,2026-10-31 23:00,2026-11-01 00:30\n"
              "A1,available,2026-11-01 03:00,2026-11-01 04:00\n")
    r = load_file(roster, f, settings)
    assert r.rows_rejected == 0
    got = rows(roster, "SELECT start_at, end_at FROM agent_states ORDER BY start_at")
    assert got == [(datetime(2026, 11, 1, 3, 0), datetime(2026, 11, 1, 4, 30)),
                   (datetime(2026, 11, 1, 8, 0), datetime(2026, 11, 1, 9, 0))]




def test_a_local_time_file_rejects_bad_rows_with_their_raw_values_and_keeps_the_good_ones(roster, settings, tmp_path):
    f = write(tmp_path, "contacts.csv", "contact_id,queue_id,site_id,offered_at,ended_at\n"
              "C1,Q1,NYC,2026-11-02 09:10:00,2026-11-02 09:15:00\n"
              "C2,Q1,XXX,2026-11-02 09:10:00,2026-11-02 09:15:00\n"  # no such site, so no time zone either
              "C3,Q1,LDN,2026-11-02 25:10:00,2026-11-02 09:15:00\n"
              "C4,Q1,LDN,2026-11-02 09:10:00,2026-11-02 09:05:00\n")
    r = load_file(roster, f, settings)
    assert (r.rows_loaded, r.rows_rejected) == (1, 3)
    assert rejects_of(roster, r.load_id) == [
        (3, "site_id", "XXX", "unknown site (not in sites)"),
        (4, "offered_at", "2026-11-02 25:10:00", "not an ISO-8601 date-time"),
        (5, "ended_at", "2026-11-02 09:05:00", "ended_at is before offered_at")]
    # 09:10 in New York (EST, UTC-5) is 14:10 UTC.
    assert rows(roster, "SELECT contact_id, offered_at, ended_at FROM contacts") == [
        ("C1", datetime(2026, 11, 2, 14, 10), datetime(2026, 11, 2, 14, 15))]


def test_local_times_are_ordered_and_deduplicated_as_instants_not_as_wall_clock(roster, settings, tmp_path):
    # New York, Sun 8 Mar 2026: 02:00-03:00 EST does not exist. 02:30 is read with the offset before the change
    # (07:30 UTC), 03:10 EDT is 07:10 UTC: in order on the wall clock, end before start as instants.
    # Sun 1 Nov: 01:30 happens twice; both rows name the later one (06:30 UTC), so the second replaces the first.
    f = _states_file(tmp_path, ["A1,available,2026-03-08 02:30,2026-03-08 03:10\n",
                                "A1,available,2026-03-08 03:10,2026-03-08 04:00\n",
                                "A2,available,2026-11-01 01:30,2026-11-01 01:40\n",
                                "A2,break,2026-11-01 01:30,2026-11-01 01:45\n"])
    r = load_file(roster, f, settings)
    assert (r.rows_loaded, r.rows_rejected) == (2, 2)
    assert rejects_of(roster, r.load_id) == [
        (2, "end_at", "2026-03-08 03:10", "end_at is before start_at"),
        (4, "agent_id, start_at", None, "duplicate key (agent_id, start_at); replaced by line 5")]
    assert rows(roster, "SELECT agent_id, state, start_at, end_at FROM agent_states ORDER BY agent_id") == [
        ("A1", "available", datetime(2026, 3, 8, 7, 10), datetime(2026, 3, 8, 8, 0)),
        ("A2", "break", datetime(2026, 11, 1, 6, 30), datetime(2026, 11, 1, 6, 45))]


def _states_file(tmp_path, lines: list[str]):
    return write(tmp_path, "states.csv", "agent_id,state,start_at,end_at\n" + "".join(lines))


def _utc_states(n: int) -> list[str]:
    """n ten-second states in UTC ('…Z'), round the three agents, from 1 Nov 2026 00:00 UTC."""
    base = datetime(2026, 11, 1)
    out = []
    for i in range(n):
        s, e = base + timedelta(seconds=10 * (i // 3)), base + timedelta(seconds=10 * (i // 3) + 10)
        out.append(f"{('A1', 'A2', 'L1')[i % 3]},available,{s:%Y-%m-%dT%H:%M:%S}Z,{e:%Y-%m-%dT%H:%M:%S}Z\n")
    return out


def test_a_local_time_far_down_a_utc_file_is_still_read_in_its_site_time_zone(roster, settings, tmp_path):
    # The first thousand rows carry 'Z'; the last is New York local time (EST, UTC-5 after 1 Nov).
    f = _states_file(tmp_path, _utc_states(1500) + ["A1,break,2026-11-03 09:00,2026-11-03 09:15\n"])
    r = load_file(roster, f, settings)
    assert (r.rows_loaded, r.rows_rejected) == (1501, 0)
    assert rows(roster, "SELECT start_at FROM agent_states WHERE state = 'break'") == [(datetime(2026, 11, 3, 14, 0),)]


def test_a_bad_row_far_down_a_clean_file_is_rejected_with_its_line(roster, settings, tmp_path):
    f = _states_file(tmp_path, _utc_states(1500) + ["ZZ9,available,2026-11-03T09:00:00Z,2026-11-03T09:15:00Z\n"])
    r = load_file(roster, f, settings)
    assert (r.rows_loaded, r.rows_rejected) == (1500, 1)
    assert rejects_of(roster, r.load_id) == [(1502, "agent_id", "ZZ9", "unknown agent (not in agents)")]


def test_in_a_file_read_in_parallel_the_later_of_two_rows_with_one_key_wins(roster, settings, tmp_path):
    """Big enough (≈ 40 MB) for DuckDB to read it in parallel: rows must still keep their file order."""
    n = 600_000
    lines = _utc_states(n)
    lines.append("A1,lunch,2026-11-01T00:00:00Z,2026-11-01T00:00:05Z\n")  # the same key as the first row
    r = load_file(roster, _states_file(tmp_path, lines), settings)
    assert (r.rows_loaded, r.rows_rejected) == (n, 1)
    assert rows(roster, "SELECT state, end_at FROM agent_states WHERE agent_id = 'A1' AND start_at = '2026-11-01'") == [
        ("lunch", datetime(2026, 11, 1, 0, 0, 5))]
    assert rejects_of(roster, r.load_id) == [
        (2, "agent_id, start_at", None, f"duplicate key (agent_id, start_at); replaced by line {n + 2}")]


# --- idempotence and replacement -------------------------------------------------------------------

def test_reloading_the_same_file_creates_no_duplicates(roster, settings, tmp_path):
    f = write(tmp_path, "states.csv", "agent_id,state,start_at,end_at\n"
              "A1,available,2026-11-02T14:00:00Z,2026-11-02T15:00:00Z\nA1,lunch,2026-11-02T15:00:00Z,2026-11-02T15:30:00Z\n")
    load_file(roster, f, settings)
    facts_before = rows(roster, "SELECT count(*), sum(state_available_s), sum(state_lunch_s) FROM fact_agent_interval")
    load_file(roster, f, settings)
    assert rows(roster, "SELECT count(*) FROM agent_states")[0][0] == 2
    assert rows(roster, "SELECT count(*), sum(state_available_s), sum(state_lunch_s) FROM fact_agent_interval") == facts_before
    assert facts_before[0][1:] == (3600.0, 1800.0)


def test_overlapping_file_replaces_older_rows_for_the_same_key(roster, settings, tmp_path):
    load_file(roster, write(tmp_path, "a.csv", "contact_id,queue_id,site_id,offered_at,talk_s\n"
                            "C1,Q1,NYC,2026-11-02T14:00:00Z,100\nC2,Q1,NYC,2026-11-02T14:01:00Z,100\n"), settings)
    load_file(roster, write(tmp_path, "b.csv", "contact_id,queue_id,site_id,offered_at,talk_s\n"
                            "C2,Q1,NYC,2026-11-02T14:01:00Z,250\nC3,Q1,NYC,2026-11-02T14:02:00Z,100\n"), settings)
    assert rows(roster, "SELECT contact_id, talk_s FROM contacts ORDER BY 1") == [("C1", 100), ("C2", 250), ("C3", 100)]
    assert rows(roster, "SELECT sum(offered) FROM fact_queue_interval")[0][0] == 3


def test_folder_load_orders_roster_first_and_summarises_each_file(con, settings, tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    write(folder, "0-states.csv", "agent_id,state,start_at,end_at\nA1,available,2026-11-02T14:00:00Z,2026-11-02T15:00:00Z\n")
    for name, text in ROSTER.items():
        write(folder, name, text)
    results = load_paths(con, [folder], settings)
    assert [r.kind for r in results] == ["sites", "teams", "agents", "queues", "agent_states"]
    assert all(r.status == "loaded" and r.rows_rejected == 0 for r in results)
    assert "1 rows loaded, 0 rejected" in results[-1].summary()


def test_failed_file_inside_a_transaction_rolls_back(roster, settings, tmp_path, monkeypatch):
    """A failure after rows were staged and merged (here: in the fact refresh) leaves no trace but the manifest."""
    from loaders import facts

    def boom(*_a, **_k):
        raise store.duckdb.Error("simulated failure while refreshing facts")

    monkeypatch.setattr(facts, "refresh", boom)
    before = store.table_counts(roster)
    r = load_file(roster, write(tmp_path, "c.csv", "contact_id,queue_id,site_id,offered_at\nC1,Q1,NYC,2026-11-02T14:00:00Z\n"),
                  settings)
    assert r.status == "failed" and "simulated failure" in r.message
    assert store.table_counts(roster) == before
