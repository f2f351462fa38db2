"""`floorview follow-ups`: the HOTLINE's cases on the command line: the list, and the monthly management report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from commands.common import db_path, existing_db, settings_of

STATUSES = ("new", "in_progress", "closed")


def register(sub: argparse._SubParsersAction, db: argparse.ArgumentParser) -> None:
    cmd = sub.add_parser("follow-ups", help="survey follow-up cases (the HOTLINE): list them, or the monthly report")
    actions = cmd.add_subparsers(dest="action", required=True)
    listing = actions.add_parser("list", parents=[db], help="list cases, overdue first")
    listing.add_argument("--status", choices=STATUSES)
    listing.add_argument("--overdue", action="store_true", help="only cases past a service clock")
    listing.add_argument("--format", choices=("table", "csv", "json"), default="table")
    report = actions.add_parser("report", parents=[db], help="the monthly management report, one row per case")
    report.add_argument("--month", required=True, metavar="YYYY-MM", help="cases detected in this month (UTC)")
    report.add_argument("--format", choices=("csv", "xlsx"), default="csv")
    report.add_argument("--out", required=True, metavar="FILE")
    cmd.set_defaults(func=cmd_follow_ups)


def cmd_follow_ups(args: argparse.Namespace) -> int:
    import store
    from accounts import User
    from actions.follow_up_report import REPORT_COLUMNS, list_text, month_cases, write_csv, write_xlsx
    from actions.follow_ups import Filters, cases
    from roles import Role

    settings = settings_of(args)
    db = existing_db(args, settings, "follow-ups")
    if db is None:
        return 1
    operator = User("command line", "Command line", Role.CONTROL_DESK)  # whoever can read the database file
    con = store.connect(db_path(args, settings))  # migrated: a database from before follow-ups gains the tables
    try:
        if args.action == "list":
            found = cases(con, settings, operator, Filters(status=args.status, overdue_only=args.overdue))
            print(list_text(found, args.format))
            return 0
        try:
            found = month_cases(con, settings, operator, args.month)
        except ValueError as err:
            print(f"floorview follow-ups report: {err}", file=sys.stderr)
            return 2
    finally:
        con.close()
    out = Path(args.out)
    if args.format == "xlsx":
        write_xlsx(found, REPORT_COLUMNS, out, f"Follow-ups {args.month}")
    else:
        write_csv(found, REPORT_COLUMNS, out)
    print(f"{len(found):,} case(s) detected in {args.month} written to {out}")
    return 0
