"""`floorview refresh`, `backup`, `restore` and `purge`: keeping the database in shape."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from commands.common import db_path, existing_db, settings_of


def register(sub: argparse._SubParsersAction, db: argparse.ArgumentParser) -> None:
    refresh = sub.add_parser("refresh", parents=[db],
                             help="rebuild all interval facts (after changing thresholds or vocabularies)")
    refresh.set_defaults(func=cmd_refresh)
    bk = sub.add_parser("backup", parents=[db],
                        help="copy the database, consistently, to a file (e.g. nightly from cron)")
    bk.add_argument("dest", help="the backup file (or a folder to put it in)")
    bk.set_defaults(func=cmd_backup)
    rs = sub.add_parser("restore", parents=[db], help="put a backup in place of the database (the app must be stopped)")
    rs.add_argument("src", help="a file made by `floorview backup`")
    rs.set_defaults(func=cmd_restore)
    pg = sub.add_parser("purge", parents=[db],
                        help="purge customer ids and survey comments older than privacy.retain_days")
    pg.add_argument("--retain-days", type=int, help="override privacy.retain_days for this run")
    pg.set_defaults(func=cmd_purge)


def cmd_refresh(args: argparse.Namespace) -> int:
    import store
    from loaders import facts, vocabulary

    settings = settings_of(args)
    con = store.connect(db_path(args, settings))
    try:
        with store.transaction(con):
            vocabulary.install(con, settings)
            n = facts.refresh(con, settings, everything=True)
    finally:
        con.close()
    print(f"interval facts rebuilt for {n:,} site-days")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    import store
    from upkeep.backup import BackupError, backup

    settings = settings_of(args)
    db = existing_db(args, settings, "backup")
    if db is None:
        return 1
    con = store.connect(db)
    try:
        copied = backup(con, db, Path(args.dest))
    except (BackupError, OSError) as err:
        print(f"floorview backup: {err}", file=sys.stderr)
        return 1
    finally:
        con.close()
    print(f"backed up {db} to {copied.path} ({copied.bytes / 1e6:,.1f} MB, schema {copied.schema_version}; "
          + ", ".join(f"{t} {n:,}" for t, n in copied.tables.items()) + ")")
    return 0


def cmd_restore(args: argparse.Namespace) -> int:
    from upkeep.backup import BackupError, restore

    settings = settings_of(args)
    db = db_path(args, settings)
    try:
        restored = restore(Path(args.src), db)
    except (BackupError, OSError) as err:
        print(f"floorview restore: {err}", file=sys.stderr)
        return 1
    print(f"restored {args.src} into {db} (the database it replaced is kept as {db.name}.before-restore; "
          + ", ".join(f"{t} {n:,}" for t, n in restored.tables.items()) + ")")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    import store
    from upkeep.retention import purge

    overrides = {"privacy": {"retain_days": args.retain_days}} if args.retain_days is not None else {}
    settings = settings_of(args, **overrides)
    con = store.connect(db_path(args, settings))
    try:
        with store.transaction(con):
            done = purge(con, settings, actor=f"{os.environ.get('USER', 'cli')} (floorview purge)")
    finally:
        con.close()
    if done is None:
        print("retention is off (privacy.retain_days = 0): nothing purged")
        return 0
    print(f"purged personal data older than {done.before}: {done.customer_ids:,} customer ids, {done.comments:,} "
          f"survey comments, {done.reject_values:,} rejected values (counted in the audit trail)")
    return 0
