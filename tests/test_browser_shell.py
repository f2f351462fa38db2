"""In a real browser: navigation between the role pages and the data page, with no console errors."""

from __future__ import annotations

import pandas as pd
import pytest

import accounts
import ids
import store
from app import create_app
from loaders import load_file
from tests.browser import chromium, serve
from tests.conftest import write


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from settings import load_settings
    from tests.conftest import REPO, ROSTER, changed
    folder = tmp_path_factory.mktemp("browser")
    settings = load_settings(REPO / "config.toml", database={"path": folder / "b.duckdb"})
    settings = changed(settings, app={"secret_key_file": folder / "secret"})
    con = store.connect(settings.db_path)
    for name, text in ROSTER.items():
        load_file(con, write(folder, name, text), settings)
    load_file(con, write(folder, "teams2.csv", "team_id,name,site_id\nT9,Team Nine,NOWHERE\n"), settings)
    accounts.add_user(con, "desk", "Sam Desk", "control_desk", "pass1234")
    con.close()
    db = store.Database(settings.db_path)
    app = create_app(settings, db)
    with serve(app.server) as url, chromium() as browser:
        page = browser.new_page(viewport={"width": 1366, "height": 768})
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(url + "/login")
        page.fill("#username", "desk")
        page.fill("#password", "pass1234")
        page.click("button[type=submit]")
        page.wait_for_url(url + "/control-desk")
        yield url, page, errors
    db.close()


def test_navigation_reaches_every_role_page_without_console_errors(site):
    url, page, errors = site
    page.goto(url + "/")
    page.get_by_role("heading", name="Floorview").wait_for()
    for label, path, text in [("Agent", "/agent", "Choose an agent"), ("Supervisor", "/supervisor", "Supervisor"),
                              ("Manager", "/manager", "Manager"), ("Control desk", "/control-desk", "Control desk"),
                              ("Data", "/data", "Loaded files")]:
        page.get_by_role("link", name=label, exact=True).click()
        page.wait_for_url(url + path)
        page.get_by_text(text).first.wait_for()
    assert page.get_by_text("Sam Desk").count() == 1  # who is signed in
    assert errors == []


def test_data_page_lists_loaded_files_and_rejects_with_reasons(site):
    url, page, errors = site
    page.goto(url + "/data")
    page.get_by_text("teams2.csv").first.wait_for()
    page.get_by_text("unknown site (not in sites)").wait_for()
    assert page.get_by_text("agents.csv").count() >= 1
    # The rejected rows and the loads download with raw values: numbers as numbers, one row per rejected row.
    with page.expect_download() as download:
        page.locator(f"#{ids.DATA_EXPORT_REJECTS}").click()
    rejects = pd.read_csv(download.value.path(), encoding="utf-8-sig")
    row = rejects[rejects["File"] == "teams2.csv"].iloc[0]
    assert row["Line"] == 2 and row["Field"] == "site_id" and row["Value"] == "NOWHERE"
    with page.expect_download() as download:
        page.locator(f"#{ids.xlsx_button(ids.DATA_EXPORT_LOADS)}").click()
    loads = pd.read_excel(download.value.path(), engine="calamine")
    teams2 = loads[loads["File"] == "teams2.csv"].iloc[0]
    assert teams2["Rows loaded"] == 0 and teams2["Rows rejected"] == 1
    assert errors == []
