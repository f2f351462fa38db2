"""Targets and colour status.

The effective target for a KPI at a place and day is the most specific rule in force:
agent → team → queue → site → enterprise, then the catalogue/config default. Rules come from
config.toml and from the `stored_targets` table (set in the app); between rules for the same place, the
latest effective date wins, and on the same date the one set last.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

import duckdb

from kpis.catalogue import Kpi
from settings import Settings, TargetRule

LEVELS = ("agent", "team", "queue", "site")  # most specific first; enterprise comes after


@dataclass(frozen=True)
class Target:
    value: float
    amber: float
    source: str  # who/where it comes from, for people ("team CPT-FALCON since 2026-11-01")


class TargetBook:
    def __init__(self, rules: Iterable[TargetRule] = ()) -> None:
        self._rules: dict[tuple[str, str, str], list[TargetRule]] = {}
        for rule in rules:
            key = (rule.kpi, rule.level, rule.id if rule.level != "enterprise" else "")
            self._rules.setdefault(key, []).append(rule)

    @classmethod
    def from_settings(cls, settings: Settings) -> TargetBook:
        return cls(settings.target_rules)

    @classmethod
    def load(cls, con: duckdb.DuckDBPyConnection, settings: Settings) -> TargetBook:
        """config.toml's rules, then the stored ones in the order they were set (later ones win ties)."""
        return cls([*settings.target_rules, *stored_rules(con)])

    def _in_force(self, key: tuple[str, str, str], on: date | None) -> TargetRule | None:
        best = None
        for rule in self._rules.get(key, ()):
            if on is not None and ((rule.effective_from and on < rule.effective_from)
                                   or (rule.effective_to and on > rule.effective_to)):
                continue
            if best is None or (rule.effective_from or date.min) >= (best.effective_from or date.min):
                best = rule
        return best

    def resolve(self, kpi: Kpi, context: dict[str, str], on: date | None = None) -> Target | None:
        """Most specific target in force for this KPI where `context` maps level -> id."""
        for level in LEVELS:
            if level in context:
                rule = self._in_force((kpi.id, level, context[level]), on)
                if rule:
                    return _target(rule, kpi, f"{level} {rule.id}")
        rule = self._in_force((kpi.id, "enterprise", ""), on)
        if rule:
            return _target(rule, kpi, "enterprise")
        if kpi.target is None:
            return None
        return Target(kpi.target, kpi.amber, kpi.target_source)


def _target(rule: TargetRule, kpi: Kpi, where: str) -> Target:
    since = f" since {rule.effective_from.isoformat()}" if rule.effective_from else ""
    amber = rule.amber if rule.amber is not None else kpi.amber
    return Target(rule.target, amber, where + since)


def status(direction: str, value: float | None, target: Target | None) -> str:
    """green: meets target; amber: within the band beyond it; red: further; none: no value or no target."""
    if value is None or target is None or direction == "none" or value != value:  # NaN check
        return "none"
    gap = value - target.value if direction == "higher" else target.value - value
    if gap >= 0:
        return "green"
    return "amber" if -gap <= target.amber else "red"


def stored_rules(con: duckdb.DuckDBPyConnection) -> list[TargetRule]:
    rows = con.execute("""SELECT kpi, level, scope_id, target, amber, effective_from, effective_to
                          FROM stored_targets ORDER BY rule_id""").fetchall()
    return [TargetRule(kpi=k, level=lv, id=i, target=t, amber=a, effective_from=f, effective_to=to)
            for k, lv, i, t, a, f, to in rows]
