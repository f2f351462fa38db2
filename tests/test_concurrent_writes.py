"""Writes under concurrency: four supervisors approve exceptions on the same site-day at the same moment, through
the app's own callback over HTTP, and every approval is saved and confirmed."""

from __future__ import annotations

import json
import threading

import accounts
import ids
import store
from app import create_app
from loaders import load_file
from tests.conftest import changed, write
from tests.test_kpis import SCHEDULE, STATES, contacts_csv, roster_db
from tests.web import login

SUPERVISORS = ("sup1", "sup2", "sup3", "sup4")
# Four out-of-adherence stretches of A1's hand-worked day (3 Nov 2026, New York site time): 5+5+15+5 minutes.
SPANS = ("2026-11-03T09:00:00|2026-11-03T09:05:00", "2026-11-03T12:00:00|2026-11-03T12:05:00",
         "2026-11-03T12:30:00|2026-11-03T12:45:00", "2026-11-03T15:15:00|2026-11-03T15:20:00")


def approve_request(span: str) -> str:
    button = ids.exc_approve(span)
    button_id = json.dumps(button, sort_keys=True, separators=(",", ":"))
    return json.dumps({
        "output": f"..{ids.AGENT_TIMELINE}.children...{ids.EXC_FEEDBACK}.children..",
        "outputs": [{"id": ids.AGENT_TIMELINE, "property": "children"},
                    {"id": ids.EXC_FEEDBACK, "property": "children"}],
        "inputs": [{"id": ids.AGENT_DAY, "property": "date", "value": "2026-11-03"},
                   [{"id": button, "property": "n_clicks", "value": 1}]],
        "state": [{"id": ids.URL, "property": "search", "value": "?agent=A1"},
                  {"id": ids.EXC_REASON, "property": "value", "value": "phone system outage"}],
        "changedPropIds": [f"{button_id}.n_clicks"],
    })


def test_simultaneous_approvals_on_one_site_day_are_all_saved(tmp_path):
    con, settings = roster_db(tmp_path)
    for name, text in (("schedule.csv", SCHEDULE), ("states.csv", STATES), ("contacts.csv", contacts_csv())):
        assert load_file(con, write(tmp_path, name, text), settings).rows_rejected == 0
    for name in SUPERVISORS:
        accounts.add_user(con, name, name.title(), "supervisor", "pass1234", team_ids=("T1",))
    con.close()
    settings = changed(settings, app={"secret_key_file": tmp_path / "secret"})
    db = store.Database(settings.db_path)
    app = create_app(settings, db)
    clients = []
    for name in SUPERVISORS:
        client = app.server.test_client()
        assert login(client, name, "pass1234").status_code == 302
        clients.append(client)
    start = threading.Barrier(len(clients))
    answers: dict[int, tuple[int, str]] = {}

    def approve(n: int) -> None:
        start.wait()
        response = clients[n].post("/_dash-update-component", data=approve_request(SPANS[n]),
                                   content_type="application/json")
        feedback = response.get_json()["response"][ids.EXC_FEEDBACK]["children"] if response.status_code == 200 else ""
        answers[n] = (response.status_code, feedback)

    threads = [threading.Thread(target=approve, args=(n,)) for n in range(len(clients))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [answers[n][0] for n in range(4)] == [200] * 4, answers
    assert all(answers[n][1].startswith("✓ Approved") for n in range(4)), answers
    with db.session() as cur:
        saved = cur.execute("SELECT approved_by FROM adherence_exceptions ORDER BY approved_by").fetchall()
        assert [s for (s,) in saved] == list(SUPERVISORS)
        approved_s = cur.execute("SELECT sum(approved_s) FROM fact_agent_interval WHERE agent_id = 'A1'").fetchall()
        assert approved_s[0][0] == (5 + 5 + 15 + 5) * 60  # every approval is in the facts, none lost
    db.close()
