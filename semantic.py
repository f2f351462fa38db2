"""The semantic model: every interval fact table declared once, with its grain, its measures and the categories
it is built from. The DDL, the fact-table lists, the KPI measures (kpis.measures) and which files feed which
facts are derived from here; nothing else spells a fact column.

Adding a state category is one entry in STATE_CATEGORIES (and its vocabulary entry in config.toml): its
`state_<c>_s` column, its lost-time column, the staffed and productive sums and the vocabulary's checks follow.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, NewType

# Ids of the organisation's dimensions, as they cross modules (plain strings at run time, apart to the checker).
SiteId = NewType("SiteId", str)
TeamId = NewType("TeamId", str)
AgentId = NewType("AgentId", str)
QueueId = NewType("QueueId", str)

# --- Categories the facts are built from ------------------------------------------------------------------

StateCategoryName = str
ActivityCategoryName = str


@dataclass(frozen=True)
class StateCategory:
    name: StateCategoryName
    productive: bool = False  # counts as on hand: available for, on or wrapping up a contact
    busy: bool = False  # handling a contact (on it or in after-contact work)
    staffed: bool = True  # logged in (every state but offline)


STATE_CATEGORIES: tuple[StateCategory, ...] = (
    StateCategory("available", productive=True),
    StateCategory("on_contact", productive=True, busy=True),
    StateCategory("acw", productive=True, busy=True),
    StateCategory("break"),
    StateCategory("lunch"),
    StateCategory("meeting"),
    StateCategory("training"),
    StateCategory("coaching"),
    StateCategory("aux"),
    StateCategory("offline", staffed=False),
)
STATES: tuple[StateCategoryName, ...] = tuple(c.name for c in STATE_CATEGORIES)
PRODUCTIVE_STATES: tuple[StateCategoryName, ...] = tuple(c.name for c in STATE_CATEGORIES if c.productive)
BUSY_STATES: tuple[StateCategoryName, ...] = tuple(c.name for c in STATE_CATEGORIES if c.busy)
STAFFED_STATES: tuple[StateCategoryName, ...] = tuple(c.name for c in STATE_CATEGORIES if c.staffed)
# The one state of an agent who is not logged in: scheduled phone time with no state at all counts as it.
(NOT_LOGGED_IN,) = tuple(c.name for c in STATE_CATEGORIES if not c.staffed)
# Time in these states during scheduled phone time is lost to the phones.
LOST_STATES: tuple[StateCategoryName, ...] = tuple(c.name for c in STATE_CATEGORIES if not c.productive)

# Reporting buckets of scheduled activities; "open" is phone time.
ACTIVITY_CATEGORIES: tuple[ActivityCategoryName, ...] = (
    "open", "break", "lunch", "meeting", "training", "coaching", "absence", "other")

# --- Dimensions ---------------------------------------------------------------------------------------------

# The label columns a fact table can carry, by the dimension name KPIs are sliced by.
LABELS: dict[str, str] = {"site": "site_id", "team": "team_id", "agent": "agent_id", "queue": "queue_id",
                          "call_type": "call_type", "channel": "channel"}
# Every fact row lies in one site-local interval. `interval_utc` is its UTC start; `interval_fold` is 1 for the
# second pass through a local hour repeated by a DST fall-back (0 otherwise), so a local interval is
# (interval_local, interval_fold) and sites in different time zones line up on the local clock.
TIME_COLUMNS: tuple[tuple[str, str], ...] = (
    ("interval_utc", "TIMESTAMP"), ("interval_local", "TIMESTAMP"), ("date_local", "DATE"),
    ("interval_fold", "SMALLINT"))

# --- Measures -----------------------------------------------------------------------------------------------

Aggregation = Literal["sum", "interval_count"]


DIMENSIONS: tuple[str, ...] = (*LABELS, "interval")


@dataclass(frozen=True)
class Measure:
    """A stored fact column: additive over every dimension (sum it over any slice).

    `builder`: the aggregate its fact builder computes per group, over the builder's documented row alias (for
    the agent facts, whose columns are built from the category lists, the builder derives it).
    """

    name: str
    type: Literal["BIGINT", "DOUBLE"]
    builder: str = ""

    @property
    def additive_over(self) -> tuple[str, ...]:
        return DIMENSIONS


@dataclass(frozen=True)
class Derived:
    """A KPI measure computed over a fact table's rows.

    `sum`: Σ of an expression over stored measures, additive like them. `interval_count`: the slice's intervals
    × interval seconds, NOT additive: per interval, sites add up; over a period it counts each interval once, so
    agent-seconds ÷ it is the average over the period's intervals of the agents in each (see kpis.compute).
    """

    name: str
    aggregation: Aggregation
    expression: str = ""  # for sums: arithmetic over this table's stored measures

    @property
    def additive_over(self) -> tuple[str, ...]:
        """An interval count adds up over nothing: the agent-seconds divided by it add up over the labels
        within one interval, and average over intervals."""
        return DIMENSIONS if self.aggregation == "sum" else ()


@dataclass(frozen=True)
class FactTable:
    name: str
    source: str  # the short name KPI measures are grouped by
    labels: tuple[str, ...]  # dimension names (keys of LABELS) at this table's grain, besides the interval
    measures: tuple[Measure, ...]
    derived: tuple[Derived, ...] = ()
    fed_by: tuple[str, ...] = ()  # the kinds of file whose rows it is built from
    built_from: dict[str, tuple[str, ...]] = field(default_factory=dict)  # category lists behind its columns

    @property
    def label_columns(self) -> tuple[str, ...]:
        return tuple(LABELS[d] for d in self.labels)

    @property
    def columns(self) -> tuple[tuple[str, str], ...]:
        """(name, DuckDB type) in table order: labels, the interval, then the measures."""
        return (tuple((c, "VARCHAR") for c in self.label_columns) + TIME_COLUMNS
                + tuple((m.name, m.type) for m in self.measures))

    @property
    def measure_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.measures)

    def ddl(self) -> str:
        return f"CREATE TABLE {self.name} ({', '.join(f'{c} {t}' for c, t in self.columns)})"


def _counts(*names: str) -> tuple[Measure, ...]:
    return tuple(Measure(n, "BIGINT") for n in names)


def _built(type_: Literal["BIGINT", "DOUBLE"], **builders: str) -> tuple[Measure, ...]:
    return tuple(Measure(n, type_, sql) for n, sql in builders.items())


def _seconds(*names: str) -> tuple[Measure, ...]:
    return tuple(Measure(n, "DOUBLE") for n in names)


def _plus(prefix: str, names: tuple[str, ...]) -> str:
    return " + ".join(f"{prefix}_{n}_s" for n in names)


# Queue facts: contacts `c` (customer contacts, not transfer legs or outbound) with wait_s, the queue's
# threshold_s and the configured {short_abandon_s}, counted in the interval they were offered.
QUEUE = FactTable(
    "fact_queue_interval", "queue", ("site", "queue", "call_type", "channel"),
    _built("BIGINT",
           offered="count(*)",
           answered="count(c.answered_at)",
           answered_within="count(*) FILTER (c.answered_at IS NOT NULL AND c.wait_s <= c.threshold_s)",
           abandoned="count(*) FILTER (c.answered_at IS NULL)",
           abandoned_within="count(*) FILTER (c.answered_at IS NULL AND c.wait_s <= c.threshold_s)",
           short_abandons="count(*) FILTER (c.answered_at IS NULL AND c.wait_s < {short_abandon_s})")
    + _built("DOUBLE",
             wait_answered_s="coalesce(sum(c.wait_s) FILTER (c.answered_at IS NOT NULL), 0)",
             wait_abandoned_s="coalesce(sum(c.wait_s) FILTER (c.answered_at IS NULL), 0)")
    # Abandons whose wait is known (an end was stamped): the denominator of the average abandon time.
    + _built("BIGINT", abandoned_timed="count(c.wait_s) FILTER (c.answered_at IS NULL)"),
    fed_by=("contacts", "queue_intervals"))

# Handle facts: answered legs `c` (leg_from_end = 1 for a customer contact's last answered leg) with `r`, the
# customer's next contact (next_any, next_queue; none when the customer is unknown), within {fcr_days} days.
_RESOLVED = ("count(*) FILTER (c.leg_from_end = 1 AND r.cid IS NOT NULL AND (r.{next} IS NULL "
             "OR r.{next} > r.offered_at + INTERVAL {{fcr_days}} DAY))")
HANDLE = FactTable(
    "fact_handle_interval", "handle", ("site", "team", "agent", "queue", "call_type", "channel"),
    _built("BIGINT", handled="count(*)", transferred="count(*) FILTER (c.transferred)")
    + _built("DOUBLE", talk_s="coalesce(sum(c.talk_s), 0)", hold_s="coalesce(sum(c.hold_s), 0)",
             acw_s="coalesce(sum(c.acw_s), 0)")
    + _built("BIGINT", held="count(*) FILTER (c.hold_s > 0)",
             fcr_eligible="count(*) FILTER (c.leg_from_end = 1 AND r.cid IS NOT NULL)",
             fcr_resolved=_RESOLVED.format(next="next_any"), fcr_resolved_queue=_RESOLVED.format(next="next_queue"))
    # Legs whose talk, hold and ACW the source carries: a source without ACW gives no average ACW, not 0.
    + _built("BIGINT", talk_known="count(c.talk_s)", hold_known="count(c.hold_s)", acw_known="count(c.acw_s)"),
    derived=(Derived("handle_s", "sum", "talk_s + hold_s + acw_s"),),
    fed_by=("contacts", "queue_intervals", "agent_intervals"))

AGENT = FactTable(
    "fact_agent_interval", "agent", ("site", "team", "agent"),
    _seconds(*(f"state_{c}_s" for c in STATES))
    + _seconds(*(f"sched_{c}_s" for c in ACTIVITY_CATEGORIES))
    + _seconds("sched_paid_s", "sched_planned_shrink_s", "sched_tracked_s", "adherent_s", "work_outside_shift_s",
               "open_productive_s")
    + _seconds(*(f"open_lost_{c}_s" for c in LOST_STATES))
    + _counts("shifts") + _seconds("late_login_s", "early_logout_s", "forgiven_s", "approved_s"),
    derived=(
        # Out-of-adherence time that does not count against the agent: short runs forgiven by threshold, and
        # (with adherence.count_approved_exceptions) runs inside exceptions a supervisor approved.
        Derived("excused_s", "sum", "{excused}"),
        Derived("productive_s", "sum", _plus("state", PRODUCTIVE_STATES)),
        Derived("busy_s", "sum", _plus("state", BUSY_STATES)),
        Derived("staffed_s", "sum", _plus("state", STAFFED_STATES)),
        Derived("sched_all_s", "sum", _plus("sched", ACTIVITY_CATEGORIES)),
        Derived("agent_interval_s", "interval_count"),
    ),
    fed_by=("agent_states", "schedule", "agent_intervals"),
    built_from={"states": STATES, "activities": ACTIVITY_CATEGORIES, "lost": LOST_STATES,
                "productive": PRODUCTIVE_STATES})

# Forecast facts: forecast intervals `x`, each spread evenly over its quarter-hours (`share` of it in each).
FORECAST = FactTable(
    "fact_forecast_interval", "forecast", ("site", "queue", "call_type", "channel"),
    _built("DOUBLE",
           forecast_contacts="sum(x.contacts * x.share)",
           forecast_workload_s="sum(x.contacts * x.share * x.aht_s)",
           required_agent_s="sum(x.required_agents * 900)"),
    derived=(Derived("forecast_interval_s", "interval_count"),),
    fed_by=("forecast",))

# Survey facts: responses `x` (nps 0-10, csat 1-5, resolved yes/no, comment), in the surveyed contact's answered
# interval. A row that answers nothing (an unrated survey) is not a response.
SURVEY = FactTable(
    "fact_survey_interval", "survey", ("site", "team", "agent", "queue", "call_type", "channel"),
    _built("BIGINT",
           responses="count(*) FILTER (x.nps IS NOT NULL OR x.csat IS NOT NULL OR x.resolved IS NOT NULL "
                     "OR nullif(trim(x.comment), '') IS NOT NULL)",
           nps_responses="count(x.nps)",
           promoters="count(*) FILTER (x.nps >= 9)", detractors="count(*) FILTER (x.nps <= 6)",
           csat_responses="count(x.csat)", csat_top2="count(*) FILTER (x.csat >= 4)",
           csat_sum="coalesce(sum(x.csat), 0)",
           resolved_responses="count(x.resolved)", resolved_yes="count(*) FILTER (x.resolved)"),
    fed_by=("contacts", "surveys"))

FACTS: tuple[FactTable, ...] = (QUEUE, HANDLE, AGENT, FORECAST, SURVEY)
FACT_TABLES: tuple[str, ...] = tuple(f.name for f in FACTS)
BY_NAME: dict[str, FactTable] = {f.name: f for f in FACTS}
# Which fact tables each kind of file feeds.
FACTS_OF_KIND: dict[str, tuple[str, ...]] = {
    kind: tuple(f.name for f in FACTS if kind in f.fed_by) for kind in dict.fromkeys(k for f in FACTS for k in f.fed_by)}
