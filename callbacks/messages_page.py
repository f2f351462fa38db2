"""Messages page: audiences in the user's scope, sending (authority checked in actions.messages), sent list."""

from __future__ import annotations

from urllib.parse import parse_qs

from dash import Dash, Input, Output, State, ctx

import ids
import store
from actions import messages
from callbacks.actions_ui import readable
from callbacks.common import NotAllowed, choices, require_user
from kpis.catalogue import BY_ID
from layouts import messages_page

SENDERS = ("supervisor", "manager", "control_desk")


def register(app: Dash, db: store.Database) -> None:
    @app.callback(
        Output(ids.MSG_LEVEL, "options"),
        Output(ids.MSG_LEVEL, "value"),
        Output(ids.MSG_KPI, "options"),
        Input(ids.URL, "pathname"),
        State(ids.URL, "search"),
    )
    def options(_path, search):
        try:
            user = require_user(*SENDERS)
        except NotAllowed:
            return [], None, []
        levels = messages.AUDIENCE_LEVELS[user.role]
        asked = _query(search).get("level")  # from a link such as /live's "Message": ?level=agent&to=ID
        return ([{"label": messages_page.LEVEL_WORDS[lv], "value": lv} for lv in levels],
                asked if asked in levels else levels[0], sorted(({"label": k.label, "value": k.id} for k in BY_ID.values()), key=lambda o: o["label"]))

    @app.callback(
        Output(ids.MSG_TO, "options"),
        Output(ids.MSG_TO, "value"),
        Input(ids.MSG_LEVEL, "value"),
        State(ids.URL, "search"),
    )
    def audience(level, search):
        try:
            user = require_user(*SENDERS)
        except NotAllowed:
            return [], None
        with db.session() as cur:
            found = messages.audiences(cur, user, level or "")
        options, value = choices(found)
        asked = _query(search).get("to")
        return options, asked if asked in {pid for pid, _ in found} else value  # only someone in scope

    @app.callback(
        Output(ids.MSG_FEEDBACK, "children"),
        Output(ids.MSG_SENT, "rowData"),
        Input(ids.URL, "pathname"),
        Input(ids.MSG_SEND, "n_clicks"),
        State(ids.MSG_LEVEL, "value"),
        State(ids.MSG_TO, "value"),
        State(ids.MSG_KIND, "value"),
        State(ids.MSG_KPI, "value"),
        State(ids.MSG_PERIOD, "value"),
        State(ids.MSG_BODY, "value"),
    )
    def send(_path, clicks, level, to, kind, kpi, period, body):
        try:
            user = require_user(*SENDERS)
        except NotAllowed:
            return messages_page.not_allowed(), []
        feedback = ""
        with db.session() as cur:
            if ctx.triggered_id == ids.MSG_SEND and clicks:
                try:
                    if to is None:
                        raise messages.MessageError("choose whom to send it to")
                    if kpi and kpi not in BY_ID:
                        raise messages.MessageError("unknown KPI")
                    with db.write(cur, topic="messages"):
                        mid = messages.send(cur, user, level or "", to or None, body or "", kind=kind or "message",
                                            kpi=BY_ID[kpi].label if kpi else None,
                                            period=(period or "").strip()[:80] or None)
                    feedback = f"✓ Sent (message {mid})."
                except (messages.MessageError, store.WriteFailed) as err:
                    feedback = f"✕ {err}"
            return feedback, readable(cur, user, messages.sent(cur, user))


def _query(search: str | None) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs((search or "").lstrip("?")).items()}
