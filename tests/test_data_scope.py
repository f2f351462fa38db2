"""The data page's figures for a manager: loads, counts and rejects of their own sites only."""

from __future__ import annotations

import store
from loaders import load_file
from tests.conftest import write

# Two New York contacts and one London contact load; one bad row of each site and one line that cannot be parsed
# (a field too many: its site cannot be told) are rejected.
MIXED = ("contact_id,queue_id,site_id,offered_at\n"
         "C1,Q1,NYC,2026-11-02T14:00:00Z\n"
         "C2,Q1,LDN,2026-11-02T09:00:00Z\n"
         "C3,Q1,NYC,not-a-time\n"
         "C4,Q1,LDN,also-not-a-time\n"
         "C5,Q1,NYC,2026-11-02T15:00:00Z,extra\n"
         "C6,Q1,NYC,2026-11-02T15:30:00Z\n")


def _load_mixed(roster, settings, tmp_path):
    result = load_file(roster, write(tmp_path, "mixed.csv", MIXED), settings)
    assert (result.status, result.rows_loaded, result.rows_rejected) == ("loaded", 3, 3), result
    return result


def test_a_manager_sees_only_their_sites_rows_of_a_file_that_touched_several(roster, settings, tmp_path):
    result = _load_mixed(roster, settings, tmp_path)
    (nyc,) = [r for r in store.load_history(roster, sites=("NYC",)) if r["load_id"] == result.load_id]
    assert (nyc["rows_loaded"], nyc["rows_rejected"], nyc["rows_read"]) == (2, 2, 4)
    (ldn,) = [r for r in store.load_history(roster, sites=("LDN",)) if r["load_id"] == result.load_id]
    assert (ldn["rows_loaded"], ldn["rows_rejected"]) == (1, 2)
    (everything,) = [r for r in store.load_history(roster) if r["load_id"] == result.load_id]
    assert (everything["rows_loaded"], everything["rows_rejected"]) == (3, 3)


def test_a_manager_sees_their_sites_rejects_and_no_raw_value_of_a_row_whose_site_is_unknown(roster, settings,
                                                                                             tmp_path):
    _load_mixed(roster, settings, tmp_path)
    nyc = [(r["line"], r["field"], r["value"]) for r in store.recent_rejects(roster, sites=("NYC",))]
    assert (4, "offered_at", "not-a-time") in nyc
    assert all(value != "also-not-a-time" for _, _, value in nyc)  # London's raw value stays London's
    assert 6 in [line for line, _, _ in nyc]  # the unparseable line: its reason, no value
    assert [r for r in store.recent_rejects(roster) if r["line"] == 5][0]["value"] == "also-not-a-time"


def test_the_raw_value_of_a_reject_whose_site_is_unknown_is_withheld_from_a_manager(roster, settings, tmp_path):
    states = write(tmp_path, "states.csv", "agent_id,state,start_at,end_at\n"
                   "A1,available,2026-11-02T14:00:00Z,2026-11-02T15:00:00Z\n"
                   "MAN0042,available,2026-11-02T09:00:00Z,2026-11-02T10:00:00Z\n")
    assert load_file(roster, states, settings).rows_rejected == 1
    (nyc,) = store.recent_rejects(roster, sites=("NYC",))
    assert (nyc["line"], nyc["field"], nyc["value"]) == (3, "agent_id", "(withheld: site unknown)")
    assert store.recent_rejects(roster)[0]["value"] == "MAN0042"  # the control desk sees it
    assert store.recent_rejects(roster, sites=("LDN",)) == []  # the file touched no London row


def test_a_site_without_loads_sees_none_and_counts_are_per_site(roster, settings, tmp_path):
    _load_mixed(roster, settings, tmp_path)
    assert [r["file_name"] for r in store.load_history(roster, sites=("JNB",))] == ["sites.csv"]  # its own row
    assert store.recent_rejects(roster, sites=("JNB",)) == []
    nyc, everything = store.table_counts(roster, ("NYC",)), store.table_counts(roster)
    assert (nyc["contacts"], everything["contacts"]) == (2, 3)
    assert (nyc["agents"], everything["agents"]) == (2, 3)  # A1 and A2 are New York's
    assert nyc["queues"] is None  # queues belong to no site: not a manager's to count
    first_nyc = store.data_freshness(roster, ("NYC",))["first_contact_utc"]
    assert first_nyc.hour == 14 and store.data_freshness(roster)["first_contact_utc"].hour == 9


def test_migration_credits_earlier_loads_to_the_sites_of_the_rows_they_left(tmp_path):
    import duckdb
    path = tmp_path / "v9.duckdb"
    con = duckdb.connect(str(path))
    for version in range(1, 10):
        for statement in store.MIGRATIONS[version - 1]:
            con.execute(statement)
    con.execute("INSERT INTO meta VALUES ('schema_version', '9')")
    con.execute("INSERT INTO agents VALUES ('A1', 'Ann', 'T1', 'NYC', NULL, NULL)")
    con.execute("""INSERT INTO contacts (contact_id, queue_id, site_id, offered_at, load_id) VALUES
                   ('C1', 'Q1', 'NYC', '2026-11-02 14:00', 7), ('C2', 'Q1', 'LDN', '2026-11-02 09:00', 7)""")
    con.execute("INSERT INTO agent_states VALUES ('A1', 'available', '2026-11-02 14:00', '2026-11-02 15:00', NULL, 8)")
    con.close()
    con = store.connect(path)
    assert con.execute("SELECT * FROM load_sites ORDER BY ALL").fetchall() == [(7, "LDN", 1), (7, "NYC", 1),
                                                                               (8, "NYC", 1)]
    con.close()
