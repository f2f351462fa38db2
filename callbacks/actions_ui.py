"""Glue for acting on the numbers: the inbox in the page frame, agents' requests, supervisors' decisions,
and the control desk's alerts. Authority is checked in `actions`, from the signed-in user."""

from __future__ import annotations

import contextlib
from datetime import date

import duckdb
from dash import ALL, Dash, Input, Output, State, ctx

import ids
import store
from accounts import User
from actions import messages, requests
from actions.scope import home_timezone
from callbacks.common import NotAllowed, now_utc, require_user, shown_to
from kpis import detail
from kpis.catalogue import BY_ID
from layouts import actions_ui
from layouts.formatting import local_stamp
from settings import Settings

REQUESTS_GRID = {"type": "fv-panel-grid", "panel": "requests"}


def register(app: Dash, db: store.Database, settings: Settings) -> None:
    def with_cursor(fn):
        with db.session() as cur:
            return fn(cur)

    def writing(fn, topic: store.Topic = "data"):
        with db.write(topic=topic) as cur:
            return fn(cur)

    @app.callback(
        Output(ids.MSG_INBOX, "children"),
        Input(ids.URL, "pathname"),
        Input({"type": "msg-ack", "id": ALL}, "n_clicks"),
        Input(ids.MESSAGES_VERSION, "data"),  # a new message bumps this topic's version
    )
    def inbox(_path, _clicks, _version):
        try:
            user = require_user()
        except NotAllowed:
            return None
        trigger = ctx.triggered_id
        if isinstance(trigger, dict) and trigger.get("type") == "msg-ack" and any(_clicks or []):
            # A message not addressed to this user (a forged request) has nothing to acknowledge.
            with contextlib.suppress(messages.MessageError, store.WriteFailed, ValueError, TypeError):
                writing(lambda cur: messages.acknowledge(cur, user, int(trigger["id"])), "messages")
        return actions_ui.inbox(with_cursor(lambda cur: readable(cur, user, messages.inbox(cur, user))))

    @app.callback(Output(ids.REQ_FORM_WRAP, "style"), Input(ids.URL, "pathname"))
    def show_form(_path):
        return shown_to(("agent",))

    @app.callback(
        Output(ids.REQ_FEEDBACK, "children"),
        Output(ids.REQ_MINE, "children"),
        Input(ids.REQ_SUBMIT, "n_clicks"),
        State(ids.REQ_DAY, "date"),
        State(ids.REQ_FROM, "value"),
        State(ids.REQ_TO, "value"),
        State(ids.REQ_REASON, "value"),
    )
    def submit(clicks, day, start, end, reason):
        try:
            user = require_user("agent")
        except NotAllowed:
            return "", None
        message = ""
        if ctx.triggered_id == ids.REQ_SUBMIT and clicks:
            try:
                if not day:
                    raise requests.RequestError("pick the date the change is for")
                rid = writing(lambda cur: requests.submit(cur, user, date.fromisoformat(day[:10]), (start or "").strip(),
                                                              (end or "").strip(), reason or ""))
                message = f"✓ Request {rid} sent to your supervisor."
            except (requests.RequestError, store.WriteFailed) as err:
                message = f"✕ {err}"
        return message, actions_ui.my_requests(with_cursor(lambda cur: requests.visible(cur, user)))

    @app.callback(
        Output(REQUESTS_GRID, "rowData"),
        Output(ids.REQ_DECISION, "children"),
        Input(ids.URL, "pathname"),
        Input(ids.REQ_APPROVE, "n_clicks"),
        Input(ids.REQ_DECLINE, "n_clicks"),
        State(REQUESTS_GRID, "selectedRows"),
        State(ids.REQ_NOTE, "value"),
    )
    def decide(_path, _approve, _decline, selected, note):
        try:
            user = require_user("supervisor", "manager", "control_desk")
        except NotAllowed:
            return [], ""
        message = ""
        if ctx.triggered_id in (ids.REQ_APPROVE, ids.REQ_DECLINE):
            if not selected:
                message = "Select a request first."
            else:
                try:
                    writing(lambda cur: requests.decide(cur, user, int(selected[0]["request_id"]),
                                                            approve=ctx.triggered_id == ids.REQ_APPROVE, note=note or ""))
                    verb = "approved" if ctx.triggered_id == ids.REQ_APPROVE else "declined"
                    message = f"✓ Request {selected[0]['request_id']} {verb}."
                except (requests.RequestError, store.WriteFailed) as err:
                    message = f"✕ {err}"
        return with_cursor(lambda cur: requests.visible(cur, user)), message

    @app.callback(
        Output(ids.DESK_ALERT, "children"),
        Input(ids.DESK_SITE, "value"),
    )
    def alert_label(site):
        try:
            require_user("control_desk")
        except NotAllowed:
            return "⚠ Alert the site"
        name = with_cursor(lambda cur: detail.names(cur, "sites")).get(site or "", "the site")
        return f"⚠ Alert {name}"

    @app.callback(
        Output(ids.DESK_ALERT_STATUS, "children"),
        Output(ids.DESK_SENT, "rowData"),
        Input(ids.DESK_ALERT, "n_clicks"),
        Input(ids.today_alert(ALL), "n_clicks"),
        Input(ids.URL, "pathname"),
        State(ids.DESK_SITE, "value"),
        State(ids.custom_range("desk"), "start_date"),
        State(ids.custom_range("desk"), "end_date"),
    )
    def alert(clicks, today_clicks, _path, site, start, end):
        try:
            user = require_user("control_desk")
        except NotAllowed:
            return "", []
        status = ""
        trigger = ctx.triggered_id
        if isinstance(trigger, dict) and trigger.get("type") == "today-alert" and any(today_clicks or []):
            # "Today so far": the alert of the site on that row, about today.
            site = str(trigger.get("site", ""))
            start = end = now_utc(settings).date().isoformat()
        elif trigger != ids.DESK_ALERT or not clicks:
            site = None  # no alert asked for: the page opened, or a click count of nothing
        if site:
            name = with_cursor(lambda cur: detail.names(cur, "sites")).get(site, site)
            period = start[:10] if start and end and start[:10] == end[:10] else f"{(start or '')[:10]} to {(end or '')[:10]}"
            body = (f"{name}: staff on hand is below the requirement (see the control desk's net-staffing view); "
                    f"please check what is keeping agents off the phones.")
            try:
                writing(lambda cur: messages.send(cur, user, "site", site, body, kind="alert",
                                                      kpi=BY_ID["net_staffing_on_hand"].label, period=period),
                        "messages")
                status = f"✓ Alert sent to {name}."
            except (messages.MessageError, store.WriteFailed) as err:
                status = f"✕ {err}"
        return status, with_cursor(lambda cur: readable(cur, user, messages.sent(cur, user)))



def readable(cur: duckdb.DuckDBPyConnection, user: User, rows: list[dict]) -> list[dict]:
    """Messages with their time in the reader's site time (`sent`), as people read them."""
    zone = home_timezone(cur, user)
    return [{**r, "sent": local_stamp(r["sent_at"], zone)} for r in rows]
