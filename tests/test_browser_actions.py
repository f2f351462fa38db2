"""Acting on the numbers in a real browser: story 1's schedule change, story 4's alert to the site."""

from __future__ import annotations

from tests.test_browser_stories import sign_in as sign_in_with


def sign_in(served_demo, username: str, landing: str):
    """Each person in their own browser context (their own cookies), as on their own machine."""
    url, browser, stories, password = served_demo
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    return sign_in_with((url, context, stories, password), username, landing)


def test_story1_agent_requests_five_more_minutes_and_the_supervisor_approves(served_demo):
    story = served_demo[2]["story1_agent"]
    page, errors = sign_in(served_demo, "daniel.okafor", "/agent")
    day = page.locator("#req-day")
    day.click()
    day.fill("11/23/2026")
    day.press("Enter")
    page.get_by_role("heading", name="Request a schedule change").click()  # close the calendar
    page.fill("#req-from", "13:00")
    page.fill("#req-to", "13:05")
    page.fill("#req-reason", "Five more minutes to get back from the cafeteria after lunch")
    page.click("#req-submit")
    page.get_by_text("sent to your supervisor").wait_for()
    request_id = page.locator("#req-feedback").inner_text().split()[2]

    boss, boss_errors = sign_in(served_demo, story["supervisor_name"].lower().replace(" ", "."), "/supervisor")
    row = boss.locator('[data-panel="requests"] .ag-row', has_text="Five more minutes")
    row.first.wait_for()
    row.first.click()
    boss.locator('[data-panel="requests"] .ag-row-selected', has_text="Five more minutes").wait_for()
    boss.fill("#req-note", "Approved from Monday")
    boss.click("#req-approve")
    boss.get_by_text(f"Request {request_id} approved").wait_for()

    page.reload()
    mine = page.locator("#req-mine tr", has_text="✓ approved")
    mine.first.wait_for()
    assert "Approved from Monday" in mine.first.inner_text()
    assert errors == [] and boss_errors == []


def test_story4_control_desk_alerts_the_site_and_its_manager_acknowledges(served_demo):
    url = served_demo[0]
    story = served_demo[2]["story4_site"]
    desk, errors = sign_in(served_demo, "control.desk", "/control-desk")
    day = story["dates"][-1]
    desk.goto(f"{url}/control-desk?from={day}&to={day}")
    desk.get_by_text(f"{story['site']} in detail").wait_for()
    desk.get_by_role("button", name=f"⚠ Alert {story['site']}").click()
    desk.get_by_text(f"Alert sent to {story['site']}").wait_for()

    manager, manager_errors = sign_in(served_demo, "tom.reyes", "/manager")
    inbox = manager.get_by_role("region", name="messages")
    inbox.get_by_text("staff on hand is below the requirement").wait_for()
    inbox.get_by_role("button", name="Acknowledge").first.click()
    manager.get_by_role("region", name="messages").wait_for(state="detached")

    desk.reload()
    sent = desk.locator('[data-panel="sent"] .ag-row').first
    sent.wait_for()
    assert "Tom Reyes" in sent.inner_text()  # the sender sees who acknowledged
    assert errors == [] and manager_errors == []


def test_supervisor_messages_the_team_and_the_agent_acknowledges(served_demo):
    story = served_demo[2]["story1_agent"]
    boss, boss_errors = sign_in(served_demo, story["supervisor_name"].lower().replace(" ", "."), "/supervisor")
    boss.goto(served_demo[0] + "/messages")
    boss.locator("#msg-to", has_text=story["team"]).wait_for()  # one team: chosen already
    boss.fill("#msg-body", "Lunch returns: please be back on the phones at 13:00 sharp this week.")
    boss.click("#msg-send")
    boss.locator("#msg-feedback", has_text="✓ Sent").wait_for()

    agent, errors = sign_in(served_demo, "daniel.okafor", "/agent")
    inbox = agent.get_by_role("region", name="messages")
    inbox.get_by_text("back on the phones at 13:00").wait_for()
    inbox.locator("[data-message]", has_text="back on the phones").get_by_role("button", name="Acknowledge").click()
    agent.get_by_text("back on the phones at 13:00").wait_for(state="detached")

    boss.reload()
    row = boss.locator("#msg-sent .ag-row", has_text="back on the phones").first
    row.wait_for()
    assert "Daniel Okafor" in row.inner_text()
    assert errors == [] and boss_errors == []
