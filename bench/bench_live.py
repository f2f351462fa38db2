"""Live operation at large-centre scale: how fresh the dashboards are, and what a load does to everyone else.

Serves the centre bench_load.py leaves (run it first, same sizes) with `floorview serve` (waitress, the ingest
worker, the inbox), then:
  1. 20 signed-in users replay the role pages' callbacks for --seconds with nothing loading (the baseline);
  2. the same users replay while one 15-minute increment of every site (contacts, agent states, schedule) lands
     in the inbox; a separate client polls the manager's page and reports the freshness latency: from the files
     landing to a callback returning the new numbers.
Prints p50/p95/p99 of both runs and their ratio. Usage:
    python bench/bench_live.py [--agents 2000] [--sites 5] [--days 90] [--users 20] [--seconds 30] [--pause 0]
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import accounts  # noqa: E402
import store  # noqa: E402
from bench import centre  # noqa: E402
from bench.bench_concurrency import Session, figures, free_port, run  # noqa: E402
from bench.replay import role_cases  # noqa: E402

PASSWORD = "bench-pass"
FROM, TO = "2026-11-15", "2026-11-21"  # the centre's last week
WINDOW = ("2026-11-20 14:00:00", "2026-11-20 14:15:00")  # the increment: a weekday quarter-hour, UTC
USERS = {"agent": "b-agent", "supervisor": "b-sup", "manager": "b-mgr", "control_desk": "b-desk"}


def prepare(db_path: Path, inbox: Path) -> tuple[str, str, list[Path]]:
    """Bench users, and the increment's files (written beside the inbox, not in it yet): the quarter-hour's
    contacts as new contacts, its agent states and schedule pieces as a re-export (same keys)."""
    con = store.connect(db_path)
    try:
        # The manager watched is the one whose site takes the most contacts in the increment's quarter-hour.
        agent, team, site = con.execute(
            """SELECT a.agent_id, a.team_id, a.site_id FROM agents a JOIN (
                   SELECT site_id, count(*) AS n FROM contacts WHERE offered_at >= ?::TIMESTAMP
                   AND offered_at < ?::TIMESTAMP GROUP BY site_id) c USING (site_id)
               ORDER BY c.n DESC, a.agent_id LIMIT 1""", list(WINDOW)).fetchall()[0]
        for role, username in USERS.items():
            scope = {"agent": {"agent_id": agent}, "supervisor": {"team_ids": (team,)},
                     "manager": {"site_ids": (site,)}, "control_desk": {}}[role]
            accounts.add_user(con, username, username, role, PASSWORD, replace=True, **scope)
        staging = inbox.parent / "increment"
        staging.mkdir(parents=True, exist_ok=True)
        files = []
        z = "strftime({c}, '%Y-%m-%dT%H:%M:%SZ') AS {c}"  # instants in UTC with their Z, as exports carry them
        times = {"contacts": ("offered_at", "answered_at", "ended_at"), "agent_states": ("start_at", "end_at"),
                 "schedule": ("start_at", "end_at")}
        for name, sql in (
            ("contacts", """SELECT contact_id || '-inc' AS contact_id, * EXCLUDE (contact_id, load_id) REPLACE ({t})
                            FROM contacts WHERE offered_at >= ?::TIMESTAMP AND offered_at < ?::TIMESTAMP"""),
            ("agent_states", """SELECT * EXCLUDE (load_id) REPLACE ({t}) FROM agent_states
                                WHERE start_at >= ?::TIMESTAMP AND start_at < ?::TIMESTAMP"""),
            ("schedule", """SELECT * EXCLUDE (load_id) REPLACE ({t}) FROM schedule
                            WHERE start_at >= ?::TIMESTAMP AND start_at < ?::TIMESTAMP"""),
        ):
            sql = sql.format(t=", ".join(z.format(c=c) for c in times[name]))
            path = staging / f"{name}-increment.csv"
            con.execute(f"COPY ({sql}) TO '{path}' (HEADER, DELIMITER ',')", list(WINDOW))  # noqa: S608
            files.append(path)
        return team, site, files
    finally:
        con.close()


def serve(db_path: Path, folder: Path, today: str | None = "2026-11-22") -> tuple[str, subprocess.Popen]:
    """`floorview serve` on the centre; "today" pinned to the day after it (None: the real date)."""
    env = {**os.environ, "FLOORVIEW_DATABASE__PATH": str(db_path), "FLOORVIEW_DATA__INBOX_DIR": str(folder / "inbox"),
           "FLOORVIEW_APP__SECRET_KEY_FILE": str(folder / "secret"), **({"FLOORVIEW_APP__TODAY": today} if today else {})}
    port = free_port()
    server = subprocess.Popen([sys.executable, str(ROOT / "cli.py"), "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    control = db_path.with_name(db_path.name + ".control")
    for _ in range(600):
        if control.exists():
            return f"http://127.0.0.1:{port}", server
        time.sleep(0.2)
    server.kill()
    sys.exit("the server did not start")


# The handled tile's value, its attributes in whatever order the JSON holds them.
_HANDLED = re.compile(rb'"data-value":"([^"]*)"[^{}]{0,160}"data-kpi":"handled"|"data-kpi":"handled"[^{}]{0,160}'
                      rb'"data-value":"([^"]*)"')


def handled_now(session: Session, body: str) -> bytes | None:
    status, data = session.request("POST", "/_dash-update-component", body, "application/json")
    found = _HANDLED.search(data) if status == 200 else None
    return (found.group(1) or found.group(2)) if found else None


def main() -> None:
    parser = argparse.ArgumentParser()
    centre.size_args(parser)
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--pause", type=float, default=0.0,
                        help="seconds each user waits after an answer (default 0: both cores kept busy)")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-live-"))
    # A copy: the increment lands in it, and the centre the other benchmarks read stays as bench_load.py left it.
    db_path = folder / "centre.duckdb"
    shutil.copyfile(centre.loaded_database(args), db_path)
    inbox = folder / "inbox"
    team, site, files = prepare(db_path, inbox)
    url, server = serve(db_path, folder)
    try:
        cases = role_cases(team, site, FROM, TO)
        bodies = {role: [body for r, body in cases.values() if r == role] for role in USERS}
        roles = {username: role for role, username in USERS.items()}
        crowd = [list(USERS.values())[n % len(USERS)] for n in range(args.users)]
        manager_body = cases["manager: site by call type, heatmap, trend"][1]
        watcher = Session(url)
        watcher.sign_in(USERS["manager"], PASSWORD)
        before = handled_now(watcher, manager_body)
        if before is None:
            sys.exit("the manager's page shows no 'handled' tile: nothing to watch")
        print(f"\nLive benchmark: {args.agents} agents, {args.sites} sites, {args.days} days; {args.users} users "
              f"pausing {args.pause:g} s between requests; "
              f"increment {', '.join(f'{f.name} ({f.stat().st_size / 1e6:.1f} MB)' for f in files)}")
        idle = figures(*run(url, crowd, PASSWORD, bodies, roles, args.seconds, args.pause))

        fresh: dict[str, float] = {}

        def land_and_watch() -> None:
            time.sleep(2)  # the crowd is replaying when the files land
            landed = time.monotonic()
            for f in files:
                f.rename(inbox / f.name)
            while time.monotonic() - landed < 120:
                if handled_now(watcher, manager_body) != before:
                    fresh["latency"] = time.monotonic() - landed
                    return
                time.sleep(0.1)

        landing = threading.Thread(target=land_and_watch)
        landing.start()
        loaded = figures(*run(url, crowd, PASSWORD, bodies, roles, args.seconds, args.pause))
        landing.join()
        print(f"{'run':<40}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>8}")
        for label, r in ((f"{args.users} users, nothing loading", idle),
                         (f"{args.users} users, increment loading", loaded)):
            print(f"{label:<40}{r['requests']:>9}{r['rps']:>8.1f}{r['p50']:>8.0f}{r['p95']:>8.0f}{r['p99']:>8.0f}"
                  f"{r['errors']:>8}")
        print(f"p95 while loading / idle: x{loaded['p95'] / idle['p95']:.1f} (aim <= 2)")
        latency = fresh.get("latency")
        print("freshness latency (files land -> the manager's callback returns the new numbers): "
              + (f"{latency:.1f} s (aim <= 5 s)" if latency is not None else "not seen within 120 s"))
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
