"""In a real browser: every chart's mode bar keeps download-as-PNG and offers nothing that leaves the machine."""

from __future__ import annotations

import re

from tests.test_browser_stories import sign_in, site  # noqa: F401 - the module's served demo


def test_mode_bar_has_no_cloud_share_or_logo_and_is_out_of_the_tab_order(site):  # noqa: F811
    page, errors = sign_in(site, "grace.adams", "/manager")
    graphs = page.locator(".js-plotly-plot")
    graphs.first.wait_for()
    page.wait_for_timeout(500)
    assert graphs.count() >= 2
    graphs.first.hover()
    buttons = page.locator(".modebar-btn")
    buttons.first.wait_for(state="attached")
    titles = buttons.evaluate_all("els => els.map(e => e.getAttribute('data-title') || '')")
    assert any("png" in t.lower() for t in titles), titles
    assert not [t for t in titles if "share" in t.lower() or "cloud" in t.lower() or "studio" in t.lower()], titles
    assert page.locator(".modebar-btn--logo, a[href*='plotly.com']").count() == 0
    focusable = buttons.evaluate_all("els => els.filter(e => e.tabIndex >= 0).length")
    assert focusable == 0
    assert errors == []


def tick_texts(page, panel: str, axis: str) -> list[str]:
    """The labels Plotly drew on a panel's chart axis ('x' or 'y'), as a person reads them."""
    plot = page.locator(f'[data-panel="{panel}"] .js-plotly-plot')
    plot.wait_for()
    return plot.locator(f".{axis}tick text").evaluate_all("els => els.map(e => e.textContent)")


DAY = re.compile(r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)$")


def test_day_axes_have_one_label_per_day_and_value_ticks_are_round(site):  # noqa: F811
    """Issue 19, point 1: no hour ticks ("12:00, 18:00, Nov 29"), no millisecond ticks (23:59:59.9995) and no
    values like 87.683 on the manager's heatmap and trend, and on the agent's adherence by day."""
    page, errors = sign_in(site, "grace.adams", "/manager")
    days = tick_texts(page, "mgr-sl-heatmap", "y")
    assert days and all(DAY.match(d) for d in days), days
    assert len(days) == len(set(days))  # one label per day
    trend_days = tick_texts(page, "mgr-trend", "x")
    assert trend_days and all(DAY.match(d) for d in trend_days), trend_days
    values = tick_texts(page, "mgr-trend", "y")
    assert values and all(re.fullmatch(r"−?\d+(\.\d)?( %)?", v) for v in values), values

    agent, agent_errors = sign_in(site, "daniel.okafor", "/agent")
    agent.goto(site[0] + "/agent?from=2026-11-20&to=2026-11-20")  # one day: a date axis draws milliseconds here
    agent.locator('[data-panel="agent-by-day"] .xtick text', has_text="Fri 20 Nov").wait_for(state="attached")
    one_day = tick_texts(agent, "agent-by-day", "x")
    assert one_day == ["Fri 20 Nov"], one_day
    assert errors == [] and agent_errors == []


def test_a_table_panel_offers_no_chart_and_says_no_data_only_when_there_is_none(site):  # noqa: F811
    """Issue 19, point 3: the agents table and the comments are tables; no 'Chart' toggle over them, and no
    'No agents in this team' or 'No survey comments' beside a full table."""
    page, errors = sign_in(site, "naledi.dlamini", "/supervisor")
    agents = page.locator('[data-panel="sup-agents"]')
    agents.locator(".ag-row").first.wait_for()
    assert agents.get_by_text("Chart", exact=True).count() == 0
    assert page.get_by_text("No agents in this team").count() == 0
    agent, agent_errors = sign_in(site, "daniel.okafor", "/agent")
    agent.get_by_text("Last 30 days", exact=True).click()
    comments = agent.locator('[data-panel="agent-comments"]')
    comments.locator(".ag-row").first.wait_for()
    assert comments.get_by_text("Chart", exact=True).count() == 0
    assert agent.get_by_text("No survey comments").count() == 0
    assert errors == [] and agent_errors == []
