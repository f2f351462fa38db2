"""Floorview's Dash app: `create_app(settings)` builds the shell and pages; `python app.py` serves."""

from __future__ import annotations

import gc
import os
import signal
import sys
from datetime import date
from functools import partial
from pathlib import Path

import dash
import flask
from dash import Dash, html

import store
import web_auth
import web_front
from callbacks import actions_ui as actions_callbacks
from callbacks import agent_page as agent_callbacks
from callbacks import common as common_callbacks
from callbacks import control_desk_page as control_desk_callbacks
from callbacks import data_page as data_callbacks
from callbacks import follow_ups_page as follow_ups_callbacks
from callbacks import live_page as rta_callbacks
from callbacks import live_status as live_callbacks
from callbacks import manager_page as manager_callbacks
from callbacks import messages_page as messages_callbacks
from callbacks import panel_exports
from callbacks import people_page as people_callbacks
from callbacks import supervisor_page as supervisor_callbacks
from callbacks import targets_page as targets_callbacks
from callbacks import voice_page as voice_callbacks
from callbacks.common import today
from callbacks.kpi_cache import KpiCache
from kpis import docs as kpi_docs
from kpis.catalogue import check_settings
from kpis.periods import PERIODS, resolve_period
from layouts import (
    agent_page,
    control_desk_page,
    data_page,
    follow_ups_page,
    help_page,
    live_page,
    manager_page,
    messages_page,
    people_page,
    role_pages,
    shell,
    supervisor_page,
    targets_page,
    voice_page,
)
from live import api as live_api
from live.service import serving_live
from roles import pages_for
from settings import Settings, load_settings
from upkeep import retention

ASSETS = Path(__file__).resolve().parent / "assets"
DEFAULT_PERIOD = "this_week"


INDEX = """<!DOCTYPE html>
<html lang="en">
    <head>
        {%metas%}
        <title>{%title%}</title>
        {%favicon%}
        {%css%}
    </head>
    <body>
        <a class="fv-skip-link" href="#fv-main">Skip to the page's content</a>
        {%app_entry%}
        <footer>
            {%config%}
            {%scripts%}
            {%renderer%}
        </footer>
    </body>
</html>"""


def create_app(settings: Settings, db: store.Database | None = None) -> Dash:
    """Build the app around one database owned by this process (a cursor per request)."""
    check_settings(settings)  # before the database is opened: a bad config changes nothing
    db = db or store.Database(settings.db_path)
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder="",
        assets_folder=str(ASSETS),
        title="Floorview",
        update_title=None,
        serve_locally=True,
    )
    # The page's language for screen readers, and a skip link past the navigation to the page's <main>.
    app.index_string = INDEX
    web_auth.install(app.server, db, settings)

    def period_layout(builder):
        """A page layout whose period comes from the address: ?period=last_month for a named period (as drill-down
        links and the page's own address carry it), ?from=&to= for a custom range."""
        def layout(**query: str) -> html.Div:
            key = query.get("period")
            if key in PERIODS and key != "custom":
                return builder(key, *resolve_period(key, today(settings)))
            try:
                start, end = date.fromisoformat(query["from"]), date.fromisoformat(query["to"])
                return builder("custom", min(start, end), max(start, end))
            except (KeyError, ValueError):
                start, end = resolve_period(DEFAULT_PERIOD, today(settings))
                return builder(DEFAULT_PERIOD, start, end)
        return layout

    dash.register_page("home", path="/", name="Home", layout=role_pages.home)
    dash.register_page("agent", path="/agent", name="Agent", layout=period_layout(
        partial(agent_page.layout, now_refresh_s=settings.adherence.rta_refresh_s)))
    dash.register_page("supervisor", path="/supervisor", name="Supervisor", layout=period_layout(supervisor_page.layout))
    dash.register_page("manager", path="/manager", name="Manager", layout=period_layout(manager_page.layout))
    dash.register_page("control-desk", path="/control-desk", name="Control desk",
                       layout=period_layout(control_desk_page.layout))
    dash.register_page("live", path="/live", name="Live",
                       layout=lambda **_query: live_page.layout(settings.adherence.rta_refresh_s))
    dash.register_page("targets", path="/targets", name="Targets", layout=targets_page.layout)
    dash.register_page("messages", path="/messages", name="Messages", layout=messages_page.layout)
    dash.register_page("follow-ups", path="/follow-ups", name="Follow-ups",
                       layout=lambda **_query: follow_ups_page.layout(f"{today(settings):%Y-%m}"))
    dash.register_page("voice", path="/voice", name="Voice", layout=period_layout(voice_page.layout))
    dash.register_page("admin", path="/admin", name="People", layout=people_page.layout)
    dash.register_page("data", path="/data", name="Data", layout=data_page.layout)
    help_entries = kpi_docs.help_entries(settings)  # the catalogue as configured: fixed while the app runs
    dash.register_page("help", path="/help", name="Help", layout=lambda **_query: help_page.layout(help_entries))

    def shell_for_user() -> html.Div:
        user = web_auth.current_user() if flask.has_request_context() else None
        if user is None:
            return shell.frame(dash.page_container)
        allowed = tuple(p for p in pages_for(user.role) if p != "/")
        return shell.frame(dash.page_container, allowed, user.display_name, user.role, web_auth.csrf_token(),
                           settings.app.refresh_s,
                           {topic: db.version(topic) for topic in store.TOPICS})

    app.layout = shell_for_user
    start, end = resolve_period(DEFAULT_PERIOD, today(settings))
    app.validation_layout = html.Div([
        shell.frame(dash.page_container), role_pages.home(), data_page.layout(), targets_page.layout(),
        messages_page.layout(), follow_ups_page.layout(f"{today(settings):%Y-%m}"), people_page.layout(), live_page.layout(settings.adherence.rta_refresh_s),
        agent_page.layout(DEFAULT_PERIOD, start, end),
        supervisor_page.layout(DEFAULT_PERIOD, start, end),
        manager_page.layout(DEFAULT_PERIOD, start, end),
        control_desk_page.layout(DEFAULT_PERIOD, start, end),
        voice_page.layout(DEFAULT_PERIOD, start, end),
    ])
    common_callbacks.register(app)
    common_callbacks.register_drill(app)
    panel_exports.register(app)
    kpis = KpiCache(app.server, db)  # one cache for every page and person, keyed by the data version
    live_callbacks.register(app, db, settings)
    rta_callbacks.register(app, db, settings)
    data_callbacks.register(app, db)
    agent_callbacks.register(app, db, settings, kpis)
    supervisor_callbacks.register(app, db, settings, kpis)
    manager_callbacks.register(app, db, settings, kpis)
    control_desk_callbacks.register(app, db, settings, kpis)
    actions_callbacks.register(app, db, settings)
    targets_callbacks.register(app, db, settings)
    messages_callbacks.register(app, db)
    follow_ups_callbacks.register(app, db, settings, kpis)
    voice_callbacks.register(app, db, settings)
    people_callbacks.register(app, db)
    live_api.register(app.server, db, settings)
    app.server.extensions["floorview_db"] = db
    web_front.install_headers(app.server, settings, app.csp_hashes)
    # Personal data past its retention period goes while the app serves (off while privacy.retain_days = 0).
    app.server.extensions["floorview_retention"] = retention.Schedule(db.write, settings).start()
    return app


def serve_app(app: Dash, settings: Settings, host: str, port: int) -> None:
    """Serve with the live services running: the ingest worker, the inbox watcher, the command line's path."""
    server = app.server
    # SIGTERM (systemd, docker stop) ends the process through the finally blocks: the control file goes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    # Everything built so far (modules, layouts, Plotly's validators: ~150,000 objects) lives as long as the
    # process: out of the collector's sight, a full collection no longer rescans it, a pause of about 70 ms that
    # otherwise hit one /live refresh in ten at 2,000 agents (bench/bench_rta.py).
    gc.freeze()
    serve = web_front.listen(app, settings, host, port)  # listening before the control file says so
    with serving_live(server, server.extensions["floorview_db"], settings, host, port):
        serve()


def main() -> None:
    os.umask(0o077)  # as the CLI: files made by the server are its owner's only
    settings = load_settings()
    serve_app(create_app(settings), settings, settings.app.host, settings.app.port)


if __name__ == "__main__":
    main()
