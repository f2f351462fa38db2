"""The demo's roster: sites, teams, agents, queues — including the people the four stories are about."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np

SITES = [  # (site_id, name, timezone): NYC and MAN cross a DST change in late Oct / early Nov.
    ("NYC", "New York", "America/New_York"),
    ("MAN", "Manchester", "Europe/London"),
    ("CPT", "Cape Town", "Africa/Johannesburg"),
    ("SYD", "Sydney", "Australia/Sydney"),
    ("MNL", "Manila", "Asia/Manila"),
    ("DEN", "Denver", "America/Denver"),
]

TEAM_NAMES = ["Falcon", "Kestrel", "Heron", "Ibis", "Osprey", "Hawk", "Raven", "Swift", "Merlin", "Harrier",
              "Egret", "Plover", "Curlew", "Wren", "Robin", "Finch", "Lark", "Tern", "Crane", "Stork", "Owl",
              "Kite", "Shrike", "Dunlin", "Avocet", "Petrel", "Gannet", "Puffin", "Sparrow", "Linnet"]

FIRST = ["Amara", "Ben", "Chloe", "Daniel", "Esi", "Farid", "Grace", "Hiro", "Imani", "Jonas", "Kemi", "Liam",
         "Maya", "Nikhil", "Olivia", "Pieter", "Quinn", "Rosa", "Sipho", "Tara", "Umar", "Vera", "Wei", "Ximena",
         "Yusuf", "Zanele", "Aiden", "Bongani", "Carmen", "Dmitri", "Elif", "Fatima", "Gareth", "Hana", "Ivan",
         "Jasmine", "Kofi", "Leah", "Mateo", "Nomsa", "Oscar", "Priya", "Rafael", "Sofia", "Thabo", "Uma"]
LAST = ["Adams", "Bianchi", "Chen", "Dlamini", "Evans", "Fischer", "Garcia", "Hassan", "Ito", "Jansen", "Khumalo",
        "Lopez", "Mokoena", "Nair", "Okafor", "Patel", "Quispe", "Reyes", "Santos", "Tanaka", "Usman", "Van Wyk",
        "Walsh", "Xu", "Yilmaz", "Zulu", "Brennan", "Castillo", "Doyle", "Eze", "Ferreira", "Gupta", "Horvat"]

# Queues: (queue_id, name, channel, call_type, talk mean s, hold mean s, acw mean s)
QUEUES = [
    ("BILL", "Billing", "voice", "billing", 230, 20, 45),
    ("TECH", "Technical support", "voice", "tech_support", 290, 35, 60),
    ("SALES", "Sales", "voice", "sales", 250, 15, 50),
    ("RETN", "Retention", "voice", "retention", 310, 25, 55),
    ("CHAT", "Web chat", "chat", "general", 260, 0, 40),
    ("PROMO", "TV promotion purchases", "voice", "tv_promo_purchase", 330, 40, 75),
]
QUEUE_IDS = [q[0] for q in QUEUES]


@dataclass
class Agent:
    agent_id: str
    name: str
    team_id: str
    site_id: str
    hire_date: date
    core: bool = True  # core agents work Mon-Fri; flex agents cover weekends
    off_days: tuple[int, ...] = (5, 6)  # weekday numbers off (0 = Monday)
    shift_start_min: int = 8 * 60  # local minutes after midnight
    lunch_offset_min: int = 4 * 60
    acw_factor: float = 1.0
    talk_factor: float = 1.0
    quality: float = 0.0  # drives survey answers
    late_lunch_min: tuple[float, float] | None = None  # story 1: back from lunch late by this range
    queue_mix: dict[str, float] = field(default_factory=dict)


@dataclass
class Team:
    team_id: str
    name: str
    site_id: str
    supervisor_id: str
    supervisor_name: str


@dataclass
class Cast:
    sites: list[tuple[str, str, str]]
    teams: list[Team]
    agents: list[Agent]
    story: dict[str, dict]


def _site_sizes(n_sites: int, n_agents: int) -> list[int]:
    """Manchester (story 4) is the big site; the rest share the remainder."""
    # 96 core + 15 flex agents put exactly 105 on the phones at Manchester every weekday.
    big = 111 if n_agents >= 200 else max(24, round(n_agents * 0.48))
    rest = max(8 * (n_sites - 1), n_agents - big)
    each = rest // (n_sites - 1)
    sizes = [each] * (n_sites - 1)
    sizes[0] += rest - each * (n_sites - 1)
    return [sizes[0], big] + sizes[1:]


def build_cast(rng: np.random.Generator, n_sites: int, n_agents: int, end: date) -> Cast:
    if n_sites < 4:
        raise ValueError("the demo needs at least 4 sites to hold the four stories")
    sites = SITES[:n_sites]
    sizes = _site_sizes(n_sites, n_agents)
    shuffled = [f"{f} {ln}" for ln in LAST for f in FIRST]
    rng.shuffle(shuffled)
    # Large centres need more names than the pairs give: add middle initials, still deterministic.
    initials = [f"{n.split()[0]} {chr(65 + k)}. {n.split(' ', 1)[1]}" for k in range(26) for n in shuffled]
    name_iter = iter(shuffled + initials)
    story_names = {"CPT": "Falcon", "NYC": "Osprey"}  # story 2's and story 3's teams
    team_iter = iter([n for n in TEAM_NAMES if n not in story_names.values()] + [f"T{i}" for i in range(1, 300)])
    teams: list[Team] = []
    agents: list[Agent] = []
    story: dict[str, dict] = {}

    for (site_id, _site_name, _tz), size in zip(sites, sizes, strict=True):
        plan = _team_plan(site_id, size)
        for k, team_size in enumerate(plan):
            tname = story_names[site_id] if k == 0 and site_id in story_names else next(team_iter)
            tid = f"{site_id}-{tname.upper().replace(' ', '')}"
            sup_name = next(name_iter)
            teams.append(Team(tid, f"Team {tname}", site_id, f"sup-{tname.lower().replace(' ', '')}", sup_name))
            for i in range(team_size):
                aid = f"{site_id}{len(agents) + 1:04d}"
                tenure_days = int(rng.integers(300, 3000))
                agents.append(Agent(
                    agent_id=aid, name=next(name_iter), team_id=tid, site_id=site_id,
                    hire_date=end - timedelta(days=tenure_days),
                    shift_start_min=_shift_start(rng, site_id),
                    acw_factor=float(rng.normal(1.0, 0.08)), talk_factor=float(rng.normal(1.0, 0.07)),
                    quality=float(rng.normal(0, 1)), queue_mix=_queue_mix(site_id, i),
                ))
    _assign_work_patterns(agents, sites)
    story.update(_story_agent(agents, teams, end))
    story.update(_story_team(agents, teams, end))
    story.update(_story_campaign(agents, teams, end))
    _unique_names(agents, next(name_iter))
    return Cast(sites, teams, agents, story)


def _unique_names(agents: list[Agent], spare: str) -> None:
    """A story protagonist renamed by hand must not share a name with anyone else."""
    protagonist = "Daniel Okafor"
    for a in agents:
        if a.name == protagonist and a.late_lunch_min is None:
            a.name = spare


def _team_plan(site_id: str, size: int) -> list[int]:
    """Team sizes; the first team at Cape Town (Falcon, story 2) and New York (Osprey, story 3) is special."""
    first = {"CPT": 8, "NYC": 12}.get(site_id)
    if first is None:
        return _split(size, 12)
    first = min(first, size // 2)
    return [first] + _split(size - first, 10 if site_id == "CPT" else 14)


def _split(n: int, target: int) -> list[int]:
    k = max(1, round(n / target))
    base = n // k
    return [base + (1 if i < n - base * k else 0) for i in range(k)]


def _shift_start(rng: np.random.Generator, site_id: str) -> int:
    if site_id == "MAN":  # every Manchester shift covers 14:00-16:00 (story 4's window)
        return int(rng.choice([450, 480, 510, 540]))
    return int(rng.choice([420, 480, 540, 600, 660], p=[0.15, 0.3, 0.3, 0.15, 0.1]))


def _queue_mix(site_id: str, i: int) -> dict[str, float]:
    if i % 5 == 4:
        return {"CHAT": 0.7, "BILL": 0.3}
    if i % 5 == 3:
        return {"TECH": 0.7, "RETN": 0.3}
    return {"BILL": 0.4, "TECH": 0.3, "SALES": 0.2, "RETN": 0.1}


def _assign_work_patterns(agents: list[Agent], sites: list[tuple[str, str, str]]) -> None:
    """Core agents work Mon-Fri; flex agents work weekends and three weekdays, rotating days off.

    With 5 rotation patterns of consecutive weekdays off, every weekday has exactly 3/5 of the flex
    agents working, which keeps Manchester's weekday headcount on the floor predictable.
    """
    pairs = [(0, 1), (1, 2), (2, 3), (3, 4), (4, 0)]
    for site_id, _, _ in sites:
        site_agents = [a for a in agents if a.site_id == site_id]
        n_flex = 15 if site_id == "MAN" and len(site_agents) >= 100 else max(5, round(len(site_agents) * 0.15 / 5) * 5)
        for k, agent in enumerate(site_agents[-n_flex:]):
            agent.core = False
            agent.off_days = pairs[k % 5]


def _story_agent(agents: list[Agent], teams: list[Team], end: date) -> dict:
    """Story 1: an agent at Cape Town whose afternoon shift starts the minute lunch ends; back 4-5 min late."""
    team = next(t for t in teams if t.site_id == "CPT" and t.name != "Team Falcon")
    agent = next(a for a in agents if a.team_id == team.team_id)
    agent.name = "Daniel Okafor"
    agent.core, agent.off_days = True, (5, 6)  # Monday to Friday
    agent.shift_start_min = 8 * 60 + 30  # 08:30-17:00, lunch 12:30-13:00, afternoon open from 13:00
    agent.lunch_offset_min = 4 * 60
    agent.late_lunch_min = (4.0, 5.0)
    return {"story1_agent": {
        "agent_id": agent.agent_id, "name": agent.name, "team_id": team.team_id, "team": team.name,
        "site_id": "CPT", "supervisor_id": team.supervisor_id, "supervisor_name": team.supervisor_name,
        "lunch_local": "12:30-13:00", "interval_after_lunch_local": "13:00",
    }}


def _story_team(agents: list[Agent], teams: list[Team], end: date) -> dict:
    """Story 2: Team Falcon is ~7 % under its handled target: two recent hires with very long ACW."""
    team = next(t for t in teams if t.name == "Team Falcon")
    team.supervisor_name = "Naledi Dlamini"
    members = [a for a in agents if a.team_id == team.team_id]
    hires = members[-2:]
    for a in members:
        a.acw_factor = 0.9
        a.talk_factor = 0.95
    for offset, a in zip((45, 70), hires, strict=True):
        a.hire_date = end - timedelta(days=offset)
        a.acw_factor = 5.5  # ~250 s of after-contact work against the team's ~45 s
        a.talk_factor = 1.1
    return {"story2_team": {
        "team_id": team.team_id, "team": team.name, "site_id": team.site_id,
        "supervisor_id": team.supervisor_id, "supervisor_name": team.supervisor_name,
        "recent_hires": [{"agent_id": a.agent_id, "name": a.name, "hire_date": a.hire_date.isoformat()} for a in hires],
    }}


def _story_campaign(agents: list[Agent], teams: list[Team], end: date) -> dict:
    """Story 3: New York's TV-promotion purchase line, staffed by inexperienced Team Osprey."""
    team = next(t for t in teams if t.name == "Team Osprey")
    start = end - timedelta(days=20)
    for a in agents:
        if a.team_id == team.team_id:
            a.hire_date = end - timedelta(days=60 + int(a.agent_id[-4:]) % 60)
            a.queue_mix = {"PROMO": 0.8, "SALES": 0.2}
    return {"story3_campaign": {
        "queue_id": "PROMO", "call_type": "tv_promo_purchase", "site_id": "NYC", "team_id": team.team_id,
        "team": team.name, "supervisor_id": team.supervisor_id, "supervisor_name": team.supervisor_name,
        "campaign_start": start.isoformat(),
    }}
