"""Today so far (kpis/today.py), worked by hand on New York (UTC−5) at 15:20 UTC, 10:20 local: the 10:15
interval is the one now; 09:45 and 10:00 have ended.

Forecast 10 contacts an interval from 09:45 to 10:30, 3 agents required. Actual: 12 contacts at 09:45 (all
answered in 5 s), 13 at 10:00 (8 in 5 s, 5 after 60 s), and 2 abandoned in the 10:15 interval so far.
Ann is scheduled for open work 10:00-11:00 and available 10:00-10:30.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from kpis.compute import Scope, compute
from kpis.today import today_so_far
from loaders import load_file
from tests.conftest import write
from tests.test_app import app  # noqa: F401 - the app fixture: the test roster with signed-in users

NOW = datetime(2026, 11, 3, 15, 20)


def contact(n: int, offered: str, wait: int | None) -> str:
    answered = "" if wait is None else f"2026-11-03T{_plus(offered, wait)}Z"
    return f"C{n},Q1,NYC,2026-11-03T{offered}Z,{answered},2026-11-03T{_plus(offered, 120)}Z\n"


def _plus(hms: str, seconds: int) -> str:
    h, m, s = map(int, hms.split(":"))
    total = h * 3600 + m * 60 + s + seconds
    return f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}"


@pytest.fixture
def day(roster, settings, tmp_path):
    forecast = "site_id,queue_id,interval_start,contacts,aht_s,interval_minutes,required_agents\n" + "".join(
        f"NYC,Q1,2026-11-03T{t}:00Z,10,300,15,3\n" for t in ("14:45", "15:00", "15:15", "15:30"))
    contacts = "contact_id,queue_id,site_id,offered_at,answered_at,ended_at\n" + "".join(
        [contact(n, f"14:{46 + n % 10}:00", 5) for n in range(12)]
        + [contact(20 + n, f"15:0{n % 9}:00", 5) for n in range(8)]
        + [contact(40 + n, f"15:1{n}:00", 60) for n in range(5)]
        + [f"C9{n},Q1,NYC,2026-11-03T15:1{6 + n}:00Z,,2026-11-03T15:1{6 + n}:30Z\n" for n in range(2)])
    for name, text in (("forecast.csv", forecast), ("contacts.csv", contacts),
                       ("schedule.csv", "agent_id,activity,start_at,end_at\nA1,open,2026-11-03T15:00:00Z,"
                                        "2026-11-03T16:00:00Z\n"),
                       ("states.csv", "agent_id,state,start_at,end_at\nA1,available,2026-11-03T15:00:00Z,"
                                      "2026-11-03T15:30:00Z\n")):
        assert load_file(roster, write(tmp_path, name, text), settings).rows_rejected == 0
    return roster


def test_today_so_far_for_a_site(day, settings):
    (nyc,) = today_so_far(day, settings, compute, Scope(), {"NYC": "America/New_York"}, NOW)
    assert (nyc.day, nyc.current_local) == ("2026-11-03", datetime(2026, 11, 3, 10, 15))
    # Ended intervals: 25 contacts against 20 forecast; the 10:15 interval's 2 abandons are not "so far".
    assert (nyc.offered_so_far, nyc.forecast_so_far, nyc.factor) == (25, 20, 1.25)
    # Service level over the ended intervals: (12 + 8) answered within 20 s of 25 offered.
    assert nyc.service_level_so_far == pytest.approx(80.0)
    # Re-forecast of the rest of the day: 10:15 and 10:30, 10 each x 1.25 (10:45, scheduled but with no
    # forecast, has none).
    assert nyc.reforecast_rest == pytest.approx(25.0)
    assert [i.reforecast for i in nyc.intervals] == [None, None, 12.5, 12.5, None]
    # Now (10:15): 3 required, Ann scheduled and on hand: 2 short.
    assert (nyc.now.required, nyc.now.scheduled, nyc.now.on_hand, nyc.gap_now) == (3, 1, 1, -2)
    assert nyc.worst_ahead.start_local == datetime(2026, 11, 3, 10, 15)


def test_the_one_click_alert_on_today_so_far_alerts_that_site(app):  # noqa: F811 - the fixture
    import json

    import ids
    from tests.test_app import signed_in

    client, _ = signed_in(app, "desk")
    button = json.dumps(ids.today_alert("NYC"), sort_keys=True, separators=(",", ":"))
    body = {"output": f"..{ids.DESK_ALERT_STATUS}.children...{ids.DESK_SENT}.rowData..",
            "outputs": [{"id": ids.DESK_ALERT_STATUS, "property": "children"},
                        {"id": ids.DESK_SENT, "property": "rowData"}],
            "inputs": [{"id": ids.DESK_ALERT, "property": "n_clicks", "value": None},
                       [{"id": ids.today_alert("NYC"), "property": "n_clicks", "value": 1}],
                       {"id": ids.URL, "property": "pathname", "value": "/control-desk"}],
            "state": [{"id": ids.DESK_SITE, "property": "value", "value": "LDN"},  # another site in detail
                      {"id": ids.custom_range("desk"), "property": "start_date", "value": None},
                      {"id": ids.custom_range("desk"), "property": "end_date", "value": None}],
            "changedPropIds": [f"{button}.n_clicks"]}
    answer = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json").get_json()
    assert answer["response"][ids.DESK_ALERT_STATUS]["children"] == "✓ Alert sent to New York."
    sent = answer["response"][ids.DESK_SENT]["rowData"]
    assert [(m["kind"], m["audience_id"]) for m in sent] == [("alert", "NYC")]



def test_the_day_interval_by_interval_shows_actuals_behind_and_the_reforecast_ahead(day, settings):
    from callbacks.control_desk_page import _today_row
    from layouts import control_desk_page

    (nyc,) = today_so_far(day, settings, compute, Scope(), {"NYC": "America/New_York"}, NOW)
    row = _today_row(nyc, "New York")
    by_time = {r["time"]: r for r in row["intervals"]}
    # 09:45 ended: 12 contacts of 10 forecast, all within 20 s; 10:15 is now: 1 on hand for 3 required.
    assert (by_time["09:45"]["when"], by_time["09:45"]["contacts"], by_time["09:45"]["service_level"]) == (
        "ended", "12", "100.0 %")
    assert (by_time["10:15"]["when"], by_time["10:15"]["gap"], by_time["10:15"]["short"]) == ("now", "-2.0", True)
    # 10:30 ahead: the re-forecast (10 × 1.25) and Ann scheduled for 3 required.
    assert (by_time["10:30"]["contacts"], by_time["10:30"]["gap"], by_time["10:30"]["on_hand"]) == (
        "12 re-forecast", "-2.0", "—")
    drawn = str(control_desk_page.today_so_far([row]))
    assert "New York: today interval by interval" in drawn and "10:15 (now)" in drawn


def test_a_message_link_from_live_opens_the_form_addressed_to_that_agent_only_in_scope(app):  # noqa: F811
    import ids
    from tests.test_app import callback, signed_in

    def addressed(user: str, search: str) -> tuple[str, str | None]:
        client, _ = signed_in(app, user)
        level = callback(client, [(ids.MSG_LEVEL, "options"), (ids.MSG_LEVEL, "value"), (ids.MSG_KPI, "options")],
                         [{"id": ids.URL, "property": "pathname", "value": "/messages"}],
                         [{"id": ids.URL, "property": "search", "value": search}]).get_json()
        chosen = level["response"][ids.MSG_LEVEL]["value"]
        who = callback(client, [(ids.MSG_TO, "options"), (ids.MSG_TO, "value")],
                       [{"id": ids.MSG_LEVEL, "property": "value", "value": chosen}],
                       [{"id": ids.URL, "property": "search", "value": search}]).get_json()
        return chosen, who["response"][ids.MSG_TO]["value"]

    # The control desk may write to all three agents: /live's "Message" on Bo Chen's row chooses him.
    assert addressed("desk", "?level=agent&to=A2") == ("agent", "A2")
    assert addressed("desk", "") == ("site", None)  # no link: the desk's form starts at a site, nobody chosen
    # Sue (team T2: Lee Evans only) asked for Ann, outside her team: Ann is not chosen.
    assert addressed("sue", "?level=agent&to=A1") == ("agent", "L1")  # Lee, the one agent she may address
