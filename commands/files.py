"""`floorview load` and `floorview inspect`: export files into the database, or a look at one first."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from commands.common import db_path, settings_of
from settings import Settings


def register(sub: argparse._SubParsersAction, db: argparse.ArgumentParser) -> None:
    from loaders.formats import FORMATS

    load = sub.add_parser("load", parents=[db],
                          help="load export files (canonical CSV/Parquet, vendor formats) or folders of them")
    load.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
    load.add_argument("--kind", help="kind of every file given (default: detected from the header)")
    load.add_argument("--format", choices=list(FORMATS), help="vendor format of every file given (default: detected)")
    load.add_argument("--profile", help="read every file through this mapping profile of config.toml")
    load.add_argument("--quiet", action="store_true", help="no progress bar")
    load.add_argument("--show-rejects", type=int, default=10, metavar="N", help="rejected rows to print per file")
    load.set_defaults(func=cmd_load)

    inspect = sub.add_parser("inspect", parents=[db],
                             help="show a file's detected format, its mapping and first rows, loading nothing")
    inspect.add_argument("path", metavar="FILE")
    inspect.add_argument("--kind")
    inspect.add_argument("--format", choices=list(FORMATS))
    inspect.add_argument("--profile")
    inspect.add_argument("--rows", type=int, default=5)
    inspect.set_defaults(func=cmd_inspect)


def cmd_load(args: argparse.Namespace) -> int:
    settings = settings_of(args)
    return load(settings, db_path(args, settings), args.paths, kind=args.kind, fmt=args.format, profile=args.profile,
                quiet=args.quiet, show_rejects=args.show_rejects)


def load(settings: Settings, db: Path, paths: list[str], kind: str | None = None, fmt: str | None = None,
         profile: str | None = None, quiet: bool = False, show_rejects: int = 10) -> int:
    """Load files and folders, printing a summary per file; the exit code (1 if any file failed, or had every
    row rejected)."""
    import duckdb

    import store
    from loaders import load_paths, scan_paths
    from loaders.canonical import recover_interrupted
    from loaders.progress import FileProgress

    files, skipped = scan_paths(paths)
    for entry, why in skipped:
        print(f"skipped {entry}: {why}")
    if not files:
        print("nothing to load: no CSV or Parquet files in " + ", ".join(paths), file=sys.stderr)
        return 1
    con = store.connect(db)
    try:
        for load_id, name, started in recover_interrupted(con):
            print(f"interrupted: {name} (load {load_id}, started {started:%Y-%m-%d %H:%M} UTC) stopped before it "
                  "finished; nothing from it was kept — load it again")
        with FileProgress(files, enabled=not quiet) as progress:
            results = load_paths(con, files, settings, kind=kind, on_file=progress.done, on_stage=progress.stage,
                                 fmt=fmt, profile=profile)
    except duckdb.Error as err:
        # The files' rows are committed; their site-days stay in fact_backlog for the next load or a refresh.
        print(f"interval facts could not be rebuilt ({str(err).splitlines()[0]}); the loaded rows are kept — "
              f"run `floorview refresh` to try again", file=sys.stderr)
        return 1
    finally:
        con.close()
    failed = 0
    for r in results:
        print(r.summary())
        for line, fld, value, reason in r.sample_rejects[:show_rejects]:
            shown = f" = {value!r}" if value not in (None, "") else ""
            print(f"    {Path(r.file).name}:{line}: {fld}{shown}: {reason}")
        if r.rows_rejected > show_rejects and show_rejects:
            print(f"    … {r.rows_rejected - show_rejects:,} more rejected rows in the rejects table")
        failed += r.status == "failed" or r.all_rejected
    total = sum(r.rows_loaded for r in results)
    rejected = sum(r.rows_rejected for r in results)
    print(f"{len(results)} file(s): {total:,} rows loaded, {rejected:,} rejected, {failed} failed")
    return 1 if failed else 0


def cmd_inspect(args: argparse.Namespace) -> int:
    import tempfile

    import store
    from loaders import LoadError
    from loaders.inspect import report

    settings = settings_of(args)
    db = db_path(args, settings)
    with tempfile.TemporaryDirectory() as scratch:
        # The real database read-only when it exists (its roster and id_map), else an empty one.
        con = store.connect(db, read_only=True) if db.exists() else store.connect(Path(scratch) / "inspect.duckdb")
        if not db.exists():
            print(f"(no database at {db}: no roster or id_map, so vendor ids stay unmapped and sites unknown)")
        try:
            print(report(con, Path(args.path), settings, args.kind, args.format, args.profile, args.rows))
        except LoadError as err:
            print(f"cannot read {args.path}: {err}", file=sys.stderr)
            return 1
        finally:
            con.close()
    return 0
