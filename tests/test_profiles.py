"""Mapping profiles for real exports, written with the shapes of public call-centre datasets: a bank's call log
(date and times in separate columns, `0:00:00` meaning none, PHANTOM calls), a consultancy's call workbook
(speed of answer in seconds, talk as h:mm:ss, a 12-hour clock). KPIs are hand-worked from the rows below."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pandas as pd
import pytest

from kpis.compute import Period, Scope, compute
from loaders import load_file
from settings import ConfigError, load_settings
from tests.conftest import REPO, rows, write

DAY = Period(date(2026, 11, 3), date(2026, 11, 3))
NYC = Scope(site=("NYC",))

# The bank's layout (one day; yymmdd dates; times of day; 0:00:00 where a stage did not happen).
BANK = """vru+line,call_id,customer_id,priority,type,date,vru_entry,vru_exit,vru_time,q_start,q_exit,q_time,outcome,ser_start,ser_exit,ser_time,server
AA0101,33116,9664491,2,PS,261103,09:45:33,09:45:39,6,09:45:39,09:46:09,30,AGENT,09:46:09,09:50:09,240,MICHAL
AA0101,33117,23162611,0,PS,261103,09:49:00,09:49:06,6,0:00:00,0:00:00,0,AGENT,09:49:16,09:51:16,120,BASCH
AA0101,33118,9665592,2,PE,261103,09:58:19,09:58:24,5,09:58:24,09:59:04,40,HANG,0:00:00,0:00:00,0,NO_SERVER
AA0101,33119,0,0,PS,261103,10:03:25,10:03:28,3,0:00:00,0:00:00,0,PHANTOM,0:00:00,0:00:00,0,NO_SERVER
AA0101,33120,9665600,2,PS,261103,10:10:00,10:10:05,5,10:10:05,10:10:15,10,AGENT,10:10:15,10:20:15,600,MICHAL
"""


def bank_settings(settings, **changes):
    profile = {
        "kind": "contacts", "constants": {"site_id": "NYC"},
        "columns": {"type": ["queue_id", "call_type"], "customer_id": "customer_id", "vru_exit": "offered_at",
                    "ser_start": "answered_at", "ser_exit": "ended_at", "server": "agent_id"},
        "joined": {"contact_id": ["date", "call_id"]},
        "date_column": "date", "date_format": "%y%m%d", "timezone": "America/New_York",
        "null_values": ["NO_SERVER"], "null_values_by_column": {"ser_start": ["0:00:00"], "ser_exit": ["0:00:00"]},
        "skip_when": {"outcome": ["PHANTOM"]},
        "codes": {"queue_id": {"PS": "Q1", "PE": "Q2"}, "agent_id": {"MICHAL": "A1", "BASCH": "A2"}},
    } | changes
    return load_settings(REPO / "config.toml", database={"path": settings.db_path}, profiles={"bank": profile})


def test_a_bank_call_log_with_separate_date_and_times_loads_through_a_profile(roster, settings, tmp_path):
    bank = bank_settings(settings)
    r = load_file(roster, write(tmp_path, "calls.csv", BANK), bank, profile="bank")
    assert (r.status, r.rows_loaded, r.rows_rejected, r.left_out) == ("loaded", 4, 0, {"outcome = PHANTOM": 1})
    assert "1 left out (outcome = PHANTOM)" in r.summary()
    # 09:45:39 New York on 3 Nov is 14:45:39 UTC; the id is the date and the call id; one column, two targets.
    assert rows(roster, "SELECT contact_id, strftime(offered_at, '%H:%M:%S'), queue_id, call_type, agent_id "
                        "FROM contacts ORDER BY contact_id LIMIT 1") == [("261103-33116", "14:45:39", "Q1", "PS", "A1")]
    # The hang-up has no answer (0:00:00 read as blank, not midnight) and no agent (NO_SERVER).
    assert rows(roster, "SELECT answered_at, agent_id FROM contacts WHERE contact_id = '261103-33118'") == [(None, None)]
    # Offered 4 (the PHANTOM left out). Waits: 30 s (Q1, threshold 20), 10 s, 10 s; one abandoned.
    assert compute(roster, bank, ["offered"], DAY, scope=NYC).value.iloc[0] == 4
    assert compute(roster, bank, ["abandoned"], DAY, scope=NYC).value.iloc[0] == 1
    assert compute(roster, bank, ["service_level"], DAY, scope=NYC).value.iloc[0] == pytest.approx(50.0)
    assert compute(roster, bank, ["asa"], DAY, scope=NYC).value.iloc[0] == pytest.approx((30 + 10 + 10) / 3)


def test_a_time_only_timestamp_format_without_a_date_column_is_refused(roster, settings, tmp_path):
    """Read alone, 09:45:39 is 1 January 1900: the whole file would land on one day."""
    bank = bank_settings(settings, date_column=None, timestamp_format="%H:%M:%S")
    r = load_file(roster, write(tmp_path, "calls.csv", BANK), bank, profile="bank")
    assert r.status == "failed"
    assert "timestamp_format '%H:%M:%S' has no date in it; name the file column holding the date" in r.message
    assert rows(roster, "SELECT count(*) FROM contacts") == [(0,)]


# The consultancy's workbook layout, saved as CSV: m/d/yyyy dates, 12-hour times, speed of answer in seconds,
# talk as h:mm:ss; unanswered calls have neither.
WORKBOOK = """Call Id,Agent,Date,Time,Topic,Answered (Y/N),Resolved,Speed of answer in seconds,AvgTalkDuration,Satisfaction rating
ID0001,Diane,11/3/2026,9:12:58 AM,Contract related,Y,Y,15,0:02:23,3
ID0002,Becky,11/3/2026,9:40:10 AM,Technical Support,Y,N,70,0:04:02,2
ID0003,Diane,11/3/2026,1:05:00 PM,Contract related,N,N,,,
"""


def workbook_settings(settings):
    return load_settings(REPO / "config.toml", database={"path": settings.db_path}, profiles={"pwc": {
        "kind": "contacts", "constants": {"site_id": "NYC"},
        "columns": {"Call Id": "contact_id", "Agent": "agent_id", "Time": "offered_at", "Topic": "queue_id",
                    "AvgTalkDuration": "talk_s"},
        "date_column": "Date", "date_format": "%m/%d/%Y", "timezone": "America/New_York",
        "duration_format": "hh:mm:ss",
        "derived": {"answered_at": "offered_at + Speed of answer in seconds", "ended_at": "answered_at + talk_s"},
        "codes": {"queue_id": {"Contract related": "Q1", "Technical Support": "Q2"},
                  "agent_id": {"Diane": "A1", "Becky": "A2"}}}})


def test_a_workbook_with_speed_of_answer_and_a_12_hour_clock_derives_its_instants(roster, settings, tmp_path):
    pwc = workbook_settings(settings)
    r = load_file(roster, write(tmp_path, "calls.csv", WORKBOOK), pwc, profile="pwc")
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 3, 0)
    # 1:05:00 PM New York is 18:05 UTC; answered = offered + 15 s; ended = answered + 2:23.
    assert rows(roster, """SELECT contact_id, strftime(offered_at, '%H:%M:%S'), strftime(answered_at, '%H:%M:%S'),
                                  strftime(ended_at, '%H:%M:%S'), talk_s FROM contacts ORDER BY contact_id""") == [
        ("ID0001", "14:12:58", "14:13:13", "14:15:36", 143.0),
        ("ID0002", "14:40:10", "14:41:20", "14:45:22", 242.0),
        ("ID0003", "18:05:00", None, None, None)]
    # Answered within threshold: ID0001 (15 s ≤ 20 s on Q1); ID0002 waited 70 s (Q2's threshold is 30 s).
    assert compute(roster, pwc, ["service_level"], DAY, scope=NYC).value.iloc[0] == pytest.approx(100 / 3)
    assert compute(roster, pwc, ["avg_talk"], DAY, scope=NYC).value.iloc[0] == pytest.approx((143 + 242) / 2)


def test_a_value_the_profile_cannot_read_is_a_reject_naming_line_and_field(roster, settings, tmp_path):
    bad = WORKBOOK.replace("11/3/2026,9:40:10 AM", "2026-11-03,9:40:10 AM")
    r = load_file(roster, write(tmp_path, "calls.csv", bad), workbook_settings(settings), profile="pwc")
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 2, 1)
    assert rows(roster, "SELECT line, field, value, reason FROM rejects") == [
        (3, "Date", "2026-11-03", "not a date in the profile's date_format '%m/%d/%Y'")]


def test_a_derived_rule_that_is_not_instant_plus_seconds_is_refused(roster, settings, tmp_path):
    s = load_settings(REPO / "config.toml", database={"path": settings.db_path}, profiles={"p": {
        "kind": "contacts", "columns": {"Time": "offered_at"}, "derived": {"answered_at": "offered_at - 5"}}})
    r = load_file(roster, write(tmp_path, "c.csv", "Time\n2026-11-03 09:00\n"), s, profile="p")
    assert r.status == "failed" and "derived.answered_at = 'offered_at - 5'" in r.message
    with pytest.raises(ConfigError, match="null_values"):
        load_settings(REPO / "config.toml", profiles={"p": {"kind": "contacts", "null_values": "NULL"}})


def test_an_answer_stamped_a_few_seconds_before_its_offer_is_clipped_and_counted(roster, settings, tmp_path):
    """Two systems' clocks: within data.clock_skew_s (5 s) the answer is clipped to the offer; beyond, rejected."""
    f = write(tmp_path, "contacts.csv", "contact_id,queue_id,site_id,offered_at,answered_at,ended_at,agent_id\n"
              "C1,Q1,NYC,2026-11-03T14:00:04Z,2026-11-03T14:00:01Z,2026-11-03T14:03:00Z,A1\n"
              "C2,Q1,NYC,2026-11-03T14:10:00Z,2026-11-03T14:09:52Z,2026-11-03T14:12:00Z,A1\n"
              "C3,Q1,NYC,2026-11-03T14:20:00Z,2026-11-03T14:20:10Z,2026-11-03T14:20:08Z,A1\n")
    r = load_file(roster, f, settings)
    assert (r.rows_loaded, r.rows_rejected, r.clipped) == (2, 1, 2)
    assert "2 clipped (clock skew)" in r.summary()
    assert rows(roster, "SELECT line, reason FROM rejects") == [(3, "answered_at is before offered_at")]
    assert rows(roster, """SELECT contact_id, answered_at - offered_at, ended_at - answered_at FROM contacts
                           ORDER BY 1""") == [("C1", timedelta(0), timedelta(seconds=176)),
                                              ("C3", timedelta(seconds=10), timedelta(0))]
    strict = load_settings(REPO / "config.toml", database={"path": settings.db_path}, data={"clock_skew_s": 0})
    r = load_file(roster, f, strict)
    assert (r.rows_loaded, r.rows_rejected, r.clipped) == (0, 3, 0)


# --- Excel workbooks, read directly ------------------------------------------------------------------------

def _workbook(path, sheets: dict[str, list[list[object]]]):
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path))
    for name, cells in sheets.items():
        sheet = book.add_worksheet(name)
        for r, values in enumerate(cells):
            for c, value in enumerate(values):
                if value is not None:
                    sheet.write(r, c, value)
    book.close()
    return path


def test_the_consultancy_workbook_loads_from_its_named_sheet_through_a_profile(roster, settings, tmp_path):
    """The same workbook as above, as .xlsx: a title row, then the header, on a sheet named 'Calls'."""
    lines = [line.split(",") for line in WORKBOOK.strip().splitlines()]
    cells = [["Call centre data, November"]] + [[int(v) if v.isdigit() else v for v in row] for row in lines]
    book = _workbook(tmp_path / "calls.xlsx", {"Summary": [["nothing here"]], "Calls": cells})
    pwc = workbook_settings(settings)
    pwc = pwc.model_copy(update={"profiles": {"pwc": pwc.profiles["pwc"].model_copy(
        update={"sheet": "Calls", "skip_rows": 1})}})
    r = load_file(roster, book, pwc, profile="pwc")
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 3, 0), r.message
    assert rows(roster, "SELECT contact_id, strftime(answered_at, '%H:%M:%S') FROM contacts ORDER BY 1") == [
        ("ID0001", "14:13:13"), ("ID0002", "14:41:20"), ("ID0003", None)]
    assert compute(roster, pwc, ["service_level"], DAY, scope=NYC).value.iloc[0] == pytest.approx(100 / 3)


def test_a_canonical_workbook_loads_as_it_is_and_its_bad_rows_name_the_excel_row(roster, settings, tmp_path):
    book = _workbook(tmp_path / "contacts.xlsx", {"Sheet1": [
        ["contact_id", "queue_id", "site_id", "offered_at", "answered_at", "agent_id", "talk_s"],
        ["C1", "Q1", "NYC", "2026-11-03T14:00:00Z", "2026-11-03T14:00:08Z", "A1", 120],
        [],
        ["C2", "Q1", "NOWHERE", "2026-11-03T14:05:00Z", None, None, None]]})
    r = load_file(roster, book, settings)
    assert (r.status, r.kind, r.format, r.rows_loaded, r.rows_rejected) == ("loaded", "contacts", "workbook", 1, 1)
    assert rows(roster, "SELECT line, field, reason FROM rejects") == [(4, "site_id", "unknown site (not in sites)")]
    assert rows(roster, "SELECT contact_id, talk_s FROM contacts") == [("C1", 120.0)]
    missing = load_file(roster, book, workbook_settings(settings).model_copy(update={"profiles": {
        "pwc": workbook_settings(settings).profiles["pwc"].model_copy(update={"sheet": "Calls"})}}), profile="pwc")
    assert missing.status == "failed" and "contacts.xlsx: no sheet 'Calls' (sheets: Sheet1)" in missing.message


def test_inspect_reads_a_workbook_without_loading_it(roster, settings, tmp_path, capsys):
    from cli import main

    book = _workbook(tmp_path / "agents.xlsx", {"Roster": [
        ["agent_id", "name", "team_id", "site_id"], ["A7", "Zoe Park", "T1", "NYC"]]})
    assert main(["inspect", "--db", str(settings.db_path), str(book)], delegate=False) == 0
    out = capsys.readouterr().out
    assert "agents" in out and "Zoe Park" in out
    assert rows(roster, "SELECT count(*) FROM agents WHERE agent_id = 'A7'") == [(0,)]


# --- data the source does not carry is unknown, never 0 -------------------------------------------------------

def _kpis(con, settings, ids, scope=NYC, by=()):
    got = compute(con, settings, ids, DAY, scope=scope, by=by)
    return {r["kpi"]: (None if pd.isna(r["value"]) else round(r["value"], 4), r["status"])
            for r in got.to_dict("records")}


def test_durations_a_source_does_not_carry_are_unknown_not_zero(roster, settings, tmp_path):
    """No ACW or hold column at all; one abandon with an end (waited 40 s), one without."""
    f = write(tmp_path, "contacts.csv", "contact_id,queue_id,site_id,offered_at,answered_at,ended_at,agent_id,talk_s\n"
              "C1,Q1,NYC,2026-11-03T14:00:00Z,2026-11-03T14:00:10Z,2026-11-03T14:05:10Z,A1,300\n"
              "C2,Q1,NYC,2026-11-03T14:10:00Z,2026-11-03T14:10:05Z,2026-11-03T14:12:05Z,A1,120\n"
              "C3,Q1,NYC,2026-11-03T14:20:00Z,,2026-11-03T14:20:40Z,,\n"
              "C4,Q1,NYC,2026-11-03T14:30:00Z,,,,\n")
    assert load_file(roster, f, settings).rows_rejected == 0
    got = _kpis(roster, settings, ["avg_talk", "avg_acw", "avg_hold", "avg_abandon_time", "abandoned"])
    assert got["avg_talk"][0] == 210.0
    assert got["avg_acw"] == (None, "none") and got["avg_hold"] == (None, "none")  # never "0:00 ✓ on target"
    assert got["avg_abandon_time"][0] == 40.0 and got["abandoned"][0] == 2  # the untimed abandon still counts


def test_a_kpi_whose_input_the_source_lacks_says_so_on_its_tile(roster, settings, tmp_path):
    """The same file: no ACW and no hold column. Average ACW reads "No data (source has no ACW)", grey; AHT
    (talk only: (300 + 120) / 2 = 210 s, under its 360 s target) is shown but flagged incomplete and never
    coloured on target; avg talk, which the source carries, is shown as usual."""
    from callbacks.common import tiles_from
    from layouts.tiles import kpi_tile

    f = write(tmp_path, "contacts.csv", "contact_id,queue_id,site_id,offered_at,answered_at,ended_at,agent_id,talk_s\n"
              "C1,Q1,NYC,2026-11-03T14:00:00Z,2026-11-03T14:00:10Z,2026-11-03T14:05:10Z,A1,300\n"
              "C2,Q1,NYC,2026-11-03T14:10:00Z,2026-11-03T14:10:05Z,2026-11-03T14:12:05Z,A1,120\n")
    assert load_file(roster, f, settings).rows_rejected == 0
    ids = ["avg_acw", "aht", "avg_talk"]
    result = compute(roster, settings, ids, DAY, scope=NYC).set_index("kpi")
    assert result.loc["avg_acw", "note"] == "source has no ACW"
    assert result.loc["aht", "note"] == "source has no hold time or ACW"
    assert (result.loc["aht", "value"], result.loc["aht", "status"]) == (210.0, "none")
    assert pd.isna(result.loc["avg_talk", "note"]) or result.loc["avg_talk", "note"] is None
    tiles = {t.kpi: t for t in tiles_from(result.reset_index(), ids, settings)}
    acw = kpi_tile(tiles["avg_acw"])
    assert acw.to_plotly_json()["props"]["data-status"] == "none"
    assert "No data (source has no ACW)" in str(acw)
    aht = str(kpi_tile(tiles["aht"]))
    assert "Incomplete: " in aht and "source has no hold time or ACW" in aht and "On target" not in aht
    assert "Incomplete" not in str(kpi_tile(tiles["avg_talk"])) and tiles["avg_talk"].note is None


def test_contacts_with_no_agent_still_give_handle_times_by_queue_and_site(roster, settings, tmp_path):
    """A queue-level export: answered contacts carry talk, hold and ACW but name no agent."""
    f = write(tmp_path, "contacts.csv",
              "contact_id,queue_id,site_id,offered_at,answered_at,talk_s,hold_s,acw_s\n"
              "C1,Q1,NYC,2026-11-03T14:00:00Z,2026-11-03T14:00:10Z,300,30,60\n"
              "C2,Q2,NYC,2026-11-03T14:10:00Z,2026-11-03T14:10:05Z,120,0,30\n"
              "C3,Q1,LDN,2026-11-03T14:20:00Z,2026-11-03T14:20:05Z,200,0,0\n")
    assert load_file(roster, f, settings).rows_rejected == 0
    assert _kpis(roster, settings, ["aht", "handled"])["aht"][0] == pytest.approx((390 + 150) / 2)
    by_queue = compute(roster, settings, ["aht"], DAY, scope=Scope(), by=("queue",)).set_index("queue").value
    assert by_queue.to_dict() == {"Q1": pytest.approx((390 + 200) / 2), "Q2": pytest.approx(150.0)}
    assert _kpis(roster, settings, ["aht"], scope=Scope(site=("LDN",)))["aht"][0] == 200.0
    assert pd.isna(compute(roster, settings, ["aht"], DAY, scope=Scope(agent=("A1",))).value.iloc[0])


def test_an_interval_report_without_hold_data_has_no_average_hold(roster, settings, tmp_path):
    f = write(tmp_path, "qi.csv", "site_id,queue_id,interval_start,interval_minutes,offered,answered,handled,talk_s,acw_s\n"
              "NYC,Q1,2026-11-03T14:00:00Z,30,10,8,8,1600,400\n")
    assert load_file(roster, f, settings).rows_rejected == 0
    got = _kpis(roster, settings, ["avg_talk", "avg_acw", "avg_hold"])
    assert (got["avg_talk"][0], got["avg_acw"][0], got["avg_hold"]) == (200.0, 50.0, (None, "none"))


def test_unrated_survey_rows_are_not_responses_and_an_impossible_rate_is_never_coloured(roster, settings, tmp_path):
    """Two handled contacts; three survey rows for them, one with no answer at all: 2 responses, a 100 % rate.
    Then five answered rows for the same two contacts: 250 % is impossible, shown but never coloured."""
    contacts = write(tmp_path, "contacts.csv", "contact_id,queue_id,site_id,offered_at,answered_at,agent_id\n"
                     "C1,Q1,NYC,2026-11-03T14:00:00Z,2026-11-03T14:00:10Z,A1\n"
                     "C2,Q1,NYC,2026-11-03T14:10:00Z,2026-11-03T14:10:05Z,A1\n")
    assert load_file(roster, contacts, settings).rows_rejected == 0
    surveys = write(tmp_path, "surveys.csv", "response_id,responded_at,contact_id,nps,csat,comment\n"
                    "R1,2026-11-03T15:00:00Z,C1,9,,\n"
                    "R2,2026-11-03T15:01:00Z,C2,,,\n"
                    "R3,2026-11-03T15:02:00Z,C2,,,slow to answer\n")
    assert load_file(roster, surveys, settings).rows_rejected == 0
    got = _kpis(roster, settings, ["survey_responses", "survey_response_rate"])
    assert got["survey_responses"][0] == 2 and got["survey_response_rate"][0] == 100.0
    more = write(tmp_path, "more.csv", "response_id,responded_at,contact_id,nps\n" + "".join(
        f"S{i},2026-11-03T15:1{i}:00Z,C1,8\n" for i in range(3)))
    assert load_file(roster, more, settings).rows_rejected == 0
    assert _kpis(roster, settings, ["survey_response_rate"])["survey_response_rate"] == (250.0, "none")


def test_counts_print_as_whole_numbers(roster, settings, tmp_path, capsys):
    from cli import main

    lines = "".join(f"C{i},Q1,NYC,2026-11-03T14:{i % 60:02d}:00Z\n" for i in range(1234))
    load_file(roster, write(tmp_path, "c.csv", "contact_id,queue_id,site_id,offered_at\n" + lines), settings)
    assert main(["kpi", "--db", str(settings.db_path), "--kpi", "offered,abandon_rate", "--from", "2026-11-03",
                 "--to", "2026-11-03"], delegate=False) == 0
    out = capsys.readouterr().out
    assert " 1,234 " in out and "1,234.00" not in out and "100.00" in out


def test_inspect_warns_about_what_would_load_but_not_as_meant(roster, settings, tmp_path, capsys):
    from cli import main

    # The bank log read as a one-day file through its profile, but without the ser_* sentinels declared:
    # inspect names the PHANTOM row left out, the one day, and the columns that are mostly 0:00:00.
    config = tmp_path / "config.toml"
    config.write_text((REPO / "config.toml").read_text() + """
[profiles.bank]
kind = "contacts"
constants = { site_id = "NYC" }
columns = { type = "queue_id", vru_exit = "offered_at", q_start = "answered_at" }
joined = { contact_id = ["date", "call_id"] }
date_column = "date"
date_format = "%y%m%d"
skip_when = { outcome = ["PHANTOM"] }
codes = { queue_id = { PS = "Q1", PE = "Q2" } }
""")
    log = write(tmp_path, "calls.csv", BANK.replace("09:45:39,09:46:09,30", "0:00:00,0:00:00,0"))
    assert main(["--config", str(config), "inspect", "--db", str(settings.db_path), "--profile", "bank", str(log)],
                delegate=False) == 0
    out = capsys.readouterr().out
    assert "! 1 row(s) would be left out by the profile (outcome = PHANTOM)" in out
    assert "every instant is on one day, 2026-11-03" in out
    # q_start is 0:00:00 on 3 of the 5 raw rows, mapped as a time: 60 %. ser_exit's 2 of 5 is no majority.
    assert "column 'q_start' is 60 % '0:00:00'" in out and "'ser_exit'" not in out


def test_inspect_warns_when_survey_rows_would_reach_no_kpi(roster, settings, tmp_path, capsys):
    from cli import main

    f = write(tmp_path, "surveys.csv", "response_id,responded_at,nps,agent_id\nR1,2026-11-03T15:00:00Z,9,\n"
              "R2,2026-11-03T15:05:00Z,3,A1\n")
    assert main(["inspect", "--db", str(settings.db_path), str(f)], delegate=False) == 0
    assert "! 1 of 2 survey row(s) name no agent and no contact" in capsys.readouterr().out


def test_inspect_warns_when_contacts_would_reach_no_kpi(roster, settings, tmp_path, capsys):
    """Outbound calls that were never answered, as a dialler export holds them: they load, but no KPI counts them."""
    from cli import main

    f = write(tmp_path, "dialler.csv", "contact_id,queue_id,site_id,offered_at,direction\n"
              "D1,Q1,NYC,2026-11-03T15:00:00Z,outbound\nD2,Q1,NYC,2026-11-03T15:05:00Z,OUTBOUND\n")
    assert main(["inspect", "--db", str(settings.db_path), str(f)], delegate=False) == 0
    assert "! none of the 2 contact(s) would reach the interval facts" in capsys.readouterr().out
    answered = write(tmp_path, "calls.csv", "contact_id,queue_id,site_id,offered_at,answered_at\n"
                     "C1,Q1,NYC,2026-11-03T15:00:00Z,2026-11-03T15:00:09Z\n")
    assert main(["inspect", "--db", str(settings.db_path), str(answered)], delegate=False) == 0
    assert "would reach" not in capsys.readouterr().out


def test_a_suggested_profile_loads_the_workbook_once_its_site_and_ids_are_filled_in(roster, settings, tmp_path,
                                                                                     capsys):
    """`profile suggest` on the consultancy's layout proposes the date and time columns, the 12-hour clock, the
    h:mm:ss durations and answered_at = offered + speed of answer. Filling in its placeholders (the site; the
    agent and topic codes, as its notes ask) is all it takes: same instants as the hand-written profile."""
    import tomllib

    from cli import main

    calls = write(tmp_path, "calls.csv", WORKBOOK)
    assert main(["profile", "suggest", str(calls), "--name", "suggested"], delegate=False) == 0
    text = capsys.readouterr().out
    assert 'date_column = "Date"' in text and 'time_formats = ["%I:%M:%S %p"]' in text
    assert '"answered_at" = "offered_at + Speed of answer in seconds"' in text
    proposed = tomllib.loads(text)["profiles"]["suggested"]
    proposed["constants"]["site_id"] = "NYC"
    proposed["timezone"] = "America/New_York"
    proposed["codes"] = {"queue_id": {"Contract related": "Q1", "Technical Support": "Q2"},
                         "agent_id": {"Diane": "A1", "Becky": "A2"}}
    s = load_settings(REPO / "config.toml", database={"path": settings.db_path}, profiles={"suggested": proposed})
    r = load_file(roster, calls, s, profile="suggested")
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 3, 0), r.message
    assert rows(roster, "SELECT contact_id, strftime(offered_at, '%H:%M:%S'), strftime(answered_at, '%H:%M:%S'), "
                        "talk_s FROM contacts ORDER BY 1") == [("ID0001", "14:12:58", "14:13:13", 143.0),
                                                            ("ID0002", "14:40:10", "14:41:20", 242.0),
                                                            ("ID0003", "18:05:00", None, None)]
    assert main(["profile", "suggest", str(tmp_path / "none.csv")], delegate=False) == 1


def test_profile_suggest_reads_a_workbook_too(tmp_path, capsys):
    from cli import main

    lines = [line.split(",") for line in WORKBOOK.strip().splitlines()]
    book = _workbook(tmp_path / "calls.xlsx", {"Calls": lines})
    assert main(["profile", "suggest", str(book)], delegate=False) == 0
    out = capsys.readouterr().out
    assert "[profiles.calls]" in out and '"Call Id" = "contact_id"' in out and 'date_column = "Date"' in out


def test_a_percentage_written_as_a_fraction_is_refused(roster, settings, tmp_path):
    """sl_target = 0.8 on the 0-100 scale would make Erlang staff for a 0.8 % service level."""
    f = write(tmp_path, "queues.csv", "queue_id,name,sl_target\nQ8,Claims,0.8\nQ9,Sales,80\n")
    r = load_file(roster, f, settings)
    assert (r.rows_loaded, r.rows_rejected) == (1, 1)
    assert rows(roster, "SELECT line, field, reason FROM rejects") == [
        (2, "sl_target", "a percentage from 0 to 100: 0.8 looks like a fraction (write 80.0)")]
    from kpis.catalogue import check_settings
    for targets, said in (({"service_level": {"target": 0.8}}, "targets.service_level.target = 0.8: percentages are "
                                                                "on the 0-100 scale; did you mean 80?"),
                          ({"adherence": {"target": 120}}, "targets.adherence.target = 120: Schedule adherence cannot pass 100 %")):
        with pytest.raises(ConfigError, match=re.escape(said)):
            check_settings(load_settings(REPO / "config.toml", targets=targets))


def test_surveys_with_no_agent_or_contact_reach_the_site_kpis(con, settings, tmp_path):
    """A survey export with neither agent nor contact: its own site column, or the centre's only site."""
    for name, text in (("sites.csv", "site_id,name,timezone\nNYC,New York,America/New_York\n"),
                       ("queues.csv", "queue_id,name\nQ1,Billing\n")):
        assert load_file(con, write(tmp_path, name, text), settings).rows_rejected == 0
    f = write(tmp_path, "surveys.csv", "response_id,responded_at,nps,csat\n"
              "R1,2026-11-03T15:00:00Z,10,5\nR2,2026-11-03T15:05:00Z,9,4\nR3,2026-11-03T15:10:00Z,3,2\n")
    assert load_file(con, f, settings).rows_rejected == 0
    got = _kpis(con, settings, ["survey_responses", "nps", "csat"], scope=Scope())
    assert got["survey_responses"][0] == 3
    assert got["nps"][0] == pytest.approx(100 / 3, abs=1e-3) and got["csat"][0] == pytest.approx(200 / 3, abs=1e-3)
    # With a second site the only-site rule no longer applies: a site column says where each response belongs.
    assert load_file(con, write(tmp_path, "more_sites.csv", "site_id,name,timezone\nLDN,London,Europe/London\n"),
                     settings).rows_rejected == 0
    g = write(tmp_path, "surveys2.csv", "response_id,responded_at,nps,site_id\nR4,2026-11-03T16:00:00Z,10,LDN\n")
    assert load_file(con, g, settings).rows_rejected == 0
    assert _kpis(con, settings, ["survey_responses"], scope=Scope(site=("LDN",)))["survey_responses"][0] == 1
    assert _kpis(con, settings, ["survey_responses"], scope=Scope(site=("NYC",)))["survey_responses"][0] == 3
