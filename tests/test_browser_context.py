"""Context survives drill-downs, in Chromium: the period chosen stays chosen from team to agent and back, and
through the manager's drill; a leader has a way back to the team; a site manager's trail starts at the site."""

from __future__ import annotations

from tests.test_browser_actions import sign_in
from tests.test_browser_stories import click_tallest_bar


def period_chosen(page, page_key: str) -> str:
    """The value of the period button shown as chosen."""
    chosen = page.locator(f"#{page_key}-period input:checked")
    chosen.wait_for(state="attached")
    return chosen.get_attribute("value")


def test_supervisor_to_agent_and_back_keeps_last_month(served_demo):
    story = served_demo[2]["story2_team"]
    page, errors = sign_in(served_demo, story["supervisor_name"].lower().replace(" ", "."), "/supervisor")
    page.get_by_role("heading", name=story["team"]).wait_for()
    page.locator("#sup-period").get_by_text("Last month", exact=True).click()
    page.get_by_text("1–31 Oct 2026").wait_for()
    page.wait_for_url("**period=last_month**")  # the address keeps the period: Back returns to it
    hire = story["recent_hires"][0]
    page.locator('[data-panel="sup-agents"]').get_by_role("link", name=hire["name"]).click()
    page.wait_for_url(f"**/agent?agent={hire['agent_id']}&period=last_month")
    page.get_by_role("heading", name=hire["name"], exact=True).wait_for()
    assert period_chosen(page, "agent") == "last_month"
    page.get_by_text("1–31 Oct 2026").first.wait_for()
    assert page.get_by_text(f"{hire['name']}'s day", exact=False).count() >= 1  # third person for a leader

    page.locator("#agent-back").click()  # the breadcrumb back to the team
    page.wait_for_url("**/supervisor?**")
    page.get_by_role("heading", name=story["team"]).wait_for()
    assert period_chosen(page, "sup") == "last_month"
    page.get_by_text("1–31 Oct 2026").first.wait_for()

    page.locator('[data-panel="sup-agents"]').get_by_role("link", name=hire["name"]).click()
    page.wait_for_url("**/agent?**")
    page.go_back()  # the browser's own Back
    page.wait_for_url("**/supervisor?**")
    page.get_by_role("heading", name=story["team"]).wait_for()
    assert period_chosen(page, "sup") == "last_month"
    assert errors == []


def test_manager_drill_keeps_the_named_period_and_a_site_manager_starts_at_the_site(served_demo):
    page, errors = sign_in(served_demo, "grace.adams", "/manager")
    crumbs = page.locator(".fv-crumbs")
    page.get_by_role("heading", name="New York").wait_for()
    page.locator('[data-panel="mgr-by-call_type"] .js-plotly-plot').wait_for()
    assert crumbs.inner_text() == ""  # one site in her scope: no "Centre" that leads nowhere, no trail of one
    page.locator("#mgr-period").get_by_text("Last month", exact=True).click()
    page.get_by_text("1–31 Oct 2026").first.wait_for()
    click_tallest_bar(page, "mgr-by-call_type")
    page.wait_for_url("**call_type=**")  # October's longest call type
    assert "period=last_month" in page.url
    crumbs.get_by_role("link", name="New York").wait_for()
    assert period_chosen(page, "mgr") == "last_month"  # not flipped to Custom by the drill
    page.get_by_text("1–31 Oct 2026").first.wait_for()
    assert errors == []
