"""In a real browser: every chart's mode bar keeps download-as-PNG and offers nothing that leaves the machine."""

from __future__ import annotations

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
