"""People administration and message audiences: each role manages and addresses only its own scope."""

from __future__ import annotations

import pytest

import accounts
from actions import audit, messages, people
from tests.conftest import rows
from tests.test_actions import people as made_people  # noqa: F401 - the fixture of the actions tests

STRONG = "long-enough-1"


@pytest.fixture
def staff(made_people):  # noqa: F811
    con, p = made_people
    return con, p


def test_a_manager_sees_and_manages_only_their_sites_agents_and_supervisors(staff):
    con, p = staff
    assert [u["username"] for u in people.visible(con, p["mgr_ldn"])] == ["lee", "sup2"]
    assert {u["username"] for u in people.visible(con, p["desk"])} == {"ann", "lee", "sup1", "sup2", "mgr_ldn", "desk"}
    assert people.visible(con, p["sup1"]) == [] and people.visible(con, p["ann"]) == []
    people.reset_password(con, p["mgr_ldn"], "lee", STRONG)
    assert accounts.authenticate(con, "lee", STRONG) is not None
    with pytest.raises(people.PeopleError, match="not in your scope"):
        people.reset_password(con, p["mgr_ldn"], "ann", STRONG)  # an agent of another site
    with pytest.raises(people.PeopleError, match="not in your scope"):
        people.set_disabled(con, p["mgr_ldn"], "desk", True)  # above their role
    people.set_disabled(con, p["mgr_ldn"], "sup2", True)
    assert accounts.authenticate(con, "sup2", "pass1234") is None
    assert [(a["action"], a["object"]) for a in audit.trail(con, p["desk"])][:2] == [("disable user", "sup2"),
                                                                         ("set password", "lee")]


@pytest.mark.parametrize(("who", "args", "error"), [
    ("mgr_ldn", ("zed", "Zed", "agent", "A2", STRONG), "choose an agent in your scope"),  # A2 works in New York
    ("mgr_ldn", ("zed", "Zed", "manager", "LDN", STRONG), "may not add manager"),
    ("sup1", ("zed", "Zed", "agent", "A2", STRONG), "may not add agent"),
    ("desk", ("zed", "Zed", "agent", "A2", "short"), "at least 8"),
    ("desk", ("ann", "Ann again", "agent", "A1", STRONG), "already exists"),
    ("desk", ("x'; DROP TABLE users; --", "X", "agent", "A1", STRONG), "username is letters"),
])
def test_adding_people_needs_authority_and_sound_values(staff, who, args, error):
    con, p = staff
    before = rows(con, "SELECT count(*) FROM users")
    with pytest.raises(people.PeopleError, match=error):
        people.add(con, p[who], *args)
    assert rows(con, "SELECT count(*) FROM users") == before


def test_a_manager_adds_a_supervisor_for_a_team_at_their_site(staff):
    con, p = staff
    people.add(con, p["mgr_ldn"], "Nia.Hale", "Nia Hale", "supervisor", "T2", STRONG)
    nia = accounts.authenticate(con, "nia.hale", STRONG)
    assert (nia.role, nia.team_ids) == ("supervisor", ("T2",))
    assert audit.trail(con, p["desk"])[0]["new_value"] == "supervisor T2"


def test_message_audiences_follow_the_scope(staff):
    con, p = staff
    assert messages.audiences(con, p["sup1"], "team") == [("T1", "Team Falcon")]
    assert messages.audiences(con, p["sup1"], "agent") == [("A1", "Ann Adams"), ("A2", "Bo Chen")]
    assert messages.audiences(con, p["sup1"], "site") == []
    assert messages.audiences(con, p["mgr_ldn"], "agent") == [("L1", "Lee Evans")]
    assert messages.audiences(con, p["desk"], "all") == [("", "Everyone")]
    assert messages.audiences(con, p["ann"], "agent") == []
