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
}
# Measures that add up over every dimension (the rest are interval counts; see semantic.Derived).
ADDITIVE: frozenset[str] = frozenset(
    {m.name for f in semantic.FACTS for m in f.measures if m.additive_over == semantic.DIMENSIONS}
    | {d.name for f in semantic.FACTS for d in f.derived if d.additive_over == semantic.DIMENSIONS}
    | {n for n, (source, _) in MEASURES.items() if source == "accuracy"})


def clock(by: tuple[str, ...] | list[str]) -> str:
    """The clock a grouping counts intervals on."""
    return "utc" if any(d in UTC_DIMS for d in by) else "local"


def measure_sql(name: str, interval_s: int, count_approved: bool = True, on_clock: str = "local") -> str:
    excused = "forgiven_s + approved_s" if count_approved else "forgiven_s"
    return (MEASURES[name][1].replace("{interval_s}", str(int(interval_s))).replace("{excused}", excused)
            .replace("{interval_key}", INTERVAL_KEY[on_clock]))
