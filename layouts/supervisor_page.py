"""Supervisor page: the team against its targets, then agent by agent with handle time split into its parts."""

from __future__ import annotations

from datetime import date

from dash import dcc, html

import ids
from layouts import actions_ui, charts
from layouts.components import page_heading
from layouts.context import context_bar
from layouts.formatting import fmt, known, tenure_text
from layouts.panels import exported_as, panel
from layouts.tiles import TileData, tile_strip

ICON = "({'green': '✓ ', 'amber': '▲ ', 'red': '✕ '}[params.data[params.colDef.field + '_status']] || '')"


def layout(period: str, start: date, end: date) -> html.Div:
    return html.Div([
        html.Div([html.Div(page_heading("My team"), id=ids.SUP_HEADING),
                  dcc.Dropdown(id=ids.SUP_TEAM, clearable=False, style={"minWidth": "260px"},
                               placeholder="Team")],
                 className="d-flex justify-content-between align-items-center gap-3"),
        context_bar("sup", period, start, end),
        dcc.Loading(html.Div(id=ids.SUP_TILES), type="dot"),
        dcc.Loading(html.Div(id=ids.SUP_PANELS)),
        actions_ui.decisions_panel(),
    ])


def heading(team: str, site: str, agents: int) -> html.Div:
    return page_heading(team, f"{site} · {agents} agents")


def tiles(data: list[TileData]) -> html.Div:
    return tile_strip(data)


def _kpi_column(field: str, header: str, shown: str, unit: str) -> dict:
    return {"field": field, "headerName": header, "type": "numericColumn", "minWidth": 110, **exported_as(unit),
            "valueFormatter": {"function": f"params.value == null ? '—' : {ICON} + {shown}"},
            "cellClassRules": {f"fv-cell-{s}": f"params.data.{field}_status == '{s}'" for s in ("green", "amber", "red")},
            "tooltipValueGetter": {"function": f"params.data.{field}_status"}}


def _mmss(field: str) -> str:
    return f"params.data.{field}_text"


AGENT_COLUMNS = [
    {"field": "agent", "headerName": "Agent", "cellRenderer": "markdown", "minWidth": 170},
    {"field": "tenure_months", "headerName": "Tenure", "type": "numericColumn", "maxWidth": 130,
     **exported_as("months"), "valueFormatter": {"function": "params.data.tenure_text"}},
    _kpi_column("handled", "Handled", "d3.format(',')(params.value)", "count"),
    _kpi_column("contacts_per_hour", "Contacts / hour", "d3.format('.2f')(params.value)", "/h"),
    _kpi_column("aht", "AHT", _mmss("aht"), "s"),
    _kpi_column("avg_talk", "Talk", _mmss("avg_talk"), "s"),
    _kpi_column("avg_hold", "Hold", _mmss("avg_hold"), "s"),
    _kpi_column("avg_acw", "ACW", _mmss("avg_acw"), "s"),
    _kpi_column("adherence", "Adherence %", "d3.format('.1f')(params.value)", "%"),
    _kpi_column("fcr", "FCR %", "d3.format('.1f')(params.value)", "%"),
]


def panels(rows: list[dict], aht_target: float | None, cph_target: float | None) -> html.Div:
    for r in rows:  # durations as m:ss, computed here so the grid shows what the tiles show
        for field in ("aht", "avg_talk", "avg_hold", "avg_acw"):
            r[f"{field}_text"] = fmt(r.get(field), "s")
        r["tenure_text"] = tenure_text(r.get("tenure_months"))
    ranked = sorted(rows, key=lambda r: r.get("contacts_per_hour") or 0)
    names = [r["name"] for r in ranked]
    # A part the source does not carry for anyone (no ACW column) is left out, not drawn as zero.
    parts = {label: [r.get(field) for r in ranked] for label, field in
             (("Talk", "avg_talk"), ("Hold", "avg_hold"), ("ACW", "avg_acw"))}
    split = charts.stacked(names, {label: [v if known(v) else 0 for v in values] for label, values in parts.items()
                                   if any(known(v) for v in values)},
                           "seconds per contact", "agent (fewest contacts per hour first)", target=aht_target,
                           target_label="AHT target") if rows else None
    per_hour = charts.bars(names, [r.get("contacts_per_hour") for r in ranked], "contacts per productive hour",
                           "agent", highlight={r["name"] for r in ranked if r.get("contacts_per_hour_status") == "red"},
                           target=cph_target, target_label="target", hover="%{y:.2f} /h") if any(
        known(r.get("contacts_per_hour")) for r in rows) else None  # no agent states: no productive hours
    return html.Div([
        panel("sup-agents", "Agents against target", None, rows, AGENT_COLUMNS,
              "No agents in this team.", view="table",
              subtitle="✓ on target · ▲ near · ✕ off target. Click a name for that agent's own view."),
        panel("sup-cph", "Contacts handled per productive hour", per_hour, rows if per_hour else [], AGENT_COLUMNS[:4],
              "No productive hours in this period: contacts per hour needs agent-state logs.",
              subtitle="Agents below target are highlighted."),
        panel("sup-aht-split", "Handle time split: talk, hold and after-contact work", split, rows,
              [AGENT_COLUMNS[0]] + AGENT_COLUMNS[4:8], "No contacts in this period.",
              subtitle="Long ACW bars show who loses time after the call."),
    ])
