"""Follow-ups page: the cases in the signed-in person's scope (actions.follow_ups decides it on the server), one
case opened, the steps taken on it (authority checked again by each action), and the monthly report."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from dash import Dash, Input, Output, State, ctx, dcc, no_update

import ids
import store
from actions import follow_ups
from actions.follow_up_report import REPORT_COLUMNS, month_cases, write_xlsx
from actions.scope import places_in_scope
from callbacks import panel_exports
from callbacks.common import NotAllowed, require_user, tiles_from, user_scope
from kpis.compute import KpiFunction, Period
from kpis.periods import month_of
from layouts import follow_ups_page
from layouts.follow_ups_page import HIDDEN
from layouts.tiles import tile_strip
from settings import Settings

LEADERS = ("supervisor", "manager", "control_desk")


def _site_time(when: datetime | None, tz: str | None) -> str:
    if when is None:
        return "—"
    return f"{when.replace(tzinfo=UTC).astimezone(ZoneInfo(tz or 'UTC')):%a %d %b %H:%M}"


FOLLOW_UP_TILES = ["follow_ups_opened", "follow_up_first_action_within_sla", "median_hours_to_first_action",
                   "follow_up_closure_rate", "follow_up_closed_within_sla", "follow_up_recovery_rate"]


def _month(text: str | None) -> Period | None:
    try:
        return Period(*month_of((text or "")[:7]))  # the month input may carry a day
    except ValueError:
        return None


def register(app: Dash, db: store.Database, settings: Settings, kpis: KpiFunction) -> None:
    panel_exports.register_grid(app, ids.FU_GRID, ids.FU_EXPORT, "follow-ups")

    @app.callback(
        Output(ids.FU_TILES, "children"),
        Input(ids.FU_MONTH, "value"),
        Input(ids.FU_CHANGED, "data"),
        Input(ids.DATA_VERSION, "data"),
    )
    def tiles(month, _changed, _version):
        try:
            user = require_user(*LEADERS)
        except NotAllowed:
            return None  # agents read their cases; the programme's KPIs are their leaders'
        period = _month(month)
        if period is None:
            return None
        with db.session() as cur:
            result = kpis(cur, settings, FOLLOW_UP_TILES, period, scope=user_scope(user))
        return tile_strip(tiles_from(result, FOLLOW_UP_TILES, settings))

    @app.callback(
        Output(ids.FU_GRID, "rowData"),
        Output(ids.FU_SITE, "options"),
        Input(ids.URL, "pathname"),
        Input(ids.FU_STATUS, "value"),
        Input(ids.FU_SITE, "value"),
        Input(ids.FU_OVERDUE, "value"),
        Input(ids.FU_CHANGED, "data"),
        Input(ids.DATA_VERSION, "data"),
    )
    def listing(_path, status, site, overdue, _changed, _version):
        try:
            user = require_user()
        except NotAllowed:
            return [], []
        filters = follow_ups.Filters(status=status if status in follow_ups.STATUSES else None,
                                     site=site or None, overdue_only="overdue" in (overdue or []))
        with db.session() as cur:
            found = follow_ups.cases(cur, settings, user, filters)
            sites = places_in_scope(cur, user, "site")
        times = {c["case_id"]: _site_time(c["detected_at"], c.get("timezone")) for c in found}
        return follow_ups_page.case_rows(found, times), [{"label": n, "value": i} for i, n in sites]

    @app.callback(
        Output(ids.FU_CASE, "children"),
        Output(ids.FU_SELECTED, "data"),
        Output(ids.FU_STEPS, "style"),
        Output(ids.FU_STEPS_OPEN, "style"),
        Output(ids.FU_STEPS_CLOSED, "style"),
        Output(ids.FU_ACTION, "options"),
        Output(ids.FU_ACTION, "value"),
        Output(ids.FU_CAUSE, "options"),
        Input(ids.FU_GRID, "selectedRows"),
        Input(ids.FU_CHANGED, "data"),
        State(ids.FU_SELECTED, "data"),
    )
    def open_case(selected, _changed, current):
        hidden = (HIDDEN, HIDDEN, HIDDEN)
        fu = settings.follow_ups
        options = ([{"label": a, "value": a} for a in fu.actions], fu.actions[0],
                   [{"label": r, "value": r} for r in fu.root_causes])
        case_id = (selected or [{}])[0].get("case_id") if ctx.triggered_id == ids.FU_GRID else current
        try:
            user = require_user()
        except NotAllowed:
            return follow_ups_page.nothing_chosen(), None, *hidden, *options
        if case_id is None:
            return follow_ups_page.nothing_chosen(), None, *hidden, *options
        with db.session() as cur:
            try:
                found = follow_ups.case(cur, settings, user, int(case_id))
            except (follow_ups.FollowUpError, ValueError):
                return follow_ups_page.nothing_chosen(), None, *hidden, *options
        tz = found.get("timezone")
        times = {"detected": _site_time(found["detected_at"], tz), "first_due": _site_time(found["first_action_due"], tz),
                 "first_action": _site_time(found["first_action_at"], tz), "close_due": _site_time(found["close_due"], tz),
                 "closed": _site_time(found["closed_at"], tz)}
        can_act = user.role in LEADERS
        view = follow_ups_page.case_view(found, times, can_act)
        if not can_act:
            return view, found["case_id"], *hidden, *options
        closed = found["status"] == "closed"
        return (view, found["case_id"], {"display": "block"}, HIDDEN if closed else {"display": "block"},
                {"display": "block"} if closed else HIDDEN, *options)

    @app.callback(
        Output(ids.FU_FEEDBACK, "children"),
        Output(ids.FU_CHANGED, "data"),
        Input(ids.FU_LOG, "n_clicks"),
        Input(ids.FU_CLOSE, "n_clicks"),
        Input(ids.FU_REOPEN, "n_clicks"),
        State(ids.FU_SELECTED, "data"),
        State(ids.FU_ACTION, "value"),
        State(ids.FU_NOTE, "value"),
        State(ids.FU_RESOLUTION, "value"),
        State(ids.FU_CAUSE, "value"),
        State(ids.FU_REACHED, "value"),
        State(ids.FU_REOPEN_REASON, "value"),
        State(ids.FU_CHANGED, "data"),
        prevent_initial_call=True,
    )
    def step(_log, _close, _reopen, case_id, action, note, resolution, cause, reached, reopen_reason, changed):
        try:
            user = require_user(*LEADERS)
        except NotAllowed:
            return "✕ Only supervisors, managers and the control desk act on cases.", no_update
        if case_id is None:
            return "✕ Choose a case first.", no_update
        try:
            with db.session() as cur, db.write(cur):
                if ctx.triggered_id == ids.FU_LOG:
                    follow_ups.act(cur, settings, user, int(case_id), action or "", note or "")
                    said = f"✓ Logged “{action}” on case {case_id}."
                elif ctx.triggered_id == ids.FU_CLOSE:
                    follow_ups.close(cur, settings, user, int(case_id), resolution or "", cause or "",
                                     {"yes": True, "no": False}.get(reached or ""))
                    said = f"✓ Case {case_id} closed."
                else:
                    follow_ups.reopen(cur, settings, user, int(case_id), reopen_reason or "")
                    said = f"✓ Case {case_id} reopened."
        except (follow_ups.FollowUpError, store.WriteFailed, ValueError) as err:
            return f"✕ {err}", no_update
        return said, (changed or 0) + 1

    @app.callback(
        Output(ids.FU_DOWNLOAD, "data"),
        Input(ids.FU_REPORT, "n_clicks"),
        State(ids.FU_MONTH, "value"),
        prevent_initial_call=True,
    )
    def report(_clicks, month):
        try:
            user = require_user()
        except NotAllowed:
            return no_update
        with db.session() as cur:
            try:
                found: list[dict[str, Any]] = month_cases(cur, settings, user, (month or "")[:7])
            except ValueError:
                return no_update
        columns = REPORT_COLUMNS if user.role in LEADERS else tuple(c for c in REPORT_COLUMNS if c[0] != "customer_id")
        with tempfile.TemporaryDirectory() as folder:
            out = Path(folder) / f"floorview-follow-ups-{month}.xlsx"
            write_xlsx(found, columns, out, f"Follow-ups {month}")
            return dcc.send_bytes(out.read_bytes(), out.name)
