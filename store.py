"""The only module that opens DuckDB: connections, schema creation and migrations.

All `*_at` and `interval_utc` columns hold UTC instants as naive TIMESTAMPs; `interval_local` and
`date_local` are wall-clock values in the site's time zone (sites.timezone).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, get_args

import duckdb

import semantic


class WriteFailed(RuntimeError):
    """A write could not be saved; nothing of it was kept. The message says so, for the person who tried."""


class DatabaseLocked(RuntimeError):
    """Another process (usually the running app) holds the database's write lock."""


# Migration 10's backfill: the sites each earlier load left rows for, from a table's own site or its agent's.
_LOAD_SITES_OF = ("INSERT INTO load_sites SELECT t.load_id, {site}, count(*) FROM {table} t {join} "
                  "WHERE t.load_id IS NOT NULL GROUP BY ALL")

MESSAGE_NOT_AUDITED = "(text seen by its recipients only)"

# Each migration takes the schema from version N-1 to N. Never edit a released step: append one.
MIGRATIONS: list[list[str]] = [
    [
        """CREATE TABLE sites (
            site_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, timezone VARCHAR NOT NULL)""",
        """CREATE TABLE teams (
            team_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, site_id VARCHAR NOT NULL,
            supervisor_id VARCHAR)""",
        """CREATE TABLE agents (
            agent_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, team_id VARCHAR NOT NULL,
            site_id VARCHAR NOT NULL, hire_date DATE, email VARCHAR)""",
        """CREATE TABLE queues (
            queue_id VARCHAR PRIMARY KEY, name VARCHAR NOT NULL, channel VARCHAR, call_type VARCHAR,
            sl_threshold_s INTEGER, sl_target DOUBLE)""",
        """CREATE TABLE contacts (
            contact_id VARCHAR NOT NULL, initial_contact_id VARCHAR, queue_id VARCHAR NOT NULL,
            site_id VARCHAR NOT NULL, channel VARCHAR, direction VARCHAR, call_type VARCHAR,
            agent_id VARCHAR, customer_id VARCHAR, offered_at TIMESTAMP NOT NULL, answered_at TIMESTAMP,
            ended_at TIMESTAMP, talk_s DOUBLE, hold_s DOUBLE, acw_s DOUBLE, transferred BOOLEAN,
            disposition VARCHAR, load_id BIGINT)""",
        """CREATE TABLE agent_states (
            agent_id VARCHAR NOT NULL, state VARCHAR NOT NULL, start_at TIMESTAMP NOT NULL,
            end_at TIMESTAMP NOT NULL, reason VARCHAR, load_id BIGINT)""",
        """CREATE TABLE schedule (
            agent_id VARCHAR NOT NULL, activity VARCHAR NOT NULL, start_at TIMESTAMP NOT NULL,
            end_at TIMESTAMP NOT NULL, paid BOOLEAN, load_id BIGINT)""",
        """CREATE TABLE forecast (
            site_id VARCHAR NOT NULL, queue_id VARCHAR NOT NULL, interval_start TIMESTAMP NOT NULL,
            interval_minutes INTEGER NOT NULL, contacts DOUBLE NOT NULL, aht_s DOUBLE NOT NULL,
            required_agents DOUBLE, load_id BIGINT)""",
        """CREATE TABLE surveys (
            response_id VARCHAR NOT NULL, responded_at TIMESTAMP NOT NULL, contact_id VARCHAR,
            agent_id VARCHAR, nps INTEGER, csat INTEGER, resolved BOOLEAN, comment VARCHAR, load_id BIGINT)""",
        "CREATE SEQUENCE load_id_seq START 1",
        """CREATE TABLE load_manifest (
            load_id BIGINT PRIMARY KEY, file_name VARCHAR NOT NULL, sha256 VARCHAR, kind VARCHAR,
            rows_read BIGINT, rows_loaded BIGINT, rows_rejected BIGINT, started_at TIMESTAMP,
            finished_at TIMESTAMP, status VARCHAR NOT NULL, message VARCHAR)""",
        """CREATE TABLE rejects (
            load_id BIGINT NOT NULL, file_name VARCHAR NOT NULL, line BIGINT, field VARCHAR, value VARCHAR,
            reason VARCHAR NOT NULL)""",
        # Interval facts: additive measures only, so any KPI for any slice is a sum then a ratio.
        """CREATE TABLE fact_queue_interval (
            site_id VARCHAR, queue_id VARCHAR, call_type VARCHAR, channel VARCHAR,
            interval_utc TIMESTAMP, interval_local TIMESTAMP, date_local DATE,
            offered BIGINT, answered BIGINT, answered_within BIGINT, abandoned BIGINT,
            abandoned_within BIGINT, short_abandons BIGINT, wait_answered_s DOUBLE,
            wait_abandoned_s DOUBLE)""",
        """CREATE TABLE fact_handle_interval (
            site_id VARCHAR, team_id VARCHAR, agent_id VARCHAR, queue_id VARCHAR, call_type VARCHAR,
            channel VARCHAR, interval_utc TIMESTAMP, interval_local TIMESTAMP, date_local DATE,
            handled BIGINT, transferred BIGINT, talk_s DOUBLE, hold_s DOUBLE, acw_s DOUBLE,
            held BIGINT, fcr_eligible BIGINT, fcr_resolved BIGINT, fcr_resolved_queue BIGINT)""",
        """CREATE TABLE fact_agent_interval (
            site_id VARCHAR, team_id VARCHAR, agent_id VARCHAR,
            interval_utc TIMESTAMP, interval_local TIMESTAMP, date_local DATE,
            state_available_s DOUBLE, state_on_contact_s DOUBLE, state_acw_s DOUBLE, state_break_s DOUBLE,
            state_lunch_s DOUBLE, state_meeting_s DOUBLE, state_training_s DOUBLE,
            state_coaching_s DOUBLE, state_aux_s DOUBLE, state_offline_s DOUBLE,
            sched_open_s DOUBLE, sched_break_s DOUBLE, sched_lunch_s DOUBLE, sched_meeting_s DOUBLE,
            sched_training_s DOUBLE, sched_coaching_s DOUBLE, sched_absence_s DOUBLE, sched_other_s DOUBLE,
            sched_paid_s DOUBLE, sched_planned_shrink_s DOUBLE, sched_tracked_s DOUBLE,
            adherent_s DOUBLE, work_outside_shift_s DOUBLE,
            open_productive_s DOUBLE, open_lost_break_s DOUBLE, open_lost_lunch_s DOUBLE,
            open_lost_meeting_s DOUBLE, open_lost_training_s DOUBLE, open_lost_coaching_s DOUBLE,
            open_lost_aux_s DOUBLE, open_lost_offline_s DOUBLE, shifts BIGINT, late_login_s DOUBLE,
            early_logout_s DOUBLE, forgiven_s DOUBLE)""",
        """CREATE TABLE fact_forecast_interval (
            site_id VARCHAR, queue_id VARCHAR, call_type VARCHAR, channel VARCHAR,
            interval_utc TIMESTAMP, interval_local TIMESTAMP, date_local DATE,
            forecast_contacts DOUBLE, forecast_workload_s DOUBLE, required_agent_s DOUBLE)""",
        """CREATE TABLE fact_survey_interval (
            site_id VARCHAR, team_id VARCHAR, agent_id VARCHAR, queue_id VARCHAR, call_type VARCHAR,
            channel VARCHAR, interval_utc TIMESTAMP, interval_local TIMESTAMP, date_local DATE,
            responses BIGINT, nps_responses BIGINT, promoters BIGINT, detractors BIGINT,
            csat_responses BIGINT, csat_top2 BIGINT, resolved_responses BIGINT, resolved_yes BIGINT)""",
        """CREATE TABLE meta (key VARCHAR PRIMARY KEY, value VARCHAR)""",
    ],
    [  # 2: people who sign in, each with a role and the scope it grants
        """CREATE TABLE users (
            username VARCHAR PRIMARY KEY, display_name VARCHAR NOT NULL, role VARCHAR NOT NULL,
            agent_id VARCHAR, team_ids VARCHAR[] NOT NULL DEFAULT [], site_ids VARCHAR[] NOT NULL DEFAULT [],
            password_hash VARCHAR NOT NULL, disabled BOOLEAN NOT NULL DEFAULT false,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp::TIMESTAMP)""",
    ],
    [  # 3: acting on the numbers — schedule-change requests, messages with acknowledgements, audit trail
        "CREATE SEQUENCE action_id_seq START 1",
        """CREATE TABLE schedule_requests (
            request_id BIGINT PRIMARY KEY, agent_id VARCHAR NOT NULL, requested_by VARCHAR NOT NULL,
            day DATE NOT NULL, from_time VARCHAR NOT NULL, to_time VARCHAR NOT NULL, reason VARCHAR NOT NULL,
            status VARCHAR NOT NULL, decided_by VARCHAR, decided_at TIMESTAMP, note VARCHAR,
            created_at TIMESTAMP NOT NULL)""",
        """CREATE TABLE messages (
            message_id BIGINT PRIMARY KEY, sender VARCHAR NOT NULL, kind VARCHAR NOT NULL,
            audience_level VARCHAR NOT NULL, audience_id VARCHAR, kpi VARCHAR, period VARCHAR,
            body VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL)""",
        """CREATE TABLE message_acks (
            message_id BIGINT NOT NULL, username VARCHAR NOT NULL, acked_at TIMESTAMP NOT NULL,
            PRIMARY KEY (message_id, username))""",
        """CREATE TABLE audit_log (
            happened_at TIMESTAMP NOT NULL, username VARCHAR NOT NULL, action VARCHAR NOT NULL, object VARCHAR,
            old_value VARCHAR, new_value VARCHAR, reason VARCHAR)""",
    ],
    [  # 4: targets set in the app, and adherence exceptions approved by supervisors
        """CREATE TABLE stored_targets (
            rule_id BIGINT PRIMARY KEY, kpi VARCHAR NOT NULL, level VARCHAR NOT NULL, scope_id VARCHAR NOT NULL,
            target DOUBLE NOT NULL, amber DOUBLE, effective_from DATE NOT NULL, effective_to DATE,
            set_by VARCHAR NOT NULL, set_at TIMESTAMP NOT NULL, reason VARCHAR NOT NULL)""",
        """CREATE TABLE adherence_exceptions (
            exception_id BIGINT PRIMARY KEY, agent_id VARCHAR NOT NULL, start_at TIMESTAMP NOT NULL,
            end_at TIMESTAMP NOT NULL, reason VARCHAR NOT NULL, approved_by VARCHAR NOT NULL,
            approved_at TIMESTAMP NOT NULL)""",
        # Out-of-adherence seconds inside approved exceptions (beyond those already forgiven as short).
        "ALTER TABLE fact_agent_interval ADD COLUMN approved_s DOUBLE DEFAULT 0",
        # The sites an action concerns, so a manager's view of the audit trail stays within their sites.
        "ALTER TABLE audit_log ADD COLUMN site_ids VARCHAR[]",
    ],
    [  # 5: site-days whose interval facts a load left to rebuild (a folder load rebuilds them once, at the end)
        "CREATE TABLE fact_backlog (fact_table VARCHAR NOT NULL, site_id VARCHAR NOT NULL, date_local DATE NOT NULL)",
    ],
    [  # 6: vendor ids (a Connect username, a Genesys agent id, an IEX agent id, a queue name) -> Floorview ids
        """CREATE TABLE id_map (
            system VARCHAR NOT NULL, entity VARCHAR NOT NULL, external_id VARCHAR NOT NULL,
            floorview_id VARCHAR NOT NULL, PRIMARY KEY (system, entity, external_id))""",
    ],
    [  # 7: interval aggregates from systems that export no detail (Avaya CMS, Genesys summaries)
        """CREATE TABLE queue_intervals (
            site_id VARCHAR NOT NULL, queue_id VARCHAR NOT NULL, interval_start TIMESTAMP NOT NULL,
            interval_minutes INTEGER NOT NULL, offered DOUBLE, answered DOUBLE, answered_within DOUBLE,
            abandoned DOUBLE, abandoned_within DOUBLE, short_abandons DOUBLE, wait_answered_s DOUBLE,
            wait_abandoned_s DOUBLE, handled DOUBLE, talk_s DOUBLE, hold_s DOUBLE, acw_s DOUBLE, load_id BIGINT)""",
        """CREATE TABLE agent_intervals (
            agent_id VARCHAR NOT NULL, source VARCHAR NOT NULL, interval_start TIMESTAMP NOT NULL,
            interval_minutes INTEGER NOT NULL, channel VARCHAR, state_available_s DOUBLE, state_on_contact_s DOUBLE,
            state_acw_s DOUBLE, state_break_s DOUBLE, state_lunch_s DOUBLE, state_aux_s DOUBLE, handled DOUBLE,
            talk_s DOUBLE, hold_s DOUBLE, acw_s DOUBLE, held DOUBLE, transferred DOUBLE, load_id BIGINT)""",
    ],
    [  # 8: adherence as another system reports it, to compare with Floorview's own
        """CREATE TABLE vendor_adherence (
            agent_id VARCHAR NOT NULL, source VARCHAR NOT NULL, period_start DATE NOT NULL, period_end DATE NOT NULL,
            adherence_pct DOUBLE, conformance_pct DOUBLE, exceptions DOUBLE, exception_minutes DOUBLE,
            scheduled_minutes DOUBLE, load_id BIGINT)""",
    ],
    [  # 9: roles limited to the declared ones (roles.py); a session version that sign-out, a password reset,
       # a role or scope change and disabling raise, ending every session issued before. A user with a role
       # that is not declared is kept, disabled, as an agent without an agent id: it can see nothing.
        """CREATE TABLE users_v9 (
            username VARCHAR PRIMARY KEY, display_name VARCHAR NOT NULL,
            role VARCHAR NOT NULL CHECK (role IN ('agent', 'supervisor', 'manager', 'control_desk')),
            agent_id VARCHAR, team_ids VARCHAR[] NOT NULL DEFAULT [], site_ids VARCHAR[] NOT NULL DEFAULT [],
            password_hash VARCHAR NOT NULL, disabled BOOLEAN NOT NULL DEFAULT false,
            created_at TIMESTAMP NOT NULL DEFAULT current_timestamp::TIMESTAMP,
            session_version BIGINT NOT NULL DEFAULT 0)""",
        """INSERT INTO users_v9
           SELECT username, display_name, CASE WHEN known THEN role ELSE 'agent' END,
                  CASE WHEN known THEN agent_id END, team_ids, site_ids, password_hash, disabled OR NOT known,
                  created_at, 0
           FROM (SELECT *, role IN ('agent', 'supervisor', 'manager', 'control_desk') AS known FROM users)""",
        "DROP TABLE users",
        "ALTER TABLE users_v9 RENAME TO users",
    ],
    [  # 10: the sites each load wrote rows for, and the site of each rejected row where it can be told, so a
       # manager's data page shows only their sites' loads, counts and rejects
        "CREATE TABLE load_sites (load_id BIGINT NOT NULL, site_id VARCHAR, rows_loaded BIGINT NOT NULL)",
        "ALTER TABLE rejects ADD COLUMN site_id VARCHAR",
        *[_LOAD_SITES_OF.format(table=table, site="t.site_id", join="")
          for table in ("contacts", "forecast", "queue_intervals")],
        *[_LOAD_SITES_OF.format(table=table, site="a.site_id", join="LEFT JOIN agents a USING (agent_id)")
          for table in ("agent_states", "schedule", "surveys", "agent_intervals", "vendor_adherence")],
    ],
    [  # 11: a message's text is for its recipients only: the audit trail, which managers and the control desk
       # read, keeps that a message was sent, not what it said
        """UPDATE audit_log SET new_value = '(text seen by its recipients only)'
            WHERE action IN ('send message', 'send alert') AND new_value IS NOT NULL""",
    ],
    [  # 12: tokens for scripts and vendor integrations (POST /api/v1/files), stored as hashes only
        """CREATE TABLE api_tokens (
            name VARCHAR PRIMARY KEY, token_sha256 VARCHAR NOT NULL UNIQUE, created_at TIMESTAMP NOT NULL,
            created_by VARCHAR NOT NULL, revoked_at TIMESTAMP)""",
    ],
    [  # 13: live agent-state events (POST /api/v1/agent-events, event files): each starts a state that the
       # agent's next event ends; the closed segments are agent_states rows, the last one is the state now
        """CREATE TABLE agent_events (
            agent_id VARCHAR NOT NULL, event_at TIMESTAMP NOT NULL, state VARCHAR NOT NULL, reason VARCHAR,
            received_at TIMESTAMP NOT NULL, load_id BIGINT, PRIMARY KEY (agent_id, event_at))""",
    ],
    [  # 14: a survey response may name its site itself (an export with no agent or contact, or a profile constant)
        "ALTER TABLE surveys ADD COLUMN site_id VARCHAR",
    ],
    [  # 15: the survey HOTLINE: a response that meets the follow_ups criteria opens one case (or a sales lead),
       # owned by a team (its supervisor) or a user, new -> in progress -> closed, every step in its timeline;
       # its service clocks' due times are those in force when it opened
        """CREATE TABLE follow_ups (
            case_id BIGINT PRIMARY KEY, response_id VARCHAR NOT NULL UNIQUE,
            kind VARCHAR NOT NULL CHECK (kind IN ('follow_up', 'lead')), reason VARCHAR NOT NULL,
            contact_id VARCHAR, customer_id VARCHAR, agent_id VARCHAR, team_id VARCHAR, queue_id VARCHAR,
            site_id VARCHAR, owner_team_id VARCHAR, owner VARCHAR,
            status VARCHAR NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'in_progress', 'closed')),
            responded_at TIMESTAMP NOT NULL, detected_at TIMESTAMP NOT NULL,
            first_action_due TIMESTAMP, close_due TIMESTAMP, first_action_at TIMESTAMP,
            hours_to_first_action DOUBLE, closed_at TIMESTAMP, resolution VARCHAR, root_cause VARCHAR,
            reached BOOLEAN, load_id BIGINT)""",
        """CREATE TABLE follow_up_actions (
            case_id BIGINT NOT NULL, happened_at TIMESTAMP NOT NULL, username VARCHAR NOT NULL,
            action VARCHAR NOT NULL, note VARCHAR)""",
    ],
]
SCHEMA_VERSION = len(MIGRATIONS)

CANONICAL_TABLES = ("sites", "teams", "agents", "queues", "contacts", "agent_states", "schedule", "forecast", "surveys")
FACT_TABLES = semantic.FACT_TABLES
# Set when a fact table was recreated to match the semantic model: its facts must be rebuilt from the history.
FACTS_REBUILD_ALL = "facts_rebuild_all"


# Set while the serving process runs a command for the command line (live.api): that command's
# `connect` gets a cursor on the app's own connection, since DuckDB lets one process write.
_SERVING: ContextVar[Database | None] = ContextVar("floorview_serving_database", default=None)


@contextmanager
def through_app(db: Database) -> Iterator[None]:
    token = _SERVING.set(db)
    try:
        yield
    finally:
        _SERVING.reset(token)


def connect(path: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the database (creating/migrating it when writable), with UTC as the session time zone."""
    path = Path(path)
    serving = _SERVING.get()
    if serving is not None and path.resolve() == serving.path.resolve():
        return serving.cursor()  # its close() closes the cursor only
    if not read_only:
        path.parent.mkdir(parents=True, exist_ok=True)
    try:
        con = duckdb.connect(str(path), read_only=read_only)
    except duckdb.IOException as err:
        raise _lock_error(path, err) from None
    except duckdb.ConnectionException as err:
        if not read_only or "different configuration" not in str(err):
            raise
        # This process has the file open for writing already (a test, the app running a command): share that
        # database. It is still only read here, and not migrated.
        con = duckdb.connect(str(path))
    if not read_only:
        owner_only(path)
    con.execute("SET TimeZone = 'UTC'")
    if not read_only:
        try:
            migrate(con)
        except Exception:
            con.close()
            raise
    return con


def wal_path(path: Path) -> Path:
    """Where DuckDB keeps a database file's write-ahead log."""
    return path.with_name(path.name + ".wal")


def owner_only(path: Path) -> None:
    """The database holds password hashes and customers' data: readable by its owner only (its write-ahead log
    too). A new file is made so before anything is written to it; the CLI and server also run with umask 077."""
    for file in (path, wal_path(path)):
        if file.exists() and file.stat().st_mode & 0o077:
            file.chmod(0o600)


def _lock_error(path: Path, err: Exception) -> Exception:
    text = str(err)
    if "lock" not in text.lower():
        return err
    pid = re.search(r"PID (\d+)", text)
    holder = f"process {pid.group(1)}" if pid else "another process"
    return DatabaseLocked(
        f"{path} is in use by {holder}, which is not a Floorview app serving it (a serving app is reached "
        f"through its control file and runs the command itself). Stop that program first."
    )


def schema_version(con: duckdb.DuckDBPyConnection) -> int:
    exists = con.execute(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = 'meta'"
    ).fetchall()[0][0]
    if not exists:
        return 0
    rows = con.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchall()
    return int(rows[0][0]) if rows else 0


def migrate(con: duckdb.DuckDBPyConnection) -> int:
    """Apply every migration step after the database's version, each in its own transaction."""
    current = schema_version(con)
    if current > SCHEMA_VERSION:
        raise RuntimeError(f"database schema v{current} is newer than this Floorview (v{SCHEMA_VERSION})")
    for version in range(current + 1, SCHEMA_VERSION + 1):
        con.execute("BEGIN TRANSACTION")
        try:
            for statement in MIGRATIONS[version - 1]:
                con.execute(statement)
            con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [str(version)])
            con.execute("COMMIT")
        except Exception:
            con.execute("ROLLBACK")
            raise
    _match_facts_to_model(con)
    return SCHEMA_VERSION


def fact_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    return [(c, t) for c, t in con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ? AND table_schema = 'main' "
        "ORDER BY ordinal_position", [table]).fetchall()]


def _match_facts_to_model(con: duckdb.DuckDBPyConnection) -> None:
    """Fact tables are derived data: one whose columns differ from the semantic model's (a new category, a new
    measure) is recreated from the model and every fact is rebuilt from the stored history by the next build
    (`floorview refresh`, a load, or the app's start)."""
    changed = [f for f in semantic.FACTS if fact_columns(con, f.name) != list(f.columns)]
    if not changed:
        return
    with transaction(con):
        had_facts = False
        for f in changed:
            had_facts = had_facts or con.execute(f"SELECT EXISTS (FROM {f.name})").fetchall()[0][0]  # noqa: S608
            con.execute(f"DROP TABLE {f.name}")  # a declared name
            con.execute(f.ddl())
        if had_facts:
            con.execute("INSERT OR REPLACE INTO meta VALUES (?, 'yes')", [FACTS_REBUILD_ALL])


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


VENDOR_TABLES = ("id_map", "queue_intervals", "agent_intervals", "vendor_adherence")
LIVE_TABLES = ("agent_events",)


def _site_path(con: duckdb.DuckDBPyConnection, table: str) -> str | None:
    """How a table's rows find their site, from its own columns: its site_id, its agent's, or none."""
    columns = {c for (c,) in con.execute(
        "SELECT column_name FROM information_schema.columns WHERE table_name = ?", [table]).fetchall()}
    if "site_id" in columns:
        return "site_id"
    if "agent_id" in columns:
        return "(SELECT a.site_id FROM agents a WHERE a.agent_id = t.agent_id)"
    return None


def table_counts(con: duckdb.DuckDBPyConnection, sites: tuple[str, ...] | None = None) -> dict[str, int | None]:
    """Rows per table; with `sites`, only those sites' rows (None for a table whose rows have no site)."""
    counts: dict[str, int | None] = {}
    for table in CANONICAL_TABLES + VENDOR_TABLES + LIVE_TABLES + FACT_TABLES + ("rejects",):  # fixed names
        if sites is None:
            counts[table] = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]  # noqa: S608
            continue
        path = _site_path(con, table)
        counts[table] = None if path is None else con.execute(
            f"SELECT count(*) FROM {table} t WHERE list_contains(?, {path})", [list(sites)]).fetchall()[0][0]  # noqa: S608
    return counts


# What an open page can wait for, each with its own version: a new message redraws the inbox, not the KPIs
# (and keeps their cached results); a load or any other write redraws the KPIs; live agent events redraw the
# real-time view (their interval facts follow as a load of their own). ids.VERSION_STORES follows this.
Topic = Literal["data", "messages", "events"]
TOPICS: tuple[Topic, ...] = get_args(Topic)


# DuckDB folds the write-ahead log into the file at the commit that takes it past 16 MiB, while the writer
# waits: 0.43 s of the 1.1 s a live increment's facts commit took on the bench centre. The serving process
# raises that bar (a backfill's WAL stays bounded by it), and its ingest worker folds the log when idle
# (`fold_wal`), once the new numbers are out.
WAL_FOLDED_AT_COMMIT = "1GB"
WAL_FOLDED_WHEN_IDLE = 16 * 2**20  # bytes: DuckDB's own default threshold


class Database:
    """The app's handle on its database: one connection owned by the process, a cursor per request."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._con = connect(self.path)
        self._con.execute(f"SET checkpoint_threshold = '{WAL_FOLDED_AT_COMMIT}'")  # a declared constant
        self._write_lock = threading.RLock()
        self._versions = dict.fromkeys(TOPICS, 0)

    @property
    def data_version(self) -> int:
        """Bumped by every committed write of data the KPIs read: open pages poll it, cached results are keyed
        by it."""
        return self._versions["data"]

    def version(self, topic: Topic) -> int:
        return self._versions[topic]

    def _bump(self, topic: Topic) -> None:
        self._versions[topic] += 1

    def cursor(self) -> duckdb.DuckDBPyConnection:
        cur = self._con.cursor()
        cur.execute("SET TimeZone = 'UTC'")
        return cur

    @contextmanager
    def session(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor for one request, closed afterwards whatever happens."""
        cur = self.cursor()
        try:
            yield cur
        finally:
            cur.close()

    @contextmanager
    def write(self, cur: duckdb.DuckDBPyConnection | None = None,
              topic: Topic = "data") -> Iterator[duckdb.DuckDBPyConnection]:
        """One write at a time in this process, each in its own transaction. DuckDB's optimistic concurrency
        fails the second of two transactions that touch the same rows ("Conflict on tuple deletion", e.g. two
        approvals rebuilding one site-day's facts): taken in turn, none conflicts and none is lost. A failure
        is raised as WriteFailed, with the database as it was, for the caller to tell the person."""
        with self._write_lock:
            own = cur is None
            cur = cur or self.cursor()
            try:
                with transaction(cur):
                    yield cur
            except duckdb.Error as err:
                raise WriteFailed(f"not saved: {str(err).strip().splitlines()[0]}") from err
            finally:
                if own:
                    cur.close()
            self._bump(topic)

    @contextmanager
    def exclusive(self, topic: Topic = "data") -> Iterator[duckdb.DuckDBPyConnection]:
        """The writer's turn for work that makes its own transactions (a load: one per file); reads go on."""
        with self._write_lock:
            cur = self.cursor()
            try:
                yield cur
            finally:
                cur.close()
                self._bump(topic)

    def fold_wal(self) -> bool:
        """Fold a write-ahead log of WAL_FOLDED_WHEN_IDLE or more into the database file (a CHECKPOINT: readers
        go on; writers wait their turn). Returns whether it did."""
        wal = wal_path(self.path)
        with self._write_lock:
            if not wal.exists() or wal.stat().st_size < WAL_FOLDED_WHEN_IDLE:
                return False
            with self.session() as cur:
                cur.execute("CHECKPOINT")
            return True

    def close(self) -> None:
        self._con.close()


_STARTED = "strftime(m.started_at, '%Y-%m-%d %H:%M:%S') AS started_utc"
_SECONDS = "round(epoch(m.finished_at - m.started_at), 2) AS seconds"

# The loads and rejects a set of sites may see: a load that wrote rows for one of them, or rejected rows of one;
# of such a load, the rejects whose site is unknown (a line that could not be parsed, an unknown agent) too.
_VISIBLE = """
    WITH mine AS (SELECT load_id, sum(rows_loaded) AS rows_loaded FROM load_sites
                  WHERE list_contains($sites, site_id) GROUP BY load_id),
    seen AS (SELECT load_id FROM mine UNION SELECT load_id FROM rejects WHERE list_contains($sites, site_id)),
    visible_rejects AS (SELECT r.* FROM rejects r
                        WHERE list_contains($sites, r.site_id) OR (r.site_id IS NULL AND r.load_id IN (FROM seen)))"""


# The file names POST /api/v1/agent-events gives its requests (live.api): a live feed makes one a second, so
# the data page sums them up (`event_posts`) instead of listing each beside the files.
EVENT_POSTS = "agent-events-"


def load_history(con: duckdb.DuckDBPyConnection, limit: int = 500, sites: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """The most recent loads from the manifest, newest first, the events API's requests left out. With
    `sites`, only loads that touched them, and of a load that touched others too, only their rows."""
    if sites is None:
        return _records(con.execute(
            f"""SELECT load_id, file_name, kind, status, rows_read, rows_loaded, rows_rejected, {_STARTED},
                      {_SECONDS}, sha256, message
               FROM load_manifest m WHERE NOT starts_with(m.file_name, $posts)
               ORDER BY load_id DESC LIMIT $limit""",  # noqa: S608 - fixed fragments
            {"limit": limit, "posts": EVENT_POSTS},
        ))
    return _records(con.execute(
        f"""{_VISIBLE},
            rejected AS (SELECT load_id, count(DISTINCT line) AS n FROM visible_rejects GROUP BY load_id)
        SELECT m.load_id, m.file_name, m.kind, m.status,
               coalesce(mine.rows_loaded, 0) + coalesce(rejected.n, 0) AS rows_read,
               coalesce(mine.rows_loaded, 0) AS rows_loaded, coalesce(rejected.n, 0) AS rows_rejected,
               {_STARTED}, {_SECONDS}, m.sha256, m.message
        FROM load_manifest m SEMI JOIN seen USING (load_id)
        LEFT JOIN mine USING (load_id) LEFT JOIN rejected USING (load_id)
        WHERE NOT starts_with(m.file_name, $posts)
        ORDER BY m.load_id DESC LIMIT $limit""",  # noqa: S608 - fixed fragments
        {"sites": list(sites), "limit": limit, "posts": EVENT_POSTS},
    ))


def event_posts(con: duckdb.DuckDBPyConnection, since: datetime, sites: tuple[str, ...] | None = None) -> dict[str, Any]:
    """The events API's requests since `since` (UTC): how many, the state segments they stored (of `sites`
    only, if given), the lines they rejected, and when the last one finished."""
    mine = "TRUE" if sites is None else "list_contains($sites, s.site_id)"
    requests, segments, last = con.execute(f"""
        SELECT count(DISTINCT m.load_id), coalesce(sum(s.rows_loaded), 0), max(m.finished_at)
        FROM load_manifest m LEFT JOIN load_sites s USING (load_id)
        WHERE starts_with(m.file_name, $posts) AND m.finished_at >= $since AND {mine}""",  # noqa: S608
                                            {"posts": EVENT_POSTS, "since": since,
                                             **({} if sites is None else {"sites": list(sites)})}).fetchall()[0]
    return {"requests": requests, "segments": int(segments), "last": last}


def recent_rejects(con: duckdb.DuckDBPyConnection, limit: int = 2000,
                   sites: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """Rejected rows with their reasons, newest load first. With `sites`, only theirs; the raw value of a row
    whose site is unknown is withheld, since it may be another site's."""
    if sites is None:
        return _records(con.execute(
            """SELECT load_id, file_name, line, field, value, reason FROM rejects
               ORDER BY load_id DESC, line LIMIT ?""",
            [limit],
        ))
    return _records(con.execute(
        f"""{_VISIBLE}
        SELECT load_id, file_name, line, field,
               CASE WHEN site_id IS NULL AND value IS NOT NULL THEN '(withheld: site unknown)' ELSE value END AS value,
               reason
        FROM visible_rejects ORDER BY load_id DESC, line LIMIT $limit""",  # noqa: S608 - fixed fragments
        {"sites": list(sites), "limit": limit},
    ))


def data_freshness(con: duckdb.DuckDBPyConnection, sites: tuple[str, ...] | None = None) -> dict[str, Any]:
    """Oldest and newest loaded contact, in UTC, and when the last file was loaded (of `sites` only, if given)."""
    if sites is None:
        first, last = con.execute("SELECT min(offered_at), max(offered_at) FROM contacts").fetchall()[0]
    else:
        first, last = con.execute("SELECT min(offered_at), max(offered_at) FROM contacts WHERE list_contains(?, site_id)",
                                  [list(sites)]).fetchall()[0]
    return {"first_contact_utc": first, "last_contact_utc": last, "last_load_utc": last_load(con, sites)}


def _records(result: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """A query's rows as dicts (column name to value)."""
    records: list[dict[str, Any]] = result.df().to_dict("records")
    return records


def _one(result: duckdb.DuckDBPyConnection) -> Any:
    """The single value a query gives."""
    return result.fetchall()[0][0]


def last_load(con: duckdb.DuckDBPyConnection, sites: tuple[str, ...] | None = None) -> datetime | None:
    """When the newest file was loaded (of `sites` only, if given), UTC: what every open page polls."""
    if sites is None:
        newest: datetime | None = _one(con.execute(
            "SELECT max(finished_at) FROM load_manifest WHERE status = 'loaded'"))
        return newest
    mine: datetime | None = _one(con.execute(
        """SELECT max(finished_at) FROM load_manifest WHERE status = 'loaded'
           AND load_id IN (SELECT load_id FROM load_sites WHERE list_contains(?, site_id))""",
        [list(sites)]))
    return mine


def fact_backlog(con: duckdb.DuckDBPyConnection, sites: tuple[str, ...] | None = None) -> list[dict[str, Any]]:
    """Site-days whose interval facts a load left to be rebuilt (an interrupted rebuild), per site: how many,
    the first and last day, and which fact tables (of `sites` only, if given)."""
    return _records(con.execute(
        """SELECT site_id, count(DISTINCT date_local) AS days, min(date_local) AS first_day, max(date_local) AS last_day,
                  string_agg(DISTINCT fact_table, ', ' ORDER BY fact_table) AS tables
           FROM fact_backlog WHERE $sites IS NULL OR list_contains($sites, site_id)
           GROUP BY site_id ORDER BY site_id""",
        {"sites": list(sites) if sites is not None else None},
    ))


def source_freshness(con: duckdb.DuckDBPyConnection, sites: tuple[str, ...] | None = None) -> dict[str, object]:
    """When each kind of file (contacts, agent_states, …) was last loaded (of `sites` only, if given)."""
    return dict(con.execute(
        """SELECT split_part(kind, ' ', 1), max(finished_at) FROM load_manifest m
           WHERE status = 'loaded' AND kind IS NOT NULL AND ($sites IS NULL OR load_id IN (
               SELECT load_id FROM load_sites WHERE list_contains($sites, site_id)))
           GROUP BY ALL""", {"sites": list(sites) if sites is not None else None}).fetchall())
