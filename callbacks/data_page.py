"""Data page: fill the counts, freshness, loads and rejects from the database."""

from __future__ import annotations

import base64
import binascii
from datetime import UTC, datetime, timedelta
from pathlib import Path

import flask
from dash import Dash, Input, Output, State, html

import callback_gate
import ids
import store
from actions import audit
from callbacks import panel_exports
from callbacks.common import NotAllowed, require_user
from layouts import data_page
from live import uploads

HOUR = timedelta(hours=1)


def register(app: Dash, db: store.Database) -> None:
    @app.callback(
        Output(ids.DATA_COUNTS, "children"),
        Output(ids.DATA_FRESHNESS, "children"),
        Output(ids.DATA_LOADS, "rowData"),
        Output(ids.DATA_REJECTS, "rowData"),
        Output(ids.DATA_AUDIT, "rowData"),
        Input(ids.DATA_REFRESH, "n_clicks"),
        Input(ids.DATA_VERSION, "data"),
    )
    def fill(_clicks: int | None, _version: int | None):
        try:
            user = require_user("manager", "control_desk")
        except NotAllowed:
            return data_page.not_allowed(), None, [], [], []
        sites = user.site_scope  # a manager's own sites; None for the control desk (all)
        with db.session() as cur:
            fresh = store.data_freshness(cur, sites)
            return (
                data_page.counts_table(store.table_counts(cur, sites), sites),
                [data_page.freshness(fresh["first_contact_utc"], fresh["last_contact_utc"], fresh["last_load_utc"]),
                 data_page.live_events(store.event_posts(cur, datetime.now(UTC).replace(tzinfo=None) - HOUR, sites)),
                 data_page.backlog(store.fact_backlog(cur, sites))],
                store.load_history(cur, sites=sites),
                store.recent_rejects(cur, sites=sites),
                audit.trail(cur, user),
            )

    @app.callback(
        Output(ids.DATA_UPLOAD_RESULT, "children"),
        Input(ids.DATA_UPLOAD, "contents"),
        State(ids.DATA_UPLOAD, "filename"),
        prevent_initial_call=True,
    )
    def upload(contents: list[str] | None, names: list[str] | None):
        try:
            user = require_user("manager", "control_desk")
        except NotAllowed:
            return data_page.not_allowed()
        live = flask.current_app.extensions.get("floorview_live")
        if live is None:
            return html.P("✕ Uploads need the app served by `floorview serve` (its loader is not running).",
                          className="text-danger")
        saved = []
        for name, content in zip(names or [], contents or [], strict=False):
            try:
                data = base64.b64decode(content.split(",", 1)[1], validate=True)
            except (IndexError, ValueError, binascii.Error):
                continue
            saved.append(uploads.save(live, name, data))
        if not saved:
            return html.P("✕ Nothing to load: the browser sent no readable file.", className="text-danger")
        with callback_gate.turn_set_aside():  # the load is the worker's CPU, not this callback's
            results = uploads.load(live, db, saved, f"{user.username} (data page)", sites=user.site_scope)
        return data_page.upload_results([(Path(r.file).name, r.status, r.rows_loaded, r.rows_rejected, r.message)
                                         for r in results])

    @app.callback(Output(ids.DATA_PROGRESS, "children"), Input(ids.LIVE_TICK, "n_intervals"))
    def progress(_tick: int | None):
        try:
            require_user("manager", "control_desk")
        except NotAllowed:
            return None
        live = flask.current_app.extensions.get("floorview_live")
        if live is None:
            return None
        p = live.worker.progress
        return data_page.loading_now(p.file, p.stage, p.fraction, p.source, p.queued)

    panel_exports.register_grid(app, ids.DATA_LOADS, ids.DATA_EXPORT_LOADS, "loads")
    panel_exports.register_grid(app, ids.DATA_REJECTS, ids.DATA_EXPORT_REJECTS, "rejected-rows")
