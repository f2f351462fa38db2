"""Each story walked in a real browser (Debian Chromium), from sign-in to the root cause, by clicking."""

from __future__ import annotations

import pytest

import store
from app import create_app
from tests.browser import chromium, serve


@pytest.fixture(scope="module")
def site(demo_db):
    db = store.Database(demo_db["settings"].db_path)
    app = create_app(demo_db["settings"], db)
    with serve(app.server) as url, chromium() as browser:
        context = browser.new_context(viewport={"width": 1366, "height": 768})
        yield url, context, demo_db["stories"], demo_db["settings"].app.demo_password
        context.close()
    db.close()


def sign_in(site, username: str, landing: str):
    url, context, _, password = site
    context.clear_cookies()
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url + "/login")
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(url + landing)
    return page, errors


def tile_status(page, kpi: str) -> str:
    tile = page.locator(f'[data-kpi="{kpi}"]')
    tile.wait_for()
    return tile.get_attribute("data-status")


def plot_peak(page, panel: str) -> str:
    """The x of the tallest bar in a panel's chart."""
    page.locator(f'[data-panel="{panel}"] .js-plotly-plot').wait_for()
    return page.evaluate(f"""() => {{
        const d = document.querySelector('[data-panel="{panel}"] .js-plotly-plot').data[0];
        return d.x[d.y.indexOf(Math.max(...d.y))];
    }}""")


def test_story1_agent_sees_red_widens_to_the_month_and_finds_the_interval_after_lunch(site):
    story = site[2]["story1_agent"]
    page, errors = sign_in(site, story["name"].lower().replace(" ", "."), "/agent")
    page.get_by_role("heading", name=story["name"]).wait_for()
    assert tile_status(page, "adherence") == "red"
    page.get_by_text("This month", exact=True).click()
    page.get_by_text("1–22 Nov 2026").wait_for()
    assert tile_status(page, "adherence") == "red"  # consistently low, not a bad week
    assert plot_peak(page, "agent-by-time") == story["interval_after_lunch_local"]
    page.get_by_text("lunch while scheduled open").first.wait_for()  # the day's timeline names the exception
    assert errors == []


def test_story2_supervisor_drills_from_team_to_the_two_recent_hires_and_their_acw(site):
    story = site[2]["story2_team"]
    page, errors = sign_in(site, story["supervisor_name"].lower().replace(" ", "."), "/supervisor")
    page.get_by_role("heading", name=story["team"]).wait_for()
    assert tile_status(page, "contacts_per_hour") == "red"
    grid = page.locator('[data-panel="sup-agents"]')
    hires = [h["name"] for h in story["recent_hires"]]
    for name in hires:
        row = grid.locator(".ag-row", has_text=name)
        row.wait_for()
        assert "✕" in row.locator('[col-id="contacts_per_hour"]').inner_text()
        assert "✕" in row.locator('[col-id="avg_acw"]').inner_text()
    green = grid.locator('[col-id="contacts_per_hour"].fv-cell-green')
    assert green.count() >= 4  # most of the team is above target
    assert plot_peak(page, "sup-aht-split") in hires  # the longest handle time belongs to a recent hire
    grid.get_by_role("link", name=hires[0]).click()
    page.wait_for_url("**/agent?agent=*")
    page.get_by_role("heading", name=hires[0]).wait_for()
    assert tile_status(page, "avg_acw") == "red"
    assert errors == []
