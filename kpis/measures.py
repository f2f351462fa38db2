"""Additive measures over the interval facts, grouped by the fact table (source) they come from.

A KPI is a ratio or a sum of these measures; the compute step sums every measure over the requested
slice first and divides last.
"""

from __future__ import annotations

from dataclasses import dataclass

TIME_DIMS = ("date", "week", "month", "interval", "interval_utc", "time_of_day", "time_of_day_utc", "weekday")
ALL_DIMS = ("site", "team", "agent", "queue", "call_type", "channel") + TIME_DIMS

# SQL for each dimension over any fact table (every fact table has these column names).
DIM_SQL = {
    "site": "site_id",
    "team": "team_id",
    "agent": "agent_id",
    "queue": "queue_id",
    "call_type": "call_type",
    "channel": "channel",
    "date": "date_local",
    "week": "CAST(date_trunc('week', date_local) AS DATE)",
    "month": "CAST(date_trunc('month', date_local) AS DATE)",
    # Site-local interval with its UTC offset, so the repeated hour of a DST fall-back day stays two rows.
    "interval": ("strftime(interval_local, '%Y-%m-%d %H:%M') || printf(' %s%02d:%02d', "
                 "CASE WHEN interval_local < interval_utc THEN '-' ELSE '+' END, "
                 "abs(epoch(interval_local - interval_utc)::INT) // 3600, "
                 "abs(epoch(interval_local - interval_utc)::INT) % 3600 // 60)"),
    "interval_utc": "interval_utc",
    # Grouped as TIME (cheap) and shown as 'HH:MM' by compute.
    "time_of_day": "CAST(interval_local AS TIME)",
    "time_of_day_utc": "CAST(interval_utc AS TIME)",  # one common clock across sites
    "weekday": "isodow(date_local)",
}


@dataclass(frozen=True)
class Source:
    name: str
    table: str
    dims: frozenset[str]  # non-time dimensions this table can be sliced by


SOURCES = {
    "queue": Source("queue", "fact_queue_interval", frozenset({"site", "queue", "call_type", "channel"})),
    "handle": Source("handle", "fact_handle_interval",
                     frozenset({"site", "team", "agent", "queue", "call_type", "channel"})),
    "agent": Source("agent", "fact_agent_interval", frozenset({"site", "team", "agent"})),
    "forecast": Source("forecast", "fact_forecast_interval", frozenset({"site", "queue", "call_type", "channel"})),
    "survey": Source("survey", "fact_survey_interval",
                     frozenset({"site", "team", "agent", "queue", "call_type", "channel"})),
    # Forecast against actual per site, queue and interval: absolute errors must be taken per interval.
    "accuracy": Source("accuracy", """(
        SELECT f.site_id, f.queue_id, f.call_type, f.channel, f.interval_utc, f.interval_local, f.date_local,
               NULL AS team_id, NULL AS agent_id, f.forecast_contacts, coalesce(q.offered, 0) AS actual_offered,
               abs(coalesce(q.offered, 0) - f.forecast_contacts) AS abs_error
        FROM fact_forecast_interval f
        LEFT JOIN (SELECT site_id, queue_id, interval_utc, sum(offered) AS offered FROM fact_queue_interval
                   GROUP BY ALL) q USING (site_id, queue_id, interval_utc))""",
                       frozenset({"site", "queue", "call_type", "channel"})),
}

_STATE = ("available", "on_contact", "acw", "break", "lunch", "meeting", "training", "coaching", "aux", "offline")
_SCHED = ("open", "break", "lunch", "meeting", "training", "coaching", "absence", "other")
_LOST = ("break", "lunch", "meeting", "training", "coaching", "aux", "offline")


def _sum(column: str) -> str:
    return f"sum({column})"


# measure name -> (source, SQL aggregate)
MEASURES: dict[str, tuple[str, str]] = {
    # queue facts: counted in the interval the contact was offered
    **{m: ("queue", _sum(m)) for m in ("offered", "answered", "answered_within", "abandoned", "abandoned_within",
                                       "short_abandons", "wait_answered_s", "wait_abandoned_s")},
    # handle facts: counted in the interval the leg was answered
    **{m: ("handle", _sum(m)) for m in ("handled", "transferred", "talk_s", "hold_s", "acw_s", "held",
                                        "fcr_eligible", "fcr_resolved", "fcr_resolved_queue")},
    "handle_s": ("handle", "sum(talk_s + hold_s + acw_s)"),
    # agent facts: seconds split across the intervals they span
    **{f"state_{c}_s": ("agent", _sum(f"state_{c}_s")) for c in _STATE},
    **{f"sched_{c}_s": ("agent", _sum(f"sched_{c}_s")) for c in _SCHED},
    **{f"open_lost_{c}_s": ("agent", _sum(f"open_lost_{c}_s")) for c in _LOST},
    **{m: ("agent", _sum(m)) for m in ("sched_paid_s", "sched_planned_shrink_s", "sched_tracked_s", "adherent_s",
                                       "work_outside_shift_s", "open_productive_s", "shifts", "late_login_s",
                                       "early_logout_s", "forgiven_s", "approved_s")},
    # Out-of-adherence time that does not count against the agent: short runs forgiven by threshold, and
    # (with adherence.count_approved_exceptions) runs inside exceptions a supervisor approved.
    "excused_s": ("agent", "sum({excused})"),
    "productive_s": ("agent", "sum(state_available_s + state_on_contact_s + state_acw_s)"),
    "busy_s": ("agent", "sum(state_on_contact_s + state_acw_s)"),
    "staffed_s": ("agent", "sum(" + " + ".join(f"state_{c}_s" for c in _STATE if c != "offline") + ")"),
    "sched_all_s": ("agent", "sum(" + " + ".join(f"sched_{c}_s" for c in _SCHED) + ")"),
    "agent_interval_s": ("agent", "count(DISTINCT interval_utc) * {interval_s}"),
    # forecast facts
    **{m: ("forecast", _sum(m)) for m in ("forecast_contacts", "forecast_workload_s", "required_agent_s")},
    "forecast_interval_s": ("forecast", "count(DISTINCT interval_utc) * {interval_s}"),
    "accuracy_forecast": ("accuracy", "sum(forecast_contacts)"),
    "accuracy_actual": ("accuracy", "sum(actual_offered)"),
    "accuracy_abs_error": ("accuracy", "sum(abs_error)"),
    # survey facts: attributed to the surveyed contact's answered interval
    **{m: ("survey", _sum(m)) for m in ("responses", "nps_responses", "promoters", "detractors", "csat_responses",
                                        "csat_top2", "resolved_responses", "resolved_yes")},
}


def measure_sql(name: str, interval_s: int, count_approved: bool = True) -> str:
    excused = "forgiven_s + approved_s" if count_approved else "forgiven_s"
    return MEASURES[name][1].replace("{interval_s}", str(int(interval_s))).replace("{excused}", excused)
