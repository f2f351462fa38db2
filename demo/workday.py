"""One agent's working day: the scheduled activities, what the agent actually did, and the contacts.

Times are seconds after the site's local midnight; the caller turns them into UTC instants.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np

from demo.cast import QUEUES, Agent

QUEUE_PARAMS = {q[0]: q for q in QUEUES}
SHIFT_MIN = 510  # 8.5 hours including a 30-minute unpaid lunch and two paid 15-minute breaks
STORY4_WINDOW = (14 * 3600, 16 * 3600)  # Manchester's mandatory training, local time


@dataclass
class DayPlan:
    agent: Agent
    day: date
    schedule: list[tuple[str, int, int]]  # (activity, start s, end s)
    absent: bool = False
    in_training_window: bool = False  # story 4: pulled off the phones 14:00-16:00 for training
    campaign_live: bool = False
    busy_window: bool = False  # story 4's understaffed window: longer waits, more abandons


@dataclass
class DayOutput:
    states: list[tuple[str, int, int, str]] = field(default_factory=list)  # (state, start, end, reason)
    contacts: list[np.ndarray] = field(default_factory=list)  # rows: see CONTACT_FIELDS
    queues: list[np.ndarray] = field(default_factory=list)


# Per answered contact: answered_at, talk, hold, acw (seconds).
CONTACT_FIELDS = ("answered", "talk", "hold", "acw")


def plan_day(agent: Agent, day: date, rng: np.random.Generator) -> list[tuple[str, int, int]]:
    """The WFM schedule for a working day."""
    s = agent.shift_start_min * 60
    lunch = s + agent.lunch_offset_min * 60
    end = s + SHIFT_MIN * 60
    if agent.site_id == "MAN":  # keep 14:00-16:00 free of breaks at Manchester, staggered after it
        stagger = (int(agent.agent_id[-2:]) % 4) * 900
        second_break = 16 * 3600 + stagger if end >= 16 * 3600 + stagger + 1800 else 13 * 3600 + 1800
    else:
        second_break = s + 390 * 60
    blocks = [("break", s + 120 * 60, s + 135 * 60), ("lunch", lunch, lunch + 1800),
              ("break", second_break, second_break + 900)]
    weekday = day.weekday()
    if weekday == 2:
        blocks.append(("meeting", s + 60 * 60, s + 90 * 60))
    if weekday == 1 and int(agent.agent_id[-2:]) % 4 == 0:
        blocks.append(("coaching", s + 150 * 60, s + 180 * 60))
    if weekday == 3 and int(agent.agent_id[-2:]) % 10 == 3:
        blocks.append(("training", s + 150 * 60, s + 210 * 60))
    blocks.sort(key=lambda b: b[1])
    schedule: list[tuple[str, int, int]] = []
    cursor = s
    for activity, b0, b1 in blocks:
        if b0 > cursor:
            schedule.append(("open", cursor, b0))
        schedule.append((activity, b0, b1))
        cursor = b1
    if cursor < end:
        schedule.append(("open", cursor, end))
    return schedule


def _minutes(rng: np.random.Generator, lo: float, hi: float) -> int:
    return int(round(rng.uniform(lo, hi) * 60))


def act_day(plan: DayPlan, rng: np.random.Generator) -> DayOutput:
    """What the agent actually did against the plan, with realistic small deviations."""
    out = DayOutput()
    agent = plan.agent
    sched = plan.schedule
    # Actual boundaries: login, each non-open block's leave/return, logout.
    login = sched[0][1] + (_minutes(rng, 0.2, 3.0) if rng.random() < 0.3 else -_minutes(rng, 0.0, 2.0))
    logout = sched[-1][2] + (-_minutes(rng, 0.0, 1.5) if rng.random() < 0.6 else _minutes(rng, 0.0, 5.0))
    segments: list[tuple[str, int, int, str]] = []
    cursor = login
    for activity, b0, b1 in sched:
        if activity == "open":
            continue
        leave = b0 + int(rng.uniform(-20, 20))
        if activity == "lunch" and agent.late_lunch_min:
            leave = b0
            back = b1 + _minutes(rng, *agent.late_lunch_min)
        elif activity == "lunch":
            back = b1 + _minutes(rng, -1.0, 1.5)
        elif activity == "break":
            back = b1 + _minutes(rng, -0.5, 1.5)
        else:
            back = b1 + int(rng.uniform(-30, 60))
        if leave > cursor:
            segments.append(("work", cursor, leave, ""))
        segments.append((activity, max(leave, cursor), back, ""))
        cursor = back
    if logout > cursor:
        segments.append(("work", cursor, logout, ""))

    if plan.in_training_window:
        segments = _carve(segments, STORY4_WINDOW[0] + int(rng.uniform(-60, 60)),
                          STORY4_WINDOW[1] + int(rng.uniform(0, 120)), "training", "Mandatory compliance training")
    if rng.random() < 0.2:  # a few minutes of personal time somewhere in the day
        work = [s for s in segments if s[0] == "work" and s[2] - s[1] > 1800]
        if work:
            w = work[int(rng.integers(len(work)))]
            a0 = int(rng.uniform(w[1] + 300, w[2] - 900))
            segments = _carve(segments, a0, a0 + _minutes(rng, 3, 8), "aux", "Personal")

    for state, t0, t1, reason in segments:
        if t1 <= t0:
            continue
        if state == "work":
            _fill_work(plan, t0, t1, rng, out)
        else:
            out.states.append((state, t0, t1, reason))
    return out


def _carve(segments, c0: int, c1: int, state: str, reason: str):
    """Replace working time inside [c0, c1) with another state."""
    result = []
    for s, t0, t1, r in segments:
        if s != "work" or t1 <= c0 or t0 >= c1:
            result.append((s, t0, t1, r))
            continue
        if t0 < c0:
            result.append(("work", t0, c0, r))
        result.append((state, max(t0, c0), min(t1, c1), reason))
        if t1 > c1:
            result.append(("work", c1, t1, r))
    return result


def _fill_work(plan: DayPlan, t0: int, t1: int, rng: np.random.Generator, out: DayOutput) -> None:
    """Fill a stretch of productive time with contacts: available gap, talk+hold (on_contact), ACW."""
    agent = plan.agent
    mix = dict(agent.queue_mix)
    if not plan.campaign_live and "PROMO" in mix:
        mix = {"SALES": 1.0}
    qids = list(mix)
    probs = np.array([mix[q] for q in qids], dtype=float)
    probs /= probs.sum()
    n = int((t1 - t0) / 90) + 2
    queues = np.array(qids)[rng.choice(len(qids), size=n, p=probs)]
    talk_mean = np.array([QUEUE_PARAMS[q][4] for q in queues], dtype=float) * agent.talk_factor
    hold_mean = np.array([QUEUE_PARAMS[q][5] for q in queues], dtype=float)
    acw_mean = np.array([QUEUE_PARAMS[q][6] for q in queues], dtype=float) * agent.acw_factor
    if plan.campaign_live:  # the campaign is new to everyone on it: slow, many holds
        promo = queues == "PROMO"
        talk_mean[promo] *= 1.6
        hold_mean[promo] *= 2.0
        acw_mean[promo] *= 1.8
    talk = np.maximum(20, rng.gamma(4.0, talk_mean / 4.0)).round()
    hold = np.where(rng.random(n) < 0.3, rng.exponential(np.maximum(hold_mean, 1) / 0.3), 0).round()
    acw = np.maximum(3, rng.gamma(4.0, np.maximum(acw_mean, 1) / 4.0)).round()
    gap_scale = 0.08 if plan.busy_window else 0.18
    gap = rng.exponential((talk_mean + hold_mean + acw_mean) * gap_scale).round() + 1
    ends = t0 + np.cumsum(gap + talk + hold + acw)
    keep = ends <= t1
    k = int(keep.sum())
    answered = (ends - acw - hold - talk)[:k]
    talk, hold, acw, gap = talk[:k], hold[:k], acw[:k], gap[:k]
    cursor = t0
    for i in range(k):
        a = int(answered[i])
        if a > cursor:
            out.states.append(("available", cursor, a, ""))
        talk_end = a + int(talk[i] + hold[i])
        acw_end = talk_end + int(acw[i])
        out.states.append(("on_contact", a, talk_end, ""))
        out.states.append(("acw", talk_end, acw_end, ""))
        cursor = acw_end
    if t1 > cursor:
        out.states.append(("available", cursor, t1, ""))
    if k:
        out.contacts.append(np.stack([answered, talk, hold, acw], axis=1))
        out.queues.append(queues[:k])
