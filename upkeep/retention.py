"""Retention of personal data: customers' ids and survey comments older than `privacy.retain_days` go.

What goes: a contact's customer id is replaced by a token that cannot be traced back (a hash with a random
key used once and thrown away), so contacts of one customer purged together still match one another and the
interval facts, and with them every KPI of the purged period, stay as they were; a survey's comment is
removed; the raw values of rejected rows loaded before the cut-off are removed (they may hold either).
Every purge is counted in the audit trail.
"""

from __future__ import annotations

import secrets
import threading
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import duckdb

from actions import audit
from settings import Settings

SYSTEM = "system (retention)"
_TOKEN = "purged:"


@dataclass(frozen=True)
class Purged:
    before: date  # everything earlier than this day (UTC) was purged
    customer_ids: int
    comments: int
    reject_values: int

    @property
    def total(self) -> int:
        return self.customer_ids + self.comments + self.reject_values


def cutoff(settings: Settings, today: date | None = None) -> date | None:
    """The first day kept, or None when personal data is kept without limit (`retain_days = 0`)."""
    days = settings.privacy.retain_days
    if not days:
        return None
    return (today or datetime.now(UTC).date()) - timedelta(days=days)


def purge(con: duckdb.DuckDBPyConnection, settings: Settings, today: date | None = None,
          actor: str = SYSTEM) -> Purged | None:
    """Purge what is older than the retention period, in the caller's transaction; None when retention is off."""
    before = cutoff(settings, today)
    if before is None:
        return None
    key = secrets.token_hex(32)  # used for this purge only, never stored
    ids = con.execute(
        """UPDATE contacts SET customer_id = ? || sha256(? || customer_id)
           WHERE offered_at < ? AND customer_id IS NOT NULL AND NOT starts_with(customer_id, ?)""",
        [_TOKEN, key, before, _TOKEN]).fetchall()[0][0]
    comments = con.execute("UPDATE surveys SET comment = NULL WHERE responded_at < ? AND comment IS NOT NULL",
                           [before]).fetchall()[0][0]
    values = con.execute(
        """UPDATE rejects SET value = NULL WHERE value IS NOT NULL
           AND load_id IN (SELECT load_id FROM load_manifest WHERE started_at < ?)""", [before]).fetchall()[0][0]
    result = Purged(before, ids, comments, values)
    if result.total:
        audit.record(con, actor, "purge personal data", f"older than {before}", None,
                     f"{ids:,} customer ids, {comments:,} survey comments, {values:,} rejected values",
                     f"privacy.retain_days = {settings.privacy.retain_days}")
    return result


class Schedule:
    """Runs the purge every `privacy.purge_every_hours` inside the app, on its own thread, through the app's
    single writer (`write`, a context manager giving a cursor in a transaction)."""

    def __init__(self, write, settings: Settings) -> None:
        self._write = write
        self._settings = settings
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="retention", daemon=True)
        self.last: Purged | None = None
        self.error: str | None = None

    def start(self) -> Schedule:
        if self._settings.privacy.retain_days:
            self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()

    def run_once(self) -> Purged | None:
        try:
            with self._write() as cur:
                done = purge(cur, self._settings)
            self.last = done  # once committed: a purge whose commit failed did not happen
            self.error = None
        except Exception as err:  # noqa: BLE001 - a failed purge is retried next time, and said in the log
            self.error = str(err).splitlines()[0]
        return self.last

    def _run(self) -> None:
        every = self._settings.privacy.purge_every_hours * 3600
        while not self._stop.is_set():
            self.run_once()
            self._stop.wait(every)
