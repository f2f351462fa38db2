"""The voice of the customer page in a real browser, on the demo: a supervisor clicks the most used complaint
word and reads the comments that use it; an agent sees only their own customers' words."""

from __future__ import annotations

import pandas as pd

import ids
from tests.test_browser_actions import sign_in


def test_a_supervisor_clicks_a_complaint_word_and_reads_its_comments(served_demo):
    page, errors = sign_in(served_demo, "naledi.dlamini", "/supervisor")
    page.goto(served_demo[0] + "/voice")
    page.get_by_text("This month", exact=True).click()
    page.get_by_text("01 Nov – 22 Nov 2026").first.wait_for()  # the month's words, not the week's on screen
    plot = page.locator('[data-panel="voice-terms"] .js-plotly-plot')
    plot.wait_for()
    page.wait_for_load_state("networkidle")
    term, index = page.evaluate("""() => {
        const traces = document.querySelector('[data-panel="voice-terms"] .js-plotly-plot').data;
        let offset = 0;
        for (const t of traces) {
            if (t.name.includes('Complaints')) {
                const i = t.x.indexOf(Math.max(...t.x));
                return [t.customdata[i], offset + i];
            }
            offset += t.x.length;
        }
        return [null, -1];
    }""")
    assert term, "no complaint words in the demo's month"
    bar = plot.locator(".bars path").nth(index)
    bar.scroll_into_view_if_needed()
    box = bar.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    title = page.locator("#voice-verbatim-title")
    title.get_by_text(f"“{term}”").wait_for()
    rows = page.locator('[data-panel="voice-verbatims"] .ag-row')
    rows.first.wait_for()
    words = term.split()
    for i in range(min(rows.count(), 10)):
        said = rows.nth(i).locator('[col-id="comment"]').inner_text().lower()
        assert all(w in said for w in words), (term, said)
        assert rows.nth(i).locator('[col-id="why"]').inner_text()  # the rule that classified it is shown
    assert "✓ Compliment" in page.locator('[data-counts="voice"]').inner_text()
    # The comments shown download as a workbook, the same rows with the customers' own words.
    with page.expect_download() as download:
        page.locator(f"#{ids.xlsx_button(ids.VOICE_EXPORT)}").click()
    book = pd.read_excel(download.value.path(), engine="calamine")
    assert len(book) >= max(1, rows.count())  # every row, not only those the grid draws in view
    assert all(all(w in said.lower() for w in words) for said in book["What the customer said"])
    assert not errors, errors


def test_an_agent_reads_only_their_own_customers(served_demo):
    page, errors = sign_in(served_demo, "daniel.okafor", "/agent")
    page.goto(served_demo[0] + "/voice")
    page.get_by_text("This month", exact=True).click()
    rows = page.locator('[data-panel="voice-verbatims"] .ag-row')
    rows.first.wait_for()
    page.wait_for_load_state("networkidle")
    agents = {rows.nth(i).locator('[col-id="agent_name"]').inner_text() for i in range(min(rows.count(), 15))}
    assert agents == {"Daniel Okafor"}
    assert not errors, errors
