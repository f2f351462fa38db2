"""`floorview serve`: the dashboards, with the live services (ingest worker, inbox, the command line's path)."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path

from commands.common import settings_of
from settings import Settings


def register(sub: argparse._SubParsersAction, db: argparse.ArgumentParser) -> None:
    serve = sub.add_parser("serve", parents=[db], help="serve the dashboards")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--demo-today", metavar="DIR",
                       help="pin 'today' to the last day of the demo generated in DIR (as `make run` does)")
    serve.add_argument("--debug", action="store_true",
                       help="Flask's development server with Dash's dev tools (never in production)")
    serve.set_defaults(func=cmd_serve)


def demo_last_day(folder: Path) -> date | None:
    """The last day a generated demo covers (from its stories.json), or None when there is no demo there."""
    try:
        return date.fromisoformat(json.loads((folder / "stories.json").read_text(encoding="utf-8"))["period"]["end"])
    except (OSError, KeyError, TypeError, ValueError):
        return None


def serve_settings(args: argparse.Namespace) -> Settings:
    """The settings to serve with: the config's, with the command line's choices given to it when it is read."""
    app: dict[str, object] = {"debug": True} if getattr(args, "debug", False) else {}
    overrides: dict[str, object] = {"database": {"path": Path(args.db).resolve()}} if args.db else {}
    if args.demo_today:
        # A demo ends yesterday and is served for days after: "today" is its last day, so the period buttons
        # (Today, This week …) show days with data whatever the server's date.
        last = demo_last_day(Path(args.demo_today))
        if last is None:
            print(f"no demo in {args.demo_today} (no stories.json): today is the server's date", flush=True)
        else:
            app["today"] = last
            print(f"today is {last:%a %d %b %Y}, the demo's last day (--demo-today {args.demo_today})", flush=True)
    return settings_of(args, **overrides, **({"app": app} if app else {}))


def cmd_serve(args: argparse.Namespace) -> int:
    from app import create_app, serve_app

    settings = serve_settings(args)
    app = create_app(settings)
    host = args.host or settings.app.host
    port = args.port or settings.app.port
    server = "Flask's development server (--debug)" if settings.app.debug else "waitress"
    print(f"Floorview on http://{host}:{port}  (database {settings.db_path}; {server})", flush=True)
    serve_app(app, settings, host, port)
    return 0
