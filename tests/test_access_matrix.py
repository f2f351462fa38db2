"""Access-control matrix: every server callback × every role, with requests forged at the HTTP level.

Each request names agents, teams, sites, requests and messages outside the user's scope and puts
SQL-injection-shaped text in every free-text field. Nothing outside the scope may come back, and no write
may happen that the role may not make. Callbacks are enumerated from the app itself, so a new callback is
covered automatically — and a new input this test cannot fill makes it fail until a value is added here.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, date, datetime, timedelta

import pytest

import accounts
import ids
import store
from actions import messages, requests
from app import create_app
from loaders import load_file
from tests.web import login

INJECTION = "x'); DROP TABLE users; --"
WRITE_TABLES = ("schedule_requests", "messages", "message_acks", "users", "agents", "stored_targets",
                "adherence_exceptions", "follow_ups", "follow_up_actions")
# Writes a role may legitimately make with the forged inputs (its own request; the desk's full scope).
ALLOWED_WRITES = {("agent", "req-submit"), ("control_desk", "desk-alert"), ("control_desk", "today-alert"), ("control_desk", "req-approve"),
                  ("control_desk", "req-decline"), ("control_desk", "exc-approve"),
                  ("control_desk", "msg-send"), ("control_desk", "ppl-add"), ("control_desk", "ppl-set-password"),
                  ("control_desk", "ppl-disable"), ("control_desk", "ppl-enable"),
                  ("control_desk", "fu-log"), ("control_desk", "fu-close"), ("control_desk", "fu-reopen")}


@pytest.fixture(scope="module")
def world(demo_db, tmp_path_factory):
    con, settings = demo_db["con"], demo_db["settings"]
    users = [accounts.get_user(con, u["username"]) for u in demo_db["stories"]["users"]]
    agents = con.execute("SELECT agent_id, name, team_id, site_id FROM agents").fetchall()
    sites = dict(con.execute("SELECT site_id, name FROM sites").fetchall())
    teams = dict(con.execute("SELECT team_id, site_id FROM teams").fetchall())
    desk = next(u for u in users if u.role == "control_desk")
    # Something to forge against: requests from agents at two sites, and a message for a site nobody here runs.
    cpt_agent = next(a for a in agents if a[3] == "CPT")
    man_agent = next(a for a in agents if a[3] == "MAN")
    for agent_id in (cpt_agent[0], man_agent[0]):
        proxy = accounts.User("proxy", "proxy", "agent", agent_id=agent_id)
        requests.submit(con, proxy, date(2026, 11, 24), "13:00", "13:05", "matrix fixture")
    messages.send(con, desk, "site", "SYD", "matrix fixture message", kind="alert")
    # A sign-in at a site no demo manager runs: only the control desk may change it.
    syd_agent = next(a for a in agents if a[3] == "SYD")
    accounts.add_user(con, "matrix.victim", "Matrix Victim", "agent", "victim-pass", agent_id=syd_agent[0])
    # Private things: a Manchester file with a rejected raw value, and coaching notes from a supervisor to one
    # agent who signs in here and to one who does not.
    man_file = tmp_path_factory.mktemp("matrix") / "manchester-only.csv"
    # Only a rejected row, so the demo's numbers (shared with other tests) do not change.
    man_file.write_text(f"contact_id,queue_id,site_id,offered_at\nMX2,{_a_queue(con)},MAN,{MAN_SECRET}\n")
    assert load_file(con, man_file, settings).rows_rejected == 1
    agent_user = next(u for u in users if u.role == "agent")
    coach = next(u for u in users if u.role == "supervisor" and agent_user.agent_id in _team_agents(con, u.team_ids))
    other = next(a for a in _team_agents(con, coach.team_ids) if a != agent_user.agent_id)
    messages.send(con, coach, "agent", agent_user.agent_id, NOTE_TO_SIGNED_IN)
    messages.send(con, coach, "agent", other, NOTE_TO_OTHER)
    private = {MAN_SECRET: lambda u: u.role == "control_desk" or (u.role == "manager" and "MAN" in u.site_ids),
               "manchester-only.csv": lambda u: u.role == "control_desk" or (u.role == "manager" and "MAN" in u.site_ids),
               NOTE_TO_SIGNED_IN: lambda u: u.username in (coach.username, agent_user.username),
               NOTE_TO_OTHER: lambda u: u.username == coach.username}
    # Live now: one agent per site scheduled for open work and on an unscheduled break, so /live has rows
    # for every site to keep out of the wrong hands.
    now = datetime.now(UTC).replace(microsecond=0, tzinfo=None)
    firsts = con.execute("SELECT site_id, min(agent_id) FROM agents GROUP BY site_id").fetchall()
    folder = tmp_path_factory.mktemp("matrix-live")
    plan = folder / "schedule-now.csv"
    plan.write_text("agent_id,activity,start_at,end_at\n" + "".join(
        f"{a},open,{now - timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ},{now + timedelta(hours=1):%Y-%m-%dT%H:%M:%SZ}\n"
        for _, a in firsts))
    assert load_file(con, plan, settings).rows_rejected == 0
    live = folder / "events.jsonl"
    live.write_text("".join(json.dumps({"agent_id": a, "state": "break",
                                        "at": f"{now - timedelta(minutes=5):%Y-%m-%dT%H:%M:%SZ}"}) + "\n"
                            for _, a in firsts))
    assert load_file(con, live, settings).rows_rejected == 0
    app = create_app(settings, store.Database(settings.db_path))
    return {"con": con, "app": app, "users": users, "agents": agents, "sites": sites, "teams": teams,
            "password": settings.app.demo_password, "private": private}


MAN_SECRET = "2026-13-99T99:99:99Z-MANCHESTER-RAW"
NOTE_TO_SIGNED_IN = "PRIVATE-COACHING-NOTE-FOR-THE-AGENT"
NOTE_TO_OTHER = "PRIVATE-COACHING-NOTE-FOR-SOMEONE-ELSE"


def _a_queue(con) -> str:
    return con.execute("SELECT min(queue_id) FROM queues").fetchall()[0][0]


def _team_agents(con, team_ids) -> list[str]:
    return [a for (a,) in con.execute("SELECT agent_id FROM agents WHERE list_contains(?, team_id) ORDER BY 1",
                                      [list(team_ids)]).fetchall()]


def scope_of(world, user) -> tuple[set, set, set]:
    """(agent ids, team ids, site ids) the user may see."""
    agents = {a[0] for a in world["agents"] if user.role == "control_desk"
              or (user.role == "agent" and a[0] == user.agent_id)
              or (user.role == "supervisor" and a[2] in user.team_ids)
              or (user.role == "manager" and a[3] in user.site_ids)}
    teams = {a[2] for a in world["agents"] if a[0] in agents}
    sites = {a[3] for a in world["agents"] if a[0] in agents}
    return agents, teams, sites


def forged_values(world, user) -> dict[tuple[str, str], object]:
    agents, teams, sites = scope_of(world, user)
    other_agent = next((a[0] for a in world["agents"] if a[0] not in agents), world["agents"][0][0])
    other_team = next((t for t in world["teams"] if t not in teams), next(iter(world["teams"])))
    other_site = next((s for s in world["sites"] if s not in sites), next(iter(world["sites"])))
    con = world["con"]
    request_id = con.execute("""SELECT r.request_id FROM schedule_requests r JOIN agents a USING (agent_id)
                                WHERE r.status = 'pending' AND NOT list_contains(?, a.agent_id)
                                ORDER BY 1 LIMIT 1""", [list(agents)]).fetchall()
    request_id = request_id[0][0] if request_id else 1
    # A follow-up case nobody but the control desk may touch from here: another site's, another team's.
    other_case = con.execute("""SELECT min(case_id) FROM follow_ups WHERE NOT list_contains(?, site_id)
                                AND NOT list_contains(?, coalesce(owner_team_id, ''))
                                AND NOT list_contains(?, coalesce(agent_id, ''))""",
                             [list(sites), list(teams), list(agents)]).fetchall()[0][0] or 1
    mine = {m["message_id"] for m in messages.inbox(con, user)}
    message_id = next((m for (m,) in con.execute("SELECT message_id FROM messages").fetchall() if m not in mine), 1)
    return {
        ("shell-url", "search"): f"?agent={other_agent}&team={other_team}&site={other_site}&call_type={INJECTION}",
        ("shell-url", "pathname"): "/agent",
        ("_pages_location", "pathname"): "/control-desk", ("_pages_location", "search"): f"?site={other_site}",
        ("agent-period", "value"): "custom", ("sup-period", "value"): "custom", ("mgr-period", "value"): "custom",
        ("desk-period", "value"): "custom", ("voice-period", "value"): "custom",
        **{(f"{p}-custom-range", "start_date"): "2026-11-01" for p in ("agent", "sup", "mgr", "desk", "voice")},
        **{(f"{p}-custom-range", "end_date"): "2026-11-21" for p in ("agent", "sup", "mgr", "desk", "voice")},
        # The voice page narrowed to a site, team and agent outside the scope, and a word clicked.
        ("voice-site", "value"): other_site, ("voice-team", "value"): other_team, ("voice-queue", "value"): INJECTION,
        ("voice-agent", "value"): other_agent, ("voice-term", "data"): "waited",
        ("voice-terms-graph", "clickData"): {"points": [{"customdata": INJECTION}]}, ("voice-clear", "n_clicks"): 1,
        ("agent-day", "date"): "2026-11-20",
        ("sup-team", "value"): other_team,
        ("desk-site", "value"): other_site, ("desk-clock", "value"): "utc",
        ("desk-site", "options"): [{"label": world["sites"][other_site], "value": other_site}],
        ('{"panel":"desk-net","type":"fv-graph"}', "clickData"): {"points": [{"y": world["sites"][other_site]}]},
        ("data-refresh", "n_clicks"): 1, ("desk-alert", "n_clicks"): 1,
        ('{"site":["ALL"],"type":"today-alert"}', "n_clicks"): [
            {"id": {"type": "today-alert", "site": other_site}, "property": "n_clicks", "value": 1}],
        ("live-tick", "n_intervals"): 1, ("data-version", "data"): 1, ("messages-version", "data"): 1,
        ("events-version", "data"): 1, ("agent-now-tick", "n_intervals"): 1,
        # Real-time adherence asked for a site and a team outside the scope.
        ("rta-tick", "n_intervals"): 1, ("rta-site", "value"): [other_site], ("rta-team", "value"): [other_team],
        ("rta-status", "value"): ["out", "severe", INJECTION], ("rta-activity", "value"): ["open", INJECTION],
        # An upload for a site outside the scope (the app here serves without its loader: nothing may load).
        ("data-upload", "contents"): ["data:text/csv;base64," + base64.b64encode(
            f"contact_id,queue_id,site_id,offered_at\nFORGED1,BILL,{other_site},2026-11-20T12:00:00Z\n".encode()).decode()],
        ("data-upload", "filename"): ["forged.csv"],
        ("req-submit", "n_clicks"): 1, ("req-approve", "n_clicks"): 1, ("req-decline", "n_clicks"): 1,
        ("req-day", "date"): "2026-11-24", ("req-from", "value"): "13:00", ("req-to", "value"): "13:05",
        ("req-reason", "value"): INJECTION, ("req-note", "value"): INJECTION,
        ('{"panel":"requests","type":"fv-panel-grid"}', "selectedRows"): [{"request_id": request_id}],
        # A team target forged for a team outside the scope (and a level the control desk may not set).
        ("tgt-kpi", "value"): "aht", ("tgt-level", "value"): "team", ("tgt-place", "value"): other_team,
        ("tgt-value", "value"): "1e9", ("tgt-amber", "value"): 1, ("tgt-from", "date"): "2026-11-01",
        ("tgt-to", "date"): None, ("tgt-reason", "value"): INJECTION, ("tgt-save", "n_clicks"): 1,
        ("tgt-feedback", "children"): "",
        # An exception approved for an agent outside the scope (the agent comes from the forged ?agent=).
        ("exc-reason", "value"): INJECTION, ("exc-feedback", "children"): "",
        ('{"span":["ALL"],"type":"exc-approve"}', "n_clicks"): [
            {"id": {"type": "exc-approve", "span": "2026-11-20T12:30:00|2026-11-20T13:00:00"}, "property": "n_clicks",
             "value": 1}],
        # A message to a site outside the scope.
        ("msg-level", "value"): "site", ("msg-to", "value"): other_site, ("msg-kind", "value"): "alert",
        ("msg-kpi", "value"): "aht", ("msg-period", "value"): INJECTION, ("msg-body", "value"): INJECTION,
        ("msg-send", "n_clicks"): 1,
        # A control-desk sign-in added at another site; a password change and disabling of someone outside scope.
        ("ppl-add", "n_clicks"): 1, ("ppl-set-password", "n_clicks"): 1, ("ppl-disable", "n_clicks"): 1,
        ("ppl-enable", "n_clicks"): 1, ("ppl-username", "value"): "mallory", ("ppl-name", "value"): INJECTION,
        ("ppl-role", "value"): "control_desk", ("ppl-place", "value"): other_site,
        ("ppl-password", "value"): "mallory-password", ("ppl-new-password", "value"): "taken-over-1",
        ("ppl-grid", "selectedRows"): [{"username": "matrix.victim"}],
        # Follow-up cases: one outside the scope chosen, acted on, closed and reopened; the report for its month.
        ("fu-status", "value"): "new", ("fu-site", "value"): other_site, ("fu-overdue", "value"): ["overdue"],
        ("fu-changed", "data"): 1, ("fu-selected", "data"): other_case,
        ("fu-grid", "selectedRows"): [{"case_id": other_case}],
        ("fu-log", "n_clicks"): 1, ("fu-close", "n_clicks"): 1, ("fu-reopen", "n_clicks"): 1,
        ("fu-action", "value"): "called back", ("fu-note", "value"): INJECTION, ("fu-resolution", "value"): INJECTION,
        ("fu-cause", "value"): "long wait", ("fu-reached", "value"): "yes", ("fu-reopen-reason", "value"): INJECTION,
        ("fu-report", "n_clicks"): 1, ("fu-month", "value"): "2026-11",
        ('{"id":["ALL"],"type":"msg-ack"}', "n_clicks"): [
            {"id": {"type": "msg-ack", "id": message_id}, "property": "n_clicks", "value": 1}],
        # A grid's or a panel's export reshapes the rows the browser sends; a forged request gets back only what
        # it sent.
        **{key: value for button, grid in ((ids.DATA_EXPORT_LOADS, ids.DATA_LOADS),
                                           (ids.DATA_EXPORT_REJECTS, ids.DATA_REJECTS), (ids.TGT_EXPORT, ids.TGT_RULES),
                                           (ids.VOICE_EXPORT, ids.VOICE_VERBATIMS), (ids.FU_EXPORT, ids.FU_GRID))
           for key, value in (((button, "n_clicks"), 1), ((ids.xlsx_button(button), "n_clicks"), 1),
                              ((grid, "rowData"), [{"file": INJECTION}]), ((grid, "columnDefs"), [{"field": "file"}]))},
        **{(_match_key(kind), prop): (_panel(kind), value) for kind, prop, value in (
            ("fv-panel-export", "n_clicks", 1), ("fv-panel-xlsx", "n_clicks", 1),
            ("fv-panel-grid", "rowData", [{"agent": f"[{INJECTION}](/agent?agent={INJECTION})", "aht": 1e308}]),
            ("fv-panel-grid", "columnDefs", [{"field": "agent"}, {"field": "aht", "context": {"unit": INJECTION}}]))},
    }


def _match_key(kind: str) -> str:
    return json.dumps({"panel": ["MATCH"], "type": kind}, separators=(",", ":"))


def _panel(kind: str) -> dict:
    return {"panel": "sup-agents", "type": kind}


def server_callbacks(app) -> list[tuple[str, dict]]:
    return [(key, spec) for key, spec in app.callback_map.items() if spec.get("callback")]


def _id(raw: str):
    return json.loads(raw) if raw.startswith("{") else raw


def payload(key: str, spec: dict, values: dict, trigger: tuple[str, str]) -> str:
    def item(dep):
        key_ = (dep["id"], dep["property"])
        if key_ not in values:
            raise AssertionError(f"the access matrix has no forged value for {key_}: add one to forged_values()")
        value = values[key_]
        if "ALL" in dep["id"]:
            return value  # a list of {id, property, value}
        if "MATCH" in dep["id"]:
            return {"id": value[0], "property": dep["property"], "value": value[1]}  # (concrete id, value)
        return {"id": _id(dep["id"]), "property": dep["property"], "value": value}

    outputs = [{"id": _id(o.split(".")[0] if not o.startswith("{") else o.rsplit(".", 1)[0]),
                "property": o.rsplit(".", 1)[1]} for o in _split_outputs(key)]
    for output in outputs:
        if isinstance(output["id"], dict) and ["MATCH"] in output["id"].values():
            output["id"] = {k: ("sup-agents" if v == ["MATCH"] else v) for k, v in output["id"].items()}
    changed = f"{trigger[0]}.{trigger[1]}"
    if "ALL" in trigger[0]:  # a browser names the concrete component that changed
        concrete = values[trigger][0]["id"]
        changed = json.dumps(concrete, sort_keys=True, separators=(",", ":")) + f".{trigger[1]}"
    elif "MATCH" in trigger[0]:
        changed = json.dumps(values[trigger][0], sort_keys=True, separators=(",", ":")) + f".{trigger[1]}"
    return json.dumps({
        "output": key, "outputs": outputs if key.startswith("..") else outputs[0],
        "inputs": [item(d) for d in spec["inputs"]], "state": [item(d) for d in spec.get("state", [])],
        "changedPropIds": [changed],
    })


def _split_outputs(key: str) -> list[str]:
    key = key.split("@")[0]
    return [o for o in key.strip(".").split("...") if o] if key.startswith("..") else [key]


def counts(con) -> dict[str, tuple]:
    """Row count and a hash of every row's content (the row as a struct), so updates (a password, a flag) show as
    well as inserts."""
    return {t: tuple(con.execute(f"SELECT count(*), sum(hash(r)) FROM {t} r").fetchall()[0])  # noqa: S608
            for t in WRITE_TABLES}


def test_every_callback_for_every_role_stays_in_scope(world):
    app, con = world["app"], world["con"]
    callbacks = server_callbacks(app)
    assert len(callbacks) >= 15  # the enumeration really found the app's callbacks
    checked = 0
    seen: set[str] = set()
    for user in world["users"]:
        client = app.server.test_client()
        assert login(client, user.username, world["password"]).status_code == 302
        after = counts(con)  # after signing in, which may record itself
        agents, _, sites = scope_of(world, user)
        visible_names = {a[1] for a in world["agents"] if a[0] in agents}
        hidden_names = [a[1] for a in world["agents"] if a[0] not in agents and a[1] not in visible_names]
        hidden_sites = [name for s, name in world["sites"].items() if s not in sites]
        values = forged_values(world, user)
        for key, spec in callbacks:
            for trigger in [(d["id"], d["property"]) for d in spec["inputs"]]:
                before = after  # what the last request left (counted once per request: the test's main cost)
                response = client.post("/_dash-update-component", data=payload(key, spec, values, trigger),
                                       content_type="application/json")
                assert response.status_code in (200, 204), (user.username, key, trigger, response.data[:300])
                text = response.get_data(as_text=True)
                leaked = [n for n in hidden_names + hidden_sites if n in text]
                leaked += [thing for thing, may_see in world["private"].items() if thing in text and not may_see(user)]
                assert not leaked, (user.username, key, trigger, leaked[:3])
                seen.update(thing for thing in world["private"] if thing in text)
                trigger_name = trigger[0] if not trigger[0].startswith("{") else json.loads(trigger[0])["type"]
                after = counts(con)
                if (user.role, trigger_name) not in ALLOWED_WRITES:
                    assert after == before, (user.username, key, trigger, "wrote without authority")
                checked += 1
    assert checked > 100
    assert seen == set(world["private"])  # each private thing did reach the people it is for
    assert con.execute("SELECT count(*) FROM users").fetchall()[0][0] >= 7  # the injection dropped nothing


def test_signed_out_requests_to_every_callback_get_401(world):
    client = world["app"].server.test_client()
    values = forged_values(world, world["users"][0])
    for key, spec in server_callbacks(world["app"]):
        trigger = (spec["inputs"][0]["id"], spec["inputs"][0]["property"])
        response = client.post("/_dash-update-component", data=payload(key, spec, values, trigger),
                               content_type="application/json")
        assert response.status_code == 401, key
