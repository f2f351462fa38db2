"""Targets page: options in the user's scope, what is in force, saving a new target, the rules set so far."""

from __future__ import annotations

from datetime import date

from dash import Dash, Input, Output, State, ctx

import ids
import store
from actions import targets
from callbacks import panel_exports
from callbacks.common import NotAllowed, choices, require_user, today
from layouts import targets_page
from settings import Settings

SETTERS = ("supervisor", "manager", "control_desk")


def _number(value) -> float | None:
    try:
        return None if value in (None, "") else float(value)
    except (TypeError, ValueError):
        return float("nan")  # not a number: set_target says so


def _day(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value[:10]) if value else None
    except ValueError:
        return None


def register(app: Dash, db: store.Database, settings: Settings) -> None:
    @app.callback(
        Output(ids.TGT_KPI, "options"),
        Output(ids.TGT_LEVEL, "options"),
        Output(ids.TGT_LEVEL, "value"),
        Output(ids.TGT_FROM, "date"),
        Input(ids.URL, "pathname"),
    )
    def options(_path):
        try:
            user = require_user(*SETTERS)
        except NotAllowed:
            return [], [], None, None
        levels = targets.LEVELS_BY_ROLE[user.role]
        return ([{"label": label, "value": k} for k, label in targets.settable_kpis()],
                [{"label": targets.LEVEL_WORDS[lv], "value": lv} for lv in levels], levels[0],
                today(settings).isoformat())

    @app.callback(
        Output(ids.TGT_PLACE, "options"),
        Output(ids.TGT_PLACE, "value"),
        Input(ids.TGT_LEVEL, "value"),
    )
    def place_options(level):
        try:
            user = require_user(*SETTERS)
        except NotAllowed:
            return [], None
        with db.session() as cur:
            found = targets.places(cur, user, level or "")
        return choices(found)

    @app.callback(
        Output(ids.TGT_CURRENT, "children"),
        Input(ids.TGT_KPI, "value"),
        Input(ids.TGT_LEVEL, "value"),
        Input(ids.TGT_PLACE, "value"),
        Input(ids.TGT_FROM, "date"),
        Input(ids.TGT_FEEDBACK, "children"),
    )
    def current(kpi, level, place, day, _saved):
        try:
            user = require_user(*SETTERS)
        except NotAllowed:
            return ""
        on = _day(day) or today(settings)
        if not kpi or not level or place is None:
            return "Choose a KPI and a place to see the target in force there."
        with db.session() as cur:
            try:
                target, unit = targets.in_force(cur, settings, user, kpi, level, place, on)
            except targets.TargetError as err:
                return f"✕ {err}"
        return targets_page.in_force_text(on.isoformat(), target.value if target else None,
                                          targets.describe(target, unit) if target else None,
                                          target.source if target else None)

    @app.callback(
        Output(ids.TGT_FEEDBACK, "children"),
        Output(ids.TGT_RULES, "rowData"),
        Input(ids.URL, "pathname"),
        Input(ids.TGT_SAVE, "n_clicks"),
        State(ids.TGT_KPI, "value"),
        State(ids.TGT_LEVEL, "value"),
        State(ids.TGT_PLACE, "value"),
        State(ids.TGT_VALUE, "value"),
        State(ids.TGT_AMBER, "value"),
        State(ids.TGT_FROM, "date"),
        State(ids.TGT_TO, "date"),
        State(ids.TGT_REASON, "value"),
    )
    def save(_path, clicks, kpi, level, place, value, amber, start, end, reason):
        try:
            user = require_user(*SETTERS)
        except NotAllowed:
            return targets_page.not_allowed(), []
        message = ""
        with db.session() as cur:
            if ctx.triggered_id == ids.TGT_SAVE and clicks:
                try:
                    with db.write(cur):
                        rule = targets.set_target(cur, settings, user, kpi or "", level or "", place or "",
                                                  _number(value), _number(amber), _day(start), _day(end),
                                                  reason or "")
                    message = f"✓ Target saved (rule {rule}); dashboards use it from now on."
                except targets.TargetRefused as refused:
                    with db.write(cur):  # the attempt stays on record although the change does not
                        targets.record_refusal(cur, user, refused)
                    message = f"✕ {refused}"
                except (targets.TargetError, store.WriteFailed) as err:
                    message = f"✕ {err}"
            return message, targets.visible_rules(cur, user)

    panel_exports.register_grid(app, ids.TGT_RULES, ids.TGT_EXPORT, "targets")
