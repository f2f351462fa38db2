"""Every page for every role, in Chromium at a phone's width: axe-core finds no serious or critical violation, the
page does not scroll sideways, and AG Grid logs no warnings. axe-core is the npm package's own axe.min.js, as
shipped inside axe-playwright-python and injected into the page by Playwright."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from axe_playwright_python.sync_playwright import Axe

from roles import HOME, PAGES, ROLES
from tests.test_browser_actions import sign_in
from tests.test_browser_stories import sign_in as sign_in_with

PHONE = {"width": 390, "height": 844}
SEVERE = ("serious", "critical")


# Each tile row's right edge, per strip: a row ending short of the strip's edge has a hole or an orphan tile.
RAGGED_TILE_ROWS = """() => [...document.querySelectorAll('.fv-tiles')].flatMap(strip => {
    const right = Math.round(strip.getBoundingClientRect().right), rows = {};
    for (const tile of strip.children) { const r = tile.getBoundingClientRect();
        rows[Math.round(r.top)] = Math.max(rows[Math.round(r.top)] || 0, Math.round(r.right)); }
    return Object.values(rows).filter(edge => Math.abs(edge - right) > 2);
})"""


def first_user(stories: dict, role: str) -> str:
    return next(u["username"] for u in stories["users"] if u["role"] == role)


def severe_violations(page) -> list:
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"][:3]])
            for v in Axe().run(page).response["violations"] if v["impact"] in SEVERE]


def settle(page) -> None:
    """Wait until the page's callbacks have answered and nothing shows as loading."""
    page.wait_for_load_state("networkidle")
    page.locator('[data-dash-is-loading="true"]').first.wait_for(state="detached")
    page.wait_for_timeout(300)  # a grid sizes its columns on the frame after its rows arrive


@pytest.mark.parametrize("role", ROLES)
def test_every_page_of_the_role_passes_axe_and_fits_a_phone(served_demo, role):
    url, browser, stories, password = served_demo
    page, errors = sign_in(served_demo, first_user(stories, role), HOME[role])
    page.set_viewport_size(PHONE)
    grid_warnings: list[str] = []
    page.on("console", lambda m: grid_warnings.append(f"{page.url}: {m.text}") if "AG Grid" in m.text else None)
    problems: dict[str, object] = {}
    paths = [p.path for p in PAGES if role in p.roles]
    assert paths, role
    for path in paths:
        page.click(f'#shell-nav a[href="{path}"]')  # in-app navigation, as people move between pages
        page.wait_for_url(lambda at, path=path: urlsplit(at).path == path)  # whatever the period in its address
        settle(page)
        found = severe_violations(page)
        for _ in range(6):  # a grid may be mid-way through drawing its header: judge the page once it has settled
            if not found:
                break
            page.wait_for_timeout(1000)
            found = severe_violations(page)  # one that lasts six seconds more is real
        width = page.evaluate("document.documentElement.scrollWidth")
        ragged = page.evaluate(RAGGED_TILE_ROWS)
        if found or width > PHONE["width"] or ragged:
            problems[path] = {"axe": found, "page width": width, "tile rows not filled": ragged}
    assert problems == {}
    assert [w[:300] for w in grid_warnings] == []
    assert errors == []


def test_a_panel_grid_is_drawn_on_a_slow_phone(served_demo):
    """A panel's grid with more rows than a page used to sit in a box of fixed height (AG Grid's "normal" layout);
    on a phone, when the page rendered late, AG Grid never heard the box's size, never sized its flex columns and
    left them hidden (`.ag-delay-render`): a blank grid until a reload (6 runs in 6 with the CPU slowed 6x, 4 in
    10 at full speed). Panel grids now grow with their rows (autoHeight) and page at 12."""
    url, browser, stories, password = served_demo
    context = browser.new_context(viewport=PHONE)
    page, errors = sign_in_with((url, context, stories, password), "daniel.okafor", HOME["agent"])
    context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate", {"rate": 6})
    page.reload()
    comments = page.locator('[data-panel="agent-comments"]')
    comments.locator(".ag-row").first.wait_for(timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-panel=\"agent-comments\"] .ag-delay-render')",
                           timeout=15_000)
    header = comments.locator(".ag-header-row").first.bounding_box()
    grid = comments.locator(".ag-root-wrapper").bounding_box()
    assert header is not None and grid is not None
    assert header["width"] <= 2 * grid["width"]  # the columns sized to the phone, not at their defined widths
    assert errors == []
    context.close()
