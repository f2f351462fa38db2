"""The Help page (issue 19, point 11): every KPI in business words, reached from a tile's ⓘ by keyboard."""

from __future__ import annotations

from kpis.catalogue import CATALOGUE
from tests.test_browser_actions import sign_in


def test_an_agent_follows_a_tiles_info_link_to_its_help_entry(served_demo):
    page, errors = sign_in(served_demo, "daniel.okafor", "/agent")
    link = page.locator('[data-kpi="adherence"] .fv-tile-help')
    link.wait_for()
    assert link.get_attribute("aria-label") == "What is Schedule adherence?"
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/help#kpi-adherence")
    entry = page.locator('[data-kpi-help="adherence"]')
    entry.wait_for()
    text = entry.inner_text()
    assert "Higher is better" in text and "Target ≥ 99.0 %" in text and "(set for the whole centre)" in text
    assert page.locator("[data-kpi-help]").count() == len(CATALOGUE)
    # Business words, not configuration words.
    shown = page.locator("body").inner_text()
    assert "config.toml" not in shown and "Variant in force" not in shown and "follow_ups." not in shown
    assert not errors, errors


def test_a_tiles_definition_opens_on_keyboard_focus_as_well_as_on_hover(served_demo):
    page, errors = sign_in(served_demo, "daniel.okafor", "/agent")
    tile = page.locator('[data-kpi="adherence"]')
    tile.wait_for()
    tip = tile.locator(".fv-tip")
    assert not tip.is_visible()
    page.locator("body").click(position={"x": 5, "y": 300})
    for _ in range(60):  # Tab through the page until the tile has the focus, as a keyboard user would
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.dataset.kpi") == "adherence":
            break
    tip.wait_for(state="visible")
    assert "Schedule adherence:" in tip.inner_text() and "Target ≥ 99.0 %" in tip.inner_text()
    assert tile.get_attribute("aria-describedby") == tip.get_attribute("id")  # read out with the tile
    page.keyboard.press("Escape")
    tip.wait_for(state="hidden")
    page.keyboard.press("Tab")
    page.locator('[data-kpi="conformance"]').hover()
    page.locator('[data-kpi="conformance"] .fv-tip').wait_for(state="visible")
    assert not errors, errors
