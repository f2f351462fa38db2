"""The app at the HTTP level: sign-in, the guard on every request, and scope taken from the server session."""

from __future__ import annotations

import json

import pytest

import accounts
import ids
import store
from app import create_app
from tests.conftest import ROSTER, write

PASSWORD = "s3cret-pass"


@pytest.fixture
def app(roster, settings, tmp_path):
    from loaders import load_file
    load_file(roster, write(tmp_path, "bad.csv", "site_id,name,timezone\nZZ,Zed,Not/AZone\n"), settings)
    accounts.add_user(roster, "ann", "Ann Adams", "agent", PASSWORD, agent_id="A1")
    accounts.add_user(roster, "sue", "Sue Heron", "supervisor", PASSWORD, team_ids=("T2",))
    accounts.add_user(roster, "desk", "Desk", "control_desk", PASSWORD)
    roster.close()
    db = store.Database(settings.db_path)
    settings.app.secret_key_file = tmp_path / "secret"
    yield create_app(settings, db)
    db.close()


def signed_in(app, username):
    client = app.server.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302
    return client, response.headers["Location"]


def callback(client, output_ids: list[tuple[str, str]], inputs: list[dict], state: list[dict] | None = None):
    body = {"output": "..".join(f"{i}.{p}" for i, p in output_ids),
            "outputs": [{"id": i, "property": p} for i, p in output_ids],
            "inputs": inputs, "state": state or [], "changedPropIds": []}
    if len(output_ids) > 1:
        body["output"] = ".." + "...".join(f"{i}.{p}" for i, p in output_ids) + ".."
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")


def test_signed_out_pages_redirect_to_sign_in_and_callbacks_get_401(app):
    client = app.server.test_client()
    assert client.get("/agent").headers["Location"] == "/login?next=/agent"
    assert client.post("/_dash-update-component", data="{}", content_type="application/json").status_code == 401
    assert client.get("/_dash-layout").status_code == 401
    page = client.get("/login")
    assert page.status_code == 200 and b'name="password"' in page.data
    assert client.get("/assets/bootstrap.min.css").status_code == 200


def test_sign_in_lands_on_the_role_page_and_sign_out_ends_the_session(app):
    client, landing = signed_in(app, "ann")
    assert landing == "/agent"
    assert client.get("/agent").status_code == 200
    assert client.get("/data").headers["Location"] == "/agent"  # an agent may not open the data page
    client.get("/logout")
    assert client.get("/agent").status_code == 302
    _, desk_landing = signed_in(app, "desk")
    assert desk_landing == "/control-desk"


def test_wrong_password_is_refused_and_repeated_failures_are_throttled(app):
    client = app.server.test_client()
    for _ in range(5):
        response = client.post("/login", data={"username": "ann", "password": "wrong"})
        assert response.status_code == 200 and b"do not match" in response.data
    assert client.post("/login", data={"username": "ann", "password": PASSWORD}).status_code == 429


def test_session_cookie_is_httponly_and_samesite(app):
    client = app.server.test_client()
    response = client.post("/login", data={"username": "ann", "password": PASSWORD})
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_redirect_after_sign_in_stays_on_site(app):
    client = app.server.test_client()
    response = client.post("/login", data={"username": "ann", "password": PASSWORD, "next": "//evil.example/x"})
    assert response.headers["Location"] == "/agent"


AGENT_OUTPUTS = [(ids.AGENT_HEADING, "children"), (ids.scope_text("agent"), "children"), (ids.AGENT_TILES, "children"),
                 (ids.AGENT_PANELS, "children"), (ids.AGENT_DAY, "min_date_allowed"),
                 (ids.AGENT_DAY, "max_date_allowed"), (ids.AGENT_DAY, "date")]


def agent_inputs(search: str) -> list[dict]:
    return [{"id": ids.custom_range("agent"), "property": "start_date", "value": "2026-11-01"},
            {"id": ids.custom_range("agent"), "property": "end_date", "value": "2026-11-30"},
            {"id": ids.URL, "property": "search", "value": search}]


def test_an_agent_cannot_get_another_agents_numbers_whatever_the_browser_sends(app):
    client, _ = signed_in(app, "ann")
    response = callback(client, AGENT_OUTPUTS, agent_inputs("?agent=A2"))
    assert response.status_code == 200
    text = json.dumps(response.get_json())
    assert "Ann Adams" in text and "Bo Chen" not in text


def test_a_supervisor_can_open_only_agents_of_their_own_teams(app):
    client, _ = signed_in(app, "sue")
    outside = json.dumps(callback(client, AGENT_OUTPUTS, agent_inputs("?agent=A1")).get_json())
    assert "not in your scope" in outside and "Ann Adams" not in outside
    inside = json.dumps(callback(client, AGENT_OUTPUTS, agent_inputs("?agent=L1")).get_json())
    assert "Lee Evans" in inside


def test_signed_out_callback_gets_nothing(app):
    client = app.server.test_client()
    response = callback(client, AGENT_OUTPUTS, agent_inputs(""))
    assert response.status_code == 401 and b"Ann" not in response.data


def test_data_callback_returns_counts_loads_and_rejects(app):
    client, _ = signed_in(app, "desk")
    outputs = [(ids.DATA_COUNTS, "children"), (ids.DATA_FRESHNESS, "children"), (ids.DATA_LOADS, "rowData"),
               (ids.DATA_REJECTS, "rowData"), (ids.DATA_AUDIT, "rowData")]
    from actions import messages
    cur = app.server.config["FLOORVIEW_DB"].cursor()
    messages.send(cur, accounts.get_user(cur, "desk"), "site", "NYC", "Check staffing", kind="alert")
    cur.close()
    response = callback(client, outputs, [{"id": ids.DATA_REFRESH, "property": "n_clicks", "value": None}])
    result = response.get_json()["response"]
    trail = result[ids.DATA_AUDIT]["rowData"]
    assert [(t["username"], t["action"], t["object"]) for t in trail] == [("desk", "send alert", "site NYC")]
    loads = result[ids.DATA_LOADS]["rowData"]
    assert [r["file_name"] for r in loads] == ["bad.csv"] + list(reversed(list(ROSTER)))
    assert result[ids.DATA_REJECTS]["rowData"] == [
        {"load_id": loads[0]["load_id"], "file_name": "bad.csv", "line": 2, "field": "timezone", "value": "Not/AZone",
         "reason": "not an IANA time zone (e.g. Europe/London)"}]


def test_data_callback_refuses_an_agent(app):
    client, _ = signed_in(app, "ann")
    outputs = [(ids.DATA_COUNTS, "children"), (ids.DATA_FRESHNESS, "children"), (ids.DATA_LOADS, "rowData"),
               (ids.DATA_REJECTS, "rowData"), (ids.DATA_AUDIT, "rowData")]
    response = callback(client, outputs, [{"id": ids.DATA_REFRESH, "property": "n_clicks", "value": None}])
    assert b"bad.csv" not in response.data
