"""The context bar: period selector, the scope in words, the time zone and the data's freshness."""

from __future__ import annotations

from datetime import date

import dash_bootstrap_components as dbc
from dash import dcc, html

import ids

PERIOD_OPTIONS = [("today", "Today"), ("yesterday", "Yesterday"), ("this_week", "This week"),
                  ("last_week", "Last week"), ("this_month", "This month"), ("last_month", "Last month"),
                  ("last_30_days", "Last 30 days"), ("quarter", "Quarter"), ("custom", "Custom")]


def context_bar(page: str, period: str, start: date, end: date) -> html.Div:
    return html.Div([
        html.Div([
            # Native radio buttons of one name: one tab stop, arrow keys move between periods.
            html.Div(dbc.RadioItems(
                id=ids.period(page), options=[{"label": label, "value": key} for key, label in PERIOD_OPTIONS],
                value=period, inline=True, className="btn-group btn-group-sm flex-wrap fv-choices",
                inputClassName="btn-check", labelClassName="btn btn-outline-primary btn-sm",
                labelCheckedClassName="active"), role="radiogroup", **{"aria-label": "Period"}),
            dcc.DatePickerRange(id=ids.custom_range(page), start_date=start, end_date=end,
                                display_format="D MMM YYYY", className="ms-2", minimum_nights=0,
                                style={"display": "inline-block"}),
        ], className="d-flex flex-wrap align-items-center gap-1"),
        html.Div(id=ids.scope_text(page), className="small text-muted mt-1"),
    ], className="fv-context")


def scope_line(scope: str, period_text: str, timezone: str, freshness: str) -> list:
    return [html.Strong(scope), f" · {period_text} · times in {timezone} · {freshness}"]
