"""`floorview profile suggest`: a mapping profile proposed from a file, to edit and load with --profile."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def register(sub: argparse._SubParsersAction, db: argparse.ArgumentParser) -> None:
    profile = sub.add_parser("profile", help="mapping profiles for exports no built-in format knows")
    actions = profile.add_subparsers(dest="action", required=True)
    suggest = actions.add_parser("suggest", help="propose a profile from a file's header and sample values (TOML)")
    suggest.add_argument("path", metavar="FILE", help="a CSV or an Excel workbook")
    suggest.add_argument("--kind", choices=("contacts", "agent_states", "surveys"), help="default: guessed")
    suggest.add_argument("--name", help="the profile's name (default: from the file name)")
    suggest.add_argument("--skip-rows", type=int, default=0, help="lines or rows before the header")
    profile.set_defaults(func=cmd_profile)


def cmd_profile(args: argparse.Namespace) -> int:
    from loaders.suggest import suggest
    from loaders.workbook import WorkbookError

    path = Path(args.path)
    if not path.is_file():
        print(f"floorview profile suggest: no such file {path}", file=sys.stderr)
        return 1
    try:
        print(suggest(path, args.kind, args.name, args.skip_rows))
    except (ValueError, WorkbookError, UnicodeDecodeError) as err:
        print(f"floorview profile suggest: {err}", file=sys.stderr)
        return 2
    return 0
