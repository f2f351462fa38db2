"""Text output of KPI results and the catalogue for the command line (table, CSV, JSON, Markdown)."""

from __future__ import annotations

import json

import pandas as pd

from kpis.catalogue import CATALOGUE, resolve
from kpis.compute import SCOPE_DIMS, Scope
from kpis.docs import markdown
from settings import Settings


def parse_where(items: list[str]) -> Scope:
    """`site=NYC`, `team=A,B` … into a Scope; unknown dimensions are an error naming them."""
    filters: dict[str, tuple[str, ...]] = {}
    for item in items:
        dim, sep, values = item.partition("=")
        dim = dim.strip()
        if not sep or dim not in SCOPE_DIMS:
            raise ValueError(f"--where {item!r}: expected DIM=VALUE with DIM one of {', '.join(SCOPE_DIMS)}")
        filters[dim] = filters.get(dim, ()) + tuple(v.strip() for v in values.split(",") if v.strip())
    return Scope(**filters)


def _cell(value: object) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return ""
    if isinstance(value, float):
        return f"{value:,.2f}"
    return str(value)


def kpi_table(result: pd.DataFrame, fmt: str) -> str:
    # The note ("source has no ACW") only when some KPI has one.
    columns = [c for c in result.columns if c != "target_source" and (c != "note" or result[c].notna().any())]
    frame = result[columns]
    if fmt not in ("csv", "json") and not frame.empty:
        # Counts print as whole numbers ("2,239", not "2,239.00"); other values with two decimals.
        frame = frame.assign(**{c: [_value_cell(v, u) for v, u in zip(frame[c], frame["unit"], strict=True)]
                                for c in ("value", "target")})
    return plain_table(frame, fmt, numeric={"value", "target"})


def _value_cell(value: object, unit: str) -> str:
    if unit == "count" and isinstance(value, float) and value == value and value.is_integer():
        return f"{int(value):,}"
    return _cell(value)


def plain_table(frame: pd.DataFrame, fmt: str, numeric: set[str]) -> str:
    """A frame as aligned text (numeric columns right-aligned), CSV or JSON."""
    columns = list(frame.columns)
    if fmt == "csv":
        return str(frame.to_csv(index=False)).rstrip("\n")
    if fmt == "json":
        return json.dumps(json.loads(frame.to_json(orient="records", date_format="iso")), indent=2)
    rows = [[_cell(v) for v in row] for row in frame.itertuples(index=False)]
    widths = [max([len(c)] + [len(r[i]) for r in rows]) for i, c in enumerate(columns)]

    def line(cells: list[str]) -> str:
        return "  ".join(c.rjust(w) if columns[i] in numeric else c.ljust(w)
                         for i, (c, w) in enumerate(zip(cells, widths, strict=True))).rstrip()
    return "\n".join([line(columns), line(["-" * w for w in widths])] + [line(r) for r in rows])


def catalogue_table(settings: Settings, fmt: str) -> str:
    if fmt == "markdown":
        return markdown().rstrip("\n")
    records = []
    for k in CATALOGUE:
        r = resolve(k.id, settings)
        records.append({"kpi": r.id, "label": r.label, "unit": r.unit, "better": r.direction,
                        "target": r.target, "formula": r.formula, "variant": r.variant})
    frame = pd.DataFrame(records)
    if fmt == "csv":
        return str(frame.to_csv(index=False)).rstrip("\n")
    if fmt == "json":
        return json.dumps(records, indent=2)
    return "\n".join(f"{r['kpi']:<28} {r['unit']:<6} {r['label']}: {r['formula']}"
                     + (f"  [{r['variant']}]" if r["variant"] else "") for r in records)
