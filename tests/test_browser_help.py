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
