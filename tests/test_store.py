"""Store: schema versioning and the migration path."""

from __future__ import annotations

import pytest

import store
from tests.conftest import rows


def test_new_database_is_created_at_the_current_schema_version(tmp_path):
    con = store.connect(tmp_path / "new.duckdb")
    assert store.schema_version(con) == store.SCHEMA_VERSION
    tables = {t for (t,) in rows(con, "SELECT table_name FROM information_schema.tables")}
    assert set(store.CANONICAL_TABLES) | set(store.FACT_TABLES) | {"load_manifest", "rejects", "meta"} <= tables


def test_reopening_does_not_migrate_again_and_keeps_data(tmp_path):
    path = tmp_path / "db.duckdb"
    con = store.connect(path)
    con.execute("INSERT INTO sites VALUES ('S1', 'One', 'UTC')")
    con.close()
    con = store.connect(path)
    assert rows(con, "SELECT site_id FROM sites") == [("S1",)]


def test_pending_migration_steps_are_applied_in_order(tmp_path, monkeypatch):
    path = tmp_path / "db.duckdb"
    store.connect(path).close()
    step = ["ALTER TABLE sites ADD COLUMN region VARCHAR"]
    monkeypatch.setattr(store, "MIGRATIONS", store.MIGRATIONS + [step])
    monkeypatch.setattr(store, "SCHEMA_VERSION", store.SCHEMA_VERSION + 1)
    con = store.connect(path)
    assert store.schema_version(con) == store.SCHEMA_VERSION
    assert "region" in {c for (c,) in rows(con, "SELECT column_name FROM information_schema.columns "
                                                 "WHERE table_name = 'sites'")}


def test_a_failing_migration_rolls_back_and_leaves_the_version(tmp_path, monkeypatch):
    path = tmp_path / "db.duckdb"
    store.connect(path).close()
    monkeypatch.setattr(store, "MIGRATIONS", store.MIGRATIONS + [["ALTER TABLE sites ADD COLUMN x INT",
                                                                   "THIS IS NOT SQL"]])
    monkeypatch.setattr(store, "SCHEMA_VERSION", store.SCHEMA_VERSION + 1)
    with pytest.raises(store.duckdb.Error):
        store.connect(path)
    monkeypatch.undo()
    con = store.connect(path)
    assert store.schema_version(con) == store.SCHEMA_VERSION
    assert "x" not in {c for (c,) in rows(con, "SELECT column_name FROM information_schema.columns "
                                               "WHERE table_name = 'sites'")}


def test_newer_database_than_the_code_is_refused(tmp_path):
    path = tmp_path / "db.duckdb"
    con = store.connect(path)
    con.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    con.close()
    with pytest.raises(RuntimeError, match="schema v99 is newer"):
        store.connect(path)


def test_migration_11_takes_message_text_out_of_the_audit_trail(tmp_path):
    path = tmp_path / "db.duckdb"
    con = store.connect(path)
    con.execute("INSERT INTO audit_log VALUES (now(), 'sup', 'send message', 'agent A1', NULL, "
                "'your divorce is not our problem', NULL, [])")
    con.execute("INSERT INTO audit_log VALUES (now(), 'sup', 'set target', 'AHT', '300', '280', 'why', [])")
    con.execute("DROP TABLE api_tokens")  # back to the schema of version 10
    con.execute("DROP TABLE agent_events")
    con.execute("ALTER TABLE surveys DROP COLUMN site_id")  # migration 14
    con.execute("DROP TABLE follow_ups")  # migration 15
    con.execute("DROP TABLE follow_up_actions")
    con.execute("UPDATE meta SET value = '10' WHERE key = 'schema_version'")
    con.close()
    con = store.connect(path)
    try:
        assert rows(con, "SELECT action, new_value FROM audit_log ORDER BY action") == [
            ("send message", "(text seen by its recipients only)"), ("set target", "280")]
    finally:
        con.close()
