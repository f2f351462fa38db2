"""KPI measures over the interval facts, grouped by the fact table (source) they come from, derived from the
semantic model (semantic.py).

A KPI is a ratio or a sum of these measures; the compute step sums every measure over the requested
slice first and divides last. Interval counts are the one non-additive kind (see `semantic.Derived`).
"""

from __future__ import annotations

from dataclasses import dataclass

import semantic

TIME_DIMS = ("date", "week", "month", "interval", "interval_utc", "time_of_day", "time_of_day_utc", "weekday")
ALL_DIMS = tuple(semantic.LABELS) + TIME_DIMS

# SQL for each dimension over any fact table (every fact table has these column names).
DIM_SQL = {
    **semantic.LABELS,
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
    clocked: bool = False  # its figures move with the clock (current_timestamp), not only with writes


# A follow-up case's customer's latest later survey answer (`later`: nps, responded_at): recovered or not.
LATER_SURVEY = """LEFT JOIN LATERAL (
            SELECT v.nps, v.responded_at FROM surveys v JOIN contacts vc ON vc.contact_id = v.contact_id
            WHERE f.customer_id IS NOT NULL AND vc.customer_id = f.customer_id AND v.responded_at > f.responded_at
              AND v.nps IS NOT NULL
            ORDER BY v.responded_at DESC LIMIT 1) later ON true"""

SOURCES: dict[str, Source] = {
    **{f.source: Source(f.source, f.name, frozenset(f.labels)) for f in semantic.FACTS},
    # Forecast against actual per site, queue and interval: absolute errors must be taken per interval.
    "accuracy": Source("accuracy", """(
        SELECT f.site_id, f.queue_id, f.call_type, f.channel, f.interval_utc, f.interval_local, f.date_local,
               f.interval_fold, NULL AS team_id, NULL AS agent_id, f.forecast_contacts,
               coalesce(q.offered, 0) AS actual_offered, abs(coalesce(q.offered, 0) - f.forecast_contacts) AS abs_error
        FROM fact_forecast_interval f
        LEFT JOIN (SELECT site_id, queue_id, interval_utc, sum(offered) AS offered FROM fact_queue_interval
                   GROUP BY ALL) q USING (site_id, queue_id, interval_utc))""",
                       frozenset({"site", "queue", "call_type", "channel"})),
    # Survey follow-up cases (the HOTLINE), counted in the site-local interval they were detected in. Their
    # service clocks' due times were set when each case opened; a median is taken per slice, never summed.
    "follow_ups": Source("follow_ups", """(
        SELECT f.site_id, f.team_id, f.agent_id, f.queue_id, q.call_type, q.channel,
               time_bucket(INTERVAL 15 MINUTE, f.detected_at) AS interval_utc,
               timezone(s.timezone, time_bucket(INTERVAL 15 MINUTE, f.detected_at)::TIMESTAMPTZ) AS interval_local,
               timezone(s.timezone, f.detected_at::TIMESTAMPTZ)::DATE AS date_local, 0 AS interval_fold,
               f.kind = 'follow_up' AS is_case, f.status = 'closed' AS is_closed,
               f.first_action_at <= f.first_action_due AS first_in_time, f.closed_at <= f.close_due AS closed_in_time,
               -- A clock still running is neither met nor missed yet: only cases acted on (closed) or past due count.
               f.first_action_at IS NOT NULL OR f.first_action_due <= current_timestamp::TIMESTAMP AS first_judged,
               f.closed_at IS NOT NULL OR f.close_due <= current_timestamp::TIMESTAMP AS close_judged,
               f.hours_to_first_action, later.nps AS later_nps
        FROM follow_ups f JOIN sites s USING (site_id) LEFT JOIN queues q USING (queue_id)
        """ + LATER_SURVEY + ")",  # noqa: S608 - fixed SQL text
                         frozenset({"site", "team", "agent", "queue", "call_type", "channel"}), clocked=True),
}

# The interval a slice's rows are counted in, by the clock its grouping uses: UTC dimensions count UTC
# intervals; everything else counts site-local intervals (a DST fall-back's repeated hour twice), so sites in
# different time zones add up at the same local time.
UTC_DIMS = ("interval_utc", "time_of_day_utc")
INTERVAL_KEY = {"utc": "interval_utc", "local": "interval_local + to_microseconds(interval_fold)"}


def _derived(d: semantic.Derived) -> str:
    if d.aggregation == "interval_count":
        return "count(DISTINCT {interval_key}) * {interval_s}"
    return f"sum({d.expression})"


# measure name -> (source, SQL aggregate): every stored measure summed, then each table's derived measures.
MEASURES: dict[str, tuple[str, str]] = {
    **{m: (f.source, f"sum({m})") for f in semantic.FACTS for m in f.measure_names},
    **{d.name: (f.source, _derived(d)) for f in semantic.FACTS for d in f.derived},
    "accuracy_forecast": ("accuracy", "sum(forecast_contacts)"),
    "accuracy_actual": ("accuracy", "sum(actual_offered)"),
    "accuracy_abs_error": ("accuracy", "sum(abs_error)"),
    "fu_opened": ("follow_ups", "count(*) FILTER (is_case)"),
    "fu_closed": ("follow_ups", "count(*) FILTER (is_case AND is_closed)"),
    "fu_first_in_time": ("follow_ups", "count(*) FILTER (is_case AND first_in_time)"),
    "fu_closed_in_time": ("follow_ups", "count(*) FILTER (is_case AND closed_in_time)"),
    "fu_first_judged": ("follow_ups", "count(*) FILTER (is_case AND first_judged)"),
    "fu_close_judged": ("follow_ups", "count(*) FILTER (is_case AND close_judged)"),
    "fu_resurveyed": ("follow_ups", "count(later_nps) FILTER (is_case)"),
    "fu_recovered": ("follow_ups", "count(*) FILTER (is_case AND later_nps >= 7)"),
    "fu_median_hours_first": ("follow_ups", "median(hours_to_first_action) FILTER (is_case)"),
}
# Measures that add up over every dimension (the rest are interval counts; see semantic.Derived).
ADDITIVE: frozenset[str] = frozenset(
    {m.name for f in semantic.FACTS for m in f.measures if m.additive_over == semantic.DIMENSIONS}
    | {d.name for f in semantic.FACTS for d in f.derived if d.additive_over == semantic.DIMENSIONS}
    | {n for n, (source, _) in MEASURES.items() if source == "accuracy" or n.startswith("fu_")}) - {
        "fu_median_hours_first"}


def clock(by: tuple[str, ...] | list[str]) -> str:
    """The clock a grouping counts intervals on."""
    return "utc" if any(d in UTC_DIMS for d in by) else "local"


def measure_sql(name: str, interval_s: int, count_approved: bool = True, on_clock: str = "local") -> str:
    excused = "forgiven_s + approved_s" if count_approved else "forgiven_s"
    return (MEASURES[name][1].replace("{interval_s}", str(int(interval_s))).replace("{excused}", excused)
            .replace("{interval_key}", INTERVAL_KEY[on_clock]))
