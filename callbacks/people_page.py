"""People page: the sign-ins in the user's scope and the changes to them (authority in actions.people)."""

from __future__ import annotations

from dash import Dash, Input, Output, State, ctx

import ids
import store
from actions import people
from actions.scope import places_in_scope
from callbacks.common import NotAllowed, choices, require_user
from layouts import people_page
from roles import ROLE_WORDS

PLACE_LEVEL = {"agent": "agent", "supervisor": "team", "manager": "site"}


def register(app: Dash, db: store.Database) -> None:
    @app.callback(Output(ids.PPL_ROLE, "options"), Output(ids.PPL_ROLE, "value"), Input(ids.URL, "pathname"))
    def roles(_path):
        try:
            user = require_user(*people.MANAGERS)
        except NotAllowed:
            return [], None
        allowed = people.ROLES_ADDED_BY[user.role]
        return [{"label": ROLE_WORDS[r], "value": r} for r in allowed], allowed[0]

    @app.callback(Output(ids.PPL_PLACE, "options"), Output(ids.PPL_PLACE, "value"), Input(ids.PPL_ROLE, "value"))
    def place_options(role):
        try:
            user = require_user(*people.MANAGERS)
        except NotAllowed:
            return [], None
        level = PLACE_LEVEL.get(role or "")
        if not level:
            return [], None
        with db.session() as cur:
            found = places_in_scope(cur, user, level)
        return choices(found, preselect_single=False)

    @app.callback(
        Output(ids.PPL_GRID, "rowData"),
        Output(ids.PPL_FEEDBACK, "children"),
        Input(ids.URL, "pathname"),
        Input(ids.PPL_ADD, "n_clicks"),
        Input(ids.PPL_SET_PASSWORD, "n_clicks"),
        Input(ids.PPL_DISABLE, "n_clicks"),
        Input(ids.PPL_ENABLE, "n_clicks"),
        State(ids.PPL_GRID, "selectedRows"),
        State(ids.PPL_USERNAME, "value"),
        State(ids.PPL_NAME, "value"),
        State(ids.PPL_ROLE, "value"),
        State(ids.PPL_PLACE, "value"),
        State(ids.PPL_PASSWORD, "value"),
        State(ids.PPL_NEW_PASSWORD, "value"),
    )
    def act(_path, _add, _pw, _off, _on, selected, username, name, role, place, password, new_password):
        try:
            user = require_user(*people.MANAGERS)
        except NotAllowed:
            return [], people_page.not_allowed()
        feedback = ""
        chosen = (selected or [{}])[0].get("username") if selected else None
        trigger = ctx.triggered_id
        with db.session() as cur:
            try:
                with db.write(cur):
                    if trigger == ids.PPL_ADD and _add:
                        people.add(cur, user, username or "", name or "", role or "", place, password or "")
                        feedback = f"✓ Added {(username or '').strip().lower()}."
                    elif trigger in (ids.PPL_SET_PASSWORD, ids.PPL_DISABLE, ids.PPL_ENABLE):
                        if not chosen:
                            raise people.PeopleError("select a person first")
                        if trigger == ids.PPL_SET_PASSWORD:
                            people.reset_password(cur, user, chosen, new_password or "")
                            feedback = f"✓ Password changed for {chosen}."
                        else:
                            people.set_disabled(cur, user, chosen, trigger == ids.PPL_DISABLE)
                            feedback = f"✓ {chosen} {'disabled' if trigger == ids.PPL_DISABLE else 'enabled'}."
            except (people.PeopleError, store.WriteFailed) as err:
                feedback = f"✕ {err}"
            return people.visible(cur, user), feedback
