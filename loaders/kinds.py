"""The canonical import kinds: their columns, types, natural keys and references.

Declarative so that detection, validation and merging are written once for every kind.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

ColumnType = Literal["str", "int", "float", "bool", "date", "instant", "timezone"]


@dataclass(frozen=True)
class Column:
    name: str
    type: ColumnType = "str"
    required: bool = False
    min: float | None = None  # inclusive lower bound for numbers
    max: float | None = None  # inclusive upper bound for numbers
    references: str | None = None  # "table.column" the value must exist in
    percent: bool = False  # on the 0-100 scale: a value of 1 or less is a fraction written by mistake


@dataclass(frozen=True)
class Kind:
    name: str
    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    # How a row finds its site's time zone: a site_id column, an agent_id column, or none (roster).
    site_via: Literal["site_id", "agent_id", "none"] = "none"
    # Pairs (earlier, later) of instant columns that must be ordered.
    ordered: tuple[tuple[str, str], ...] = ()
    vocabulary: dict[str, str] = field(default_factory=dict)  # column -> "states" | "activities"
    roster: bool = False
    # (start, end) of a segment whose length is bounded by `data.max_segment_hours`.
    bounded_span: tuple[str, str] | None = None
    # Ordered pairs stamped by different systems' clocks: a later instant up to `data.clock_skew_s` before the
    # earlier one is clipped to it (and counted), not rejected.
    skew_tolerant: tuple[tuple[str, str], ...] = ()

    @property
    def required(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns if c.required)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)


def _c(name: str, type: ColumnType = "str", required: bool = False, **kw: object) -> Column:
    return Column(name, type, required, **kw)  # type: ignore[arg-type]


SECONDS: dict[str, Any] = {"type": "float", "min": 0}

KINDS: dict[str, Kind] = {
    "sites": Kind(
        "sites", "sites",
        (_c("site_id", required=True), _c("name", required=True), _c("timezone", "timezone", True)),
        key=("site_id",), roster=True,
    ),
    "teams": Kind(
        "teams", "teams",
        (_c("team_id", required=True), _c("name", required=True),
         _c("site_id", required=True, references="sites.site_id"), _c("supervisor_id")),
        key=("team_id",), roster=True,
    ),
    "agents": Kind(
        "agents", "agents",
        (_c("agent_id", required=True), _c("name", required=True),
         _c("team_id", required=True, references="teams.team_id"),
         _c("site_id", required=True, references="sites.site_id"), _c("hire_date", "date"), _c("email")),
        key=("agent_id",), roster=True,
    ),
    "queues": Kind(
        "queues", "queues",
        (_c("queue_id", required=True), _c("name", required=True), _c("channel"), _c("call_type"),
         _c("sl_threshold_s", "int", min=0, max=7 * 86400), _c("sl_target", "float", min=0, max=100, percent=True)),
        key=("queue_id",), roster=True,
    ),
    # Vendor ids onto Floorview's: system (a format's system name, e.g. amazon-connect), entity (agent,
    # queue, team, site or queue_site), the vendor's id, the Floorview id.
    "id_map": Kind(
        "id_map", "id_map",
        (_c("system", required=True), _c("entity", required=True), _c("external_id", required=True),
         _c("floorview_id", required=True)),
        key=("system", "entity", "external_id"), roster=True,
    ),
    "contacts": Kind(
        "contacts", "contacts",
        (_c("contact_id", required=True), _c("queue_id", required=True, references="queues.queue_id"),
         _c("site_id", required=True, references="sites.site_id"), _c("offered_at", "instant", True),
         _c("initial_contact_id"), _c("channel"), _c("direction"), _c("call_type"),
         _c("agent_id", references="agents.agent_id"), _c("customer_id"), _c("answered_at", "instant"),
         _c("ended_at", "instant"), _c("talk_s", **SECONDS), _c("hold_s", **SECONDS), _c("acw_s", **SECONDS),
         _c("transferred", "bool"), _c("disposition")),
        key=("contact_id",), site_via="site_id",
        ordered=(("offered_at", "answered_at"), ("offered_at", "ended_at"), ("answered_at", "ended_at")),
        skew_tolerant=(("offered_at", "answered_at"), ("offered_at", "ended_at"), ("answered_at", "ended_at")),
    ),
    "agent_states": Kind(
        "agent_states", "agent_states",
        (_c("agent_id", required=True, references="agents.agent_id"), _c("state", required=True),
         _c("start_at", "instant", True), _c("end_at", "instant", True), _c("reason")),
        key=("agent_id", "start_at"), site_via="agent_id", ordered=(("start_at", "end_at"),),
        vocabulary={"state": "states"}, bounded_span=("start_at", "end_at"),
    ),
    "schedule": Kind(
        "schedule", "schedule",
        (_c("agent_id", required=True, references="agents.agent_id"), _c("activity", required=True),
         _c("start_at", "instant", True), _c("end_at", "instant", True), _c("paid", "bool")),
        key=("agent_id", "start_at"), site_via="agent_id", ordered=(("start_at", "end_at"),),
        vocabulary={"activity": "activities"}, bounded_span=("start_at", "end_at"),
    ),
    "forecast": Kind(
        "forecast", "forecast",
        (_c("site_id", required=True, references="sites.site_id"),
         _c("queue_id", required=True, references="queues.queue_id"),
         _c("interval_start", "instant", True), _c("contacts", "float", True, min=0),
         _c("aht_s", "float", True, min=0), _c("interval_minutes", "int", min=1, max=1440),
         _c("required_agents", "float", min=0)),
        key=("site_id", "queue_id", "interval_start"), site_via="site_id",
    ),
    "surveys": Kind(
        "surveys", "surveys",
        (_c("response_id", required=True), _c("responded_at", "instant", True), _c("contact_id"),
         _c("agent_id", references="agents.agent_id"), _c("nps", "int", min=0, max=10),
         _c("csat", "int", min=1, max=5), _c("resolved", "bool"), _c("comment"),
         _c("site_id", references="sites.site_id")),
        key=("response_id",), site_via="agent_id",
    ),
    # Interval aggregates, for systems that export no contact or state detail (Avaya CMS, Genesys summaries).
    "queue_intervals": Kind(
        "queue_intervals", "queue_intervals",
        (_c("site_id", required=True, references="sites.site_id"),
         _c("queue_id", required=True, references="queues.queue_id"), _c("interval_start", "instant", True),
         _c("interval_minutes", "int", True, min=1, max=1440),
         *(_c(m, "float", min=0) for m in ("offered", "answered", "answered_within", "abandoned", "abandoned_within",
                                           "short_abandons", "wait_answered_s", "wait_abandoned_s", "handled",
                                           "talk_s", "hold_s", "acw_s"))),
        key=("site_id", "queue_id", "interval_start"), site_via="site_id",
    ),
    "agent_intervals": Kind(
        "agent_intervals", "agent_intervals",
        (_c("agent_id", required=True, references="agents.agent_id"), _c("source", required=True),
         _c("interval_start", "instant", True), _c("interval_minutes", "int", True, min=1, max=1440), _c("channel"),
         *(_c(m, "float", min=0) for m in ("state_available_s", "state_on_contact_s", "state_acw_s", "state_break_s",
                                           "state_lunch_s", "state_aux_s", "handled", "talk_s", "hold_s", "acw_s",
                                           "held", "transferred"))),
        key=("agent_id", "source", "interval_start", "channel"), site_via="agent_id",
    ),
    "vendor_adherence": Kind(
        "vendor_adherence", "vendor_adherence",
        (_c("agent_id", required=True, references="agents.agent_id"), _c("source", required=True),
         _c("period_start", "date", True), _c("period_end", "date", True),
         _c("adherence_pct", "float", min=0), _c("conformance_pct", "float", min=0), _c("exceptions", "float", min=0),
         _c("exception_minutes", "float", min=0), _c("scheduled_minutes", "float", min=0)),
        key=("agent_id", "source", "period_start", "period_end"), site_via="agent_id",
        ordered=(("period_start", "period_end"),),
    ),
}

# Roster first, so that references resolve when a folder holds everything.
LOAD_ORDER = ("sites", "teams", "agents", "queues", "id_map", "schedule", "agent_states", "contacts", "queue_intervals",
              "agent_intervals", "forecast", "surveys", "vendor_adherence")


def detect_kind(header: list[str]) -> str | None:
    """The kind whose required columns are all present, preferring the one that explains most columns."""
    cols = {h.strip().lower() for h in header}
    best: tuple[int, int, str] | None = None
    for kind in KINDS.values():
        if not set(kind.required) <= cols:
            continue
        known = len(cols & set(kind.names))
        score = (known, -len(kind.names), kind.name)
        if best is None or score > best:
            best = score
    return best[2] if best else None
