"""`floorview` command line: load, demo, refresh, serve."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import date
from pathlib import Path

from roles import ROLES
from settings import ConfigError, Settings, load_settings
from store import DatabaseLocked


def _settings(args: argparse.Namespace, **overrides: object) -> Settings:
    from kpis.catalogue import check_settings

    settings = load_settings(args.config, **overrides)
    check_settings(settings)
    return settings


def _db_path(args: argparse.Namespace, settings: Settings) -> Path:
    return Path(args.db) if getattr(args, "db", None) else settings.db_path


def _existing_db(args: argparse.Namespace, settings: Settings, command: str) -> Path | None:
    """The database path, or None (said on stderr) when there is no database there to read."""
    db = _db_path(args, settings)
    if not db.exists():
        print(f"floorview {command}: no database at {db}", file=sys.stderr)
        return None
    return db


def cmd_load(args: argparse.Namespace) -> int:
    import store
    from loaders import load_paths, scan_paths
    from loaders.canonical import recover_interrupted
    from loaders.progress import FileProgress

    settings = _settings(args)
    files, skipped = scan_paths(args.paths)
    for entry, why in skipped:
        print(f"skipped {entry}: {why}")
    if not files:
        print("nothing to load: no CSV or Parquet files in " + ", ".join(args.paths), file=sys.stderr)
        return 1
    import duckdb

    con = store.connect(_db_path(args, settings))
    try:
        for load_id, name, started in recover_interrupted(con):
            print(f"interrupted: {name} (load {load_id}, started {started:%Y-%m-%d %H:%M} UTC) stopped before it "
                  "finished; nothing from it was kept — load it again")
        with FileProgress(files, enabled=not args.quiet) as progress:
            results = load_paths(con, files, settings, kind=args.kind, on_file=progress.done, on_stage=progress.stage,
                                 fmt=args.format, profile=args.profile)
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
        for line, fld, value, reason in r.sample_rejects[: args.show_rejects]:
            shown = f" = {value!r}" if value not in (None, "") else ""
            print(f"    {Path(r.file).name}:{line}: {fld}{shown}: {reason}")
        if r.rows_rejected > args.show_rejects and args.show_rejects:
            print(f"    … {r.rows_rejected - args.show_rejects:,} more rejected rows in the rejects table")
        failed += r.status == "failed"
    total = sum(r.rows_loaded for r in results)
    rejected = sum(r.rows_rejected for r in results)
    print(f"{len(results)} file(s): {total:,} rows loaded, {rejected:,} rejected, {failed} failed")
    return 1 if failed else 0


def cmd_compare_adherence(args: argparse.Namespace) -> int:
    import store
    from kpis.compare import adherence_comparison
    from kpis.report import parse_where, plain_table

    settings = _settings(args)
    db = _existing_db(args, settings, "compare-adherence")
    if db is None:
        return 1
    con = store.connect(db)
    try:
        result = adherence_comparison(con, settings, date.fromisoformat(args.date_from), date.fromisoformat(args.date_to),
                                      parse_where(args.where or []))
    except ValueError as err:
        print(f"floorview compare-adherence: {err}", file=sys.stderr)
        return 2
    finally:
        con.close()
    if result.empty:
        print("no vendor adherence figures in that period (load a genesys-adherence export first)")
        return 0
    print(plain_table(result, args.format, numeric={"vendor_pct", "floorview_pct", "gap_pts"}))
    return 0


def cmd_inspect(args: argparse.Namespace) -> int:
    import tempfile

    import store
    from loaders import LoadError
    from loaders.inspect import report

    settings = _settings(args)
    db = _db_path(args, settings)
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


def cmd_demo(args: argparse.Namespace) -> int:
    from demo import DemoSpec, generate

    settings = _settings(args)
    out = Path(args.out) if args.out else settings.resolve(settings.data.demo_dir)
    if args.live:
        return _live_demo(args, settings, out)
    end = date.fromisoformat(args.end) if args.end else None
    spec = DemoSpec(out=out, seed=args.seed, sites=args.sites, agents=args.agents, days=args.days, end=end)
    if spec.problems():
        for problem in spec.problems():
            print(f"floorview demo: {problem}", file=sys.stderr)
        return 2
    print(f"generating demo exports into {out} …", flush=True)
    stories = generate(spec)
    if args.local_time:
        from demo.sitetime import rewrite_in_site_time

        rewrite_in_site_time(out)
        print("instants written in site-local time, without offsets")
    print(f"period {stories['period']['start']} to {stories['period']['end']}; stories in {out / 'stories.json'}")
    if not args.load:
        return 0
    load_args = argparse.Namespace(config=args.config, db=args.db, paths=[str(out)], kind=None, quiet=args.quiet,
                                   show_rejects=5, format=None, profile=None)
    code = cmd_load(load_args)
    if code == 0:
        _create_demo_users(_db_path(args, settings), stories, settings.app.demo_password)
    return code


def _live_demo(args: argparse.Namespace, settings: Settings, folder: Path) -> int:
    from demo.live import App, replay
    from live import control

    running = control.running_app(_db_path(args, settings))
    if running is None:
        print(f"floorview demo --live: no app serves {_db_path(args, settings)}; start it first with "
              "`floorview serve` (make live does both)", file=sys.stderr)
        return 3
    if not (folder / "stories.json").exists():
        print(f"floorview demo --live: no demo in {folder} (make one with `floorview demo --load`)", file=sys.stderr)
        return 2
    if args.speed <= 0 or args.speed > 3600:
        print("floorview demo --live: --speed must be above 0 and at most 3600", file=sys.stderr)
        return 2
    inbox = Path(App(running).status()["inbox"])
    return replay(running, folder, inbox, args.speed, args.start_utc, args.until_utc,
                  say=lambda line: print(line, flush=True))


def _create_demo_users(db: Path, stories: dict, password: str) -> None:
    import accounts
    import store

    con = store.connect(db)
    for u in stories["users"]:
        accounts.add_user(con, u["username"], u["display_name"], u["role"], password, agent_id=u.get("agent_id"),
                          team_ids=tuple(u.get("team_ids", ())), site_ids=tuple(u.get("site_ids", ())), replace=True)
    con.close()
    names = ", ".join(f"{u['username']} ({u['role']})" for u in stories["users"])
    print(f"demo users (password from config.toml app.demo_password): {names}")


def cmd_refresh(args: argparse.Namespace) -> int:
    import store
    from loaders import facts, vocabulary

    settings = _settings(args)
    con = store.connect(_db_path(args, settings))
    with store.transaction(con):
        vocabulary.install(con, settings)
        n = facts.refresh(con, settings, everything=True)
    print(f"interval facts rebuilt for {n:,} site-days")
    return 0


def cmd_backup(args: argparse.Namespace) -> int:
    import store
    from upkeep.backup import BackupError, backup

    settings = _settings(args)
    db = _existing_db(args, settings, "backup")
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

    settings = _settings(args)
    db = _db_path(args, settings)
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

    settings = _settings(args)
    if args.retain_days is not None:
        settings = settings.model_copy(update={"privacy": settings.privacy.model_copy(
            update={"retain_days": args.retain_days})})
    con = store.connect(_db_path(args, settings))
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


def _csv_list(text: str | None) -> list[str]:
    return [part.strip() for part in (text or "").split(",") if part.strip()]


def cmd_kpi(args: argparse.Namespace) -> int:
    from kpis.report import catalogue_table, kpi_table, parse_where

    settings = _settings(args)
    if args.list:
        print(catalogue_table(settings, args.format))
        return 0
    missing = [flag for flag, value in (("--kpi", args.kpi), ("--from", args.date_from), ("--to", args.date_to))
               if not value]
    if missing:
        print(f"floorview kpi: {', '.join(missing)} required (or --list)", file=sys.stderr)
        return 2
    import store
    from kpis.compute import Period, compute

    try:
        scope = parse_where(args.where or [])
        period = Period(date.fromisoformat(args.date_from), date.fromisoformat(args.date_to))
        db = _db_path(args, settings)
        if not db.exists():
            print(f"floorview kpi: no database at {db}; load data first (floorview demo --load)", file=sys.stderr)
            return 1
        con = store.connect(db)
        result = compute(con, settings, _csv_list(args.kpi), period, by=_csv_list(args.by), scope=scope)
    except ValueError as err:
        print(f"floorview kpi: {err}", file=sys.stderr)
        return 2
    print(kpi_table(result, args.format))
    return 0


def cmd_erlang(args: argparse.Namespace) -> int:
    from kpis.erlang import required_agents

    s = required_agents(args.contacts, args.interval_minutes, args.aht, args.sl_target / 100, args.sl_seconds,
                        max_asa_s=args.max_asa, max_occupancy=args.max_occupancy / 100 if args.max_occupancy else None,
                        shrinkage=args.shrinkage / 100)
    print(f"traffic           {s.traffic:.2f} Erlangs")
    print(f"required agents   {s.agents}")
    print(f"service level     {100 * s.service_level:.1f} % answered within {args.sl_seconds:g} s")
    print(f"ASA               {s.asa_s:.1f} s")
    print(f"occupancy         {100 * s.occupancy:.1f} %")
    print(f"P(wait)           {100 * s.prob_wait:.1f} %")
    print(f"staffed agents    {s.staffed} (after {args.shrinkage:g} % shrinkage)")
    return 0


def _password(args: argparse.Namespace) -> str:
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    import getpass
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise SystemExit("passwords differ")
    return first


def cmd_user(args: argparse.Namespace) -> int:
    import accounts
    import store

    settings = _settings(args)
    con = store.connect(_db_path(args, settings))
    scope = {"agent_id": getattr(args, "agent", None), "team_ids": tuple(_csv_list(getattr(args, "teams", None))),
             "site_ids": tuple(_csv_list(getattr(args, "sites", None)))}
    try:
        if args.action == "add":
            accounts.add_user(con, args.username, args.name or args.username, args.role, _password(args), **scope)
            print(f"added {args.username} ({args.role})")
        elif args.action == "list":
            for u in accounts.list_users(con):
                where = u["agent_id"] or ",".join(u["team_ids"] or u["site_ids"] or []) or "all sites"
                print(f"{u['username']:<20} {u['role']:<13} {where:<24} {u['display_name']}"
                      + ("  (disabled)" if u["disabled"] else ""))
        elif args.action == "passwd":
            accounts.set_password(con, args.username, _password(args))
            print(f"password changed for {args.username}")
        elif args.action == "disable":
            accounts.set_disabled(con, args.username, not args.enable)
            print(f"{args.username} {'enabled' if args.enable else 'disabled'}")
        elif args.action == "role":
            accounts.set_role(con, args.username, args.role, **scope)
            print(f"{args.username} is now {args.role}")
    except accounts.AccountError as err:
        print(f"floorview user: {err}", file=sys.stderr)
        return 2
    finally:
        con.close()
    return 0


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
    return _settings(args, **overrides, **({"app": app} if app else {}))


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


def _in_running_app(argv: list[str], args: argparse.Namespace) -> int | None:
    """The exit code of the command run by the app serving its database, or None when no app serves it."""
    from live import client, control

    if args.command not in client.DELEGATED and args.command != "restore":
        return None
    if args.command == "demo" and args.live:  # a replay runs here for hours, feeding the app like an ACD would
        return None
    running = control.running_app(_db_path(args, _settings(args)))
    if running is None:
        return None
    if args.command == "restore":
        print("floorview restore: the app is serving this database; stop it first (restore replaces the database "
              "it has open)", file=sys.stderr)
        return 3
    return client.delegate(running, argv, args, _password)


def cmd_token(args: argparse.Namespace) -> int:
    import store
    from live import tokens

    settings = _settings(args)
    con = store.connect(_db_path(args, settings))
    who = f"{os.environ.get('USER', 'cli')} (floorview token)"
    try:
        with store.transaction(con):
            if args.action == "create":
                token = tokens.create(con, args.name, who)
                print(f"token {args.name} created; it is shown only now — keep it like a password:")
                print(token)
            elif args.action == "revoke":
                tokens.revoke(con, args.name, who)
                print(f"token {args.name} revoked")
            else:
                for name, created, by, revoked in tokens.listing(con):
                    print(f"{name:<24} created {created} by {by}" + (f"  REVOKED {revoked}" if revoked else ""))
    except tokens.TokenError as err:
        print(f"floorview token: {err}", file=sys.stderr)
        return 2
    finally:
        con.close()
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="floorview", description="Contact-centre workforce analytics.")
    parser.add_argument("--config", help="config file (default: $FLOORVIEW_CONFIG or ./config.toml)")
    sub = parser.add_subparsers(dest="command", required=True)

    from loaders.formats import FORMATS

    load = sub.add_parser("load", help="load export files (canonical CSV/Parquet, vendor formats) or folders of them")
    load.add_argument("paths", nargs="+", metavar="FILE_OR_DIR")
    load.add_argument("--db", help="database file (default from config.toml)")
    load.add_argument("--kind", help="kind of every file given (default: detected from the header)")
    load.add_argument("--format", choices=list(FORMATS), help="vendor format of every file given (default: detected)")
    load.add_argument("--profile", help="read every file through this mapping profile of config.toml")
    load.add_argument("--quiet", action="store_true", help="no progress bar")
    load.add_argument("--show-rejects", type=int, default=10, metavar="N", help="rejected rows to print per file")
    load.set_defaults(func=cmd_load)

    inspect = sub.add_parser("inspect", help="show a file's detected format, its mapping and first rows, loading nothing")
    inspect.add_argument("path", metavar="FILE")
    inspect.add_argument("--db", help="database whose roster and id_map are used (default from config.toml)")
    inspect.add_argument("--kind")
    inspect.add_argument("--format", choices=list(FORMATS))
    inspect.add_argument("--profile")
    inspect.add_argument("--rows", type=int, default=5)
    inspect.set_defaults(func=cmd_inspect)

    compare = sub.add_parser("compare-adherence", help="adherence from a vendor export beside Floorview's own, per agent")
    compare.add_argument("--from", dest="date_from", required=True)
    compare.add_argument("--to", dest="date_to", required=True)
    compare.add_argument("--where", action="append", metavar="DIM=VALUE[,VALUE]")
    compare.add_argument("--format", choices=("table", "csv", "json"), default="table")
    compare.add_argument("--db")
    compare.set_defaults(func=cmd_compare_adherence)

    demo = sub.add_parser("demo", help="generate demo export files containing the four stories")
    demo.add_argument("--out", help="folder for the files (default: data.demo_dir)")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--sites", type=int, default=4)
    demo.add_argument("--agents", type=int, default=230)
    demo.add_argument("--days", type=int, default=42)
    demo.add_argument("--end", help="last day generated, YYYY-MM-DD (default: yesterday)")
    demo.add_argument("--local-time", action="store_true",
                      help="write instants as site-local wall-clock times without an offset, as many ACD and WFM "
                           "exports do (default: UTC, '…Z')")
    demo.add_argument("--load", action="store_true", help="load the files into the database afterwards")
    demo.add_argument("--db", help="database file (default from config.toml)")
    demo.add_argument("--quiet", action="store_true")
    demo.add_argument("--live", action="store_true",
                      help="replay the demo's last day as today into the running app (events API and inbox)")
    demo.add_argument("--speed", type=float, default=1.0, help="with --live: this many times faster than real time")
    demo.add_argument("--from", dest="start_utc", metavar="HH:MM",
                      help="with --live: the time of day (UTC) the replay starts at (default: now)")
    demo.add_argument("--until", dest="until_utc", metavar="HH:MM", help="with --live: stop at this time of day (UTC)")
    demo.set_defaults(func=cmd_demo)

    refresh = sub.add_parser("refresh", help="rebuild all interval facts (after changing thresholds or vocabularies)")
    refresh.add_argument("--db")
    refresh.set_defaults(func=cmd_refresh)

    bk = sub.add_parser("backup", help="copy the database, consistently, to a file (e.g. nightly from cron)")
    bk.add_argument("dest", help="the backup file (or a folder to put it in)")
    bk.add_argument("--db")
    bk.set_defaults(func=cmd_backup)
    rs = sub.add_parser("restore", help="put a backup in place of the database (the app must be stopped)")
    rs.add_argument("src", help="a file made by `floorview backup`")
    rs.add_argument("--db")
    rs.set_defaults(func=cmd_restore)
    pg = sub.add_parser("purge", help="purge customer ids and survey comments older than privacy.retain_days")
    pg.add_argument("--retain-days", type=int, help="override privacy.retain_days for this run")
    pg.add_argument("--db")
    pg.set_defaults(func=cmd_purge)

    tok = sub.add_parser("token", help="bearer tokens for scripts and vendor integrations (POST /api/v1/files)")
    tok_actions = tok.add_subparsers(dest="action", required=True)
    for action, text in (("create", "make a token (printed once, on the last line)"), ("revoke", "revoke a token")):
        p = tok_actions.add_parser(action, help=text)
        p.add_argument("name")
        p.add_argument("--db")
    tok_actions.add_parser("list", help="list tokens").add_argument("--db")
    tok.set_defaults(func=cmd_token)

    kpi = sub.add_parser("kpi", help="compute KPIs over a period, optionally grouped and filtered")
    kpi.add_argument("--db")
    kpi.add_argument("--kpi", help="KPI id(s), comma-separated (see --list)")
    kpi.add_argument("--from", dest="date_from", help="first day, YYYY-MM-DD (site-local)")
    kpi.add_argument("--to", dest="date_to", help="last day, YYYY-MM-DD (inclusive)")
    kpi.add_argument("--by", help="group-by dimension(s), comma-separated: site, team, agent, queue, call_type, "
                                  "channel, date, week, month, interval, time_of_day, weekday")
    kpi.add_argument("--where", action="append", metavar="DIM=VALUE[,VALUE]", help="filter (repeatable)")
    kpi.add_argument("--format", choices=["table", "csv", "json", "markdown"], default="table")
    kpi.add_argument("--list", action="store_true", help="print the catalogue with formulas")
    kpi.set_defaults(func=cmd_kpi)

    erlang = sub.add_parser("erlang", help="Erlang C staffing for one interval")
    erlang.add_argument("--contacts", type=float, required=True, help="contacts offered in the interval")
    erlang.add_argument("--interval-minutes", type=float, required=True)
    erlang.add_argument("--aht", type=float, required=True, help="average handle time, seconds")
    erlang.add_argument("--sl-target", type=float, required=True, help="service-level target, percent")
    erlang.add_argument("--sl-seconds", type=float, required=True, help="service-level threshold, seconds")
    erlang.add_argument("--shrinkage", type=float, default=0.0, help="percent")
    erlang.add_argument("--max-occupancy", type=float, help="percent")
    erlang.add_argument("--max-asa", type=float, help="seconds")
    erlang.set_defaults(func=cmd_erlang)

    user = sub.add_parser("user", help="manage the people who sign in")
    user.add_argument("--db")
    actions = user.add_subparsers(dest="action", required=True)
    add = actions.add_parser("add", help="add a user (password asked, or read from stdin)")
    add.add_argument("username")
    add.add_argument("--name", help="display name")
    add.add_argument("--role", required=True, choices=ROLES)
    for p in (add,):
        p.add_argument("--agent", help="agent id (role agent)")
        p.add_argument("--teams", help="team ids, comma-separated (role supervisor)")
        p.add_argument("--sites", help="site ids, comma-separated (role manager)")
        p.add_argument("--password-stdin", action="store_true")
    actions.add_parser("list", help="list users")
    passwd = actions.add_parser("passwd", help="set a user's password")
    passwd.add_argument("username")
    passwd.add_argument("--password-stdin", action="store_true")
    disable = actions.add_parser("disable", help="stop a user signing in (or --enable again)")
    disable.add_argument("username")
    disable.add_argument("--enable", action="store_true")
    role = actions.add_parser("role", help="change a user's role and scope")
    role.add_argument("username")
    role.add_argument("role", choices=ROLES)
    role.add_argument("--agent")
    role.add_argument("--teams")
    role.add_argument("--sites")
    user.set_defaults(func=cmd_user)

    serve = sub.add_parser("serve", help="serve the dashboards")
    serve.add_argument("--host")
    serve.add_argument("--port", type=int)
    serve.add_argument("--db")
    serve.add_argument("--demo-today", metavar="DIR",
                       help="pin 'today' to the last day of the demo generated in DIR (as `make run` does)")
    serve.add_argument("--debug", action="store_true",
                       help="Flask's development server with Dash's dev tools (never in production)")
    serve.set_defaults(func=cmd_serve)
    return parser


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
