"""`floorview demo`: generate the demo exports (and load them), or replay their last day into the running app."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from commands import files
from commands.common import db_path, settings_of
from settings import Settings


def register(sub: argparse._SubParsersAction, db: argparse.ArgumentParser) -> None:
    demo = sub.add_parser("demo", parents=[db], help="generate demo export files containing the four stories")
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
    demo.add_argument("--quiet", action="store_true")
    demo.add_argument("--live", action="store_true",
                      help="replay the demo's last day as today into the running app (events API and inbox)")
    demo.add_argument("--speed", type=float, default=1.0, help="with --live: this many times faster than real time")
    demo.add_argument("--from", dest="start_utc", metavar="HH:MM",
                      help="with --live: the time of day (UTC) the replay starts at (default: now)")
    demo.add_argument("--until", dest="until_utc", metavar="HH:MM", help="with --live: stop at this time of day (UTC)")
    demo.set_defaults(func=cmd_demo)


def cmd_demo(args: argparse.Namespace) -> int:
    from demo import DemoSpec, generate

    settings = settings_of(args)
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
    db = db_path(args, settings)
    code = files.load(settings, db, [str(out)], quiet=args.quiet, show_rejects=5)
    if code == 0:
        _finish_demo(db, stories, settings)
    return code


def _live_demo(args: argparse.Namespace, settings: Settings, folder: Path) -> int:
    from demo.live import App, replay
    from live import control

    running = control.running_app(db_path(args, settings))
    if running is None:
        print(f"floorview demo --live: no app serves {db_path(args, settings)}; start it first with "
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


def _finish_demo(db: Path, stories: dict, settings: Settings) -> None:
    """The demo's users, and the history of its HOTLINE cases (worked by their supervisors up to now)."""
    import accounts
    import store
    from actions.audit import now
    from actions.demo_hotline import work_the_hotline

    con = store.connect(db)
    try:
        for u in stories["users"]:
            accounts.add_user(con, u["username"], u["display_name"], u["role"], settings.app.demo_password,
                              agent_id=u.get("agent_id"), team_ids=tuple(u.get("team_ids", ())),
                              site_ids=tuple(u.get("site_ids", ())), replace=True)
        con.begin()
        hotline = work_the_hotline(con, settings, stories["users"], now())
        con.commit()
    finally:
        con.close()
    names = ", ".join(f"{u['username']} ({u['role']})" for u in stories["users"])
    print(f"demo users (password from config.toml app.demo_password): {names}")
    if hotline:
        print(f"HOTLINE history: {len(hotline['open'])} cases open ({len(hotline['overdue'])} overdue), the rest "
              "worked and closed by their supervisors")
