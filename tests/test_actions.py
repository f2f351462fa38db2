"""Acting on the numbers: schedule-change requests and messages, with authority checked and audited."""

from __future__ import annotations

import io
from datetime import date

import pytest

import accounts
from actions import audit, messages, requests
from cli import main
from tests.conftest import ROSTER, rows, write


@pytest.fixture
def people(roster):
    made = {
        "ann": accounts.add_user(roster, "ann", "Ann Adams", "agent", "pass1234", agent_id="A1"),
        "lee": accounts.add_user(roster, "lee", "Lee Evans", "agent", "pass1234", agent_id="L1"),
        "sup1": accounts.add_user(roster, "sup1", "Sue One", "supervisor", "pass1234", team_ids=("T1",)),
        "sup2": accounts.add_user(roster, "sup2", "Sam Two", "supervisor", "pass1234", team_ids=("T2",)),
        "mgr_ldn": accounts.add_user(roster, "mgr_ldn", "Mo London", "manager", "pass1234", site_ids=("LDN",)),
        "desk": accounts.add_user(roster, "desk", "Desk", "control_desk", "pass1234"),
    }
    return roster, made


def test_agent_requests_a_change_and_their_supervisor_approves_it(people):
    con, p = people
    rid = requests.submit(con, p["ann"], date(2026, 11, 24), "13:00", "13:05", "Five more minutes back from lunch")
    assert [r["status"] for r in requests.visible(con, p["sup1"], "pending")] == ["pending"]
    assert requests.visible(con, p["sup2"]) == []  # another team's supervisor does not see it
    with pytest.raises(requests.RequestError, match="not in your scope"):
        requests.decide(con, p["sup2"], rid, approve=True)
    requests.decide(con, p["sup1"], rid, approve=True, note="Fine from Monday")
    mine = requests.visible(con, p["ann"])
    assert (mine[0]["status"], mine[0]["decided_by"], mine[0]["note"]) == ("approved", "sup1", "Fine from Monday")
    with pytest.raises(requests.RequestError, match="already approved"):
        requests.decide(con, p["sup1"], rid, approve=False)
    actions = [(a["username"], a["action"]) for a in audit.trail(con, p["desk"])]
    assert actions == [("sup1", "approved schedule change"), ("ann", "request schedule change")]


@pytest.mark.parametrize(("who", "args", "error"), [
    ("sup1", (date(2026, 11, 24), "13:00", "13:05", "x"), "only agents"),
    ("ann", (date(2026, 11, 24), "1pm", "13:05", "x"), "HH:MM"),
    ("ann", (date(2026, 11, 24), "13:05", "13:00", "x"), "end after it starts"),
    ("ann", (date(2026, 11, 24), "13:00", "13:05", "  "), "say why"),
])
def test_bad_requests_are_refused_with_a_reason(people, who, args, error):
    con, p = people
    with pytest.raises(requests.RequestError, match=error):
        requests.submit(con, p[who], *args)
    assert rows(con, "SELECT count(*) FROM schedule_requests") == [(0,)]


def test_control_desk_alerts_a_site_and_its_manager_acknowledges(people):
    con, p = people
    mid = messages.send(con, p["desk"], "site", "LDN", "On-hand staff 10 % under schedule 14:00-16:00",
                        kind="alert", kpi="net_staffing_on_hand", period="Fri 20 Nov 2026")
    inbox = messages.inbox(con, p["mgr_ldn"])
    assert [(m["message_id"], m["kind"], m["acknowledged"]) for m in inbox] == [(mid, "alert", False)]
    assert [m["message_id"] for m in messages.inbox(con, p["lee"])] == [mid]  # an agent at the site sees it too
    assert messages.inbox(con, p["ann"]) == []  # New York does not
    messages.acknowledge(con, p["mgr_ldn"], mid)
    assert messages.inbox(con, p["mgr_ldn"])[0]["acknowledged"] is True
    assert messages.sent(con, p["desk"])[0]["acknowledged_by"].startswith("Mo London ")
    with pytest.raises(messages.MessageError):
        messages.acknowledge(con, p["ann"], mid)


def test_a_manager_reviews_only_the_actions_concerning_their_sites(people):
    con, p = people
    requests.submit(con, p["ann"], date(2026, 11, 24), "13:00", "13:05", "New York agent asks")
    requests.submit(con, p["lee"], date(2026, 11, 24), "13:00", "13:05", "London agent asks")
    messages.send(con, p["desk"], "all", None, "Centre-wide notice")
    messages.send(con, p["mgr_ldn"], "team", "T2", "Heron huddle at 9")
    seen = [(a["username"], a["action"]) for a in audit.trail(con, p["mgr_ldn"])]
    assert seen == [("mgr_ldn", "send message"), ("lee", "request schedule change")]
    assert len(audit.trail(con, p["desk"])) == 4
    assert audit.trail(con, p["sup1"]) == [] and audit.trail(con, p["ann"]) == []


@pytest.mark.parametrize(("sender", "level", "target", "allowed"), [
    ("ann", "agent", "A2", False), ("sup1", "agent", "A2", True), ("sup1", "agent", "L1", False),
    ("sup1", "team", "T1", True), ("sup1", "team", "T2", False), ("sup1", "site", "NYC", False),
    ("mgr_ldn", "site", "LDN", True), ("mgr_ldn", "site", "NYC", False), ("mgr_ldn", "team", "T2", True),
    ("mgr_ldn", "all", None, False), ("desk", "all", None, True), ("desk", "site", "NYC", True),
])
def test_who_may_message_whom(people, sender, level, target, allowed):
    con, p = people
    if allowed:
        messages.send(con, p[sender], level, target, "hello")
    else:
        with pytest.raises(messages.MessageError):
            messages.send(con, p[sender], level, target, "hello")


def test_injection_shaped_text_is_stored_as_text(people):
    con, p = people
    evil = "'); DROP TABLE messages; --"
    mid = messages.send(con, p["sup1"], "team", "T1", evil)
    assert messages.inbox(con, p["ann"])[0]["body"] == evil and mid
    with pytest.raises(messages.MessageError):
        messages.send(con, p["sup1"], "team", "T1' OR '1'='1", "x")


def test_user_command_adds_lists_changes_and_disables(tmp_path, capsys, monkeypatch):
    db = str(tmp_path / "u.duckdb")
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in ROSTER.items():
        write(folder, name, text)
    assert main(["load", "--db", db, "--quiet", str(folder)]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("pass1234\n"))
    assert main(["user", "--db", db, "add", "bo", "--name", "Bo Chen", "--role", "agent", "--agent", "A2",
                 "--password-stdin"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("pass1234\n"))
    assert main(["user", "--db", db, "add", "x", "--role", "supervisor", "--teams", "NOPE", "--password-stdin"]) == 2
    assert "unknown: ['NOPE']" in capsys.readouterr().err
    assert main(["user", "--db", db, "role", "bo", "supervisor", "--teams", "T1"]) == 0
    assert main(["user", "--db", db, "disable", "bo"]) == 0
    capsys.readouterr()
    assert main(["user", "--db", db, "list"]) == 0
    assert "bo                   supervisor    T1" in capsys.readouterr().out
    # --db after the action's name works as well as before it
    monkeypatch.setattr("sys.stdin", io.StringIO("pass5678\n"))
    assert main(["user", "add", "cy", "--role", "agent", "--agent", "A1", "--password-stdin", "--db", db]) == 0
    assert main(["user", "list", "--db", db]) == 0
    assert "cy                   agent" in capsys.readouterr().out
    import store
    con = store.connect(db)
    assert accounts.authenticate(con, "bo", "pass1234") is None  # disabled
    accounts.set_disabled(con, "bo", False)
    accounts.set_password(con, "bo", "newpass99")
    assert accounts.authenticate(con, "bo", "newpass99").role == "supervisor"
    assert rows(con, "SELECT password_hash LIKE '$argon2id$%' FROM users") == [(True,), (True,)]


def test_a_coaching_note_is_private_to_its_sender_and_its_agent(people):
    """The control desk's data scope covers everyone, but a note to one agent is not addressed to it: it is not in
    its inbox, it cannot acknowledge it, and the sender only ever sees the agent's own acknowledgement."""
    con, p = people
    mid = messages.send(con, p["sup1"], "agent", "A1", "Ann, let's talk about your ACW after the huddle")
    for leader in ("desk", "mgr_ldn", "sup2"):
        assert [m["message_id"] for m in messages.inbox(con, p[leader])] == []
        with pytest.raises(messages.MessageError, match="no such message"):
            messages.acknowledge(con, p[leader], mid)
    # An acknowledgement written before this fix by someone outside the audience is not shown to the sender.
    con.execute("INSERT INTO message_acks VALUES (?, 'desk', now()::TIMESTAMP)", [mid])
    assert messages.sent(con, p["sup1"])[0]["acknowledged_by"] is None
    assert [m["message_id"] for m in messages.inbox(con, p["ann"])] == [mid]
    messages.acknowledge(con, p["ann"], mid)
    assert messages.sent(con, p["sup1"])[0]["acknowledged_by"].startswith("Ann Adams ")
    # A team message reaches the team's agents and its supervisor only; "everyone" reaches the control desk too.
    team_mid = messages.send(con, p["mgr_ldn"], "team", "T2", "Huddle at 10")
    assert [m["message_id"] for m in messages.inbox(con, p["lee"])] == [team_mid]
    assert [m["message_id"] for m in messages.inbox(con, p["sup2"])] == [team_mid]
    assert messages.inbox(con, p["desk"]) == []
    desk2 = accounts.add_user(con, "desk2", "Desk Two", "control_desk", "pass1234")
    all_mid = messages.send(con, p["desk"], "all", None, "Fire drill at 15:00")
    assert [m["message_id"] for m in messages.inbox(con, desk2)] == [all_mid]
    assert all_mid in [m["message_id"] for m in messages.inbox(con, p["ann"])]


def test_messages_read_as_people_read_them_names_labels_and_site_time(people):
    """Issue 19, point 9: the sender's list names the recipient (not A1) and the KPI by its label; times are in
    the reader's site time (New York in November is UTC-5, EST)."""
    from datetime import datetime

    from actions.scope import home_timezone
    from callbacks.actions_ui import readable
    from layouts.formatting import local_stamp

    con, p = people
    messages.send(con, p["sup1"], "agent", "A1", "Back from lunch on time please", kpi="Schedule adherence")
    messages.send(con, p["desk"], "team", "T2", "Huddle at 9")
    messages.send(con, p["desk"], "all", None, "Centre-wide notice")
    assert [(m["audience_name"], m["kpi"]) for m in messages.sent(con, p["sup1"])] == [("Ann Adams", "Schedule adherence")]
    assert [m["audience_name"] for m in messages.sent(con, p["desk"])] == ["Everyone in scope", "Team Heron"]
    assert [home_timezone(con, p[who]) for who in ("ann", "sup2", "mgr_ldn", "desk")] == [
        "America/New_York", "Europe/London", "Europe/London", None]
    assert local_stamp(datetime(2026, 11, 20, 19, 5), "America/New_York") == "Fri 20 Nov 14:05 EST"
    assert local_stamp(datetime(2026, 11, 20, 19, 5), None) == "Fri 20 Nov 19:05 UTC"
    con.execute("UPDATE messages SET created_at = TIMESTAMP '2026-11-20 19:05:00'")
    seen = readable(con, p["ann"], messages.inbox(con, p["ann"]))
    assert {m["body"]: m["sent"] for m in seen} == {"Back from lunch on time please": "Fri 20 Nov 14:05 EST",
                                                    "Centre-wide notice": "Fri 20 Nov 14:05 EST"}
