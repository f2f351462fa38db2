"""Erlang C (M/M/N queue without abandonment): waiting probability, service level, ASA, occupancy, and
the number of agents needed for a service-level target.

The waiting probability is computed from the Erlang B recursion, B(n) = A·B(n−1) / (n + A·B(n−1)),
which never forms A^N or N! and so stays stable for thousands of agents.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


def traffic_erlangs(contacts: float, interval_minutes: float, aht_s: float) -> float:
    """Offered load A = arrival rate × AHT."""
    if interval_minutes <= 0:
        raise ValueError("interval_minutes must be positive")
    return contacts * aht_s / (interval_minutes * 60.0)


def erlang_b(agents: int, traffic: float) -> float:
    """Blocking probability for `agents` servers offered `traffic` Erlangs."""
    if agents < 0 or traffic < 0:
        raise ValueError("agents and traffic must be non-negative")
    b = 1.0
    for n in range(1, agents + 1):
        b = traffic * b / (n + traffic * b)
    return b


def prob_wait(agents: int, traffic: float) -> float:
    """Erlang C: probability that a contact waits (1 when the agents cannot keep up)."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return 1.0
    b = erlang_b(agents, traffic)
    return agents * b / (agents - traffic * (1.0 - b))


def service_level(agents: int, traffic: float, aht_s: float, threshold_s: float) -> float:
    """Share of contacts answered within `threshold_s` (0..1)."""
    if traffic <= 0:
        return 1.0
    if agents <= traffic:
        return 0.0
    return 1.0 - prob_wait(agents, traffic) * math.exp(-(agents - traffic) * threshold_s / aht_s)


def asa(agents: int, traffic: float, aht_s: float) -> float:
    """Average speed of answer in seconds (infinite when the agents cannot keep up)."""
    if traffic <= 0:
        return 0.0
    if agents <= traffic:
        return math.inf
    return prob_wait(agents, traffic) * aht_s / (agents - traffic)


def occupancy(agents: int, traffic: float) -> float:
    return min(1.0, traffic / agents) if agents > 0 else 1.0


@dataclass(frozen=True)
class Staffing:
    traffic: float
    agents: int
    prob_wait: float
    service_level: float
    asa_s: float
    occupancy: float
    staffed: int  # agents to roster after shrinkage


def required_agents(contacts: float, interval_minutes: float, aht_s: float, sl_target: float, sl_seconds: float,
                    max_asa_s: float | None = None, max_occupancy: float | None = None,
                    shrinkage: float = 0.0) -> Staffing:
    """Smallest number of agents meeting the SL target (0..1), optional ASA cap and maximum occupancy."""
    if not 0 <= sl_target < 1:
        raise ValueError("sl_target is a fraction in [0, 1)")
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage is a fraction in [0, 1)")
    a = traffic_erlangs(contacts, interval_minutes, aht_s)
    if a <= 0:
        return Staffing(0.0, 0, 0.0, 1.0, 0.0, 0.0, 0)
    n = max(1, math.floor(a) + 1)
    while True:
        sl = service_level(n, a, aht_s, sl_seconds)
        wait = asa(n, a, aht_s)
        occ = occupancy(n, a)
        if (sl >= sl_target and (max_asa_s is None or wait <= max_asa_s)
                and (max_occupancy is None or occ <= max_occupancy)):
            return Staffing(a, n, prob_wait(n, a), sl, wait, occ, staff_after_shrinkage(n, shrinkage))
        n += 1


def staff_after_shrinkage(required: float, shrinkage: float) -> int:
    """Agents to roster so that `required` remain after shrinkage (0..1): 70 at 30 % → 100."""
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage is a fraction in [0, 1)")
    return math.ceil(round(required / (1.0 - shrinkage), 9))
