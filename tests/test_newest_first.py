"""A live load commits each site's newest day of facts first, then the earlier days it touched (its customers'
FCR look-back), each commit a new data version. Hand-worked: customer K1 calls on 1 Nov (C1, agent A1) and
again on 4 Nov (C2): with the 7-day window, C1 becomes a repeat (not resolved) once C2 is loaded."""

from __future__ import annotations

from contextlib import contextmanager

from loaders import facts, load_paths
from loaders.run import build_backlog
from tests.conftest import rows, write
from tests.test_facts import load

HEADER = "contact_id,queue_id,site_id,offered_at,answered_at,agent_id,customer_id\n"
C1 = "C1,Q1,NYC,2026-11-01T14:00:00Z,2026-11-01T14:00:10Z,A1,K1\n"
C2 = "C2,Q1,NYC,2026-11-04T14:00:00Z,2026-11-04T14:00:10Z,A1,K1\n"
BY_DAY = """SELECT date_local::VARCHAR, sum(handled), sum(fcr_eligible), sum(fcr_resolved)
            FROM fact_handle_interval GROUP BY 1 ORDER BY 1"""


def test_the_newest_day_is_built_first_and_the_look_back_after(roster, settings, tmp_path):
    load(roster, settings, tmp_path, "c1.csv", HEADER + C1)
    assert rows(roster, BY_DAY) == [("2026-11-01", 1, 1, 1)]
    load_paths(roster, [write(tmp_path, "c2.csv", HEADER + C2)], settings, newest_first=True)
    # 4 Nov is built; 1 Nov still shows C1 resolved, and waits in the backlog.
    assert rows(roster, BY_DAY) == [("2026-11-01", 1, 1, 1), ("2026-11-04", 1, 1, 1)]
    assert rows(roster, "SELECT DISTINCT date_local::VARCHAR FROM fact_backlog") == [("2026-11-01",)]
    assert facts.pending(roster, settings)
    build_backlog(roster, settings)
    assert rows(roster, BY_DAY) == [("2026-11-01", 1, 1, 0), ("2026-11-04", 1, 1, 1)]
    assert not facts.pending(roster, settings)


def test_the_ingest_worker_commits_twice_only_when_earlier_days_are_left(roster, settings, tmp_path):
    import store
    from live.worker import IngestWorker

    load(roster, settings, tmp_path, "c1.csv", HEADER + C1)
    build_backlog(roster, settings)  # records the settings the facts were built with, as a serving app has
    assert not facts.pending(roster, settings)  # so the worker starts idle, with no catching up of its own
    roster.close()
    db = store.Database(settings.db_path)
    worker = IngestWorker(db, settings).start()
    try:
        before = db.data_version
        worker.submit([write(tmp_path, "c2.csv", HEADER + C2)], source="test").result(timeout=60)
        assert db.data_version == before + 2  # 4 Nov first, then 1 Nov's look-back
        with db.session() as cur:
            assert rows(cur, BY_DAY) == [("2026-11-01", 1, 1, 0), ("2026-11-04", 1, 1, 1)]
            assert rows(cur, "SELECT count(*) FROM fact_backlog") == [(0,)]
        before = db.data_version
        late = "C3,Q1,NYC,2026-11-04T15:00:00Z,2026-11-04T15:00:10Z,A1,K7\n"  # a new customer: one day only
        worker.submit([write(tmp_path, "c3.csv", HEADER + late)], source="test").result(timeout=60)
        assert db.data_version == before + 1  # nothing left for a second commit
        with db.session() as cur:
            assert rows(cur, BY_DAY) == [("2026-11-01", 1, 1, 0), ("2026-11-04", 2, 2, 2)]
    finally:
        worker.stop()
        db.close()


class RecordingTurns:
    """The worker's side of the callback gate, noting when it is asked and at which data version."""

    def __init__(self, db) -> None:
        self.db = db
        self.seen: list[tuple[str, int]] = []

    @contextmanager
    def ahead(self, all_turns_s: float = 0.0):
        self.all_turns_s = all_turns_s
        self.seen.append(("ahead", self.db.data_version))
        yield
        self.seen.append(("ahead ends", self.db.data_version))

    def after_callbacks_now(self, timeout_s: float) -> None:
        self.seen.append(("after the callbacks now", self.db.data_version))


def test_the_first_commit_goes_ahead_of_the_callbacks_and_the_look_back_after_them(roster, settings, tmp_path):
    import store
    from live.worker import IngestWorker

    load(roster, settings, tmp_path, "c1.csv", HEADER + C1)
    build_backlog(roster, settings)
    roster.close()
    db = store.Database(settings.db_path)
    turns = RecordingTurns(db)
    worker = IngestWorker(db, settings, turns).start()
    try:
        v = db.data_version
        worker.submit([write(tmp_path, "c2.csv", HEADER + C2)], source="test").result(timeout=60)
        # Ahead for the newest day's commit; the look-back waits for the pages then asking, then commits.
        assert turns.seen == [("ahead", v), ("ahead ends", v + 1), ("after the callbacks now", v + 1)]
        assert turns.all_turns_s > 0  # with the CPU to itself at first
        assert db.data_version == v + 2
        turns.seen.clear()
        late = "C3,Q1,NYC,2026-11-04T15:00:00Z,2026-11-04T15:00:10Z,A1,K7\n"
        worker.submit([write(tmp_path, "c3.csv", HEADER + late)], source="test").result(timeout=60)
        assert turns.seen == [("ahead", v + 2), ("ahead ends", v + 3)]  # nothing left: nobody kept waiting
    finally:
        worker.stop()
        db.close()


def test_the_serving_database_folds_its_write_ahead_log_when_asked_not_at_commit(settings):
    import store

    db = store.Database(settings.db_path)
    wal = store.wal_path(settings.db_path)
    try:
        with db.write() as cur:  # a new table's rows go straight to the file
            cur.execute("CREATE TABLE big AS SELECT range AS n, random() AS x FROM range(3000000)")
        with db.write() as cur:  # changed rows go to the log: past DuckDB's own 16 MiB, which folds it at commit
            cur.execute("UPDATE big SET x = x + 1")
        assert wal.exists() and wal.stat().st_size >= store.WAL_FOLDED_WHEN_IDLE
        assert db.fold_wal()
        assert not wal.exists() or wal.stat().st_size == 0
        assert not db.fold_wal()  # nothing to fold
        with db.session() as cur:
            assert rows(cur, "SELECT count(*) FROM big") == [(3000000,)]
    finally:
        db.close()
