"""The KPI catalogue as a Markdown page (docs/KPI-CATALOGUE.md is generated from this; a test keeps it in sync)."""

from __future__ import annotations

from typing import Any

from kpis.catalogue import CATALOGUE, Kpi, resolve
from roles import ROLE_WORDS, ROLES
from settings import Settings

HEADER = """# KPI catalogue

Generated from `kpis/catalogue.py` by `floorview kpi --list --format markdown`; do not edit by hand.
Every ratio is computed as Σ numerator ÷ Σ denominator over the slice (never an average of
percentages); an empty denominator gives no value. Percentages are 0–100. Queue KPIs count a contact
in the interval it was offered; handling KPIs count each agent leg in the interval it was answered;
agent-time KPIs split seconds across the intervals they span. "Agents" KPIs are agent-seconds divided by
the seconds of the slice's intervals (the average number of agents over those intervals).

| id | label | unit | better | formula | default target (amber band) | roles | variants |
|---|---|---|---|---|---|---|---|
"""


def _target(k: Kpi) -> str:
    if k.target is None:
        return "—"
    sign = "≥" if k.direction == "higher" else "≤" if k.direction == "lower" else ""
    return f"{sign} {k.target:g} ({k.amber:g})"


def _variants(k: Kpi) -> str:
    if not k.variants:
        return ""
    return f"`{k.variant_setting}`: " + "; ".join(f"`{name}` = {formula}" for name, (_, _, formula) in k.variants.items())


def markdown() -> str:
    lines = [HEADER.rstrip("\n")]
    for k in CATALOGUE:
        formula = k.formula or (k.variants[next(iter(k.variants))][2] if k.variants else "")
        for placeholder, setting in (("{short_abandon_s} s", "`service_level.short_abandon_s`"),
                                     ("{first_action_hours} hours", "`follow_ups.first_action_hours`"),
                                     ("{close_hours} hours", "`follow_ups.close_hours`")):
            formula = formula.replace(placeholder, setting)
        better = {"higher": "higher", "lower": "lower", "none": "—"}[k.direction]
        lines.append(f"| `{k.id}` | {k.label} | {k.unit} | {better} | {formula} | {_target(k)} | "
                     f"{', '.join(k.roles)} | {_variants(k)} |")
    return "\n".join(lines) + "\n"


def help_entries(settings: Settings) -> list[dict[str, Any]]:
    """The catalogue as the Help page shows it: each KPI as this centre counts it (the variant in force, the
    thresholds in its formula), its direction, its centre-wide target and where that comes from, and who sees it."""
    found = []
    for k in CATALOGUE:
        r = resolve(k.id, settings)
        found.append({"id": r.id, "label": r.label, "unit": r.unit, "direction": r.direction,
                      "formula": r.formula, "description": r.description, "target": r.target, "amber": r.amber,
                      "target_source": r.target_source if r.target is not None else None,
                      "roles": [ROLE_WORDS[role] for role in ROLES if role in r.roles]})
    return found
