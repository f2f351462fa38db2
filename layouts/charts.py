"""Plotly figures with one look: neutral categorical colours, target lines, units on axes."""

from __future__ import annotations

from datetime import date

import plotly.graph_objects as go
import plotly.io as pio

# Okabe-Ito colours, told apart with every common colour-vision deficiency (the old orange and ochre, training
# and absence in the shrinkage chart, looked alike under deuteranopia).
NEUTRAL = ["#0072B2", "#999999", "#E69F00", "#009E73", "#CC79A7", "#56B4E9"]
HIGHLIGHT = "#c62828"
# The look of plotly_white without its defaults for every trace type: that template is validated into each
# figure and sent with it, and took most of a warm page's time. Every figure gets this one.
_AXIS = dict(automargin=True, gridcolor="#EBF0F8", linecolor="#EBF0F8", ticks="", title=dict(standoff=15),
             zerolinecolor="#EBF0F8", zerolinewidth=2)
pio.templates["floorview"] = go.layout.Template(layout=dict(
    paper_bgcolor="white", plot_bgcolor="white", font=dict(color="#2a3f5f"), hoverlabel=dict(align="left"),
    colorway=NEUTRAL, xaxis=_AXIS, yaxis=_AXIS))
pio.templates.default = "floorview"
BASE_LAYOUT = dict(margin=dict(l=50, r=15, t=10, b=40), font=dict(size=12), hovermode="x unified",
                   legend=dict(orientation="h", y=1.12, x=0))
# One mode-bar config for every figure: nothing is sent to a cloud service (no share, no Chart Studio, no logo
# linking to plotly.com); download-as-PNG stays. assets/a11y.js takes the buttons out of the tab order.
GRAPH_CONFIG = {
    "displaylogo": False,
    "showSendToCloud": False,
    "showEditInChartStudio": False,
    "showLink": False,
    "plotlyServerURL": "",
    "modeBarButtonsToRemove": ["sendChartToCloud", "sendDataToCloud", "editInChartStudio"],
    "toImageButtonOptions": {"format": "png", "filename": "floorview-chart"},
    "responsive": True,
}


def _figure(**layout: object) -> go.Figure:
    fig = go.Figure()
    fig.update_layout(**BASE_LAYOUT)
    fig.update_layout(**layout)
    return fig


def target_line(fig: go.Figure, target: float | None, label: str) -> None:
    if target is not None:
        fig.add_hline(y=target, line_dash="dash", line_color="#444", annotation_text=label,
                      annotation_position="top left")


def bars(x: list, y: list, y_title: str, x_title: str, highlight: set | None = None,
         target: float | None = None, target_label: str = "target", hover: str = "%{y:.1f}",
         links: list[str] | None = None) -> go.Figure:
    """Bars; `links` (one href per bar) make a click drill down."""
    fig = _figure(yaxis_title=y_title, xaxis_title=x_title)
    colours = [HIGHLIGHT if highlight and xi in highlight else NEUTRAL[0] for xi in x]
    fig.add_bar(x=x, y=y, marker_color=colours, customdata=links,
                hovertemplate=hover + ("<br>click to drill down" if links else "") + "<extra></extra>")
    target_line(fig, target, target_label)
    return fig


def day_label(iso_day: str) -> str:
    """'2026-11-16' -> 'Mon 16 Nov': a day on an axis, one label per day."""
    return date.fromisoformat(iso_day[:10]).strftime("%a %d %b")


def lines(x: list, series: dict[str, list], y_title: str, x_title: str, target: float | None = None,
          target_label: str = "target", hover: str = "%{y:.1f}") -> go.Figure:
    """Lines over categories (days as `day_label`s, times of day, months): one tick per category, never the
    hour ticks or millisecond ticks a date axis draws for a few days."""
    fig = _figure(yaxis_title=y_title, xaxis_title=x_title)
    fig.update_xaxes(type="category")
    for i, (name, ys) in enumerate(series.items()):
        fig.add_scatter(x=x, y=ys, name=name, mode="lines+markers", line=dict(color=NEUTRAL[i % len(NEUTRAL)]),
                        hovertemplate=hover)
    target_line(fig, target, target_label)
    return fig


def stacked(x: list, parts: dict[str, list], y_title: str, x_title: str, target: float | None = None,
            target_label: str = "target", hover: str = "%{y:.0f} s") -> go.Figure:
    fig = _figure(yaxis_title=y_title, xaxis_title=x_title, barmode="stack")
    for i, (name, ys) in enumerate(parts.items()):
        fig.add_bar(x=x, y=ys, name=name, marker_color=NEUTRAL[i % len(NEUTRAL)], hovertemplate=hover)
    target_line(fig, target, target_label)
    return fig


def heatmap(x: list, y: list, z: list[list], title: str, centre: float | None, unit: str) -> go.Figure:
    """Diverging colours centred on the target (blue above, orange below: readable without red/green)."""
    fig = _figure(xaxis_title="time of day", yaxis_title="", hovermode="closest")
    flat = [v for row in z for v in row if v is not None]
    spread = max((abs(v - centre) for v in flat), default=1) if centre is not None else None
    fig.add_heatmap(x=x, y=y, z=z, colorscale="RdBu" if centre is not None else "Blues",
                    zmid=centre, zmin=(centre - spread) if spread else None, zmax=(centre + spread) if spread else None,
                    colorbar=dict(title=unit), hovertemplate="%{y} %{x}: %{z:.1f}" + unit + "<extra></extra>",
                    hoverongaps=False)
    fig.update_yaxes(autorange="reversed", type="category")
    fig.update_xaxes(type="category")
    return fig


def timeline(rows: list[dict], x_title: str) -> go.Figure:
    """Rows of {lane, start, end, label, colour}: scheduled activities above, actual states below. One trace per
    colour, its bars in arrays: a trace per segment makes a busy day's hundreds of segments slow to build."""
    fig = _figure(xaxis_title=x_title, hovermode="closest", barmode="overlay", showlegend=False)
    by_colour: dict[str, list[dict]] = {}
    for r in rows:
        by_colour.setdefault(r["colour"], []).append(r)
    for colour, group in by_colour.items():
        fig.add_bar(y=[r["lane"] for r in group], x=[(r["end"] - r["start"]).total_seconds() * 1000 for r in group],
                    base=[r["start"] for r in group], orientation="h", marker_color=colour, marker_line_width=0,
                    width=0.6, hovertext=[f"{r['label']}: {r['start']:%H:%M:%S}–{r['end']:%H:%M:%S}" for r in group],
                    hovertemplate="%{hovertext}<extra></extra>")
    fig.update_xaxes(type="date", tickformat="%H:%M")
    return fig
