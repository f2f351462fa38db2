"""Each story walked in a real browser (Debian Chromium), from sign-in to the root cause, by clicking."""

from __future__ import annotations

import re

import pandas as pd
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


def _tenure_months(words: str) -> int:
    """ "under a month" -> 0, "2 months" -> 2, "1 year 3 months" -> 15: tenure as the grids say it."""
    found = dict((unit, int(n)) for n, unit in re.findall(r"(\d+) (year|month)", words))
    return found.get("year", 0) * 12 + found.get("month", 0)


def _seconds(mmss: str) -> int:
    minutes, seconds = mmss.split(":")
    return int(minutes) * 60 + int(seconds)


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
    page.get_by_text("Last 30 days", exact=True).click()  # the tour's step holds on any date (issue 19, point 14)
    page.get_by_text("24 Oct 2026 – 22 Nov 2026").wait_for()
    assert tile_status(page, "adherence") == "red"  # consistently low, not a bad week
    assert plot_peak(page, "agent-by-time") == story["interval_after_lunch_local"]
    page.get_by_text("lunch while scheduled open").first.wait_for()  # the day's timeline names the exception
    # Approving exceptions is for leaders: the reason box stays hidden from the agent (issue 19, point 7).
    page.wait_for_load_state("networkidle")
    assert page.locator("#exc-reason").count() == 1 and not page.locator("#exc-reason").is_visible()
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
    shown = {name: grid.locator(".ag-row", has_text=name) for name in hires}
    shown_aht = {name: _seconds(row.locator('[col-id="aht"]').inner_text().lstrip("✓▲✕ ")) for name, row in shown.items()}
    shown_handled = {name: int(row.locator('[col-id="handled"]').inner_text().lstrip("✓▲✕– ").replace(",", ""))
                     for name, row in shown.items()}
    for button, read in (("CSV", lambda p: pd.read_csv(p, encoding="utf-8-sig")),
                         ("Excel", lambda p: pd.read_excel(p, engine="calamine"))):
        with page.expect_download() as download:
            grid.get_by_role("button", name=button).click()
        exported = read(download.value.path()).set_index("Agent")
        # Raw values: names and ids apart (no markdown links), AHT in seconds, statuses and targets in columns.
        assert {"Agent id", "AHT (seconds)", "AHT status", "AHT target (seconds)", "Handled"} <= set(exported.columns)
        for name in hires:
            assert exported.loc[name, "Agent id"] == next(h["agent_id"] for h in story["recent_hires"] if h["name"] == name)
            assert abs(exported.loc[name, "AHT (seconds)"] - shown_aht[name]) <= 0.5  # m:ss on screen, seconds here
            assert exported.loc[name, "Handled"] == shown_handled[name]
            assert exported.loc[name, "Contacts / hour status"] == "off target"
    assert plot_peak(page, "sup-aht-split") in hires  # the longest handle time belongs to a recent hire
    grid.get_by_role("link", name=hires[0]).click()
    page.wait_for_url("**/agent?agent=*")
    page.get_by_role("heading", name=hires[0], exact=True).wait_for()
    assert tile_status(page, "avg_acw") == "red"
    page.locator("#exc-reason").wait_for()  # a leader viewing the agent may approve an exception, with a reason
    assert errors == []


def click_tallest_bar(page, panel: str) -> None:
    """Click the bar a person would: the tallest one of the panel's chart."""
    plot = page.locator(f'[data-panel^="{panel}"] .js-plotly-plot')
    plot.wait_for()
    page.wait_for_load_state("networkidle")  # let every callback (e.g. the message inbox) settle the layout
    index = page.evaluate(f"""() => {{
        const d = document.querySelector('[data-panel^="{panel}"] .js-plotly-plot').data[0];
        return d.y.indexOf(Math.max(...d.y));
    }}""")
    bar = plot.locator(".bars path").nth(index)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_story3_manager_drills_from_red_aht_to_the_campaign_and_its_inexperienced_team(site):
    story = site[2]["story3_campaign"]
    page, errors = sign_in(site, "grace.adams", "/manager")
    page.get_by_text("This month", exact=True).click()
    page.get_by_text("1–22 Nov 2026").wait_for()
    assert tile_status(page, "aht") == "red"
    click_tallest_bar(page, "mgr-by-call_type")
    page.wait_for_url(f"**call_type={story['call_type']}**")
    page.locator(".fv-crumbs").get_by_text("tv promo purchase").wait_for()
    click_tallest_bar(page, "mgr-by-team")
    page.wait_for_url(f"**team={story['team_id']}**")
    page.get_by_role("heading", name=story["team"]).wait_for()
    page.locator('[data-panel="mgr-by-agent"]').get_by_text("Numbers", exact=True).click()
    tenure = page.locator('[data-panel="mgr-by-agent"] [col-id="tenure_months"].ag-cell')
    tenure.first.wait_for()
    months = [_tenure_months(t) for t in tenure.all_inner_texts()]
    assert months and max(months) <= 4  # everyone on the campaign joined in the last four months
    page.locator(".fv-crumbs").get_by_role("link", name="New York").click()
    page.get_by_role("heading", name="New York").wait_for()  # breadcrumbs go back up
    assert errors == []


def test_story4_control_desk_finds_the_site_short_of_staff_and_the_training_behind_it(site):
    url = site[0]
    story = site[2]["story4_site"]
    page, errors = sign_in(site, "control.desk", "/control-desk")
    day = story["dates"][-1]
    page.goto(f"{url}/control-desk?from={day}&to={day}")
    page.locator('[data-panel="desk-net"] .js-plotly-plot').wait_for()
    worst_site, worst_time = page.evaluate("""() => {
        const d = document.querySelector('[data-panel="desk-net"] .js-plotly-plot').data[0];
        let best = [null, null, Infinity];
        d.z.forEach((row, i) => row.forEach((v, j) => { if (v !== null && v < best[2]) best = [d.y[i], d.x[j], v]; }));
        return best.slice(0, 2);
    }""")
    assert worst_site == story["site"] and "14:00" <= worst_time < "16:00"
    # The centre's tiles, like every other page's (issue 19, point 4).
    for kpi in ("service_level", "asa", "abandon_rate", "on_hand_agents", "required_agents", "net_staffing_on_hand",
                "shrinkage"):
        assert page.locator(f'#desk-tiles [data-kpi="{kpi}"]').get_attribute("data-value") not in ("", None)
    # The sites table sorts by the number, not by its text, and shows the worst time of day beside the average.
    grid = page.locator('[data-panel="desk-sites"]')
    grid.locator(".ag-header-cell", has_text="Offered").locator(".ag-header-cell-label").click()  # ascending
    grid.locator('.ag-header-cell[col-id="offered"][aria-sort="ascending"]').wait_for()

    def offered_in_row_order() -> list[int]:  # AG Grid places rows by row-index, not by DOM order
        rows = grid.locator(".ag-center-cols-container .ag-row").all()
        return [v for _, v in sorted((int(r.get_attribute("row-index") or 0),
                                      int(r.locator('[col-id="offered"]').inner_text().replace(",", "")))
                                     for r in rows)]
    offered = offered_in_row_order()
    assert len(offered) >= 2 and offered == sorted(offered)
    short = grid.locator(".ag-row", has_text=story["site"]).locator('[col-id="net_worst"]').inner_text()
    assert short.startswith(("−", "-")) and (" at 14:" in short or " at 15:" in short), short
    page.get_by_text(f"{story['site']} in detail").wait_for()
    staff = page.evaluate("""() => {
        const g = document.querySelector('[data-panel="desk-staff"] .js-plotly-plot');
        const at = (name) => { const t = g.data.find(s => s.name === name); return t.y[t.x.indexOf('14:30')]; };
        return [at('Required'), at('Scheduled'), at('On hand')];
    }""")
    required, scheduled, on_hand = staff
    assert round(required) == 100 and round(scheduled) == 105 and 92 <= on_hand <= 97
    shrink = page.evaluate("""() => {
        const g = document.querySelector('[data-panel="desk-shrink"] .js-plotly-plot');
        const t = g.data.find(s => s.name === 'Training');
        return t.x[t.y.indexOf(Math.max(...t.y))];
    }""")
    assert shrink == story["site"]  # training is the activity pulling this site's agents off the phones
    # ... and in the site's detail, per interval: the training sits where the gap is (issue 19, point 4).
    training = dict(page.evaluate("""() => {
        const g = document.querySelector('[data-panel="desk-shrink-time"] .js-plotly-plot');
        const t = g.data.find(s => s.name === 'Training');
        return t.x.map((x, i) => [x, t.y[i]]);
    }"""))
    inside = [v for t, v in training.items() if "14:00" <= t < "16:00"]
    outside = [v for t, v in training.items() if not "14:00" <= t < "16:00"]
    assert inside and min(inside) > 2 * max(outside, default=0), training
    page.get_by_text("Common clock (UTC)", exact=True).click()
    page.get_by_text("time of day (UTC)").first.wait_for()
    assert errors == []
