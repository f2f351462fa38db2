"""Floorview's Dash app: `create_app(settings)` builds the shell and pages; `python app.py` serves."""

from __future__ import annotations

from pathlib import Path

import dash
from dash import Dash, html

import store
from callbacks import data_page as data_callbacks
from layouts import data_page, role_pages, shell
from settings import Settings, load_settings

ASSETS = Path(__file__).resolve().parent / "assets"


def create_app(settings: Settings, db: store.Database | None = None) -> Dash:
    """Build the app around one database owned by this process (a cursor per request)."""
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
    dash.register_page("home", path="/", name="Home", layout=role_pages.home)
    for path in role_pages.ROLES:
        dash.register_page(f"role-{path}", path=f"/{path}", name=role_pages.ROLES[path][0],
                           layout=lambda path=path, **_q: role_pages.role_page(path))
    dash.register_page("data", path="/data", name="Data", layout=data_page.layout)
    app.layout = shell.frame(dash.page_container)
    app.validation_layout = html.Div([
        app.layout, role_pages.home(), data_page.layout(), *(role_pages.role_page(p) for p in role_pages.ROLES)
    ])
    data_callbacks.register(app, db)
    app.server.config["FLOORVIEW_DB"] = db
    return app


def main() -> None:
    settings = load_settings()
    app = create_app(settings)
    app.run(host=settings.app.host, port=settings.app.port, debug=settings.app.debug)


if __name__ == "__main__":
    main()
