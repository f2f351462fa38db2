"""/help: every KPI in business words, as this centre counts it. Each tile's ⓘ links to its entry here."""

from __future__ import annotations

from typing import Any

from dash import html

from layouts.components import page_heading
from layouts.formatting import fmt, fmt_target
from layouts.tiles import help_anchor, target_source_words

BETTER = {"higher": "Higher is better", "lower": "Lower is better", "none": "For information: no better or worse"}


def layout(entries: list[dict[str, Any]]) -> html.Div:
    contents = html.Ul([html.Li(html.A(e["label"], href=f"#{help_anchor(e['id'])}")) for e in entries],
                       className="fv-help-index small")
    return html.Div([
        page_heading("Help: what each number means",
                     "Every KPI on these pages, as this centre counts it. Ratios are totals divided by totals over "
                     "the period and the people chosen, never averages of percentages; a number the source does not "
                     "carry shows as no data, never as zero. Targets here are the centre's; a site, team or agent "
                     "may have its own (see Targets), and each tile names the one it is judged against."),
        html.Details([html.Summary(f"All {len(entries)} KPIs"), contents], className="fv-panel mb-3"),
        *[_entry(e) for e in entries],
    ])


def _entry(e: dict[str, Any]) -> html.Section:
    target = (f"{fmt_target(e['target'], e['unit'], e['direction']).capitalize()}"
              f"{', near it within ' + fmt(e['amber'], e['unit']) if e['amber'] else ''} "
              f"({target_source_words(e['target_source'])})" if e["target"] is not None else "No target")
    return html.Section([
        html.H2(e["label"], className="h5 mb-1"),
        html.Dl([
            html.Dt("How it is counted"), html.Dd(e["formula"] or "—"),
            *([html.Dt("In more detail"), html.Dd(e["description"])] if e["description"] else []),
            html.Dt("Which way is better"), html.Dd(BETTER[e["direction"]]),
            html.Dt("Target"), html.Dd(target),
            html.Dt("Shown to"), html.Dd(", ".join(e["roles"])),
        ], className="fv-help-terms mb-0"),
    ], id=help_anchor(e["id"]), className="fv-panel mb-2", **{"data-kpi-help": e["id"]})
