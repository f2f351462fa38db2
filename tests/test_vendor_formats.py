"""Vendor exports through `floorview load`: detection, conversion, rejects with file and line, id mapping,
and KPIs reconciled with numbers worked by hand from the fixture files in tests/fixtures/vendors/.

The roster is the test roster (New York: A1 Ann Adams, A2 Bo Chen; London: L1 Lee Evans; queues Q1, Q2);
`id_map.csv` maps each system's ids onto it. Everything happens on Tue 3 Nov 2026 (New York is UTC−5).
"""

from __future__ import annotations

import gzip
import re
import shutil
from datetime import date
from pathlib import Path

import pytest

from cli import main
from kpis.compute import Period, Scope, compute
from loaders import load_file
from loaders.formats import FORMATS, detect
from loaders.inspect import report
from settings import load_settings
from tests.conftest import REPO, rows, write

FIXTURES = Path(__file__).parent / "fixtures" / "vendors"
DAY = Period(date(2026, 11, 3), date(2026, 11, 3))
NYC = Scope(site=("NYC",))


@pytest.fixture
def mapped(roster, settings):
    assert load_file(roster, FIXTURES / "id_map.csv", settings).rows_loaded == 12
    return roster


def value(con, settings, kpi, scope=NYC, period=DAY):
    result = compute(con, settings, [kpi], period, scope=scope)
    return result.iloc[0]["value"]


def rejects_of(con, load_id):
    return rows(con, "SELECT line, field, reason FROM rejects WHERE load_id = ? ORDER BY line, field", [load_id])


@pytest.mark.parametrize(("name", "fmt"), [
    ("connect_ctr.jsonl", "amazon-connect-ctr"), ("connect_agent_events.jsonl", "amazon-connect-agent-events"),
    ("uccx_agent_state_detail.csv", "cisco-uccx-agent-state"), ("ucce_agent_state_trace.csv", "cisco-ucce-agent-state"),
    ("iex_schedule.txt", "nice-iex-schedule"), ("qualtrics_responses.csv", "qualtrics"),
    ("avaya_cms_split_interval.csv", "avaya-cms-interval"), ("genesys_agent_status.csv", "genesys-agent-status"),
    ("genesys_agent_performance.csv", "genesys-agent-performance"),
    ("genesys_historical_adherence.csv", "genesys-adherence"),
    ("id_map.csv", None), ("legacy_acd_states.csv", None),
])
def test_each_format_is_recognised_from_its_content(name, fmt):
    assert detect(FIXTURES / name) == fmt


def test_a_contact_delivered_six_times_is_one_contact_and_no_reject(mapped, settings, tmp_path):
    """At-least-once delivery: the same record four times and two updates of it. One contact loads; the copies
    are counted as delivered again, the earlier updates as replaced; nothing is a reject."""
    first = (FIXTURES / "connect_ctr.jsonl").read_text().splitlines()[0]
    update = re.sub(r'("LastUpdateTimestamp": ?")', r"\g<1>9", first)
    assert update != first
    f = write(tmp_path, "ctr.jsonl", "\n".join([first, first, first, first, update, update]) + "\n")
    r = load_file(mapped, f, settings)
    assert (r.rows_loaded, r.rows_rejected, r.superseded, r.redelivered, r.rows_read) == (1, 0, 1, 4, 6)
    assert rows(mapped, "SELECT count(*) FROM rejects WHERE load_id = ?", [r.load_id]) == [(0,)]


def test_an_external_transfer_counts_as_transferred(mapped, settings, tmp_path):
    """A CTR transferred to an outside number has TransferCompletedTimestamp and TransferredToEndpoint, but no
    NextContactId (nothing follows in Connect): still a transfer. 1 of the file's 2 handled contacts: 50 %."""
    import json

    first = json.loads((FIXTURES / "connect_ctr.jsonl").read_text().splitlines()[0])
    second = dict(first, ContactId="c9-0009", NextContactId=None, TransferCompletedTimestamp=first["DisconnectTimestamp"],
                  TransferredToEndpoint={"Type": "TELEPHONE_NUMBER", "Address": "+15550100"})
    first = dict(first, NextContactId=None)
    f = write(tmp_path, "ctr.jsonl", json.dumps(first) + "\n" + json.dumps(second) + "\n")
    r = load_file(mapped, f, settings)
    assert (r.rows_loaded, r.rows_rejected) == (2, 0), r.sample_rejects
    assert rows(mapped, "SELECT contact_id, transferred FROM contacts ORDER BY 1") == [
        (first["ContactId"], False), ("c9-0009", True)]
    assert value(mapped, settings, "transfer_rate", Scope()) == pytest.approx(50.0)


def test_amazon_connect_ctr_reconciles_with_hand_worked_numbers(mapped, settings):
    r = load_file(mapped, FIXTURES / "connect_ctr.jsonl", settings)
    assert (r.status, r.kind, r.format) == ("loaded", "contacts", "amazon-connect-ctr")
    # Six good records for five contacts (c1 delivered twice: its later update replaces the first, which is
    # counted as replaced, not rejected), and a truncated last record.
    assert (r.rows_loaded, r.rows_read, r.rows_rejected, r.superseded) == (5, 7, 1, 1)
    assert "1 replaced by a later update" in r.summary()
    found = rejects_of(mapped, r.load_id)
    assert found[0][:2] == (7, None) and found[0][2].startswith("broken JSON (")
    assert found[0][2].endswith("the record is truncated or malformed") and len(found) == 1
    # Customer contacts c1, c2, c4, c5 (c3 is c2's transfer leg): c1 answered in 10 s, c2 in 30 s,
    # c4 abandoned after 45 s, c5 after 3 s (a short abandon).
    assert value(mapped, settings, "offered") == 4
    assert value(mapped, settings, "service_level") == pytest.approx(100 * 1 / 4)
    assert value(mapped, settings, "abandon_rate") == pytest.approx(100 * 2 / 4)
    assert value(mapped, settings, "short_abandons") == 1
    # Three handled legs: c1 360 s (300 talk + 20 hold + 40 ACW), c2 260 s, c3 120 s; c2 was transferred.
    assert value(mapped, settings, "handled") == 3
    assert value(mapped, settings, "aht") == pytest.approx((360 + 260 + 120) / 3)
    assert value(mapped, settings, "transfer_rate") == pytest.approx(100 / 3)
    assert value(mapped, settings, "aht", Scope(agent=("A1",))) == pytest.approx((360 + 120) / 2)
    assert rows(mapped, "SELECT customer_id FROM contacts WHERE contact_id = 'c1-0001'") == [("+12125550101",)]


def test_without_an_id_map_connect_rows_say_why_their_site_is_unknown(roster, settings):
    r = load_file(roster, FIXTURES / "connect_ctr.jsonl", settings)
    assert (r.status, r.rows_loaded) == ("loaded", 0)
    reasons = {line: why for line, _field, why in rejects_of(roster, r.load_id)}
    assert reasons[4] == ("cannot tell the site: no agent answered and the queue is not mapped to a site "
                          "(id_map entity queue_site)")
    assert reasons[6].startswith("cannot tell the site: agent ann.adams is not in the roster")


def test_customer_ids_are_hashed_when_privacy_asks(mapped, settings):
    private = load_settings(REPO / "config.toml", database={"path": settings.db_path},
                            privacy={"hash_customer_ids": True})
    load_file(mapped, FIXTURES / "connect_ctr.jsonl", private)
    (stored,), = rows(mapped, "SELECT customer_id FROM contacts WHERE contact_id = 'c1-0001'")
    assert stored.startswith("h:") and "5550101" not in stored
    # The same caller hashes the same way, so repeat contacts (FCR) still match.
    assert rows(mapped, "SELECT count(DISTINCT customer_id) FROM contacts WHERE contact_id IN ('c2-0002', 'c3-0003')") \
        == [(1,)]


def test_gzipped_ctr_loads_the_same(mapped, settings, tmp_path):
    packed = tmp_path / "ctr-2026-11-03.json.gz"
    with gzip.open(packed, "wb") as fh:
        fh.write((FIXTURES / "connect_ctr.jsonl").read_bytes())
    assert detect(packed) == "amazon-connect-ctr"
    assert load_file(mapped, packed, settings).rows_loaded == 5


def test_amazon_connect_agent_events_become_state_segments(mapped, settings):
    r = load_file(mapped, FIXTURES / "connect_agent_events.jsonl", settings)
    assert (r.status, r.rows_loaded) == ("loaded", 5)
    assert rejects_of(mapped, r.load_id) == [(8, "Configuration.Username", "required value is missing"),
                                             (9, "EventTimestamp", "not an ISO-8601 date-time")]
    # Ann: available 13:00-13:30 and 13:42-14:00 (the heartbeat changes nothing), on a call 13:30-13:40,
    # ACW 13:40-13:42, custom status "Lunch" 14:00-14:30, then logged out.
    assert rows(mapped, "SELECT state, epoch(end_at - start_at) / 60 FROM agent_states ORDER BY start_at") == [
        ("available", 30), ("on_contact", 10), ("acw", 2), ("available", 18), ("lunch", 30)]
    assert value(mapped, settings, "staffed_hours", Scope(agent=("A1",))) == pytest.approx(90 / 60)
    assert value(mapped, settings, "occupancy", Scope(agent=("A1",))) == pytest.approx(100 * 12 / 60)


def _connect_event(event_id, event_type, at, current, previous=None, version="2019-05-25"):
    """An agent event stream record with the real record's layout: ARNs, the full configuration, and the
    contacts inside the snapshots (whose ContactId and InitiationMethod once made detection take it for a CTR)."""
    import json

    def snapshot(state):
        if state is None:
            return None
        status, contacts = state
        config = {"Username": "ann.adams", "FirstName": "Ann", "LastName": "Adams", "AgentHierarchyGroups": None,
                  "RoutingProfile": {"Name": "Basic Routing Profile", "DefaultOutboundQueue": {"Name": "BasicQueue"},
                                     "InboundQueues": [{"Name": "BasicQueue"}]}}
        return {"AgentStatus": status, "Configuration": config, "Contacts": [
            {"ContactId": f"c-{n}", "InitialContactId": None, "Channel": "VOICE", "InitiationMethod": "INBOUND",
             "Queue": {"Name": "BasicQueue"}, "QueueTimestamp": "2019-05-25T18:43:00.000Z",
             "ConnectedToAgentTimestamp": "2019-05-25T18:44:46.500Z", **c} for n, c in enumerate(contacts)]}

    record = {"AWSAccountId": "012345678901", "AgentARN": "arn:aws:connect:us-east-1:012345678901:instance/i/agent/a",
              "CurrentAgentSnapshot": snapshot(current), "EventId": event_id, "EventTimestamp": at,
              "EventType": event_type, "InstanceARN": "arn:aws:connect:us-east-1:012345678901:instance/i",
              "PreviousAgentSnapshot": snapshot(previous), "Version": version}
    if version is None:
        del record["Version"]
    return json.dumps(record)


AVAILABLE = {"Name": "Available", "Type": "ROUTABLE", "StartTimestamp": "2019-05-25T18:43:59.049Z"}


def test_connect_agent_events_with_contacts_are_not_taken_for_contact_records(tmp_path):
    """The record's own top-level keys decide: an agent event's contacts sit inside its snapshots."""
    connected = [{"State": "CONNECTED", "StateStartTimestamp": "2019-05-25T18:44:46.500Z"}]
    f = write(tmp_path, "events.json", _connect_event("e1", "STATE_CHANGE", "2019-05-25T18:44:46.600Z",
                                                      (AVAILABLE, connected), (AVAILABLE, [])) + "\n")
    assert detect(f) == "amazon-connect-agent-events"
    # A record longer than the bytes detection reads is still told by its top-level keys.
    long = _connect_event("e1", "STATE_CHANGE", "2019-05-25T18:44:46.600Z", (AVAILABLE, connected * 40),
                          (AVAILABLE, connected * 40))
    assert len(long) > 5000
    assert detect(write(tmp_path, "long.json", long + "\n")) == "amazon-connect-agent-events"


def test_connect_acw_example_comes_out_at_five_seconds_with_the_call_before_it(mapped, settings, tmp_path):
    """AWS's "determine ACW time" example: the contact ENDED (entered ACW) at its StateStartTimestamp
    18:55:27.017, and the agent was clear of it at 18:55:32.022: ACW 5.005 s. The first event's previous
    snapshot says the call was CONNECTED since 18:44:46.500, so the call is not lost: on a contact
    18:44:46.500-18:55:27.017 = 640.517 s. The stream lists events newest first, as AWS shows them."""
    ended = [{"State": "ENDED", "StateStartTimestamp": "2019-05-25T18:55:27.017Z"}]
    connected = [{"State": "CONNECTED", "StateStartTimestamp": "2019-05-25T18:44:46.500Z"}]
    f = write(tmp_path, "acw.json", "\n".join([
        _connect_event("e2", "STATE_CHANGE", "2019-05-25T18:55:32.022Z", (AVAILABLE, []), (AVAILABLE, ended)),
        _connect_event("e1", "STATE_CHANGE", "2019-05-25T18:55:27.043Z", (AVAILABLE, ended), (AVAILABLE, connected)),
    ]) + "\n")
    r = load_file(mapped, f, settings)
    assert (r.status, r.format, r.rows_rejected) == ("loaded", "amazon-connect-agent-events", 0)
    assert rows(mapped, """SELECT state, epoch(end_at - start_at) FROM agent_states WHERE agent_id = 'A1'
                           ORDER BY start_at""") == [("on_contact", pytest.approx(640.517)),
                                                     ("acw", pytest.approx(5.005))]
    # Loaded again: nothing new, the inferred call included.
    again = load_file(mapped, f, settings)
    assert rows(mapped, "SELECT count(*) FROM agent_states WHERE agent_id = 'A1'") == [(2,)]
    assert again.rows_rejected == 0


def test_connect_previous_snapshot_never_overrides_what_is_already_known(mapped, settings, tmp_path):
    """The previous snapshot fills only a gap: with a stored event inside the stretch it claims, it is not used."""
    first = write(tmp_path, "a.json", _connect_event("e0", "STATE_CHANGE", "2019-05-25T18:50:00.000Z",
                                                     ({"Name": "Break", "Type": "CUSTOM"}, [])) + "\n")
    load_file(mapped, first, settings)
    connected = [{"State": "CONNECTED", "StateStartTimestamp": "2019-05-25T18:44:46.500Z"}]
    ended = [{"State": "ENDED", "StateStartTimestamp": "2019-05-25T18:55:27.017Z"}]
    later = write(tmp_path, "b.json", _connect_event("e1", "STATE_CHANGE", "2019-05-25T18:55:27.043Z",
                                                     (AVAILABLE, ended), (AVAILABLE, connected)) + "\n")
    load_file(mapped, later, settings)
    assert rows(mapped, """SELECT state, epoch(end_at - start_at) FROM agent_states WHERE agent_id = 'A1'
                           ORDER BY start_at""") == [("break", pytest.approx(327.017))]


def test_older_connect_event_versions_map_their_status_by_name(mapped, settings, tmp_path):
    """Events of an older version carry no AgentStatus.Type: "Available" is available, "Offline" offline, and
    any other name is a custom status mapped by [states]. Available 09:00-09:30, break 09:30-09:45."""
    f = write(tmp_path, "old.json", "\n".join([
        _connect_event("o1", "LOGIN", "2026-11-03T14:00:00Z", ({"Name": "Available"}, []), version=None),
        _connect_event("o2", "STATE_CHANGE", "2026-11-03T14:30:00Z", ({"Name": "Break"}, []), version=None),
        _connect_event("o3", "STATE_CHANGE", "2026-11-03T14:45:00Z", ({"Name": "Offline"}, []), version=None),
    ]) + "\n")
    r = load_file(mapped, f, settings)
    assert (r.status, r.rows_rejected) == ("loaded", 0)
    assert rows(mapped, "SELECT state, reason, epoch(end_at - start_at) / 60 FROM agent_states ORDER BY start_at") == [
        ("available", None, 30), ("break", "Break", 15)]
    assert rows(mapped, "SELECT state FROM agent_events ORDER BY event_at DESC LIMIT 1") == [("offline",)]


def test_cisco_uccx_agent_state_detail(mapped, settings):
    r = load_file(mapped, FIXTURES / "uccx_agent_state_detail.csv", settings)
    assert (r.status, r.rows_loaded) == ("loaded", 6)
    assert rejects_of(mapped, r.load_id) == [
        (10, "Duration", "not a duration (hh:mm:ss)"),
        (11, "state", "unknown code (not in the states vocabulary of config.toml)")]
    # Not Ready 5:00 (aux), Ready 20:00 + Reserved 0:05 + Ready 29:00 (available), Talk 4:55, Work 1:00.
    a1 = Scope(agent=("A1",))
    assert value(mapped, settings, "staffed_hours", a1) == pytest.approx(1.0)
    assert value(mapped, settings, "occupancy", a1) == pytest.approx(100 * 355 / 3300)
    assert rows(mapped, "SELECT reason FROM agent_states WHERE state = 'aux'") == [("100",)]


def test_cisco_ucce_agent_state_trace(mapped, settings):
    r = load_file(mapped, FIXTURES / "ucce_agent_state_trace.csv", settings)
    assert (r.status, r.rows_loaded) == ("loaded", 6)
    assert rejects_of(mapped, r.load_id) == [(9, "AgentState", "not a whole number")]
    # Each state lasts until the next: logged on 10 s and ready 9:50 + 14:00 (available 24:00), talking
    # 5:00, work ready 1:00 (ACW), not ready 10:00 (aux, reason 32); logged off at 09:40.
    a2 = Scope(agent=("A2",))
    assert value(mapped, settings, "staffed_hours", a2) == pytest.approx(40 / 60)
    assert value(mapped, settings, "occupancy", a2) == pytest.approx(100 * 6 / 30)
    assert rows(mapped, "SELECT state, reason FROM agent_states WHERE state = 'aux'") == [("aux", "32")]


def test_nice_iex_schedule_with_midnight_crossing_and_deleted_agents(mapped, settings):
    r = load_file(mapped, FIXTURES / "iex_schedule.txt", settings)
    assert (r.status, r.rows_loaded) == ("loaded", 4)
    assert rejects_of(mapped, r.load_id) == [(6, "agent_id", "agent unknown to IEX (deleted: <Unknown>)"),
                                             (7, "date", "not a date (mmddyyyy)")]
    # Ann: open 09:00-12:00 and 12:30-17:00, unpaid lunch 12:00-12:30 (New York time).
    assert value(mapped, settings, "scheduled_hours", Scope(agent=("A1",))) == pytest.approx(7.5)
    # Lee works 22:00-02:00 London time: two hours on each local day.
    by_day = compute(mapped, settings, ["scheduled_hours"], Period(date(2026, 11, 3), date(2026, 11, 4)),
                     by=["date"], scope=Scope(agent=("L1",)))
    assert [round(v, 6) for v in by_day.value] == [2.0, 2.0]


def test_qualtrics_survey_export(mapped, settings):
    r = load_file(mapped, FIXTURES / "qualtrics_responses.csv", settings)
    assert (r.status, r.rows_loaded) == ("loaded", 5)
    assert rejects_of(mapped, r.load_id) == [(9, "RecordedDate", "not a date-time (YYYY-MM-DD HH:MM:SS)")]
    # NPS 10, 9, 9, 6, 8: three promoters, one detractor of five -> +40; CSAT 5, 4, 4, 2, 3 -> 3 of 5 top-two.
    assert value(mapped, settings, "nps") == pytest.approx(40.0)
    assert value(mapped, settings, "csat") == pytest.approx(60.0)
    assert value(mapped, settings, "csat_mean") == pytest.approx((5 + 4 + 4 + 2 + 3) / 5)
    # 10:02 in the export's zone (America/New_York) is 15:02 UTC.
    assert rows(mapped, "SELECT strftime(responded_at, '%H:%M'), contact_id FROM surveys WHERE response_id = 'R_1aA'") \
        == [("15:02", "c1-0001")]


def test_avaya_cms_split_interval_report(mapped, settings):
    r = load_file(mapped, FIXTURES / "avaya_cms_split_interval.csv", settings)
    assert (r.status, r.kind, r.rows_loaded) == ("loaded", "queue_intervals", 2)
    assert rejects_of(mapped, r.load_id) == [(8, "Acd Calls", "not a number")]
    # 8:00: 40 answered + 4 abandoned, 80 % in service level -> 35 of 44; 8:30: 50 + 10, 60 % -> 36 of 60.
    assert value(mapped, settings, "offered") == 104
    assert value(mapped, settings, "service_level") == pytest.approx(100 * 71 / 104)
    assert value(mapped, settings, "abandon_rate") == pytest.approx(100 * 14 / 104)
    # Waits: 15 s × 40 + 25 s × 50 over 90 answered; handle: (3:00 + 0:40) × 40 + (4:00 + 1:00) × 50 over 90.
    assert value(mapped, settings, "asa") == pytest.approx((15 * 40 + 25 * 50) / 90)
    assert value(mapped, settings, "aht") == pytest.approx((220 * 40 + 300 * 50) / 90)
    by_time = compute(mapped, settings, ["offered"], DAY, by=["time_of_day"], scope=NYC)
    assert dict(zip(by_time.time_of_day, by_time.value, strict=True)) == {"08:00": 44, "08:30": 60}


def test_genesys_agent_performance_summary(mapped, settings):
    r = load_file(mapped, FIXTURES / "genesys_agent_performance.csv", settings)
    assert (r.status, r.rows_loaded) == ("loaded", 2)
    found = rejects_of(mapped, r.load_id)
    assert found[0] == (4, "agent_id", "unknown agent (not in agents)")
    assert found[1][0] == 5 and found[1][2].startswith("not a number or duration")
    # Ann: 10 + 6 answered; talk 240 × 10 + 300 × 6, hold 10 × 10 + 20 × 6, ACW 50 × 10 + 80 × 6.
    a1 = Scope(agent=("A1",))
    assert value(mapped, settings, "handled", a1) == 16
    assert value(mapped, settings, "aht", a1) == pytest.approx((4200 + 220 + 980) / 16)
    assert value(mapped, settings, "transfer_rate", a1) == pytest.approx(100 / 16)


def test_genesys_agent_status_summary(mapped, settings):
    r = load_file(mapped, FIXTURES / "genesys_agent_status.csv", settings)
    assert (r.status, r.rows_loaded) == ("loaded", 1)
    assert rejects_of(mapped, r.load_id) == [(3, "Interval End", "interval end is not after its start")]
    # Logged in 8 h: idle 1:30 (available), on queue 6:00 less idle and 0:02 not responding (on a contact),
    # break 0:30, meal 1:00, and the rest aux.
    a1 = Scope(agent=("A1",))
    assert value(mapped, settings, "staffed_hours", a1) == pytest.approx(8.0)
    on_contact = 6 * 60 - 90 - 2
    assert value(mapped, settings, "occupancy", a1) == pytest.approx(100 * on_contact / (on_contact + 90))
    # Reloading the same export replaces its rows (natural key: agent, source, interval, channel).
    load_file(mapped, FIXTURES / "genesys_agent_status.csv", settings)
    assert value(mapped, settings, "staffed_hours", a1) == pytest.approx(8.0)


def test_genesys_historical_adherence_beside_floorviews_own(mapped, settings, tmp_path, capsys):
    from kpis.compare import adherence_comparison
    from tests.test_kpis import SCHEDULE, STATES
    for name, text in (("schedule.csv", SCHEDULE), ("states.csv", STATES)):
        assert load_file(mapped, write(tmp_path, name, text), settings).rows_rejected == 0
    r = load_file(mapped, FIXTURES / "genesys_historical_adherence.csv", settings)
    assert (r.status, r.rows_loaded) == ("loaded", 2)
    assert rejects_of(mapped, r.load_id) == [(3, "agent_id", "unknown agent (not in agents)"),
                                             (5, "Date", "not a date (m/d/yy)")]
    # 'Infinity%' (nothing scheduled) is kept as no value, not as a number.
    assert rows(mapped, "SELECT period_start, adherence_pct FROM vendor_adherence ORDER BY 1") == [
        (date(2026, 11, 3), 87.5), (date(2026, 11, 4), None)]
    # A1 on 3 Nov: Floorview 425 of 480 scheduled minutes adherent (88.54 %), Genesys 87.50 %.
    got = adherence_comparison(mapped, settings, date(2026, 11, 3), date(2026, 11, 3))
    assert list(got.agent) == ["Ann Adams"]
    assert got.floorview_pct[0] == pytest.approx(100 * 425 / 480)
    assert got.gap_pts[0] == pytest.approx(100 * 425 / 480 - 87.5)
    assert main(["compare-adherence", "--db", str(settings.db_path), "--from", "2026-11-03", "--to", "2026-11-04",
                 "--format", "csv"]) == 0
    shown = capsys.readouterr().out
    assert "Ann Adams" in shown and "87.5" in shown


def test_qualtrics_columns_can_be_named_in_config(mapped, settings, tmp_path):
    named = load_settings(REPO / "config.toml", database={"path": settings.db_path},
                          vendors={"qualtrics_contact_column": "agent_id", "qualtrics_nps_column": "csat"})
    r = load_file(mapped, FIXTURES / "qualtrics_responses.csv", named)
    assert r.status == "loaded"
    # The configured columns are read instead of ExternalReference and the _NPS_GROUP question.
    assert rows(mapped, "SELECT contact_id, nps FROM surveys WHERE response_id = 'R_1aA'") == [("A1", 5)]
    wrong = load_settings(REPO / "config.toml", database={"path": settings.db_path},
                          vendors={"qualtrics_contact_column": "CallId"})
    r = load_file(mapped, FIXTURES / "qualtrics_responses.csv", wrong)
    assert r.status == "failed" and "no column 'callid' (vendors.qualtrics_contact_column)" in r.message


QUALTRICS_HEADER = ("StartDate,EndDate,Status,IPAddress,Progress,Duration (in seconds),Finished,RecordedDate,"
                    "ResponseId,RecipientLastName,RecipientFirstName,RecipientEmail,ExternalReference,"
                    "DistributionChannel,UserLanguage,QID1,QID1_NPS_GROUP,QID2,QID3,QID4_TEXT,agent_id")
QUALTRICS_QUESTIONS = ('Start Date,End Date,Response Type,IP Address,Progress,Duration (in seconds),Finished,'
                       'Recorded Date,Response ID,Recipient Last Name,Recipient First Name,Recipient Email,'
                       'External Data Reference,Distribution Channel,User Language,"How likely are you to recommend '
                       'us? (0-10)",How likely - Group,How satisfied were you? (1-5),Was your issue resolved?,'
                       'Anything else? - Text,agent_id')


def _qualtrics_imports(columns, zone=None):
    """The third header row: each column's import id, with the dates' time zone only when `zone` is given."""
    cells = []
    for c in columns.split(","):
        imp = {"ImportId": c[0].lower() + c[1:]}
        if zone and c in ("StartDate", "EndDate", "RecordedDate"):
            imp["timeZone"] = zone
        cells.append('"' + __import__("json").dumps(imp).replace('"', '""') + '"')
    return ",".join(cells)


def test_qualtrics_previews_and_unfinished_responses_are_left_out_and_questions_named_in_config(
        mapped, settings, tmp_path):
    """A real export's layout with the questions as QIDs, and no timeZone in the import-id row: the dates are
    read in the site's zone (New York, UTC-5). A preview and an unfinished response are left out and counted.
    The two real responses: NPS 10 and 3 -> one promoter, one detractor: 0; CSAT 5 and 2 -> 1 of 2 top-two:
    50 %; resolved 1 of 2: 50 %."""
    text = "\n".join([
        QUALTRICS_HEADER, QUALTRICS_QUESTIONS, _qualtrics_imports(QUALTRICS_HEADER),
        "2026-11-03 10:01:00,2026-11-03 10:02:00,IP Address,,100,60,True,2026-11-03 10:02:01,R_a1,,,,c1-0001,"
        "anonymous,EN,10,Promoter,5,Yes,Lovely and quick,A1",
        "2026-11-03 10:05:00,2026-11-03 10:06:00,Survey Preview,,100,60,True,2026-11-03 10:06:01,R_p1,,,,,"
        "preview,EN,0,Detractor,1,No,testing the survey,A1",
        "2026-11-03 10:11:00,2026-11-03 10:12:00,IP Address,,40,60,False,2026-11-03 10:12:01,R_u1,,,,c2-0002,"
        "anonymous,EN,2,Detractor,,,,A1",
        "2026-11-03 11:01:00,2026-11-03 11:02:00,IP Address,,100,60,True,2026-11-03 11:02:01,R_b2,,,,c2-0002,"
        "anonymous,EN,3,Detractor,2,No,Took ages to get through,A1"]) + "\n"
    f = write(tmp_path, "qualtrics_qids.csv", text)
    assert detect(f) == "qualtrics"
    named = load_settings(REPO / "config.toml", database={"path": settings.db_path},
                          vendors={"qualtrics_csat_column": "QID2", "qualtrics_resolved_column": "QID3",
                                   "qualtrics_comment_column": "QID4_TEXT"})
    r = load_file(mapped, f, named)
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 2, 0)
    assert r.left_out == {"a survey preview": 1, "unfinished": 1}
    assert "1 left out (a survey preview), 1 left out (unfinished)" in r.summary()
    assert rows(mapped, """SELECT response_id, strftime(responded_at, '%H:%M:%S'), csat, resolved, comment
                           FROM surveys ORDER BY 1""") == [
        ("R_a1", "15:02:01", 5, True, "Lovely and quick"), ("R_b2", "16:02:01", 2, False, "Took ages to get through")]
    assert value(mapped, named, "nps") == pytest.approx(0.0)
    assert value(mapped, named, "csat") == pytest.approx(50.0)
    assert value(mapped, named, "csat_mean") == pytest.approx(3.5)  # (5 + 2) / 2 on the 1-5 scale
    assert report(mapped, f, named).count("site time") >= 1


def test_an_older_qualtrics_export_without_recorded_date_uses_end_date(mapped, settings, tmp_path):
    """No RecordedDate column: detected all the same, each response at its EndDate (in the export's zone)."""
    header = QUALTRICS_HEADER.replace("RecordedDate,", "")
    questions = QUALTRICS_QUESTIONS.replace("Recorded Date,", "")
    f = write(tmp_path, "old_qualtrics.csv", "\n".join([
        header, questions, _qualtrics_imports(header, "America/New_York"),
        "2026-11-03 10:01:00,2026-11-03 10:02:00,IP Address,,100,60,True,R_a1,,,,c1-0001,anonymous,EN,9,Promoter,"
        "4,Yes,,A1"]) + "\n")
    assert detect(f) == "qualtrics"
    r = load_file(mapped, f, settings)
    assert (r.status, r.rows_loaded) == ("loaded", 1), r.message
    assert rows(mapped, "SELECT strftime(responded_at, '%H:%M:%S') FROM surveys") == [("15:02:00",)]


def legacy_settings(settings):
    return load_settings(REPO / "config.toml", database={"path": settings.db_path}, profiles={"legacy_acd": {
        "kind": "agent_states", "delimiter": ";",
        "columns": {"Agent Login": "agent_id", "State": "state", "From": "start_at", "To": "end_at"},
        "timestamp_format": "%d/%m/%Y %H:%M", "timezone": "Europe/London",
        "codes": {"state": {"RDY": "available", "TLK": "on_contact", "WRAP": "acw"}}}})


def test_a_mapping_profile_reads_an_unknown_acd_without_code(mapped, settings):
    profiled = legacy_settings(settings)
    r = load_file(mapped, FIXTURES / "legacy_acd_states.csv", profiled, profile="legacy_acd")
    assert (r.status, r.rows_loaded, r.format) == ("loaded", 3, "profile legacy_acd")
    assert rejects_of(mapped, r.load_id) == [(5, "From", "not a date-time in the profile's format")]
    l1 = Scope(agent=("L1",))
    assert value(mapped, profiled, "staffed_hours", l1) == pytest.approx(1.0)
    assert value(mapped, profiled, "occupancy", l1) == pytest.approx(100 * 20 / 60)
    # 08:00 London in November is 08:00 UTC.
    assert rows(mapped, "SELECT min(strftime(start_at, '%H:%M')) FROM agent_states") == [("08:00",)]


def test_a_missing_profile_or_column_is_a_clear_error(mapped, settings, tmp_path):
    r = load_file(mapped, FIXTURES / "legacy_acd_states.csv", settings, profile="nope")
    assert r.status == "failed" and "no mapping profile 'nope'" in r.message
    bad = write(tmp_path, "legacy.csv", "Login;State;From;To\nlee.e;RDY;03/11/2026 08:00;03/11/2026 08:40\n")
    r = load_file(mapped, bad, legacy_settings(settings), profile="legacy_acd")
    assert r.status == "failed" and r.message == (
        "legacy.csv:1: column(s) the profile 'legacy_acd' maps are missing: Agent Login")


@pytest.mark.parametrize(("name", "text", "message"), [
    ("empty.json", "", "the file is empty"),
    ("other.json", '{"foo": 1}\n', "cannot tell what kind of export"),
    ("fields.txt", "#fields:mu|agent|date|activity|start|end\n10|9001|11032026|Open|09:00|12:00\n",
     "fields.txt:1: the #fields line lacks agent_id"),
    ("qualtrics_short.csv", "StartDate,EndDate,RecordedDate,ResponseId\nx,y,z,ImportId\n",
     "fewer than the three Qualtrics header rows"),
    ("adherence.csv", "Agent,Adherence (%),Conformance (%)\nann,90%,95%\n",
     "adherence.csv:1: needs a Date column or Start Date and End Date columns"),
    ("cms.csv", '"Time","ACD Calls","Avg Speed Ans","Aband Calls"\n"8:00- 8:30 AM","4","0:10","1"\n',
     "cms.csv:1: missing column(s) avg aband time"),
])
def test_bad_vendor_files_fail_whole_with_a_clear_message(mapped, settings, tmp_path, name, text, message):
    before = rows(mapped, "SELECT count(*) FROM contacts")
    r = load_file(mapped, write(tmp_path, name, text), settings)
    assert r.status == "failed" and message in r.message, r.message
    assert rows(mapped, "SELECT count(*) FROM contacts") == before
    assert rows(mapped, "SELECT status FROM load_manifest WHERE load_id = ?", [r.load_id]) == [("failed",)]


def test_a_folder_mixing_every_format_loads_in_one_command(tmp_path, capsys):
    folder = tmp_path / "exports"
    folder.mkdir()
    from tests.conftest import ROSTER
    for name, text in ROSTER.items():
        write(folder, name, text)
    for f in FIXTURES.iterdir():
        if f.name != "legacy_acd_states.csv":  # needs --profile
            shutil.copy(f, folder / f.name)
    db = tmp_path / "mixed.duckdb"
    code = main(["load", "--db", str(db), "--quiet", str(folder)])
    out = capsys.readouterr().out
    assert code == 0
    for line in ("[contacts from amazon-connect-ctr]: 5 rows loaded, 1 rejected, 1 replaced by a later update",
                 "[agent_states from cisco-uccx-agent-state]: 6 rows loaded, 2 rejected",
                 "[schedule from nice-iex-schedule]: 4 rows loaded, 2 rejected",
                 "[surveys from qualtrics]: 5 rows loaded, 1 rejected", "[id_map]: 12 rows loaded",
                 "[queue_intervals from avaya-cms-interval]: 2 rows loaded, 1 rejected"):
        assert line in out, out
    # 4 roster files and 11 vendor files (a contact's earlier update is counted as replaced, not rejected)
    assert "15 file(s): 60 rows loaded, 15 rejected, 0 failed" in out


def test_a_file_whose_every_record_is_rejected_fails_the_command_with_a_hint(tmp_path, capsys):
    """Agent events read as contact records (named so by hand): nothing loads, and the command says so and
    exits 1 instead of 0; the rejects are still kept."""
    from tests.conftest import ROSTER
    folder = tmp_path / "roster"
    folder.mkdir()
    for name, text in ROSTER.items():
        write(folder, name, text)
    db = tmp_path / "wrong.duckdb"
    assert main(["load", "--db", str(db), "--quiet", str(folder), str(FIXTURES / "id_map.csv")]) == 0
    capsys.readouterr()
    code = main(["load", "--db", str(db), "--quiet", "--format", "amazon-connect-ctr",
                 str(FIXTURES / "connect_agent_events.jsonl")])
    out = capsys.readouterr().out
    assert code == 1
    assert "0 rows loaded, 9 rejected" in out
    assert "every row was rejected" in out and "floorview inspect connect_agent_events.jsonl" in out
    assert "--format" in out and "1 failed" in out


def test_inspect_shows_format_mapping_and_first_rows(mapped, settings, capsys, tmp_path):
    text = report(mapped, FIXTURES / "connect_ctr.jsonl", settings, rows=2)
    assert "format:   amazon-connect-ctr — Amazon Connect contact trace records" in text
    assert "Agent.Username" in text and "agent_id (via id_map)" in text
    assert "first 2 row(s) as they would load (of 5)" in text and "c2-0002" in text
    assert "line 7: -: broken JSON" in text
    from tests.conftest import ROSTER
    canonical = report(mapped, write(tmp_path, "agents.csv", ROSTER["agents.csv"]), settings)
    assert "format:   canonical agents" in canonical and "Ann Adams" in canonical
    assert main(["inspect", str(FIXTURES / "iex_schedule.txt")]) == 0
    shown = capsys.readouterr().out
    assert "nice-iex-schedule" in shown and "2026-11-03 09:00:00" in shown


def test_every_format_name_is_offered_on_the_command_line():
    from cli import build_parser
    load = next(a for a in build_parser()._subparsers._group_actions[0].choices["load"]._actions
                if a.dest == "format")
    assert list(load.choices) == list(FORMATS) == [
        "amazon-connect-ctr", "amazon-connect-agent-events", "floorview-agent-events", "genesys-agent-status",
        "genesys-agent-performance",
        "genesys-adherence", "cisco-uccx-agent-state", "cisco-ucce-agent-state", "nice-iex-schedule",
        "avaya-cms-interval", "qualtrics"]
