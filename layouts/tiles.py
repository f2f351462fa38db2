"""KPI tiles: value with unit, target, gap, and status in colour, icon and word; definition on hover."""

from __future__ import annotations

from dataclasses import dataclass

from dash import html

from layouts.formatting import STATUS_TEXT, fmt, fmt_against, fmt_gap, fmt_target


@dataclass(frozen=True)
class TileData:
    kpi: str
    label: str
    value: float | None
    unit: str
    direction: str
    target: float | None
    status: str
    formula: str
    variant: str = ""
    target_source: str | None = None
    stale: str | None = None  # why this KPI's own source is out of date, when it is and the rest is not
    note: str | None = None  # an input the source does not carry ("source has no ACW")


# Where a target comes from, in the words of the floor rather than of the configuration file.
SOURCE_WORDS = {"catalogue default": "Floorview's standard target",
                "enterprise (config.toml)": "set for the whole centre"}


def target_source_words(source: str | None) -> str:
    source = source or ""
    if source in SOURCE_WORDS:
        return SOURCE_WORDS[source]
    if source.startswith("enterprise"):
        return "set for the whole centre" + source.removeprefix("enterprise")
    return f"set for {source}"


def help_anchor(kpi_id: str) -> str:
    """The id of a KPI's entry on the Help page (/help#kpi-service_level)."""
    return f"kpi-{kpi_id}"


def definition(t: TileData) -> str:
    """The tooltip: what the KPI counts (the formula of the centre's chosen variant) and who set its target."""
    lines = [f"{t.label}: {t.formula}"]
    if t.target is not None:
        lines.append(f"{fmt_target(t.target, t.unit, t.direction).capitalize()} "
                     f"({target_source_words(t.target_source)})")
    return "\n".join(lines)


def kpi_tile(t: TileData, tile_id: dict | None = None) -> html.Div:
    icon, word = STATUS_TEXT.get(t.status, STATUS_TEXT["none"]) if t.value is not None else (
        "–", f"No data ({t.note})" if t.note else "No data")
    incomplete = t.note if t.value is not None else None  # e.g. AHT without ACW: shown, never coloured
    if incomplete:
        icon, word = "–", "Not compared with target"
    # The unrounded value and target ride along for scripts and tests reading the page.
    attrs = {"data-kpi": t.kpi, "data-status": t.status, "data-value": "" if t.value is None else repr(float(t.value)),
             "data-target": "" if t.target is None else repr(float(t.target))}
    return html.Div(
        [
            html.Div([t.label, html.A(html.Span("i", className="fv-info-icon"), href=f"/help#{help_anchor(t.kpi)}",
                                      className="fv-tile-help", title=f"What is {t.label}?",
                                      **{"aria-label": f"What is {t.label}?"})], className="fv-tile-label"),
            html.Div(fmt_against(t.value, t.target, t.unit), className="fv-tile-value"),
            html.Div([html.Span(icon, className="fv-status-icon", **{"aria-hidden": "true"}), f" {word}"],
                     className="fv-tile-status"),
            html.Div([fmt_target(t.target, t.unit, t.direction),
                      html.Span(f" · {fmt_gap(t.value, t.target, t.unit)}" if t.target is not None and t.value is not None
                                and not incomplete else "")], className="fv-tile-target"),
            *([html.Div(["⚠ ", t.stale], className="fv-tile-stale small text-danger")] if t.stale else []),
            *([html.Div(["⚠ Incomplete: ", incomplete], className="fv-tile-stale small text-danger")]
              if incomplete else []),
            # What the KPI counts: shown on hover and on keyboard focus alike (a title attribute is mouse-only).
            html.Div(definition(t), id=f"tip-{t.kpi}", className="fv-tip", role="tooltip"),
        ],
        id=tile_id or f"tile-{t.kpi}",
        className=f"fv-tile fv-{t.status}",
        tabIndex=0,
        role="group",
        **{"aria-describedby": f"tip-{t.kpi}"},
        **{"aria-label": f"{t.label} {fmt(t.value, t.unit)}, {word}" + (f", {t.stale}" if t.stale else "")
           + (f", incomplete: {incomplete}" if incomplete else "")},
        **attrs,
    )


def balanced_columns(count: int, most: int) -> int:
    """Columns for `count` tiles at `most` per row, in as few rows as that allows, filled evenly: 9 tiles at up
    to 8 a row are 5 + 4, not 8 + 1 with one tile orphaned on its own row."""
    rows = max(1, -(-count // most))
    return max(1, -(-count // rows))


def tile_strip(tiles: list[TileData]) -> html.Div:
    style = {"--fv-cols-wide": str(balanced_columns(len(tiles), 8)), "--fv-cols-mid": str(balanced_columns(len(tiles), 4))}
    return html.Div([kpi_tile(t) for t in tiles], className="fv-tiles", style=style)
