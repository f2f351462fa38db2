"""Compute KPIs for a scope, a period and group-by dimensions, from the interval facts.

Every measure is summed over the slice first (one query per fact table, bind parameters only) and the
ratio is taken last, so no percentage is ever averaged. A KPI whose fact table cannot be sliced the way
asked (e.g. service level by agent: queue facts have no agent) gets no value rather than a wrong one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

import duckdb
import numpy as np
import pandas as pd

from kpis.catalogue import MAY_EXCEED_100, Kpi, resolve
from kpis.measures import ALL_DIMS, DIM_SQL, MEASURES, SOURCES, TIME_DIMS, clock, measure_sql
from kpis.staffing import erlang_requirement
from kpis.targets import TargetBook, status
from settings import Settings

SCOPE_DIMS = ("site", "team", "agent", "queue", "call_type", "channel")
CONTEXT_DIMS = ("agent", "team", "queue", "site")


@dataclass(frozen=True)
class Scope:
    """Filters: each is a tuple of allowed ids; empty means no filter."""

    site: tuple[str, ...] = ()
    team: tuple[str, ...] = ()
    agent: tuple[str, ...] = ()
    queue: tuple[str, ...] = ()
    call_type: tuple[str, ...] = ()
    channel: tuple[str, ...] = ()

    def filters(self) -> dict[str, tuple[str, ...]]:
        return {d: getattr(self, d) for d in SCOPE_DIMS if getattr(self, d)}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive, site-local dates
    before: datetime | None = None  # only intervals that start before this UTC instant ("today so far")

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"period ends ({self.end}) before it starts ({self.start})")


@dataclass
class Plan:
    kpis: list[Kpi]
    base: list[Kpi] = field(default_factory=list)
    measures_by_source: dict[str, set[str]] = field(default_factory=dict)


def plan_for(kpi_ids: list[str], settings: Settings) -> Plan:
    requested = [resolve(k, settings) for k in kpi_ids]
    plan = Plan(requested)
    wanted = {k.id: k for k in requested}
    for k in requested:
        for dep in k.difference_of or ():
            wanted.setdefault(dep, resolve(dep, settings))
    plan.base = [k for k in wanted.values() if not k.difference_of]
    for k in plan.base:
        for m in k.measures():
            plan.measures_by_source.setdefault(MEASURES[m][0], set()).add(m)
    return plan


def moves_with_clock(kpi_ids: list[str], settings: Settings) -> bool:
    """Whether these KPIs read a source whose figures move with the clock, not only with writes (a follow-up's
    service clock is judged once it is past due)."""
    return any(SOURCES[s].clocked for s in plan_for(kpi_ids, settings).measures_by_source)


def _usable(source: str, by: tuple[str, ...], scope: Scope) -> bool:
    dims = SOURCES[source].dims
    return all(d in dims for d in by if d not in TIME_DIMS) and all(d in dims for d in scope.filters())


def _where(period: Period, scope: Scope, prefix: str = "") -> tuple[str, list[object]]:
    where = [f"{prefix}date_local BETWEEN ? AND ?"]
    params: list[object] = [period.start, period.end]
    if period.before is not None:
        where.append(f"{prefix}interval_utc < ?")
        params.append(period.before)
    for dim, values in scope.filters().items():
        where.append(f"list_contains(?, {prefix}{DIM_SQL[dim]})")
        params.append(list(values))
    return " AND ".join(where), params


def query_sql(settings: Settings, source: str, measures: set[str], period: Period, by: tuple[str, ...],
              scope: Scope, interval_s: int) -> tuple[str, list[object]]:
    """The one query of a source for a slice: every measure summed per group (bind parameters for values)."""
    src = SOURCES[source]
    dims = [f"{DIM_SQL[d]} AS {d}" for d in by]
    approved = settings.adherence.count_approved_exceptions
    aggs = [f"{measure_sql(m, interval_s, approved, clock(by))} AS {m}" for m in sorted(measures)]
    where, params = _where(period, scope)
    group = " GROUP BY ALL" if by else ""
    return f"SELECT {', '.join(dims + aggs)} FROM {src.table} WHERE {where}{group}", params  # noqa: S608


def _query(con: duckdb.DuckDBPyConnection, settings: Settings, source: str, measures: set[str], period: Period,
           by: tuple[str, ...], scope: Scope, interval_s: int) -> pd.DataFrame:
    sql, params = query_sql(settings, source, measures, period, by, scope, interval_s)
    frame = con.execute(sql, params).df()
    if "required_agent_s" in measures:
        frame = _add_erlang(con, settings, frame, period, by, scope)
    return frame


def _add_erlang(con: duckdb.DuckDBPyConnection, settings: Settings, frame: pd.DataFrame, period: Period,
                by: tuple[str, ...], scope: Scope) -> pd.DataFrame:
    """Intervals whose forecast has no requirement are sized with Erlang C and added in."""
    dims_sql = [f"f.{DIM_SQL[d]} AS {d}" if d in ("site", "queue", "call_type", "channel") else
                f"{DIM_SQL[d].replace('interval_local', 'f.interval_local').replace('date_local', 'f.date_local')}"
                f" AS {d}" for d in by]
    where, params = _where(period, scope, prefix="f.")
    extra = erlang_requirement(con, settings, dims_sql, list(by), where, params)
    if extra.empty:
        return frame
    if not by:
        frame["required_agent_s"] = frame["required_agent_s"].fillna(0) + float(extra.erlang_agent_s.iloc[0])
        return frame
    merged = frame.merge(extra, on=list(by), how="outer")
    merged["required_agent_s"] = merged["required_agent_s"].fillna(0) + merged["erlang_agent_s"].fillna(0)
    return merged.drop(columns="erlang_agent_s")


def measures_frame(con: duckdb.DuckDBPyConnection, settings: Settings, plan: Plan, period: Period,
                   by: tuple[str, ...], scope: Scope, interval_s: int) -> pd.DataFrame:
    """One row per group with every needed measure summed; NaN where a source cannot serve the slice."""
    frames = []
    for source, measures in plan.measures_by_source.items():
        if _usable(source, by, scope):
            df = _query(con, settings, source, measures, period, by, scope, interval_s)
        else:
            df = pd.DataFrame(columns=list(by) + sorted(measures))
        frames.append(df)
    if not frames:
        return pd.DataFrame(columns=list(by))
    for df in frames:  # DuckDB DATE arrives as datetime64: give the date dimensions back as dates
        for d in ("date", "week", "month"):
            if d in df.columns:
                df[d] = pd.to_datetime(df[d]).dt.date.astype(object)
        for d in ("time_of_day", "time_of_day_utc"):  # TIME -> 'HH:MM'
            if d in df.columns:
                df[d] = df[d].map(lambda t: t.strftime("%H:%M") if t is not None and t == t else None)
    merged = frames[0]
    for df in frames[1:]:
        merged = merged.merge(df, on=list(by), how="outer") if by else pd.concat([merged, df], axis=1)
    if not by and len(merged) == 0:  # no source could serve the slice: one row with no values
        merged = pd.DataFrame([dict.fromkeys(merged.columns, np.nan)], columns=merged.columns)
    return merged


def _measures(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """The frame's measure columns as floats, converted once for every KPI's expressions (per expression it was
    most of a cold question's time)."""
    return {c: pd.to_numeric(frame[c], errors="coerce").astype(float) for c in frame.columns if c in MEASURES}


def _ratio(measures: dict[str, pd.Series], index: pd.Index, kpi: Kpi) -> pd.Series:
    num = _eval(measures, index, kpi.numerator)
    if kpi.denominator is None:
        return num * kpi.scale
    den = _eval(measures, index, kpi.denominator)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = num / den.where(den != 0)
    return value * kpi.scale


def _eval(measures: dict[str, pd.Series], index: pd.Index, expr: str) -> pd.Series:
    result = pd.eval(expr, local_dict=measures, engine="python")
    if not isinstance(result, pd.Series):
        result = pd.Series([result] * len(index), index=index, dtype=float)
    return result.astype(float)


# The shape of `compute`, for code that takes a KPI function (the app passes a cached one).
KpiFunction = Callable[..., pd.DataFrame]


def compute(con: duckdb.DuckDBPyConnection, settings: Settings, kpi_ids: list[str], period: Period,
            by: tuple[str, ...] | list[str] = (), scope: Scope = Scope(),
            targets: TargetBook | None = None) -> pd.DataFrame:
    """Long table: the group-by dimensions, then kpi, value, unit, target, status (and target_source)."""
    by = tuple(by)
    unknown = [d for d in by if d not in ALL_DIMS]
    if unknown:
        raise ValueError(f"unknown group-by dimension(s) {unknown}; one of {', '.join(ALL_DIMS)}")
    plan = plan_for(list(kpi_ids), settings)
    interval_s = int(settings.data.interval_minutes) * 60
    frame = measures_frame(con, settings, plan, period, by, scope, interval_s)
    measures = _measures(frame)
    values = {k.id: _ratio(measures, frame.index, k) for k in plan.base}
    for k in plan.kpis:
        if k.difference_of:
            a, b = k.difference_of
            values[k.id] = values[a] - values[b]
    book = targets or TargetBook.load(con, settings)
    fixed_context = {d: v[0] for d, v in scope.filters().items() if d in CONTEXT_DIMS and len(v) == 1}
    rows = []
    records = frame[list(by)].to_dict("records") if by else [{}] * len(frame)
    for i, dims in enumerate(records):
        context = fixed_context | {d: dims[d] for d in CONTEXT_DIMS if d in dims and dims[d] is not None}
        day = dims.get("date") if isinstance(dims.get("date"), date) else period.end
        for k in plan.kpis:
            raw = values[k.id].iloc[i]
            value = None if pd.isna(raw) else float(raw)
            target = book.resolve(k, context, day)
            impossible = k.unit == "%" and value is not None and value > 100 + 1e-9 and k.id not in MAY_EXCEED_100
            note = _not_carried(frame, k, i)
            rows.append({**dims, "kpi": k.id, "value": value, "unit": k.unit,
                         "target": target.value if target else None,
                         "status": "none" if impossible or note else status(k.direction, value, target),
                         "target_source": target.source if target else None, "note": note})
    result = pd.DataFrame(rows, columns=list(by) + ["kpi", "value", "unit", "target", "status", "target_source",
                                                    "note"])
    if by and not result.empty:
        order = {k.id: i for i, k in enumerate(plan.kpis)}
        result = result.sort_values(list(by) + ["kpi"], key=lambda col: _sort_key(col, order),
                                    kind="stable").reset_index(drop=True)
    return result


def _not_carried(frame: pd.DataFrame, k: Kpi, i: int) -> str | None:
    """"source has no ACW" when records were counted but none of them carries an input the KPI needs: the
    value is then missing (an average of what is not there) or incomplete (AHT without ACW), never on target."""
    def number(column: str) -> float:
        v = frame[column].iloc[i] if column in frame else None
        return float(v) if v is not None and pd.notna(v) else 0.0

    missing = [what for known, count, what in k.carried if number(count) > 0 and number(known) == 0]
    return "source has no " + " or ".join(missing) if missing else None


def _sort_key(col: pd.Series, kpi_order: dict[str, int]) -> pd.Series:
    if col.name == "kpi":
        return col.map(kpi_order)
    if col.name == "interval":  # "YYYY-MM-DD HH:MM ±hh:mm": chronological, even across a DST fall-back
        local = pd.to_datetime(col.str[:16])
        sign = col.str[17].map({"+": 1, "-": -1})
        offset = pd.to_timedelta(col.str[18:20].astype(int), unit="h") + pd.to_timedelta(col.str[21:23].astype(int),
                                                                                           unit="m")
        return local - offset * sign
    return col
