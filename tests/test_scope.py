"""Drill-down choices can only narrow the signed-in user's scope, never widen it."""

from __future__ import annotations

from accounts import User
from callbacks.common import user_scope


def test_supervisor_cannot_widen_to_another_team():
    sup = User("s", "S", "supervisor", team_ids=("T1", "T2"))
    assert user_scope(sup, team=("T2",)).team == ("T2",)
    assert user_scope(sup, team=("T9",)).team == ("\x00none",)
    assert user_scope(sup, team=("T1", "T9")).team == ("T1",)


def test_agent_scope_ignores_requests_for_other_agents():
    agent = User("a", "A", "agent", agent_id="A1")
    assert user_scope(agent, agent=("A2",)).agent == ("\x00none",)
    assert user_scope(agent).agent == ("A1",)


def test_manager_keeps_sites_while_narrowing_by_team():
    manager = User("m", "M", "manager", site_ids=("NYC",))
    scope = user_scope(manager, team=("T2",))
    assert scope.site == ("NYC",) and scope.team == ("T2",)


def test_control_desk_sees_all_and_may_narrow():
    desk = User("d", "D", "control_desk")
    assert user_scope(desk).filters() == {}
    assert user_scope(desk, site=("MAN",)).site == ("MAN",)
