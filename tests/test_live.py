"""Live operation, against a real `floorview serve` process: the command line works while the app serves,
files dropped into the inbox load once complete, the upload API needs a live token, and a server killed
half-way through a load loses nothing."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import pytest

import ids
import store
from tests.browser import free_port, listening
from tests.conftest import REPO

DAY = "2026-11-20"
HEADER = "contact_id,queue_id,site_id,offered_at,answered_at,ended_at\n"


class Served:
    """A demo database served by `floorview serve`, and the command line pointed at it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.db = folder / "live.duckdb"
        self.inbox = folder / "inbox"
        self.env = {**os.environ, "FLOORVIEW_DATABASE__PATH": str(self.db), "FLOORVIEW_DATA__INBOX_DIR": str(self.inbox),
                    "FLOORVIEW_APP__SECRET_KEY_FILE": str(folder / "secret"), "FLOORVIEW_DATA__INBOX_SETTLE_S": "1",
                    "FLOORVIEW_ADHERENCE__LIVE_FACTS_EVERY_S": "5"}
        self.process: subprocess.Popen | None = None
        self.port = 0

    def cli(self, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, str(REPO / "cli.py"), *args], cwd=self.folder, env=self.env,
                              capture_output=True, text=True, input=stdin, timeout=300)

    def start(self, pinned: bool = True) -> Served:
        """Serve; `pinned`: with "today" the demo's last day (--demo-today), else today's real date."""
        self.port = free_port()
        pin = ["--demo-today", str(self.folder / "demo")] if pinned else []
        self.process = subprocess.Popen([sys.executable, str(REPO / "cli.py"), "serve", "--port", str(self.port),
                                         *pin], cwd=self.folder, env=self.env,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        control = self.db.with_name(self.db.name + ".control")
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if control.exists() and _pid_in(control) == self.process.pid:  # not one a killed server left
                # The command line finds the app by this file: it is written once the app is listening.
                assert listening(self.port), "the control file names a server that is not listening yet"
                return self
            assert self.process.poll() is None, "floorview serve exited"
            time.sleep(0.2)
        pytest.fail("floorview serve did not start")

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(timeout=30)

    def status(self) -> dict:
        control = json.loads(self.db.with_name(self.db.name + ".control").read_text())
        request = urllib.request.Request(f"{control['url']}/api/v1/local/status",
                                         headers={"Authorization": f"Bearer {control['token']}"})
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310 - loopback
            return json.load(response)

    def upload(self, name: str, body: bytes, token: str | None) -> tuple[int, dict]:
        return self.post(f"/api/v1/files?name={name}", body, token)

    def post(self, path: str, body: bytes, token: str | None, content_type: str = "text/csv") -> tuple[int, dict]:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", data=body,
                                         headers={**headers, "Content-Type": content_type}, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
                return response.status, json.load(response)
        except urllib.error.HTTPError as err:
            return err.code, json.loads(err.read() or b"{}")

    def offered(self) -> float:
        done = self.cli("kpi", "--kpi", "offered", "--from", DAY, "--to", DAY, "--format", "json")
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)[0]["value"]

    def wait_for(self, condition, seconds: float = 60) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if condition():
                return
            time.sleep(0.2)
        pytest.fail("timed out")


def _pid_in(control: Path) -> int | None:
    try:
        return int(json.loads(control.read_text())["pid"])
    except (OSError, ValueError, KeyError):  # not there, or being written
        return None


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """A small demo database, built once; each test serves a copy of it."""
    folder = tmp_path_factory.mktemp("live-demo")
    site = Served(folder)
    done = site.cli("demo", "--out", str(folder / "demo"), "--agents", "48", "--days", "2", "--end", DAY, "--load",
                    "--quiet")
    assert done.returncode == 0, done.stderr
    return folder


@pytest.fixture
def served(built, tmp_path):
    import shutil

    shutil.copytree(built, tmp_path / "site")
    site = Served(tmp_path / "site").start()
    yield site
    site.stop()


def contacts(*ids: str, bad: str | None = None) -> str:
    lines = [f"{cid},BILL,NYC,{DAY}T15:0{n}:00Z,{DAY}T15:0{n}:05Z,{DAY}T15:0{n}:50Z" for n, cid in enumerate(ids)]
    if bad:
        lines.append(f"{bad},BILL,NYC,not-a-time,,")
    return HEADER + "\n".join(lines) + "\n"


def test_the_command_line_works_while_the_app_serves(served):
    before = served.offered()
    f = served.folder / "increment.csv"
    f.write_text(contacts("L1", "L2", bad="L3"))
    done = served.cli("load", "increment.csv")  # a relative path, from the shell's own folder
    assert done.returncode == 0, done.stderr
    assert "increment.csv [contacts]: 2 rows loaded, 1 rejected" in done.stdout
    assert "increment.csv:4: offered_at = 'not-a-time'" in done.stdout
    assert served.offered() == before + 2
    users = served.cli("user", "list")
    assert users.returncode == 0 and "control.desk" in users.stdout
    bad = served.cli("load", "missing.csv")
    assert bad.returncode == 1 and "no such file" in bad.stdout
    refused = served.cli("restore", "anything.duckdb")
    assert refused.returncode == 3 and "stop it first" in refused.stderr
    added = served.cli("user", "add", "new.agent", "--role", "agent", "--agent", "NYC0001", "--password-stdin",
                       stdin="a-long-password\n")
    assert added.returncode == 0, added.stderr
    assert "new.agent" in served.cli("user", "list").stdout


def test_a_file_dropped_into_the_inbox_loads_once_complete_and_is_filed_away(served):
    before = served.offered()
    part = served.inbox / "drop.csv.part"  # write-then-rename: the .part name is left alone
    part.write_text(contacts("I1", "I2", "I3", bad="I4"))
    time.sleep(2.5)
    assert part.exists() and served.offered() == before
    part.rename(served.inbox / "drop.csv")
    served.wait_for(lambda: (served.inbox / "done" / "drop.csv").exists())
    assert served.offered() == before + 3
    note = (served.inbox / "done" / "drop.csv.result.txt").read_text()
    assert "3 rows loaded, 1 rejected" in note and "line 5: offered_at: not an ISO-8601 date-time" in note
    # A file still growing is waited for: written in two halves with a pause shorter than the settle time.
    growing = served.inbox / "growing.csv"
    with growing.open("w") as fh:
        fh.write(HEADER + f"G1,BILL,NYC,{DAY}T16:00:00Z,,{DAY}T16:00:20Z\n")
        fh.flush()
        time.sleep(0.5)
        fh.write(f"G2,BILL,NYC,{DAY}T16:01:00Z,,{DAY}T16:01:20Z\n")
    served.wait_for(lambda: (served.inbox / "done" / "growing.csv").exists())
    assert "2 rows loaded" in (served.inbox / "done" / "growing.csv.result.txt").read_text()
    # An unreadable file goes to failed/ with the reason.
    (served.inbox / "notes.csv").write_text("hello,world\n1,2\n")
    served.wait_for(lambda: (served.inbox / "failed" / "notes.csv").exists())
    assert "cannot tell what kind of export" in (served.inbox / "failed" / "notes.csv.result.txt").read_text()


def test_the_upload_api_needs_a_live_token(served):
    body = contacts("U1").encode()
    assert served.upload("u.csv", body, None)[0] == 401
    assert served.upload("u.csv", body, "fv_not-a-token")[0] == 401
    made = served.cli("token", "create", "vendor-drop")
    assert made.returncode == 0
    token = made.stdout.strip().splitlines()[-1]
    assert token.startswith("fv_")
    before = served.offered()
    status, answer = served.upload("u.csv", body, token)
    assert status == 200 and answer["files"][0]["rows_loaded"] == 1
    assert served.offered() == before + 1
    assert served.cli("token", "revoke", "vendor-drop").returncode == 0
    assert served.upload("u2.csv", contacts("U2").encode(), token)[0] == 401
    listed = served.cli("token", "list").stdout
    assert "vendor-drop" in listed and "REVOKED" in listed and token not in listed


def test_live_agent_events_need_a_token_are_kept_once_and_reach_the_kpis(served):
    def event(state: str, at: str) -> str:
        return json.dumps({"agent_id": "NYC0001", "state": state, "at": f"2026-11-22T{at}Z"})

    body = "\n".join([event("available", "14:00:00"), event("on_contact", "14:20:00"),
                      event("offline", "14:30:00")]).encode()
    assert served.post("/api/v1/agent-events", body, None, "application/x-ndjson")[0] == 401
    token = served.cli("token", "create", "acd-feed").stdout.strip().splitlines()[-1]
    status, answer = served.post("/api/v1/agent-events", body, token, "application/x-ndjson")
    assert status == 200 and (answer["events"], answer["segments"], answer["duplicates"]) == (3, 2, 0)
    again = served.post("/api/v1/agent-events", body, token, "application/x-ndjson")[1]
    assert (again["events"], again["duplicates"]) == (0, 3)  # delivered twice: kept once

    def staffed() -> float | None:
        done = served.cli("kpi", "--kpi", "staffed_hours", "--from", "2026-11-22", "--to", "2026-11-22",
                          "--where", "agent=NYC0001", "--format", "json")
        return json.loads(done.stdout)[0]["value"]
    # The facts catch up within adherence.live_facts_every_s (5 s here): 30 minutes logged in.
    served.wait_for(lambda: staffed() == 0.5, seconds=60)
    unknown = served.post("/api/v1/agent-events?format=csv", body, token, "application/x-ndjson")
    assert unknown[0] == 400 and "floorview-agent-events" in unknown[1]["error"]
    assert served.post("/api/v1/agent-events", b"  \n", token, "application/x-ndjson")[0] == 400  # nothing sent
    bad = served.post("/api/v1/agent-events", b'{"agent_id": "NOBODY", "state": "available", "at": '
                      b'"2026-11-22T15:00:00Z"}\n', token, "application/x-ndjson")[1]
    assert bad["rejected"] == 1 and bad["rejects"][0]["field"] == "agent_id"


def test_a_server_killed_during_an_inbox_load_loses_nothing(served):
    before = served.offered()
    big = served.folder / "big.csv"
    with big.open("w") as fh:  # long enough to load that the kill lands half-way
        fh.write(HEADER)
        for n in range(400_000):
            fh.write(f"K{n},BILL,NYC,{DAY}T17:{n % 60:02d}:00Z,,{DAY}T17:{n % 60:02d}:30Z\n")
    big.rename(served.inbox / "big.csv")
    served.wait_for(lambda: served.status()["loading"] == "big.csv", seconds=60)
    served.stop(signal.SIGKILL)
    con = store.connect(served.db, read_only=True)  # the database is as it was: no contact of the file
    try:
        assert con.execute("SELECT count(*) FROM contacts WHERE contact_id LIKE 'K%'").fetchall() == [(0,)]
    finally:
        con.close()
    assert (served.inbox / "big.csv").exists()  # still waiting in the inbox
    served.start()
    served.wait_for(lambda: (served.inbox / "done" / "big.csv").exists(), seconds=180)
    assert served.offered() == before + 400_000


def test_an_open_dashboard_shows_new_data_without_a_reload(built, tmp_path):
    """Browser test: the manager's page is open; a file lands in the inbox; the service-level tile changes."""
    import shutil

    from tests.browser import chromium

    shutil.copytree(built, tmp_path / "site")
    site = Served(tmp_path / "site")
    site.env["FLOORVIEW_APP__REFRESH_S"] = "1"
    site.start()
    try:
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(f"http://127.0.0.1:{site.port}/login?next=/manager")
            page.fill("input[name=username]", "grace.adams")  # the New York manager
            page.fill("input[name=password]", "demo")
            page.click("button[type=submit]")
            tile = page.locator("[data-kpi=service_level]")
            tile.wait_for(timeout=30_000)
            before = float(tile.get_attribute("data-value"))
            page.locator("#data-as-of").get_by_text("Data as of").wait_for(timeout=30_000)
            page.evaluate("window.fvNotReloaded = true")
            abandoned = "\n".join(f"AB{n},BILL,NYC,{DAY}T15:{n:02d}:00Z,,{DAY}T15:{n:02d}:59Z" for n in range(60))
            (site.inbox / "abandons.csv").write_text(HEADER + abandoned + "\n")
            site.wait_for(lambda: float(tile.get_attribute("data-value")) < before)
            assert page.evaluate("window.fvNotReloaded") is True  # the same page, updated in place
            assert "just now" in page.locator("#data-as-of").inner_text()
            page.screenshot(path=str(tmp_path / "live-manager.png"))

            # A message is another topic: it shows in the open page's inbox within a poll, and the KPI tiles,
            # whose data did not change, are not asked for again.
            asked: list[str] = []
            page.on("request", lambda r: asked.append(r.post_data or "") if "_dash-update-component" in r.url else None)
            desk = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            desk.goto(f"http://127.0.0.1:{site.port}/login?next=/messages")
            desk.fill("input[name=username]", "control.desk")
            desk.fill("input[name=password]", "demo")
            desk.click("button[type=submit]")
            desk.locator("#msg-to").click()
            desk.get_by_role("option", name="New York").click()
            desk.fill("#msg-body", "Queue BILL is backing up: please log in early")
            desk.click("#msg-send")
            desk.get_by_text("✓ Sent").wait_for(timeout=30_000)
            page.locator("#msg-inbox").get_by_text("Queue BILL is backing up").wait_for(timeout=30_000)
            assert any(ids.MSG_INBOX in body for body in asked)  # the inbox was redrawn ...
            assert not any(ids.MGR_TILES in body for body in asked)  # ... and the tiles were not
            assert page.evaluate("window.fvNotReloaded") is True
            page.screenshot(path=str(tmp_path / "live-manager-message.png"))
    finally:
        site.stop()


def test_kpis_are_computed_once_per_data_version_across_users(roster, settings, tmp_path, monkeypatch):
    import flask

    from callbacks import kpi_cache
    from kpis.compute import Period, Scope
    from loaders import load_file
    from tests.conftest import write

    roster.close()
    db = store.Database(settings.db_path)
    try:
        calls = []
        real = kpi_cache.compute
        monkeypatch.setattr(kpi_cache, "compute", lambda *a, **k: calls.append(a[2]) or real(*a, **k))
        cached = kpi_cache.KpiCache(flask.Flask("t"), db)
        day = Period(date(2026, 11, 20), date(2026, 11, 20))
        nyc = Scope(site=("NYC",))
        with db.session() as cur:
            first = cached(cur, settings, ["offered"], day, scope=nyc)
            again = cached(cur, settings, ["offered"], day, scope=nyc)  # another person, same question
            cached(cur, settings, ["offered"], day, scope=Scope(site=("LDN",)))  # another scope: computed
        assert len(calls) == 2 and first.equals(again)
        assert first["value"].iloc[0] is None  # nothing loaded yet: unknown
        with db.write(topic="messages"):  # a message is written: the KPIs' data stands, and so do their results
            pass
        with db.session() as cur:
            cached(cur, settings, ["offered"], day, scope=nyc)
        assert len(calls) == 2
        with db.exclusive() as cur:  # a load: the version moves on, the next question is computed afresh
            r = load_file(cur, write(tmp_path, "c.csv", HEADER + f"N1,Q1,NYC,{DAY}T15:00:00Z,,{DAY}T15:01:00Z\n"
                                     f"N2,Q1,NYC,{DAY}T15:05:00Z,,{DAY}T15:06:00Z\n"), settings)
            assert r.rows_loaded == 2
        with db.session() as cur:
            after = cached(cur, settings, ["offered"], day, scope=nyc)
        assert len(calls) == 3 and after["value"].iloc[0] == 2
    finally:
        db.close()


def test_every_topic_has_a_version_store_on_every_page():
    from dash import html

    from layouts import shell

    assert set(ids.VERSION_STORES) == set(store.TOPICS)
    drawn = str(shell.frame(html.Div(), versions={"data": 4, "messages": 9}))
    assert all(store_id in drawn for store_id in ids.VERSION_STORES.values())


def test_the_data_page_shows_a_load_in_progress():
    from layouts import data_page

    assert data_page.loading_now(None, "", 0.0, "", 0) is None  # idle: nothing shown
    shown = str(data_page.loading_now("contacts.csv", "merging", 0.6, "inbox", 2))
    assert "Loading contacts.csv (inbox): merging" in shown and "60 %" in shown and "2 more file job(s)" in shown


def test_a_manager_uploads_on_the_data_page_and_only_their_sites_rows_load(roster, settings, tmp_path):
    import base64

    import accounts
    import ids
    from app import create_app
    from live.service import Live
    from tests.web import login

    accounts.add_user(roster, "mgr.nyc", "Manager NYC", "manager", "manager-pass", site_ids=("NYC",))
    roster.close()
    inboxed = settings.model_copy(update={"data": settings.data.model_copy(update={"inbox_dir": tmp_path / "inbox"})})
    db = store.Database(settings.db_path)
    app = create_app(inboxed, db)
    live = Live(db, inboxed).start("http://127.0.0.1:1")
    app.server.extensions["floorview_live"] = live
    try:
        client = app.server.test_client()
        assert login(client, "mgr.nyc", "manager-pass").status_code == 302
        csv = HEADER + f"P1,Q1,NYC,{DAY}T15:00:00Z,,{DAY}T15:01:00Z\nP2,Q1,LDN,{DAY}T15:00:00Z,,{DAY}T15:01:00Z\n"
        body = {"output": f"{ids.DATA_UPLOAD_RESULT}.children",
                "outputs": {"id": ids.DATA_UPLOAD_RESULT, "property": "children"},
                "inputs": [{"id": ids.DATA_UPLOAD, "property": "contents",
                            "value": ["data:text/csv;base64," + base64.b64encode(csv.encode()).decode()]}],
                "state": [{"id": ids.DATA_UPLOAD, "property": "filename", "value": ["mine.csv"]}],
                "changedPropIds": [f"{ids.DATA_UPLOAD}.contents"]}
        response = client.post("/_dash-update-component", json=body)
        assert response.status_code == 200
        assert "mine.csv: 1 rows loaded, 1 rejected" in response.get_data(as_text=True)
        with db.session() as cur:
            assert cur.execute("SELECT contact_id FROM contacts").fetchall() == [("P1",)]
            assert cur.execute("SELECT reason FROM rejects").fetchall() == [("outside your sites (NYC): not loaded",)]
            assert cur.execute("SELECT username, action FROM audit_log WHERE action = 'upload file'").fetchall() == [
                ("mgr.nyc (data page)", "upload file")]
        assert (tmp_path / "inbox" / "done" / "mine.csv").exists()
    finally:
        live.stop()
        db.close()


def test_a_kpi_whose_own_source_is_stale_says_so(roster, settings, tmp_path):
    import accounts
    from callbacks.common import stale_sources, tiles_from
    from kpis.compute import Period, compute
    from layouts.tiles import kpi_tile
    from loaders import load_file
    from tests.conftest import write

    desk = accounts.User("desk", "Desk", "control_desk")
    states = write(tmp_path, "states.csv", "agent_id,state,start_at,end_at\nA1,available,2026-11-20T14:00:00Z,"
                   "2026-11-20T15:00:00Z\n")
    old = load_file(roster, states, settings)
    load_file(roster, write(tmp_path, "c.csv", HEADER + f"C1,Q1,NYC,{DAY}T14:00:00Z,,{DAY}T14:01:00Z\n"), settings)
    roster.execute("UPDATE load_manifest SET finished_at = finished_at - INTERVAL 5 HOUR WHERE load_id = ?", [old.load_id])
    stale = stale_sources(roster, desk, ["adherence", "service_level", "occupancy"], settings)
    assert set(stale) == {"adherence", "occupancy"}  # built from agent states; service level from contacts
    assert stale["adherence"].startswith("agent states last loaded 30") and stale["adherence"].endswith(" min ago")
    day = Period(date(2026, 11, 20), date(2026, 11, 20))
    [tile] = tiles_from(compute(roster, settings, ["adherence"], day), ["adherence"], settings, stale)
    assert "⚠" in str(kpi_tile(tile)) and "agent states last loaded" in str(kpi_tile(tile))
    # When nothing at all is new, the page's own banner says so; the tiles do not repeat it.
    roster.execute("UPDATE load_manifest SET finished_at = finished_at - INTERVAL 5 HOUR")
    assert stale_sources(roster, desk, ["adherence", "service_level"], settings) == {}


def test_a_supervisor_sees_an_agent_out_of_adherence_counting_up_and_an_agent_cannot_open_live(built, tmp_path):
    """Browser test: the story-1 agent is scheduled for open work now but went on an unscheduled break 150 s
    ago (events through the API); his supervisor's /live shows him out of adherence for 150 s, counting up."""
    import shutil
    from datetime import UTC, datetime, timedelta

    from tests.browser import chromium

    story = json.loads((built / "demo" / "stories.json").read_text())["story1_agent"]
    agent, supervisor = story["agent_id"], story["supervisor_name"].lower().replace(" ", ".")
    shutil.copytree(built, tmp_path / "site")
    site = Served(tmp_path / "site")
    site.env["FLOORVIEW_ADHERENCE__RTA_REFRESH_S"] = "2"
    site.start(pinned=False)  # events at the real now
    try:
        now = datetime.now(UTC).replace(microsecond=0)

        def z(t: datetime) -> str:
            return t.strftime("%Y-%m-%dT%H:%M:%SZ")
        plan = site.folder / "schedule-now.csv"
        plan.write_text(f"agent_id,activity,start_at,end_at\n{agent},open,{z(now - timedelta(hours=1))},"
                        f"{z(now + timedelta(hours=1))}\n")
        assert site.cli("load", str(plan)).returncode == 0
        token = site.cli("token", "create", "acd").stdout.strip().splitlines()[-1]
        went = now - timedelta(seconds=150)
        body = "\n".join(json.dumps({"agent_id": agent, "state": s, "at": z(t)}) for s, t in (
            ("available", now - timedelta(hours=1)), ("break", went))).encode()
        assert site.post("/api/v1/agent-events", body, token, "application/x-ndjson")[1]["events"] == 2
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1366, "height": 768})
            page.goto(f"http://127.0.0.1:{site.port}/login?next=/live")
            page.fill("input[name=username]", supervisor)
            page.fill("input[name=password]", "demo")
            page.click("button[type=submit]")
            row = page.locator(f"tr[data-agent='{agent}']")
            row.wait_for(timeout=30_000)
            assert row.get_attribute("data-adherence") == "out"
            first = int(row.get_attribute("data-seconds"))
            expected = (datetime.now(UTC) - went).total_seconds()
            assert abs(first - expected) <= 5, (first, expected)
            assert "Out of adherence" in row.inner_text() and "Break" in row.inner_text()
            page.evaluate("window.fvNotReloaded = true")
            page.wait_for_timeout(3_000)
            later = int(row.get_attribute("data-seconds"))
            assert later >= first + 2 and page.evaluate("window.fvNotReloaded") is True  # counting, no reload
            page.screenshot(path=str(tmp_path / "live-rta.png"), full_page=True)
            phone = browser.new_page(viewport={"width": 390, "height": 844})
            phone.context.add_cookies(page.context.cookies())
            phone.goto(f"http://127.0.0.1:{site.port}/live")
            phone.locator(f"tr[data-agent='{agent}']").wait_for(timeout=30_000)
            phone.screenshot(path=str(tmp_path / "live-rta-phone.png"), full_page=True)

            agent_view = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
            agent_view.goto(f"http://127.0.0.1:{site.port}/login?next=/live")
            agent_view.fill("input[name=username]", story["name"].lower().replace(" ", "."))
            agent_view.fill("input[name=password]", "demo")
            agent_view.click("button[type=submit]")
            agent_view.wait_for_load_state("networkidle")
            agent_view.wait_for_timeout(2_500)
            assert agent_view.locator("tr[data-agent]").count() == 0
            assert "/live" not in agent_view.url or "not" in agent_view.inner_text("body").lower()
            # The agent's own "now" on their page: out of adherence, on a break, for about the same time.
            agent_view.goto(f"http://127.0.0.1:{site.port}/agent")
            mine = agent_view.locator(f"#agent-now [data-agent='{agent}']")
            mine.wait_for(timeout=30_000)
            assert mine.get_attribute("data-adherence") == "out" and "Break" in mine.inner_text()
            assert abs(int(mine.get_attribute("data-seconds")) - (datetime.now(UTC) - went).total_seconds()) <= 5
            agent_view.screenshot(path=str(tmp_path / "agent-now.png"))
    finally:
        site.stop()


def test_the_live_demo_replays_the_last_day_as_today_into_the_running_app(built, tmp_path):
    import shutil
    from datetime import UTC, datetime

    shutil.copytree(built, tmp_path / "site")
    site = Served(tmp_path / "site")
    site.start(pinned=True)
    try:  # pinned to the demo's last day, which is loaded already: refused, nothing sent
        refused = site.cli("demo", "--live", "--out", str(site.folder / "demo"), "--speed", "60")
        assert refused.returncode == 2 and "without --demo-today" in refused.stdout
    finally:
        site.stop()
    site.start(pinned=False)
    try:
        # 15 minutes of the day from 10:55 UTC (12:55 in Cape Town, story 1) at 120 times real speed.
        done = site.cli("demo", "--live", "--out", str(site.folder / "demo"), "--speed", "120", "--from", "10:55",
                        "--until", "11:10")
        assert done.returncode == 0, done.stderr
        assert "replaying 2026-11-20 as" in done.stdout and "done:" in done.stdout
        sent = int(done.stdout.split("done: ")[1].split(" state changes")[0].replace(",", ""))
        assert sent > 48  # every agent's states up to 10:55, and the changes of the 15 minutes after
        today = datetime.now(UTC).date().isoformat()

        def offered_today() -> float | None:
            out = site.cli("kpi", "--kpi", "offered", "--from", today, "--to", today, "--format", "json")
            return json.loads(out.stdout)[0]["value"]
        site.wait_for(lambda: (offered_today() or 0) > 0, seconds=90)  # the day's contacts so far, via the inbox
        assert "live-demo-" in site.cli("token", "list").stdout and "REVOKED" in site.cli("token", "list").stdout
    finally:
        site.stop()
    # Story 1 in the replayed day: Daniel's afternoon open work starts at 13:00 Cape Town time (11:00 UTC) but
    # his lunch goes on about four minutes longer (replayed minutes are 120 times shorter).
    story = json.loads((site.folder / "demo" / "stories.json").read_text())["story1_agent"]
    con = store.connect(site.db, read_only=True)
    try:
        (open_at,) = con.execute("""SELECT o.start_at FROM schedule l JOIN schedule o ON o.agent_id = l.agent_id
                                    AND o.start_at = l.end_at AND o.activity = 'open'
                                    WHERE l.agent_id = ? AND l.activity = 'lunch' AND l.load_id IN (SELECT load_id
                                    FROM load_manifest WHERE file_name LIKE 'schedule-live-%')""",
                                 [story["agent_id"]]).fetchall()[0]
        (lunch_end,) = con.execute("""SELECT max(end_at) FROM agent_states WHERE agent_id = ? AND state = 'lunch'
                                      AND start_at < ? AND end_at > ?""", [story["agent_id"], open_at, open_at]
                                   ).fetchall()[0]
    finally:
        con.close()
    late_by = (lunch_end - open_at).total_seconds() * 120
    assert 120 <= late_by <= 360, late_by  # out of adherence from 13:00 for about four minutes
