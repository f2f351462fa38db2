"""The KPI catalogue: every KPI declared once, validated at import and resolved against the settings.

A KPI's value is `scale × Σ numerator ÷ Σ denominator` over the slice (measures summed first), or a plain
sum when it has no denominator, or the difference of two other KPIs. Numerators and denominators are
arithmetic over measure names (see kpis/measures.py). Variants pick their formula from a setting.
"""

from __future__ import annotations

import ast
import difflib
from dataclasses import dataclass, field, replace
from typing import Literal

from kpis.measures import MEASURES
from roles import LEADERS, PLANNERS, ROLES
from settings import ConfigError, Settings

Unit = Literal["%", "s", "count", "agents", "pts", "min", "h", "/h", "/5"]
UNITS = ("%", "s", "count", "agents", "pts", "min", "h", "/h", "/5")  # "/5": a mean rating on the 1-5 scale
AGENT, SUPERVISOR, MANAGER, DESK = ROLES
EVERYONE = ROLES


@dataclass(frozen=True)
class Kpi:
    id: str
    label: str
    unit: Unit
    direction: Literal["higher", "lower", "none"]  # which way is better ("none": informational)
    numerator: str
    denominator: str | None = None
    scale: float = 1.0
    formula: str = ""
    description: str = ""
    roles: tuple[str, ...] = LEADERS
    target: float | None = None
    amber: float = 0.0  # width of the amber band beyond the target, in the KPI's unit
    difference_of: tuple[str, str] | None = None  # value = KPI a − KPI b
    variant: str = ""  # the setting (and its value) this KPI's formula follows, once resolved
    variants: dict[str, tuple[str, str | None, str]] = field(default_factory=dict)  # value -> (num, den, formula)
    variant_setting: str = ""  # dotted settings path choosing among `variants`
    target_source: str = "catalogue default"
    # Inputs not every source carries: (measure counting the records that carry it, measure counting the
    # records, what it is). Where none of the records carry one, the KPI says so instead of counting it as 0.
    carried: tuple[tuple[str, str, str], ...] = ()

    def measures(self) -> set[str]:
        names: set[str] = {m for known, count, _ in self.carried for m in (known, count)}
        for expr in (self.numerator, self.denominator):
            if expr:
                names |= {n.id for n in ast.walk(ast.parse(expr, mode="eval")) if isinstance(n, ast.Name)}
        return names


def _k(id: str, label: str, unit: Unit, direction: str, num: str, den: str | None = None, formula: str = "",
       **kw: object) -> Kpi:
    scale = 100.0 if unit == "%" and den else kw.pop("scale", 1.0)
    return Kpi(id, label, unit, direction, num, den, scale, formula, **kw)  # type: ignore[arg-type]


# Percentages that can pass 100 (work beyond the schedule, a forecast overshoot); every other one is a share of
# a whole, so a value above 100 is impossible: bad input, never coloured as on or off target.
MAY_EXCEED_100 = frozenset({"utilisation", "conformance", "forecast_volume_deviation"})

SL_VARIANTS = {
    "offered": ("answered_within", "offered", "answered ≤ T ÷ offered"),
    "offered_less_short": ("answered_within", "offered - short_abandons", "answered ≤ T ÷ (offered − short abandons)"),
    "answered": ("answered_within", "answered", "answered ≤ T ÷ answered"),
    "offered_less_abandoned_within": ("answered_within", "offered - abandoned_within",
                                      "answered ≤ T ÷ (offered − abandoned ≤ T)"),
    "abandoned_within_positive": ("answered_within + abandoned_within", "offered",
                                  "(answered ≤ T + abandoned ≤ T) ÷ offered"),
}
STAFF_ROLL_UP = ("; per interval sites add up (09:00 local in every site is one interval; on a UTC chart, one "
                 "instant), and over a period it is the average of the interval totals")
SHRINK_DEN = {"paid": "sched_paid_s", "scheduled": "sched_all_s"}
UNPLANNED = "sched_open_s - open_productive_s"

TALK, HOLD, ACW = (("talk_known", "handled", "talk time"), ("hold_known", "handled", "hold time"),
                   ("acw_known", "handled", "ACW"))

CATALOGUE: tuple[Kpi, ...] = (
    # --- Queue: volume, speed, abandonment (contacts count in the interval they were offered) ---------
    _k("offered", "Contacts offered", "count", "none", "offered", formula="Σ contacts offered to the queue",
       description="Customer contacts offered (transfer legs are not new contacts)."),
    _k("answered", "Contacts answered", "count", "higher", "answered", formula="Σ contacts answered"),
    _k("abandoned", "Contacts abandoned", "count", "lower", "abandoned", formula="Σ contacts abandoned in queue"),
    _k("short_abandons", "Short abandons", "count", "none", "short_abandons",
       formula="Σ abandons with wait < {short_abandon_s} s"),
    _k("answered_within", "Answered within threshold", "count", "higher", "answered_within",
       formula="Σ answered with wait ≤ T"),
    _k("abandon_rate", "Abandon rate", "%", "lower", "abandoned", "offered", "abandoned ÷ offered",
       target=5.0, amber=2.0, roles=EVERYONE),
    _k("abandon_rate_excl_short", "Abandon rate (excl. short)", "%", "lower", "abandoned - short_abandons",
       "offered - short_abandons", "(abandoned − short) ÷ (offered − short)", target=5.0, amber=2.0),
    _k("answer_rate", "Answer rate", "%", "higher", "answered", "offered", "answered ÷ offered",
       target=95.0, amber=2.0),
    _k("service_level", "Service level", "%", "higher", "answered_within", "offered", roles=EVERYONE,
       target=80.0, amber=5.0, variant_setting="service_level.variant", variants=SL_VARIANTS,
       description="Share of contacts answered within the queue's threshold T: its own, else {threshold_s} s."),
    _k("asa", "Average speed of answer", "s", "lower", "wait_answered_s", "answered",
       "Σ wait of answered ÷ answered", target=20.0, amber=10.0),
    _k("avg_abandon_time", "Average abandon time", "s", "none", "wait_abandoned_s", "abandoned_timed",
       "Σ wait of abandoned ÷ abandoned with a known wait (an end stamped)",
       carried=(("abandoned_timed", "abandoned", "abandon times"),)),
    # --- Handling (each agent leg, in the interval it was answered) -----------------------------------
    _k("handled", "Contacts handled", "count", "higher", "handled", formula="Σ contact legs handled by agents",
       roles=EVERYONE),
    _k("aht", "Average handle time", "s", "lower", "talk_s + hold_s + acw_s", "handled",
       "(talk + hold + ACW) ÷ handled", target=360.0, amber=30.0, roles=EVERYONE, carried=(TALK, HOLD, ACW)),
    _k("avg_talk", "Average talk time", "s", "lower", "talk_s", "talk_known", "talk ÷ contacts with a talk time",
       roles=EVERYONE, carried=(TALK,)),
    _k("avg_hold", "Average hold time", "s", "lower", "hold_s", "hold_known", "hold ÷ contacts with a hold time",
       roles=EVERYONE, carried=(HOLD,)),
    _k("avg_acw", "Average after-contact work", "s", "lower", "acw_s", "acw_known", "ACW ÷ contacts with an ACW time",
       target=60.0, amber=15.0, roles=EVERYONE, carried=(ACW,)),
    _k("transfer_rate", "Transfer rate", "%", "lower", "transferred", "handled", "transferred ÷ handled",
       target=5.0, amber=2.0),
    _k("hold_rate", "Hold rate", "%", "lower", "held", "handled", "contacts put on hold ÷ handled"),
    _k("avg_hold_when_held", "Average hold (held contacts)", "s", "lower", "hold_s", "held", "hold ÷ contacts held"),
    _k("handle_hours", "Handle time", "h", "none", "talk_s + hold_s + acw_s", scale=1 / 3600,
       formula="Σ (talk + hold + ACW)"),
    _k("fcr", "First-contact resolution", "%", "higher", "fcr_resolved", "fcr_eligible", roles=EVERYONE,
       target=75.0, amber=5.0, variant_setting="fcr.match", variants={
           "customer": ("fcr_resolved", "fcr_eligible",
                        "contacts with no repeat from the customer within N days ÷ handled contacts with a known customer"),
           "customer_queue": ("fcr_resolved_queue", "fcr_eligible",
                              "contacts with no repeat from the customer to the same queue within N days ÷ "
                              "handled contacts with a known customer")},
       description="Repeat-contact method; credit goes to the agent who handled the last leg."),
    # --- Agent time -------------------------------------------------------------------------------
    _k("contacts_per_hour", "Contacts per productive hour", "/h", "higher", "handled", "productive_s / 3600",
       "handled ÷ hours in available, on-contact or ACW states", target=8.8, amber=0.3, roles=EVERYONE),
    _k("occupancy", "Occupancy", "%", "higher", "busy_s", "productive_s", target=85.0, amber=5.0,
       variant_setting="occupancy.denominator", variants={
           "productive": ("busy_s", "productive_s", "(on-contact + ACW) ÷ (available + on-contact + ACW)"),
           "staffed": ("busy_s", "staffed_s", "(on-contact + ACW) ÷ logged-in time")}),
    _k("utilisation", "Utilisation", "%", "higher", "busy_s", "sched_paid_s", target=65.0, amber=5.0,
       variant_setting="utilisation.denominator", variants={
           "paid": ("busy_s", "sched_paid_s", "(on-contact + ACW) ÷ paid scheduled time"),
           "staffed": ("busy_s", "staffed_s", "(on-contact + ACW) ÷ logged-in time")}),
    _k("adherence", "Schedule adherence", "%", "higher", "adherent_s", "sched_tracked_s", roles=EVERYONE,
       target=99.0, amber=0.3, variant_setting="adherence.count_work_outside_shift", variants={
           "false": ("adherent_s + excused_s", "sched_tracked_s",
                     "(seconds in the scheduled activity + excused exceptions) ÷ scheduled seconds"),
           "true": ("adherent_s + excused_s", "sched_tracked_s + work_outside_shift_s",
                    "(seconds in the scheduled activity + excused exceptions) ÷ "
                    "(scheduled seconds + productive seconds outside the shift)")},
       description="Second-exact: a state matches an activity as the centre's list of states and activities "
                   "says. Excused: out-of-adherence runs shorter than {exception_threshold_s} s, and stretches "
                   "inside exceptions a supervisor approved (when the centre counts approved exceptions)."),
    _k("out_of_adherence_minutes", "Out of adherence", "min", "lower", "sched_tracked_s - adherent_s - excused_s",
       scale=1 / 60, formula="Σ scheduled seconds not in the scheduled activity (less excused exceptions)",
       roles=EVERYONE),
    _k("approved_exception_minutes", "Approved exceptions", "min", "none", "approved_s", scale=1 / 60,
       formula="Σ out-of-adherence minutes inside exceptions a supervisor approved", roles=EVERYONE),
    _k("conformance", "Schedule conformance", "%", "higher", "productive_s", "sched_open_s",
       "productive seconds ÷ scheduled open seconds (can exceed 100 %)", target=100.0, amber=3.0, roles=EVERYONE),
    _k("late_login_minutes", "Late log-in", "min", "lower", "late_login_s", scale=1 / 60,
       formula="Σ minutes from shift start to first log-in", roles=EVERYONE),
    _k("early_logout_minutes", "Early log-out", "min", "lower", "early_logout_s", scale=1 / 60,
       formula="Σ minutes from last log-out to shift end", roles=EVERYONE),
    _k("break_overrun_minutes", "Break and lunch overrun", "min", "lower", "open_lost_break_s + open_lost_lunch_s",
       scale=1 / 60, formula="Σ minutes on break or lunch while scheduled open", roles=EVERYONE),
    _k("staffed_hours", "Staffed hours", "h", "none", "staffed_s", scale=1 / 3600,
       formula="Σ logged-in (not offline) time"),
    _k("productive_hours", "Productive hours", "h", "none", "productive_s", scale=1 / 3600,
       formula="Σ time available, on contact or in ACW"),
    _k("scheduled_hours", "Scheduled paid hours", "h", "none", "sched_paid_s", scale=1 / 3600,
       formula="Σ paid scheduled time"),
    # --- Shrinkage ---------------------------------------------------------------------------------
    _k("shrinkage", "Shrinkage", "%", "lower", f"sched_planned_shrink_s + {UNPLANNED}", "sched_paid_s",
       target=30.0, amber=3.0, variant_setting="shrinkage.denominator", variants={
           d: (f"sched_planned_shrink_s + {UNPLANNED}", den,
               f"(planned + unplanned shrinkage) ÷ {'paid' if d == 'paid' else 'all'} scheduled time")
           for d, den in SHRINK_DEN.items()}),
    _k("shrinkage_planned", "Planned shrinkage", "%", "lower", "sched_planned_shrink_s", "sched_paid_s",
       variant_setting="shrinkage.denominator", variants={
           d: ("sched_planned_shrink_s", den, "paid scheduled non-phone activities ÷ scheduled time")
           for d, den in SHRINK_DEN.items()}, target=20.0, amber=3.0),
    _k("shrinkage_unplanned", "Unplanned shrinkage", "%", "lower", UNPLANNED, "sched_paid_s",
       variant_setting="shrinkage.denominator", variants={
           d: (UNPLANNED, den, "time scheduled on the phones but not in a productive state ÷ scheduled time")
           for d, den in SHRINK_DEN.items()}, target=8.0, amber=2.0),
    *(_k(f"shrinkage_{act}", f"Shrinkage: {act}", "%", "lower", num, "sched_paid_s",
         variant_setting="shrinkage.denominator", roles=PLANNERS, variants={
             d: (num, den, f"{text} ÷ scheduled time") for d, den in SHRINK_DEN.items()})
      for act, num, text in (
          ("break", "sched_break_s + open_lost_break_s + open_lost_lunch_s",
           "scheduled breaks + break/lunch taken in phone time"),
          ("meeting", "sched_meeting_s + open_lost_meeting_s", "scheduled + unscheduled meetings"),
          ("training", "sched_training_s + open_lost_training_s", "scheduled + unscheduled training"),
          ("coaching", "sched_coaching_s + open_lost_coaching_s", "scheduled + unscheduled coaching"),
          ("aux", "open_lost_aux_s", "aux/personal time in phone time"),
          ("absence", "sched_absence_s + open_lost_offline_s", "planned absence + not logged in during phone time"),
      )),
    # --- Staffing: agents per interval, sites adding up; over a period, the average of the interval totals ----
    _k("required_agents", "Required staff", "agents", "none", "required_agent_s", "forecast_interval_s",
       "Σ forecast requirement agent-seconds ÷ (intervals with a forecast × interval seconds)"
       + STAFF_ROLL_UP, roles=PLANNERS),
    _k("scheduled_agents", "Scheduled staff", "agents", "none", "sched_open_s", "agent_interval_s",
       "Σ seconds scheduled on the phones ÷ (intervals with staff × interval seconds)"
       + STAFF_ROLL_UP, roles=PLANNERS),
    _k("on_hand_agents", "Staff on hand", "agents", "none", "productive_s", "agent_interval_s",
       "Σ seconds in productive states ÷ (intervals with staff × interval seconds)"
       + STAFF_ROLL_UP, roles=PLANNERS),
    Kpi("net_staffing", "Net staffing (scheduled − required)", "agents", "higher", "", None, 1.0,
        "scheduled staff − required staff", roles=PLANNERS, target=0.0, amber=2.0,
        difference_of=("scheduled_agents", "required_agents")),
    Kpi("net_staffing_on_hand", "Net staffing (on hand − required)", "agents", "higher", "", None, 1.0,
        "staff on hand − required staff", roles=PLANNERS, target=0.0, amber=2.0,
        difference_of=("on_hand_agents", "required_agents")),
    # --- Forecast ----------------------------------------------------------------------------------
    _k("forecast_contacts", "Forecast contacts", "count", "none", "forecast_contacts",
       formula="Σ forecast contacts", roles=PLANNERS),
    _k("forecast_aht", "Forecast AHT", "s", "none", "forecast_workload_s", "forecast_contacts",
       "Σ forecast workload ÷ forecast contacts", roles=PLANNERS),
    _k("forecast_accuracy", "Forecast accuracy", "%", "higher", "accuracy_forecast - accuracy_abs_error",
       "accuracy_forecast", "1 − Σ|actual − forecast| ÷ Σ forecast, per site, queue and interval",
       target=90.0, amber=5.0, roles=PLANNERS),
    _k("forecast_volume_deviation", "Volume vs forecast", "%", "none", "accuracy_actual - accuracy_forecast",
       "accuracy_forecast", "(actual − forecast) ÷ forecast", roles=PLANNERS),
    # --- Customer outcome --------------------------------------------------------------------------
    _k("nps", "Net promoter score", "pts", "higher", "promoters - detractors", "nps_responses",
       "(promoters 9–10 − detractors 0–6) ÷ answers × 100", scale=100.0, target=30.0, amber=10.0, roles=EVERYONE),
    _k("csat", "Customer satisfaction", "%", "higher", "csat_top2", "csat_responses",
       "answers of 4 or 5 ÷ answers (1–5 scale)", target=80.0, amber=5.0, roles=EVERYONE),
    _k("csat_mean", "Mean satisfaction rating", "/5", "higher", "csat_sum", "csat_responses",
       "Σ ratings ÷ answers (1–5 scale)", target=4.0, amber=0.3, roles=EVERYONE,
       description="The average answer to the satisfaction question, beside the top-two-box share."),
    _k("fcr_survey", "Resolved (survey)", "%", "higher", "resolved_yes", "resolved_responses",
       "'resolved = yes' ÷ answers to the question", target=75.0, amber=5.0, roles=EVERYONE),
    _k("survey_responses", "Survey responses", "count", "none", "responses", formula="Σ survey responses"),
    _k("survey_response_rate", "Survey response rate", "%", "higher", "responses", "handled",
       "responses ÷ handled contacts", target=10.0, amber=3.0),
    # --- Survey follow-ups (the HOTLINE), counted on the day each case was detected ---------------------
    _k("follow_ups_opened", "Follow-ups opened", "count", "none", "fu_opened",
       formula="Σ follow-up cases opened from survey responses (sales leads not counted)"),
    _k("follow_up_closure_rate", "Follow-ups closed", "%", "higher", "fu_closed", "fu_opened",
       "closed cases ÷ cases opened", target=90.0, amber=5.0),
    _k("follow_up_first_action_within_sla", "First action in time", "%", "higher", "fu_first_in_time",
       "fu_first_judged", "cases first acted on within {first_action_hours} hours ÷ cases acted on or past that "
       "time (a clock still running counts for neither)", target=95.0, amber=5.0),
    _k("follow_up_closed_within_sla", "Closed in time", "%", "higher", "fu_closed_in_time", "fu_close_judged",
       "cases closed within {close_hours} hours ÷ cases closed or past that time", target=90.0, amber=5.0),
    _k("median_hours_to_first_action", "Median hours to first action", "h", "lower", "fu_median_hours_first",
       formula="median over cases of the clock hours from detection to the first action (cases not yet acted on "
               "are not counted)", target=4.0, amber=2.0),
    _k("follow_up_recovery_rate", "Customers recovered", "%", "higher", "fu_recovered", "fu_resurveyed",
       "cases whose customer's later survey is passive or promoter (NPS ≥ 7) ÷ cases with a later survey",
       target=50.0, amber=10.0),
    _k("promoter_rate", "Promoters", "%", "higher", "promoters", "nps_responses", "promoters ÷ NPS answers"),
    _k("detractor_rate", "Detractors", "%", "lower", "detractors", "nps_responses", "detractors ÷ NPS answers"),
)

BY_ID: dict[str, Kpi] = {k.id: k for k in CATALOGUE}


class CatalogueError(ValueError):
    pass


def validate(catalogue: tuple[Kpi, ...] = CATALOGUE) -> None:
    """Fail loudly on duplicate ids, unknown units or measures, and broken references."""
    seen: set[str] = set()
    for kpi in catalogue:
        if kpi.id in seen:
            raise CatalogueError(f"duplicate KPI id {kpi.id!r}")
        seen.add(kpi.id)
        if kpi.unit not in UNITS:
            raise CatalogueError(f"{kpi.id}: unknown unit {kpi.unit!r}")
        if kpi.direction not in ("higher", "lower", "none"):
            raise CatalogueError(f"{kpi.id}: unknown direction {kpi.direction!r}")
        if set(kpi.roles) - set(ROLES):
            raise CatalogueError(f"{kpi.id}: unknown role(s) {set(kpi.roles) - set(ROLES)}")
        forms = [(kpi.numerator, kpi.denominator)] + [(n, d) for n, d, _ in kpi.variants.values()]
        for num, den in forms:
            if kpi.difference_of:
                continue
            probe = replace(kpi, numerator=num, denominator=den)
            unknown = probe.measures() - set(MEASURES)
            if unknown:
                raise CatalogueError(f"{kpi.id}: unknown measure(s) {sorted(unknown)}")
    for kpi in catalogue:
        if kpi.difference_of and not set(kpi.difference_of) <= seen:
            raise CatalogueError(f"{kpi.id}: difference of unknown KPI(s) {kpi.difference_of}")


validate()


def _setting(settings: Settings, dotted: str) -> str:
    value: object = settings
    for part in dotted.split("."):
        value = getattr(value, part)
    return str(value).lower() if isinstance(value, bool) else str(value)


def resolve(kpi_id: str, settings: Settings) -> Kpi:
    """The KPI with the formula of the variant in force, its target and band from config if set there."""
    try:
        kpi = BY_ID[kpi_id]
    except KeyError:
        raise CatalogueError(f"unknown KPI {kpi_id!r}; see `floorview kpi --list`") from None
    if kpi.variants:
        chosen = _setting(settings, kpi.variant_setting)
        num, den, formula = kpi.variants[chosen]
        kpi = replace(kpi, numerator=num, denominator=den, formula=formula,
                      variant=f"{kpi.variant_setting} = {chosen}")
    # The thresholds in force, written into the words people read (the facts are built with the same ones).
    sl, fu = settings.service_level, settings.follow_ups
    for placeholder, value in (("{threshold_s}", sl.threshold_s), ("{short_abandon_s}", sl.short_abandon_s),
                               ("{exception_threshold_s}", settings.adherence.exception_threshold_s),
                               ("{first_action_hours}", fu.first_action_hours), ("{close_hours}", fu.close_hours)):
        kpi = replace(kpi, formula=kpi.formula.replace(placeholder, f"{value:g}"),
                      description=kpi.description.replace(placeholder, f"{value:g}"))
    override = settings.targets.get(kpi.id)
    if override is not None:
        kpi = replace(kpi, target=override.target, amber=override.amber if override.amber is not None else kpi.amber,
                      target_source="enterprise (config.toml)")
    return kpi


def check_settings(settings: Settings) -> None:
    """Start-up check of the settings against the catalogue: every `[targets]` key and target rule names a
    known KPI, and an enterprise target is set in one place only (`[targets.<kpi>]`)."""
    problems = []
    for key, set_to in settings.targets.items():
        if key not in BY_ID:
            problems.append(f"  targets.{key}: unknown KPI{_did_you_mean(key)}")
        problems += _out_of_scale(f"targets.{key}.target", key, set_to.target)
    for i, rule in enumerate(settings.target_rules):
        if rule.kpi not in BY_ID:
            problems.append(f"  target_rules[{i}].kpi: unknown KPI {rule.kpi!r}{_did_you_mean(rule.kpi)}")
        problems += _out_of_scale(f"target_rules[{i}].target", rule.kpi, rule.target)
        if rule.level == "enterprise":
            problems.append(f"  target_rules[{i}]: an enterprise target is set as [targets.{rule.kpi}] (target "
                            "rules are for sites, queues, teams and agents)")
    if problems:
        raise ConfigError("settings do not match the KPI catalogue:\n" + "\n".join(problems))


def _out_of_scale(key: str, kpi_id: str, value: float) -> list[str]:
    return [f"  {p}" for p in out_of_scale(key, kpi_id, value)]


def out_of_scale(key: str, kpi_id: str, value: float) -> list[str]:
    """A percentage target given as a fraction (0.8 for 80 %: only where higher is better; an abandon rate of
    1 % is a real target), or above 100 where that is impossible. Checked in config and on the targets page."""
    kpi = BY_ID.get(kpi_id)
    if kpi is None or kpi.unit != "%":
        return []
    if kpi.direction == "higher" and 0 < value <= 1:
        return [f"{key} = {value:g}: percentages are on the 0-100 scale; did you mean {value * 100:g}?"]
    if value > 100 and kpi_id not in MAY_EXCEED_100:
        return [f"{key} = {value:g}: {kpi.label} cannot pass 100 %"]
    return []


def _did_you_mean(name: str) -> str:
    close = difflib.get_close_matches(name, BY_ID, n=1)
    return f" (did you mean {close[0]}?)" if close else " (see `floorview kpi --list`)"
