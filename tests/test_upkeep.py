"""Nothing lost, ever: a backup restored gives the same KPIs; personal data past its retention period goes,
counted in the audit trail, and the KPIs of the purged period stay."""

from __future__ import annotations

import subprocess
import sys
import time
from datetime import date

import pytest

import store
from cli import main
from kpis.compute import Period, compute
from loaders import facts, load_file, vocabulary
from tests.conftest import rows, write
from upkeep import retention

DAY1, DAY2 = date(2026, 11, 2), date(2026, 11, 9)
KPIS = ["offered", "service_level", "aht", "fcr"]

# Customer K1 calls twice on day 1 (the first is not resolved first time), K2 once; day 2 a week later.
CONTACTS = ("contact_id,queue_id,site_id,offered_at,answered_at,ended_at,agent_id,customer_id,talk_s,acw_s\n"
            "C1,Q1,NYC,2026-11-02T14:00:00Z,2026-11-02T14:00:10Z,2026-11-02T14:05:00Z,A1,K1,270,20\n"
            "C2,Q1,NYC,2026-11-02T15:00:00Z,2026-11-02T15:00:40Z,2026-11-02T15:04:00Z,A1,K1,180,20\n"
            "C3,Q1,NYC,2026-11-02T16:00:00Z,2026-11-02T16:00:05Z,2026-11-02T16:03:00Z,A2,K2,160,20\n"
            "C4,Q1,NYC,2026-11-09T14:00:00Z,2026-11-09T14:00:05Z,2026-11-09T14:02:00Z,A2,K3,100,20\n")
SURVEYS = ("response_id,responded_at,contact_id,agent_id,nps,comment\n"
           "R1,2026-11-02T18:00:00Z,C1,A1,3,Called twice and still not fixed - my number is 555-0199\n"
           "R2,2026-11-09T18:00:00Z,C4,A2,10,Great help\n")


def kpis_of(con, settings, day):
    frame = compute(con, settings, KPIS, Period(day, day))
    return dict(zip(frame["kpi"], frame["value"], strict=True))


@pytest.fixture
def centre(roster, settings, tmp_path):
    for name, text in (("contacts.csv", CONTACTS), ("surveys.csv", SURVEYS)):
        r = load_file(roster, write(tmp_path, name, text), settings)
        assert (r.status, r.rows_rejected) == ("loaded", 0), r
    return roster


def test_hand_worked_kpis_of_the_fixture(centre, settings):
    got = kpis_of(centre, settings, DAY1)
    assert got["offered"] == 3
    assert got["service_level"] == pytest.approx(100 * 2 / 3)   # C1 10 s and C3 5 s within 20 s; C2 40 s not
    assert got["aht"] == pytest.approx((290 + 200 + 180) / 3)
    assert got["fcr"] == pytest.approx(100 * 2 / 3)             # C1 is followed by C2 within 7 days


# --- backup and restore ----------------------------------------------------------------------------

def test_a_restored_backup_gives_the_same_kpis(centre, settings, tmp_path, capsys):
    db = settings.db_path
    before = {d: kpis_of(centre, settings, d) for d in (DAY1, DAY2)}
    centre.close()
    dest = tmp_path / "backups" / "nightly.duckdb"
    assert main(["backup", str(dest), "--db", str(db)]) == 0
    assert "backed up" in capsys.readouterr().out
    assert dest.stat().st_mode & 0o777 == 0o600

    con = store.connect(db)  # the day changes after the backup: a later load replaces a contact
    load_file(con, write(tmp_path, "more.csv", CONTACTS.replace("K2", "K1").replace(",160,", ",900,")), settings)
    assert kpis_of(con, settings, DAY1) != before[DAY1]
    con.close()

    assert main(["restore", str(dest), "--db", str(db)]) == 0
    assert (db.parent / (db.name + ".before-restore")).exists()
    con = store.connect(db)
    try:
        assert {d: kpis_of(con, settings, d) for d in (DAY1, DAY2)} == before
        # Sequences come back too: the next load gets a new id, not one already in the manifest.
        r = load_file(con, write(tmp_path, "again.csv", CONTACTS), settings)
        assert r.status == "loaded"
        assert rows(con, "SELECT count(*) = count(DISTINCT load_id) FROM load_manifest") == [(True,)]
    finally:
        con.close()


def test_restore_refuses_a_file_that_is_not_a_floorview_database(settings, tmp_path, capsys):
    junk = write(tmp_path, "junk.duckdb", b"not a database at all" * 100)
    assert main(["restore", str(junk), "--db", str(settings.db_path)]) == 1
    assert "not a readable DuckDB database" in capsys.readouterr().err
    assert not settings.db_path.exists()


def test_backup_refuses_to_overwrite_the_database_itself(centre, settings, capsys):
    centre.close()
    assert main(["backup", str(settings.db_path), "--db", str(settings.db_path)]) == 1
    assert "the database itself" in capsys.readouterr().err


def test_restore_while_another_process_holds_the_database_exits_3(centre, settings, tmp_path, capsys):
    centre.close()
    dest = tmp_path / "b.duckdb"
    assert main(["backup", str(dest), "--db", str(settings.db_path)]) == 0
    holder = subprocess.Popen([sys.executable, "-c", "import duckdb, sys, time; c = duckdb.connect(sys.argv[1]); "
                               "print('held', flush=True); time.sleep(60)", str(settings.db_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        assert main(["restore", str(dest), "--db", str(settings.db_path)]) == 3
        assert "in use by process" in capsys.readouterr().err
    finally:
        holder.kill()
        holder.wait()


# --- retention -------------------------------------------------------------------------------------

def with_retention(settings, days):
    return settings.model_copy(update={"privacy": settings.privacy.model_copy(update={"retain_days": days})})


def test_purge_removes_old_personal_data_and_the_kpis_stay(centre, settings):
    before = {d: kpis_of(centre, settings, d) for d in (DAY1, DAY2)}
    kept = with_retention(settings, 5)
    with store.transaction(centre):
        done = retention.purge(centre, kept, today=date(2026, 11, 10), actor="tester")
    assert done.before == date(2026, 11, 5)
    assert (done.customer_ids, done.comments) == (3, 1)
    ids = dict(rows(centre, "SELECT contact_id, customer_id FROM contacts"))
    assert ids["C4"] == "K3"  # inside the period: kept
    assert all(ids[c].startswith("purged:") and "K1" not in ids[c] for c in ("C1", "C2", "C3"))
    assert ids["C1"] == ids["C2"] != ids["C3"]  # one customer's contacts still match one another
    assert rows(centre, "SELECT response_id, comment FROM surveys ORDER BY 1") == [("R1", None), ("R2", "Great help")]
    # The KPIs of the purged day stay, also when its facts are rebuilt from the purged rows.
    assert {d: kpis_of(centre, settings, d) for d in (DAY1, DAY2)} == before
    with store.transaction(centre):
        vocabulary.install(centre, settings)
        facts.refresh(centre, settings, everything=True)
    assert {d: kpis_of(centre, settings, d) for d in (DAY1, DAY2)} == before
    [(who, action, new)] = rows(centre, "SELECT username, action, new_value FROM audit_log")
    assert (who, action) == ("tester", "purge personal data")
    assert new.startswith("3 customer ids, 1 survey comments")
    with store.transaction(centre):  # a second purge finds nothing new and audits nothing
        assert retention.purge(centre, kept, today=date(2026, 11, 10)).total == 0
    assert rows(centre, "SELECT count(*) FROM audit_log") == [(1,)]


def test_purge_removes_raw_values_of_old_rejects(roster, settings, tmp_path):
    r = load_file(roster, write(tmp_path, "c.csv", CONTACTS.replace("A1,K1", "NOBODY,K1")), settings)
    assert rows(roster, "SELECT count(*) FROM rejects WHERE value = 'NOBODY'") == [(2,)]
    roster.execute("UPDATE load_manifest SET started_at = TIMESTAMP '2026-01-01' WHERE load_id = ?", [r.load_id])
    with store.transaction(roster):
        done = retention.purge(roster, with_retention(settings, 30), today=date(2026, 11, 10))
    assert done.reject_values == 2
    assert rows(roster, "SELECT count(*) FROM rejects WHERE value IS NOT NULL") == [(0,)]


def test_retention_off_purges_nothing(centre, settings, capsys):
    with store.transaction(centre):
        assert retention.purge(centre, settings) is None  # retain_days = 0 in config.toml
    centre.close()
    assert main(["purge", "--db", str(settings.db_path)]) == 0
    assert "retention is off" in capsys.readouterr().out


def test_the_purge_command_and_the_app_schedule(centre, settings, capsys):
    centre.close()
    assert main(["purge", "--db", str(settings.db_path), "--retain-days", "1"]) == 0
    # Every fixture day (November 2026) is more than a day ago.
    assert "4 customer ids, 2 survey comments" in capsys.readouterr().out
    db = store.Database(settings.db_path)
    try:
        with db.session() as cur:
            assert rows(cur, "SELECT count(*) FROM contacts WHERE NOT starts_with(customer_id, 'purged:')") == [(0,)]
            cur.execute("UPDATE surveys SET comment = 'new words' WHERE response_id = 'R2'")
        schedule = retention.Schedule(db.write, with_retention(settings, 1)).start()
        deadline = time.monotonic() + 20
        while schedule.last is None and time.monotonic() < deadline:
            time.sleep(0.05)
        schedule.stop()
        assert schedule.error is None and schedule.last.comments == 1
        with db.session() as cur:
            assert rows(cur, "SELECT count(*) FROM audit_log WHERE action = 'purge personal data'") == [(2,)]
    finally:
        db.close()


def test_a_backup_taken_while_the_database_is_open_holds_the_latest_writes(centre, settings, tmp_path):
    from upkeep.backup import backup

    before = kpis_of(centre, settings, DAY1)  # the loads are still in the write-ahead log, not the file
    copied = backup(centre, settings.db_path, tmp_path / "hot.duckdb")
    copy = store.connect(copied.path, read_only=True)
    try:
        assert kpis_of(copy, settings, DAY1) == before
        assert copied.tables["contacts"] == 4
    finally:
        copy.close()
