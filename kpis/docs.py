"""The KPI catalogue as a Markdown page (docs/KPI-CATALOGUE.md is generated from this; a test keeps it in sync)."""

from __future__ import annotations

from kpis.catalogue import CATALOGUE, Kpi

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
        formula = formula.replace("{short_abandon_s} s", "`service_level.short_abandon_s`")
        better = {"higher": "higher", "lower": "lower", "none": "—"}[k.direction]
        lines.append(f"| `{k.id}` | {k.label} | {k.unit} | {better} | {formula} | {_target(k)} | "
                     f"{', '.join(k.roles)} | {_variants(k)} |")
    return "\n".join(lines) + "\n"
