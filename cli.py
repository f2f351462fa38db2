"""`floorview` command line: the parser and the dispatch; each command lives in its module under commands/."""

from __future__ import annotations

import argparse
import os
import sys

from commands import demo, files, follow_ups, numbers, people, profiles, serve, upkeep
from commands.common import db_option, db_path, password, settings_of
from commands.serve import serve_settings
from settings import ConfigError
from store import DatabaseLocked

__all__ = ["build_parser", "main", "serve_settings"]
COMMANDS = (files, profiles, numbers, demo, upkeep, people, follow_ups, serve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="floorview", description="Contact-centre workforce analytics.")
    parser.add_argument("--config", help="config file (default: $FLOORVIEW_CONFIG or ./config.toml)")
    sub = parser.add_subparsers(dest="command", required=True)
    db = db_option()
    for module in COMMANDS:
        module.register(sub, db)
    return parser


def _in_running_app(argv: list[str], args: argparse.Namespace) -> int | None:
    """The exit code of the command run by the app serving its database, or None when no app serves it."""
    from live import client, control

    if args.command not in client.DELEGATED and args.command != "restore":
        return None
    if args.command == "demo" and args.live:  # a replay runs here for hours, feeding the app like an ACD would
        return None
    running = control.running_app(db_path(args, settings_of(args)))
    if running is None:
        return None
    if args.command == "restore":
        print("floorview restore: the app is serving this database; stop it first (restore replaces the database "
              "it has open)", file=sys.stderr)
        return 3
    return client.delegate(running, argv, args, password)


def main(argv: list[str] | None = None, delegate: bool = True) -> int:
    """Run a command; while the app serves this database, a command that uses it runs in the app (see
    live/control.py), unless `delegate` is off (the app itself running it)."""
    os.umask(0o077)  # the database, its log, keys, backups and exports hold personal data: the owner's only
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    try:
        if delegate:
            code = _in_running_app(argv, args)
            if code is not None:
                return code
        return args.func(args)
    except ConfigError as err:
        print(f"configuration error: {err}", file=sys.stderr)
        return 2
    except DatabaseLocked as err:
        print(f"database locked: {err}", file=sys.stderr)
        return 3
    except BrokenPipeError:  # output piped into `head` and the like
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
