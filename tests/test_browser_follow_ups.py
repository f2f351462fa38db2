"""The survey HOTLINE in a real browser: a supervisor takes a new case to closed; an agent reads a case about
their own contact and cannot act on it. The demo's recent detractors open the cases (loaded with "today" pinned
to 22 Nov 2026)."""

from __future__ import annotations

import pandas as pd

from tests.test_browser_actions import sign_in


def test_a_supervisor_takes_a_case_from_new_to_closed_and_the_kpi_tile_moves(served_demo):
    page, errors = sign_in(served_demo, "naledi.dlamini", "/supervisor")
    page.goto(served_demo[0] + "/follow-ups")
    page.locator("#fu-status").click()
    page.get_by_role("option", name="New").click()
    page.wait_for_load_state("networkidle")  # the list redrawn for the filter before a row is clicked
    tile = page.locator('[data-kpi="follow_up_closure_rate"]')
    before = float(tile.get_attribute("data-value") or 0)
    row = page.locator('[data-panel="follow-up-cases"] .ag-row').first
    row.wait_for()
    case_id = row.locator('[col-id="case_id"]').inner_text().strip()
    case = page.locator(f'[data-panel="follow-up-case"][data-case="{case_id}"]')
    for _ in range(3):  # a click that lands while the grid redraws for the filter is lost: click again, as people do
        row.click()
        try:
            case.wait_for(timeout=10000)
            break
        except Exception:  # noqa: BLE001 - playwright's TimeoutError; the last wait below reports it
            continue
    case.wait_for()
    assert case.get_attribute("data-status") == "new"
    assert "The survey" in case.inner_text() and "Timeline" in case.inner_text()

    page.fill("#fu-note", "Called her back, apologised for the wait")
    page.click("#fu-log")
    page.get_by_text(f"Logged “called back” on case {case_id}").wait_for()
    page.locator(f'[data-panel="follow-up-case"][data-case="{case_id}"][data-status="in_progress"]').wait_for()

    page.click("#fu-close")  # nothing filled in: refused, with the reason
    page.get_by_text("say how the case was resolved").wait_for()
    page.fill("#fu-resolution", "Fee refunded; customer happy to stay")
    page.locator("#fu-cause").click()
    page.get_by_role("option", name="long wait").click()
    page.get_by_label("Yes").check()
    page.click("#fu-close")
    page.get_by_text(f"Case {case_id} closed.").wait_for()
    closed = page.locator(f'[data-panel="follow-up-case"][data-case="{case_id}"][data-status="closed"]')
    closed.wait_for()
    assert "Fee refunded; customer happy to stay" in closed.inner_text()
    assert "root cause: long wait" in closed.inner_text()
    assert page.locator("#fu-reopen").is_visible() and not page.locator("#fu-log").is_visible()
    # The programme's KPI tile moves with it: one more case closed this month.
    page.wait_for_function(f"""() => parseFloat(document.querySelector('[data-kpi="follow_up_closure_rate"]')
                                                 .dataset.value || 0) > {before}""")
    assert not errors, errors


def test_an_agent_reads_the_cases_about_their_contacts_without_acting(served_demo):
    page, errors = sign_in(served_demo, "daniel.okafor", "/agent")
    page.goto(served_demo[0] + "/follow-ups")
    rows = page.locator('[data-panel="follow-up-cases"] .ag-row')
    rows.first.wait_for()
    page.wait_for_load_state("networkidle")
    names = {rows.nth(i).locator('[col-id="agent_name"]').inner_text() for i in range(min(rows.count(), 10))}
    assert names == {"Daniel Okafor"}  # only cases about his own contacts
    with page.expect_download() as download:  # the list as shown, as a file: his cases only, case numbers as numbers
        page.locator("#fu-export").click()
    listed = pd.read_csv(download.value.path(), encoding="utf-8-sig")
    assert len(listed) >= 1 and set(listed["Agent"]) == {"Daniel Okafor"} and listed["Case"].dtype.kind == "i"
    rows.first.click()
    page.locator('[data-panel="follow-up-case"]').wait_for()
    page.get_by_text("You can read this case; your supervisor follows it up.").wait_for()
    assert not page.locator("#fu-log").is_visible() and not page.locator("#fu-close").is_visible()
    assert not errors, errors


def test_a_manager_downloads_the_months_report_as_a_workbook_of_their_sites_cases(served_demo, tmp_path):
    """The monthly management report from the page: an Excel workbook, one row per case of the month in the
    manager's own sites (Grace Adams: New York), dates as dates."""
    page, errors = sign_in(served_demo, "grace.adams", "/manager")
    page.goto(served_demo[0] + "/follow-ups")
    page.locator('[data-panel="follow-up-cases"] .ag-row').first.wait_for()
    assert page.locator("#fu-month").input_value() == "2026-11"  # the app's today's month (pinned in the demo)
    with page.expect_download() as download:
        page.click("#fu-report")
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.name == "floorview-follow-ups-2026-11.xlsx"
    report = pd.read_excel(saved, engine="calamine")
    assert len(report) > 100 and set(report["Site"]) == {"NYC"}
    assert report["Detected (UTC)"].dtype.kind == "M"
    assert {"Customer", "Final resolution", "Root cause"} <= set(report.columns)
    assert report["Final resolution"].notna().sum() > 100  # the demo's history: most cases closed
    assert not errors, errors
