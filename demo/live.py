"""The live demo: the demo's last day replayed as today into the running app, so /live and "Today so far" move.

Every instant of that day is moved to today and then through one map that keeps the present where it is and
runs the rest `speed` times faster: at = now + (instant − start) / speed, where `start` is the present on the
replayed day (or --from). The day's schedule goes into the inbox at once; agent states go to
POST /api/v1/agent-events as they fall due (each segment's start is an event; a gap before the next segment,
or the end of the last, is a log-out), and the contacts that have ended go into the inbox every interval.
"""

from __future__ import annotations

import csv
import json
import secrets
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from live.control import Control

CONTACT_TIMES = ("offered_at", "answered_at", "ended_at")
CONTACTS_EVERY_S = 15


@dataclass(frozen=True)
class Clock:
    """The replay's map from the replayed day's instants (moved to today) to the instants they are sent as."""

    start: datetime  # an instant of the replayed day (moved to today): it happens now
    now: datetime  # when the replay began (UTC, naive)
    speed: float = 1.0

    def at(self, instant: datetime) -> datetime:
        return self.now + (instant - self.start) / self.speed


class NotReplayable(ValueError):
    """The demo's files cannot be replayed (the message says why)."""


def _instant(text: str) -> datetime | None:
    if not text:
        return None
    at = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if at.tzinfo is None:
        raise NotReplayable(f"{text} has no UTC offset: the demo was written with --local-time; the live demo "
                            "replays a demo written in UTC (the default)")
    return at.astimezone(UTC).replace(tzinfo=None)


def _z(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _rows(path: Path, column: str | None = None, around: date | None = None) -> list[dict[str, str]]:
    """The file's rows as text; with `column` and `around`, only rows whose instant there falls within a day
    either side of that date (read and filtered by pyarrow: a demo's states file has millions of rows)."""
    with path.open(newline="", encoding="utf-8") as fh:
        names = next(csv.reader(fh), [])
    table = pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False))
    if column and around:
        values = table.column(column)
        table = table.filter(pc.and_(pc.greater_equal(values, f"{around - timedelta(days=1)}"),
                                     pc.less(values, f"{around + timedelta(days=2)}")))
    return table.to_pylist()


def day_of(folder: Path, day: date) -> dict[str, list[dict[str, str]]]:
    """The schedule, agent states and contacts of the demo's files that fall on `day` in their site's time."""
    zones = {r["site_id"]: ZoneInfo(r["timezone"]) for r in _rows(folder / "sites.csv")}
    agent_zone = {r["agent_id"]: zones[r["site_id"]] for r in _rows(folder / "agents.csv")}

    def local_day(text: str, zone: ZoneInfo) -> date:
        return _instant(text).replace(tzinfo=UTC).astimezone(zone).date()

    def of_agents(name: str) -> list[dict[str, str]]:
        return [r for r in _rows(folder / name, "start_at", day)
                if local_day(r["start_at"], agent_zone[r["agent_id"]]) == day]

    return {"schedule": of_agents("schedule.csv"), "agent_states": of_agents("agent_states.csv"),
            "contacts": [r for r in _rows(folder / "contacts.csv", "offered_at", day)
                         if local_day(r["offered_at"], zones[r["site_id"]]) == day]}


def state_events(states: list[dict[str, str]], shift: timedelta, clock: Clock) -> list[dict]:
    """Events in time order: each segment's start, and a log-out where an agent's states stop."""
    by_agent: dict[str, list[dict[str, str]]] = {}
    for r in states:
        by_agent.setdefault(r["agent_id"], []).append(r)
    events = []
    for agent, segments in by_agent.items():
        segments.sort(key=lambda r: r["start_at"])
        for here, after in zip(segments, [*segments[1:], None], strict=True):
            events.append({"agent_id": agent, "state": here["state"],
                           "at": clock.at(_instant(here["start_at"]) + shift), **_reason(here)})
            if after is None or after["start_at"] != here["end_at"]:
                events.append({"agent_id": agent, "state": "offline", "at": clock.at(_instant(here["end_at"]) + shift)})
    return sorted(events, key=lambda e: e["at"])


def _reason(row: dict[str, str]) -> dict[str, str]:
    return {"reason": row["reason"]} if row.get("reason") else {}


def schedule_rows(schedule: list[dict[str, str]], shift: timedelta, clock: Clock) -> list[dict[str, str]]:
    return [{**r, "start_at": _z(clock.at(_instant(r["start_at"]) + shift)),
             "end_at": _z(clock.at(_instant(r["end_at"]) + shift))} for r in schedule]


def contact_rows(contacts: list[dict[str, str]], shift: timedelta, clock: Clock, today: date) -> list[tuple[datetime, dict]]:
    """(when it has ended, the row moved to today) for each contact, with an id of today's own."""
    found = []
    for r in contacts:
        moved = {**r, "contact_id": f"{r['contact_id']}-live{today:%Y%m%d}"}
        for column in CONTACT_TIMES:
            value = _instant(r.get(column, ""))
            moved[column] = _z(clock.at(value + shift)) if value else ""
        ended = _instant(moved["ended_at"] or moved["answered_at"] or moved["offered_at"])
        found.append((ended, moved))
    return sorted(found, key=lambda c: c[0])


class App:
    """The running app, reached through its control file: status, commands and the events API."""

    def __init__(self, control: Control) -> None:
        self.control = control
        self.url = control.url.rstrip("/")

    def _call(self, path: str, body: bytes | None = None, token: str | None = None,
              content_type: str = "application/json") -> dict:
        request = urllib.request.Request(self.url + path, data=body, method="POST" if body is not None else "GET",
                                         headers={"Authorization": f"Bearer {token or self.control.token}",
                                                  "Content-Type": content_type})
        with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 - our own app, on loopback
            return json.load(response)

    def status(self) -> dict:
        return self._call("/api/v1/local/status")

    def command(self, *argv: str) -> dict:
        return self._call("/api/v1/local/cli", json.dumps({"argv": list(argv)}).encode())

    def post_events(self, token: str, events: list[dict]) -> dict:
        body = "".join(json.dumps({**e, "at": _z(e["at"])}) + "\n" for e in events).encode()
        return self._call("/api/v1/agent-events", body, token, "application/x-ndjson")


def drop(inbox: Path, name: str, rows: list[dict[str, str]]) -> None:
    """A CSV into the inbox, written under a name the watcher leaves alone, then renamed."""
    if not rows:
        return
    part = inbox / f"{name}.part"
    with part.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    part.rename(inbox / name)


def replay(control: Control, folder: Path, inbox: Path, speed: float, start_utc: str | None, until_utc: str | None,
           say: Callable[[str], None] = print, sleep: Callable[[float], None] = time.sleep) -> int:
    """Replay the demo's last day as today; returns an exit code."""
    app = App(control)
    stories = json.loads((folder / "stories.json").read_text(encoding="utf-8"))
    day = date.fromisoformat(stories["period"]["end"])
    pinned = app.status().get("today")
    if pinned == day.isoformat():
        say(f"floorview demo --live: the app is pinned to {day} (--demo-today), the demo's last day, which is "
            "loaded already; serve it without --demo-today (make live does) so the replayed day is today")
        return 2
    now = datetime.now(UTC).replace(tzinfo=None)
    today = date.fromisoformat(pinned) if pinned else now.date()
    shift = timedelta(days=(today - day).days)
    begin = datetime.combine(today, datetime.strptime(start_utc, "%H:%M").time()) if start_utc else now
    clock = Clock(begin, now, speed)
    stop = clock.at(datetime.combine(today, datetime.strptime(until_utc, "%H:%M").time())) if until_utc else None
    try:
        files = day_of(folder, day)
    except NotReplayable as err:
        say(f"floorview demo --live: {err}")
        return 2
    events = state_events(files["agent_states"], shift, clock)
    contacts = contact_rows(files["contacts"], shift, clock, today)
    drop(inbox, f"schedule-live-{today}.csv", schedule_rows(files["schedule"], shift, clock))
    name = f"live-demo-{secrets.token_hex(3)}"
    token = app.command("token", "create", name)["stdout"].strip().splitlines()[-1]
    say(f"replaying {day} as {today} at {speed:g}x from {begin:%H:%M} UTC: {len(events):,} state changes, "
        f"{len(contacts):,} contacts (Ctrl-C stops)")
    sent_events = sent_contacts = 0
    last_drop = -1.0
    try:
        while sent_events < len(events) or sent_contacts < len(contacts):
            real = datetime.now(UTC).replace(tzinfo=None)
            if stop is not None and real >= stop:
                break
            due = [e for e in events[sent_events:] if e["at"] <= real]
            if due:
                answer = app.post_events(token, due)
                sent_events += len(due)
                if answer.get("rejected"):
                    say(f"  {answer['rejected']} event(s) rejected: {answer.get('rejects', [])[:3]}")
            # Contacts once they have ended, every CONTACTS_EVERY_S (each file is a load: not one a second).
            if time.monotonic() - last_drop >= CONTACTS_EVERY_S:
                ended = [row for at, row in contacts[sent_contacts:] if at <= real]
                drop(inbox, f"contacts-live-{real:%H%M%S%f}.csv", ended)
                sent_contacts += len(ended)
                last_drop = time.monotonic()
                say(f"  {real:%H:%M:%S} UTC: {sent_events:,} state changes and {sent_contacts:,} contacts sent")
            sleep(1.0)
    except KeyboardInterrupt:
        say("stopped")
    finally:
        app.command("token", "revoke", name)
    say(f"done: {sent_events:,} state changes and {sent_contacts:,} contacts sent")
    return 0
