"""The app at the HTTP level: sign-in, the guard on every request, and scope taken from the server session."""

from __future__ import annotations

import json

import pytest

import accounts
import ids
import store
from app import create_app
from tests.conftest import ROSTER, changed, write
from tests.web import form_token, login

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
    settings = changed(settings, app={"secret_key_file": tmp_path / "secret"})
    yield create_app(settings, db)
    db.close()


def signed_in(app, username):
    client = app.server.test_client()
    response = login(client, username, PASSWORD)
    assert response.status_code == 302
    return client, response.headers["Location"]


def callback(client, output_ids: list[tuple[str, str]], inputs: list[dict], state: list[dict] | None = None,
             **request):
    body = {"output": "..".join(f"{i}.{p}" for i, p in output_ids),
            "outputs": [{"id": i, "property": p} for i, p in output_ids],
            "inputs": inputs, "state": state or [], "changedPropIds": []}
    if len(output_ids) > 1:
        body["output"] = ".." + "...".join(f"{i}.{p}" for i, p in output_ids) + ".."
    return client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json", **request)


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
    refused = client.get("/data")  # an agent may not open the data page, and is told so
    assert refused.status_code == 403 and b"Not allowed" in refused.data and b'href="/agent"' in refused.data
    client.post("/logout", data={"csrf": form_token(client, "/logout")})
    assert client.get("/agent").status_code == 302
    _, desk_landing = signed_in(app, "desk")
    assert desk_landing == "/control-desk"


def test_wrong_password_is_refused_and_repeated_failures_are_throttled(app):
    client = app.server.test_client()
    for _ in range(5):
        response = login(client, "ann", "wrong")
        assert response.status_code == 200 and b"do not match" in response.data
    assert login(client, "ann", PASSWORD).status_code == 429


def test_session_cookie_is_httponly_and_samesite(app):
    client = app.server.test_client()
    response = login(client, "ann", PASSWORD)
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_redirect_after_sign_in_stays_on_site(app):
    client = app.server.test_client()
    response = login(client, "ann", PASSWORD, next_path="//evil.example/x")
    assert response.headers["Location"] == "/agent"


AGENT_OUTPUTS = [(ids.AGENT_HEADING, "children"), (ids.scope_text("agent"), "children"), (ids.AGENT_TILES, "children"),
                 (ids.AGENT_PANELS, "children"), (ids.AGENT_DAY, "min_date_allowed"),
                 (ids.AGENT_DAY, "max_date_allowed"), (ids.AGENT_DAY, "date"),
                 (ids.AGENT_DAY_TITLE, "children")]


VERSION = {"id": ids.DATA_VERSION, "property": "data", "value": None}
AGENT_STATE = [{"id": ids.period("agent"), "property": "value", "value": "custom"}]


def agent_inputs(search: str) -> list[dict]:
    return [{"id": ids.custom_range("agent"), "property": "start_date", "value": "2026-11-01"},
            {"id": ids.custom_range("agent"), "property": "end_date", "value": "2026-11-30"},
            {"id": ids.URL, "property": "search", "value": search},
            {"id": ids.EXC_FEEDBACK, "property": "children", "value": None},
            {"id": ids.DATA_VERSION, "property": "data", "value": None}]


def test_an_agent_cannot_get_another_agents_numbers_whatever_the_browser_sends(app):
    client, _ = signed_in(app, "ann")
    response = callback(client, AGENT_OUTPUTS, agent_inputs("?agent=A2"), AGENT_STATE)
    assert response.status_code == 200
    text = json.dumps(response.get_json())
    assert "Not allowed" in text and "Bo Chen" not in text and "A2" in text
    own = json.dumps(callback(client, AGENT_OUTPUTS, agent_inputs(""), AGENT_STATE).get_json())
    assert "Ann Adams" in own


def test_a_supervisor_can_open_only_agents_of_their_own_teams(app):
    client, _ = signed_in(app, "sue")
    outside = json.dumps(callback(client, AGENT_OUTPUTS, agent_inputs("?agent=A1"), AGENT_STATE).get_json())
    assert "not in your scope" in outside and "Ann Adams" not in outside
    inside = json.dumps(callback(client, AGENT_OUTPUTS, agent_inputs("?agent=L1"), AGENT_STATE).get_json())
    assert "Lee Evans" in inside


def test_signed_out_callback_gets_nothing(app):
    client = app.server.test_client()
    response = callback(client, AGENT_OUTPUTS, agent_inputs(""), AGENT_STATE)
    assert response.status_code == 401 and b"Ann" not in response.data


def test_data_callback_returns_counts_loads_and_rejects(app):
    client, _ = signed_in(app, "desk")
    outputs = [(ids.DATA_COUNTS, "children"), (ids.DATA_FRESHNESS, "children"), (ids.DATA_LOADS, "rowData"),
               (ids.DATA_REJECTS, "rowData"), (ids.DATA_AUDIT, "rowData")]
    from actions import messages
    cur = app.server.config["FLOORVIEW_DB"].cursor()
    messages.send(cur, accounts.get_user(cur, "desk"), "site", "NYC", "Check staffing", kind="alert")
    cur.close()
    response = callback(client, outputs, [{"id": ids.DATA_REFRESH, "property": "n_clicks", "value": None}, VERSION])
    result = response.get_json()["response"]
    trail = result[ids.DATA_AUDIT]["rowData"]
    assert [(t["username"], t["action"], t["object"]) for t in trail] == [("desk", "send alert", "site NYC")]
    loads = result[ids.DATA_LOADS]["rowData"]
    assert [r["file_name"] for r in loads] == ["bad.csv"] + list(reversed(list(ROSTER)))
    assert result[ids.DATA_REJECTS]["rowData"] == [
        {"load_id": loads[0]["load_id"], "file_name": "bad.csv", "line": 2, "field": "timezone", "value": "Not/AZone",
         "reason": "not an IANA time zone (e.g. Europe/London)"}]


def test_data_callback_shows_a_manager_only_their_sites(app):
    cur = app.server.config["FLOORVIEW_DB"].cursor()
    accounts.add_user(cur, "mia", "Mia Ford", "manager", PASSWORD, site_ids=("LDN",))
    cur.close()
    client, _ = signed_in(app, "mia")
    outputs = [(ids.DATA_COUNTS, "children"), (ids.DATA_FRESHNESS, "children"), (ids.DATA_LOADS, "rowData"),
               (ids.DATA_REJECTS, "rowData"), (ids.DATA_AUDIT, "rowData")]
    response = callback(client, outputs, [{"id": ids.DATA_REFRESH, "property": "n_clicks", "value": None}, VERSION])
    result = response.get_json()["response"]
    loads = {r["file_name"]: r["rows_loaded"] for r in result[ids.DATA_LOADS]["rowData"]}
    assert loads == {"sites.csv": 1, "teams.csv": 1, "agents.csv": 1}  # London's rows; no queues, no bad.csv
    assert result[ids.DATA_REJECTS]["rowData"] == [] and b"Not/AZone" not in response.data
    assert b"Rows of your sites only (LDN)" in response.data


def test_data_callback_refuses_an_agent(app):
    client, _ = signed_in(app, "ann")
    outputs = [(ids.DATA_COUNTS, "children"), (ids.DATA_FRESHNESS, "children"), (ids.DATA_LOADS, "rowData"),
               (ids.DATA_REJECTS, "rowData"), (ids.DATA_AUDIT, "rowData")]
    response = callback(client, outputs, [{"id": ids.DATA_REFRESH, "property": "n_clicks", "value": None}, VERSION])
    assert b"bad.csv" not in response.data


@pytest.fixture
def sso_app(roster, settings, tmp_path):
    accounts.add_user(roster, "ann", "Ann Adams", "agent", PASSWORD, agent_id="A1")
    accounts.add_user(roster, "desk", "Desk", "control_desk", PASSWORD)
    accounts.set_disabled(roster, "desk")
    roster.close()
    db = store.Database(settings.db_path)
    settings = changed(settings, app={"secret_key_file": tmp_path / "secret"},
                       auth={"sso_header": "X-Forwarded-User", "trusted_proxies": ["10.0.0.0/24"]})
    yield create_app(settings, db)
    db.close()


def test_sso_header_signs_in_only_through_the_trusted_proxy(sso_app):
    client = sso_app.server.test_client()
    proxy = {"REMOTE_ADDR": "10.0.0.7"}
    page = client.get("/agent", headers={"X-Forwarded-User": "Ann"}, environ_base=proxy)
    assert page.status_code == 200  # the proxy vouches for ann: no sign-in form
    assert callback(client, AGENT_OUTPUTS, agent_inputs(""), AGENT_STATE).status_code == 401  # no header, no session: nothing
    # The same header from anywhere else is ignored, as is a user the header names who is disabled or unknown.
    assert client.get("/agent", headers={"X-Forwarded-User": "ann"},
                      environ_base={"REMOTE_ADDR": "192.168.1.9"}).status_code == 302
    assert client.get("/control-desk", headers={"X-Forwarded-User": "desk"}, environ_base=proxy).status_code == 302
    assert client.get("/agent", headers={"X-Forwarded-User": "nobody"}, environ_base=proxy).status_code == 302
    # Through the proxy, the header's user is whom the data is scoped to (and ?agent= cannot widen it).
    scoped = callback(client, AGENT_OUTPUTS, agent_inputs("?agent=A2"), AGENT_STATE, headers={"X-Forwarded-User": "ann"},
                      environ_base=proxy)
    assert scoped.status_code == 200
    assert "Not allowed" in scoped.get_data(as_text=True) and "Bo Chen" not in scoped.get_data(as_text=True)
    own = callback(client, AGENT_OUTPUTS, agent_inputs(""), AGENT_STATE, headers={"X-Forwarded-User": "ann"}, environ_base=proxy)
    assert "Ann Adams" in own.get_data(as_text=True)


def test_sso_is_off_by_default(app):
    client = app.server.test_client()
    response = client.get("/agent", headers={"X-Forwarded-User": "ann", "Remote-User": "ann"},
                          environ_base={"REMOTE_ADDR": "127.0.0.1"})
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_sso_settings_reject_a_bad_proxy_address(tmp_path):
    from settings import ConfigError, load_settings
    from tests.conftest import REPO
    with pytest.raises(ConfigError, match="trusted_proxies"):
        load_settings(REPO / "config.toml", auth={"trusted_proxies": ["not-an-address"]})


def test_a_sign_in_without_scope_sees_nothing_and_is_told_why(app):
    db = app.server.config["FLOORVIEW_DB"]
    with db.session() as cur:
        cur.execute("UPDATE users SET team_ids = [] WHERE username = 'sue'")
    client, _ = signed_in(app, "sue")
    page = client.get("/supervisor")
    assert page.status_code == 403 and b"not linked to any agent, team or site" in page.data
    response = callback(client, AGENT_OUTPUTS, agent_inputs("?agent=L1"), AGENT_STATE)
    assert response.status_code == 403 and b"Lee" not in response.data


def test_an_unknown_role_fails_closed():
    stranger = accounts.User("x", "X", "auditor")
    assert not stranger.has_scope
    assert set(stranger.scope_filters()) == {"agent", "team", "site"}
    assert all(v == accounts.NOTHING for v in stranger.scope_filters().values())
    import web_auth
    assert not web_auth.may_open(stranger, "/") and not web_auth.may_open(stranger, "/control-desk")
    assert accounts.User("d", "D", "control_desk").scope_filters() == {}


def test_the_users_table_accepts_only_declared_roles(roster):
    import duckdb

    from roles import ROLES
    for n, role in enumerate(ROLES):
        roster.execute("INSERT INTO users (username, display_name, role, password_hash) VALUES (?, 'x', ?, 'h')",
                       [f"u{n}", role])
    with pytest.raises(duckdb.ConstraintException):
        roster.execute("INSERT INTO users (username, display_name, role, password_hash) VALUES ('z', 'z', 'auditor', 'h')")


def test_migration_keeps_a_user_with_an_undeclared_role_disabled_and_without_scope(tmp_path):
    import duckdb
    path = tmp_path / "v8.duckdb"
    con = duckdb.connect(str(path))
    for version in range(1, 9):
        for statement in store.MIGRATIONS[version - 1]:
            con.execute(statement)
    con.execute("INSERT INTO meta VALUES ('schema_version', '8')")
    con.execute("INSERT INTO users (username, display_name, role, agent_id, password_hash) "
                "VALUES ('old', 'Old', 'auditor', 'A1', 'h'), ('ann', 'Ann', 'agent', 'A1', 'h')")
    con.close()
    con = store.connect(path)
    rows = con.execute("SELECT username, role, agent_id, disabled, session_version FROM users ORDER BY 1").fetchall()
    assert rows == [("ann", "agent", "A1", False, 0), ("old", "agent", None, True, 0)]
    con.close()


def test_a_panel_that_is_a_table_offers_no_empty_chart_beside_its_rows():
    """The control desk's sites table once said "No sites in this period" in its Chart view while its table
    listed the site: a panel with rows but no figure is a table, with no Chart toggle and no empty state."""
    from layouts.control_desk_page import sites_table
    from layouts.panels import panel

    text = str(sites_table([{"name": "Bank", "service_level": 85.0, "service_level_status": "green"}]))
    assert "No sites in this period" not in text and "fv-panel-view" not in text and "Bank" in text
    empty = str(sites_table([]))
    assert "No sites in this period" in empty  # and with no rows, the empty state is true
    chart = str(panel("p", "A chart", {"data": []}, [{"x": 1}], [{"field": "x"}], "Nothing here."))
    assert "fv-panel-view" in chart  # a panel with a figure keeps its toggle


def test_contacts_without_staffing_files_say_what_each_panel_needs():
    """A centre that loaded only contacts: the staffing and shrinkage panels, and contacts per hour, name the
    files they need instead of drawing empty axes; a missing forecast reads "—", never 0."""
    from kpis.today import SiteToday
    from layouts.control_desk_page import net_heatmap, shrinkage_by_activity
    from layouts.supervisor_page import panels

    nan = float("nan")
    net = str(net_heatmap(["Bank"], ["09:00", "09:15"], [[nan, None]], "local"))
    assert "needs agent-state logs and forecasts" in net and "Graph" not in net
    shrink = str(shrinkage_by_activity(["Bank"], {"Training": [nan], "Breaks": [None]}))
    assert "shrinkage needs a WFM schedule export" in shrink
    team = str(panels([{"agent": "A1", "name": "Ann", "handled": 10, "contacts_per_hour": nan, "avg_talk": 200.0,
                        "avg_hold": nan, "avg_acw": None}], 360.0, 8.8))
    assert "contacts per hour needs agent-state logs" in team
    assert "'name': 'Talk'" in team and "'name': 'Hold'" not in team and "'name': 'ACW'" not in team  # none carry hold or ACW
    from datetime import datetime

    from callbacks.control_desk_page import _today_row
    site = SiteToday("BNK", "2026-12-03", datetime(2026, 12, 3, 18, 15), offered_so_far=400)
    assert _today_row(site, "Bank")["contacts"] == "400 / —"


def test_tile_strips_fill_rows_evenly():
    from layouts.tiles import balanced_columns
    # 9 tiles at up to 8 a row: two rows of 5 and 4, not 8 and an orphan; at up to 4: three rows of 3.
    assert [balanced_columns(9, 8), balanced_columns(9, 4)] == [5, 3]
    assert [balanced_columns(7, 8), balanced_columns(7, 4), balanced_columns(8, 4), balanced_columns(1, 4)] == [7, 4, 4, 1]


def test_an_agents_day_lists_real_exceptions_and_sums_the_blips():
    """Five 8-second blips, one 5-minute stretch and one 2-second run the centre forgives (threshold 3 s), with
    exceptions listed from 60 s: one line for the stretch, one for the five blips (40 s in all), one forgiven."""
    from datetime import datetime, timedelta

    from layouts.agent_page import exception_listing

    start = datetime(2026, 11, 20, 9, 0)
    blips = [{"start": start + timedelta(minutes=i), "end": start + timedelta(minutes=i, seconds=8),
              "why": "available while scheduled break"} for i in range(5)]
    stretch = {"start": datetime(2026, 11, 20, 13, 0), "end": datetime(2026, 11, 20, 13, 5),
               "why": "lunch while scheduled open"}
    forgiven = {"start": datetime(2026, 11, 20, 15, 0), "end": datetime(2026, 11, 20, 15, 0, 2), "why": "aux"}
    listing = exception_listing([*blips, stretch, forgiven], [], False, 60, 3)
    items = [li.children for li in listing.children[1].children]
    assert listing.children[0].children == "6 exception(s)"  # the forgiven run does not count
    assert items == ["13:00:00–13:05:00: lunch while scheduled open",
                     "5 shorter than 1:00 each, 0:40 in all (not listed one by one)",
                     "1 shorter than 3 s forgiven: they do not count against adherence"]


def test_plain_elements_are_what_dash_sends_for_its_own_components():
    """/live's rows are built as JSON directly (layouts/plain_html.py): the browser must get exactly the JSON of
    the components they stand for."""
    from dash import html
    from dash._utils import to_json

    from layouts.plain_html import element

    plain = element("Tr", [element("Td", element("A", "Ann", href="/agent?agent=A1"), className="fw-semibold",
                                   title="Grace 60 s", **{"data-since": "17"}),
                           element("Td", "—"), element("Td", ["x", element("A", "Message", href="/m")])],
                    className="fv-rta-out-row", **{"data-agent": "A1", "data-adherence": "out", "data-seconds": "90"})
    dash_own = html.Tr([html.Td(html.A("Ann", href="/agent?agent=A1"), className="fw-semibold", title="Grace 60 s",
                                **{"data-since": "17"}),
                        html.Td("—"), html.Td(["x", html.A("Message", href="/m")])],
                       className="fv-rta-out-row", **{"data-agent": "A1", "data-adherence": "out", "data-seconds": "90"})
    assert json.loads(to_json(html.Tbody([plain]))) == json.loads(to_json(html.Tbody([dash_own])))


def test_a_value_just_short_of_its_target_does_not_read_as_the_target():
    """Conformance 99.96 % against a 100 % target is near target: the tile says 99.96 % and −0.04 pts, not
    100.0 % and −0.0 pts. Values a decimal apart from the target keep one decimal."""
    from layouts.formatting import fmt_against, fmt_gap
    assert (fmt_against(99.96, 100.0, "%"), fmt_gap(99.96, 100.0, "%")) == ("99.96 %", "−0.04 pts")
    assert (fmt_against(98.9, 100.0, "%"), fmt_gap(98.9, 100.0, "%")) == ("98.9 %", "−1.1 pts")
    assert (fmt_against(80.0, 80.0, "%"), fmt_gap(80.0, 80.0, "%")) == ("80.0 %", "+0.0 pts")
    assert (fmt_against(80.004, 80.0, "%"), fmt_gap(80.0004, 80.0, "%")) == ("80.004 %", "+0.0 pts")
    assert fmt_against(None, 80.0, "%") == "—" and fmt_against(330, 360, "s") == "5:30"
    # An ASA of 19.6 s against 20 s reads 0:19.6 and −0.4 s, not 0:20 and −0:00.
    assert (fmt_against(19.6, 20, "s"), fmt_gap(19.6, 20, "s")) == ("0:19.6", "−0.4 s")
    assert (fmt_against(20, 20, "s"), fmt_gap(20, 20, "s"), fmt_gap(405, 360, "s")) == ("0:20", "+0:00", "+0:45")
