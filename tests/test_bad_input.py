"""Bad input that used to hurt: each file below failed a whole load, loaded something wrong, hung, or made a
million facts. Now its bad lines are rejected with their physical line and reason, and the rest loads."""

from __future__ import annotations

import gzip
import io
import os
import subprocess
import sys
import zipfile

import pytest

from cli import main
from loaders import load_file, load_paths, scan_paths
from tests.conftest import REPO, rows, write

STATES = "agent_id,state,start_at,end_at\n"
CONTACTS = "contact_id,queue_id,site_id,offered_at\n"


def rejects_of(con, load_id):
    return rows(con, "SELECT line, field, reason FROM rejects WHERE load_id = ? ORDER BY line, field", [load_id])


# --- 13: impossible dates are bounded --------------------------------------------------------------

def test_a_null_date_state_is_rejected_and_makes_no_facts(roster, settings, tmp_path):
    f = write(tmp_path, "states.csv", STATES
              + "A1,available,2026-11-02T14:00:00Z,2026-11-02T15:00:00Z\n"
              + "A1,available,1900-01-01T00:00:00Z,2026-11-02T13:00:00Z\n"
              + "A2,available,2026-11-02T14:00:00Z,9999-12-31T00:00:00Z\n")
    r = load_file(roster, f, settings)
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 1, 2)
    got = rejects_of(roster, r.load_id)
    assert (3, "start_at", "outside the plausible range 2000-01-01 to 2100-01-01 (data.earliest_date, "
            "data.latest_date)") in got
    assert any(line == 4 and fld == "end_at" and "plausible range" in why for line, fld, why in got)
    # One hour of one agent: a handful of quarter-hours on one day, not 4 million rows since 1900.
    assert rows(roster, "SELECT count(*), count(DISTINCT date_local) FROM fact_agent_interval") == [(4, 1)]
    assert rows(roster, "SELECT count(*) FROM fact_backlog") == [(0,)]


def test_segments_longer_than_the_configured_maximum_are_rejected(roster, settings, tmp_path):
    f = write(tmp_path, "schedule.csv", "agent_id,activity,start_at,end_at\n"
              "A1,open,2026-11-02T09:00:00Z,2026-11-03T20:00:00Z\n"      # 35 h: allowed
              "A2,open,2026-11-02T09:00:00Z,2026-11-03T22:00:00Z\n")     # 37 h: too long
    r = load_file(roster, f, settings)
    assert (r.rows_loaded, r.rows_rejected) == (1, 1)
    assert rejects_of(roster, r.load_id) == [(3, "end_at", "longer than 36 hours (data.max_segment_hours)")]
    shorter = settings.model_copy(update={"data": settings.data.model_copy(update={"max_segment_hours": 12})})
    r = load_file(roster, f, shorter)  # the setting asked for is the one used
    assert (r.rows_loaded, r.rows_rejected) == (0, 2)


def test_a_local_time_segment_is_bounded_once_converted(roster, settings, tmp_path):
    f = write(tmp_path, "states.csv", STATES + "A1,available,2026-11-02 09:00:00,2026-11-04 09:00:00\n")
    r = load_file(roster, f, settings)
    assert (r.rows_loaded, r.rows_rejected) == (0, 1)
    assert "longer than 36 hours" in rejects_of(roster, r.load_id)[0][2]


def test_backlog_left_by_an_old_version_with_impossible_days_is_dropped_not_built(roster, settings, tmp_path):
    roster.execute("INSERT INTO fact_backlog VALUES ('fact_agent_interval', 'NYC', DATE '1900-01-01')")
    f = write(tmp_path, "states.csv", STATES + "A1,available,2026-11-02T14:00:00Z,2026-11-02T15:00:00Z\n")
    [r] = load_paths(roster, [f], settings)
    assert r.status == "loaded"
    assert rows(roster, "SELECT min(date_local)::VARCHAR FROM fact_agent_interval") == [("2026-11-02",)]
    assert rows(roster, "SELECT count(*) FROM fact_backlog") == [(0,)]


# --- 14: one bad row never fails a whole file ------------------------------------------------------

def test_a_truncated_last_line_with_an_open_quote_keeps_the_good_rows(roster, settings, tmp_path):
    f = write(tmp_path, "contacts.csv", CONTACTS + "C1,Q1,NYC,2026-11-02T14:00:00Z\n" + 'C2,Q1,"NYC,2026-11-02T1')
    r = load_file(roster, f, settings)
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 1, 1)
    [(line, _field, reason)] = rejects_of(roster, r.load_id)
    assert line == 3 and "quote is opened and never closed" in reason


def test_a_three_megabyte_line_is_rejected_and_the_rest_loads(roster, settings, tmp_path):
    f = write(tmp_path, "contacts.csv", CONTACTS + "C1,Q1,NYC,2026-11-02T14:00:00Z\n"
              + "C2,Q1,NYC," + "x" * 3_000_000 + "\n" + "C3,Q1,NYC,2026-11-02T14:05:00Z\n")
    r = load_file(roster, f, settings)
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 2, 1)
    assert rejects_of(roster, r.load_id) == [(3, None, "line longer than 2,000,000 bytes")]


def test_an_out_of_range_integer_is_rejected_not_a_failed_file(con, settings, tmp_path):
    f = write(tmp_path, "queues.csv", "queue_id,name,sl_threshold_s\nQ1,Billing,20\nQ2,Sales,3000000000\n"
              "Q3,Chat,99999999999999999999999\n")
    r = load_file(con, f, settings)
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 1, 2)
    got = rejects_of(con, r.load_id)
    assert got[0] == (3, "sl_threshold_s", "must be at most 604800")
    assert got[1][:2] == (4, "sl_threshold_s") and "not a whole number" in got[1][2]


# --- 15: physical line numbers ---------------------------------------------------------------------

def test_reject_lines_are_physical_lines_with_quoted_newlines_and_blank_lines(roster, settings, tmp_path):
    f = write(tmp_path, "contacts.csv",
              "contact_id,queue_id,site_id,offered_at,disposition\n"
              'C1,Q1,NYC,2026-11-02T14:00:00Z,"two\nlines"\n'          # lines 2-3
              "\n"                                                     # line 4, blank
              'C2,Q1,NYC,2026-11-02T14:00:00Z,"three\nmore\nlines"\n'  # lines 5-7
              "C3,Q9,NYC,2026-11-02T14:00:00Z,ok\n"                    # line 8: unknown queue
              "C4,Q1,NYC,2026-11-02T14:00:00Z,ok,extra\n")             # line 9: too many fields
    r = load_file(roster, f, settings)
    assert (r.rows_loaded, r.rows_rejected) == (2, 2)
    assert [(line, fld) for line, fld, _ in rejects_of(roster, r.load_id)] == [(8, "queue_id"), (9, None)]


# --- 16: integers reject fractions -----------------------------------------------------------------

def test_integer_fields_reject_fractions(roster, settings, tmp_path):
    f = write(tmp_path, "surveys.csv", "response_id,responded_at,agent_id,csat,nps\n"
              "R1,2026-11-02T14:00:00Z,A1,4.5,9\nR2,2026-11-02T14:00:00Z,A1,4.0,10\n")
    r = load_file(roster, f, settings)
    assert (r.rows_loaded, r.rows_rejected) == (1, 1)
    assert rejects_of(roster, r.load_id)[0][:2] == (2, "csat")
    assert rows(roster, "SELECT response_id, csat FROM surveys") == [("R2", 4)]


# --- 17: a file name is a name ---------------------------------------------------------------------

def test_a_file_name_with_glob_characters_loads_only_that_file(roster, settings, tmp_path):
    for name, cid in (("xa.csv", "CA"), ("xb.csv", "CB"), ("x*.csv", "CSTAR"), ("x[a].csv", "CBRACKET")):
        write(tmp_path, name, CONTACTS + f"{cid},Q1,NYC,2026-11-02T14:00:00Z\n")
    load_file(roster, tmp_path / "x*.csv", settings)
    load_file(roster, tmp_path / "x[a].csv", settings)
    assert sorted(r[0] for r in rows(roster, "SELECT contact_id FROM contacts")) == ["CBRACKET", "CSTAR"]


# --- 18: files that change, special files, what a folder load skips -------------------------------

def test_a_file_that_changes_while_loading_fails_whole(roster, settings, tmp_path):
    f = write(tmp_path, "contacts.csv", CONTACTS + "C1,Q1,NYC,2026-11-02T14:00:00Z\n")

    def append_once(path, stage, _fraction):
        if stage == "merging":
            with path.open("a") as fh:
                fh.write("C2,Q1,NYC,not-a-time\n")

    r = load_file(roster, f, settings, on_stage=append_once)
    assert r.status == "failed" and "changed while it was being loaded" in r.message
    assert rows(roster, "SELECT count(*) FROM contacts") == [(0,)]
    assert rows(roster, "SELECT status FROM load_manifest WHERE load_id = ?", [r.load_id]) == [("failed",)]


def test_a_fifo_is_refused_at_once(roster, settings, tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    r = load_file(roster, fifo, settings)  # would block forever on open if it were read
    assert r.status == "failed" and "FIFO" in r.message and "refused" in r.message


def test_the_load_command_refuses_a_fifo_without_waiting_on_it(tmp_path):
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    done = subprocess.run([sys.executable, str(REPO / "cli.py"), "load", "--db", str(tmp_path / "x.duckdb"), str(fifo)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "is a FIFO (named pipe), not a regular file; refused" in done.stdout


def test_a_folder_load_lists_what_it_skipped_and_why(tmp_path):
    folder = tmp_path / "drop"
    folder.mkdir()
    write(folder, "contacts.csv", CONTACTS)
    workbook = io.BytesIO()
    with zipfile.ZipFile(workbook, "w") as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
    write(folder, "report.xlsx", workbook.getvalue())
    write(folder, "bundle.zip", _zip_of("a.csv"))
    (folder / "older").mkdir()
    (folder / "loop").symlink_to(folder / "loop")
    write(folder, "contacts2.csv.part", CONTACTS)
    files, skipped = scan_paths([folder])
    assert files == [folder / "contacts.csv", folder / "report.xlsx"]  # workbooks are read directly
    why = {p.name: reason for p, reason in skipped}
    assert "zip archive" in why["bundle.zip"]
    assert "folder" in why["older"]
    assert "symlink loop" in why["loop"]
    assert "still being written" in why["contacts2.csv.part"]


def test_the_load_command_prints_the_skipped_files(tmp_path, capsys):
    folder = tmp_path / "drop"
    folder.mkdir()
    write(folder, "bundle.zip", _zip_of("a.csv"))
    assert main(["load", "--db", str(tmp_path / "x.duckdb"), str(folder)]) == 1
    assert "skipped " in capsys.readouterr().out


def _zip_of(name: str) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(name, "a,b\n")
    return buf.getvalue()


# --- 19: gzip loads; binaries are named ------------------------------------------------------------

def test_a_gzip_compressed_csv_loads(roster, settings, tmp_path):
    data = gzip.compress((CONTACTS + "C1,Q1,NYC,2026-11-02T14:00:00Z\nC2,Q1,NYC,bad\n").encode())
    for name in ("contacts.csv.gz", "contacts-gz.csv"):  # by content, whatever the name
        r = load_file(roster, write(tmp_path, name, data), settings)
        assert (r.status, r.kind, r.rows_loaded, r.rows_rejected) == ("loaded", "contacts", 1, 1), r.message
        assert rejects_of(roster, r.load_id)[0][:2] == (3, "offered_at")


@pytest.mark.parametrize(("name", "content", "said"), [
    ("export.csv", _zip_of("a.csv"), "zip archive"),
    ("export.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old-style Excel"),
    ("export.csv", "contact_id\n".encode("utf-16"), "UTF-16"),
    ("export.dat", b"\x7fELF\x02\x01\x01\x00\x00\x00", "binary file"),
])
def test_binary_files_are_named_for_what_they_are(con, settings, tmp_path, name, content, said):
    r = load_file(con, write(tmp_path, name, content), settings)
    assert r.status == "failed" and said in r.message and "save the file as UTF-8" not in r.message.replace(
        "UTF-16 text; save the file as UTF-8", "")


def test_an_excel_workbook_says_so(con, settings, tmp_path):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    r = load_file(con, write(tmp_path, "agents.xlsx", buf.getvalue()), settings)
    assert r.status == "failed" and "Excel workbook" in r.message


# --- 20: a load killed half-way says so ------------------------------------------------------------

def test_a_killed_load_leaves_an_interrupted_manifest_row_seen_by_the_next_load(settings, tmp_path, capsys):
    db = tmp_path / "killed.duckdb"
    f = write(tmp_path, "sites.csv", "site_id,name,timezone\nNYC,New York,America/New_York\n")
    script = (
        "import os, sys; sys.path.insert(0, sys.argv[1]); import store; from loaders import load_file; "
        "from settings import load_settings; s = load_settings(sys.argv[1] + '/config.toml'); "
        "con = store.connect(sys.argv[2]); "
        "load_file(con, sys.argv[3], s, on_stage=lambda p, stage, f: os._exit(9) if stage == 'merging' else None)")
    done = subprocess.run([sys.executable, "-c", script, str(REPO), str(db), str(f)], capture_output=True, timeout=120)
    assert done.returncode == 9, done.stderr
    again = write(tmp_path, "teams.csv", "team_id,name,site_id\n")
    assert main(["load", "--db", str(db), str(again)]) == 0
    out = capsys.readouterr().out
    assert "interrupted: sites.csv" in out and "nothing from it was kept" in out
    import store
    con = store.connect(db)
    try:
        assert rows(con, "SELECT file_name, status FROM load_manifest ORDER BY load_id")[0] == ("sites.csv", "interrupted")
        assert rows(con, "SELECT count(*) FROM sites") == [(0,)]
    finally:
        con.close()


# --- 21: demo sizes ---------------------------------------------------------------------------------

def test_demo_refuses_impossible_sizes_with_a_message(tmp_path, capsys):
    assert main(["demo", "--out", str(tmp_path / "d"), "--sites", "2"]) == 2
    assert "--sites 2: the demo has 4 to 6 sites" in capsys.readouterr().err
    assert main(["demo", "--out", str(tmp_path / "d"), "--agents", "20"]) == 2
    assert "--agents 20: with 4 sites the demo needs 48" in capsys.readouterr().err
    assert not (tmp_path / "d").exists()


def test_demo_gives_the_number_of_agents_asked_for(tmp_path):
    out = tmp_path / "d"
    assert main(["demo", "--out", str(out), "--agents", "48", "--days", "1", "--end", "2026-11-20"]) == 0
    assert (out / "agents.csv").read_text().count("\n") == 1 + 48


def test_the_data_page_shows_what_the_backlog_holds_within_scope(con):
    import store
    from layouts import data_page

    con.execute("""INSERT INTO fact_backlog VALUES ('fact_agent_interval', 'NYC', DATE '2026-11-02'),
                   ('fact_queue_interval', 'NYC', DATE '2026-11-03'), ('fact_agent_interval', 'LDN', DATE '2026-11-02')""")
    mine = store.fact_backlog(con, ("NYC",))
    assert [(r["site_id"], r["days"], r["tables"]) for r in mine] == [
        ("NYC", 2, "fact_agent_interval, fact_queue_interval")]
    assert len(store.fact_backlog(con)) == 2
    shown = str(data_page.backlog(mine))
    assert "waiting to be rebuilt" in shown and "NYC: 2 day(s), 02 Nov 2026 to 03 Nov 2026" in shown
    assert "up to date" in str(data_page.backlog([]))


def test_a_load_for_some_sites_rejects_the_rows_of_others_and_refuses_roster_files(roster, settings, tmp_path):
    f = write(tmp_path, "contacts.csv", CONTACTS + "C1,Q1,NYC,2026-11-02T14:00:00Z\nC2,Q1,LDN,2026-11-02T14:00:00Z\n")
    r = load_file(roster, f, settings, sites=("NYC",))
    assert (r.status, r.rows_loaded, r.rows_rejected) == ("loaded", 1, 1)
    assert rejects_of(roster, r.load_id) == [(3, "site_id", "outside your sites (NYC): not loaded")]
    assert rows(roster, "SELECT contact_id FROM contacts") == [("C1",)]
    states = write(tmp_path, "states.csv", STATES + "A1,available,2026-11-02T14:00:00Z,2026-11-02T15:00:00Z\n"
                   "L1,available,2026-11-02T14:00:00Z,2026-11-02T15:00:00Z\n")  # L1 is a London agent
    r = load_file(roster, states, settings, sites=("NYC",))
    assert (r.rows_loaded, r.rows_rejected) == (1, 1)
    r = load_file(roster, write(tmp_path, "sites.csv", "site_id,name,timezone\nXX,X,UTC\n"), settings, sites=("NYC",))
    assert r.status == "failed" and "only the control desk" in r.message
