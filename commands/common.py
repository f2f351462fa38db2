"""What every command shares: the settings, the database path, the --db option."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from settings import Settings, load_settings


def db_option(default: object = None) -> argparse.ArgumentParser:
    """The --db option, declared once; each command that opens the database takes it as a parent. A command's
    own subcommands take it too with `argparse.SUPPRESS` as the default (so it may come before or after the
    subcommand's name, and one given before is not reset)."""
    parent = argparse.ArgumentParser(add_help=False)
    parent.add_argument("--db", default=default, help="database file (default: database.path in config.toml)")
    return parent


def settings_of(args: argparse.Namespace, **overrides: object) -> Settings:
    """The settings, checked against the KPI catalogue (a config that does not match it stops the command)."""
    from kpis.catalogue import check_settings

    settings = load_settings(args.config, **overrides)
    check_settings(settings)
    return settings


def db_path(args: argparse.Namespace, settings: Settings) -> Path:
    return Path(args.db) if getattr(args, "db", None) else settings.db_path


def existing_db(args: argparse.Namespace, settings: Settings, command: str) -> Path | None:
    """The database path, or None (said on stderr) when there is no database there to read."""
    db = db_path(args, settings)
    if not db.exists():
        print(f"floorview {command}: no database at {db}", file=sys.stderr)
        return None
    return db


def csv_list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise SystemExit("passwords differ")
    return first
