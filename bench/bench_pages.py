"""Dashboard callback latency at large-centre scale: each role page's main callbacks through the real
Flask/Dash stack (signed-in session, JSON in and out), median and p95 of repeated runs: warm (the same data version,
answered from the KPI cache; aim p95 < 150 ms) and cold (a new data version, every KPI computed afresh).

Needs the database `bench/bench_load.py` leaves in bench/out/ (run that first). Usage:

    python bench/bench_pages.py [--agents 2000] [--sites 5] [--days 90] [--seed 7] [--repeat 20]
"""

from __future__ import annotations

import argparse
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import accounts  # noqa: E402
import store  # noqa: E402
from app import create_app  # noqa: E402
from bench import centre  # noqa: E402
from bench.replay import role_cases  # noqa: E402
from settings import load_settings  # noqa: E402

PASSWORD = "bench-pass"
FROM, TO = "2026-10-23", "2026-11-21"  # the last 30 days of the benchmark centre


def main() -> None:
    parser = argparse.ArgumentParser()
    centre.size_args(parser)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    db_path = centre.loaded_database(args)
    settings = load_settings(ROOT / "config.toml", database={"path": db_path},
                             app={"today": "2026-11-22", "secret_key_file": str(Path(tempfile.mkdtemp()) / "k")})
    con = store.connect(db_path)
    agent, team, site = con.execute("SELECT agent_id, team_id, site_id FROM agents ORDER BY agent_id LIMIT 1").fetchall()[0]
    for username, role, kw in (("b-agent", "agent", {"agent_id": agent}), ("b-sup", "supervisor", {"team_ids": (team,)}),
                               ("b-mgr", "manager", {"site_ids": (site,)}), ("b-desk", "control_desk", {})):
        accounts.add_user(con, username, username, role, PASSWORD, replace=True, **kw)
    con.close()
    db = store.Database(db_path)
    app = create_app(settings, db)
    app.server.config["PROPAGATE_EXCEPTIONS"] = True
    cases = role_cases(team, site, FROM, TO, day="2026-11-20")  # a weekday: the agent has a schedule
    clients = {}
    print(f"\nDashboard callback benchmark: {args.agents} agents, {args.sites} sites, {args.days} days; "
          f"period {FROM} to {TO}; {args.repeat} runs each, median and p95")
    print(f"{'callback':<46}{'warm p50':>9}{'warm p95':>9}{'cold p50':>9}{'cold p95':>9}{'KB':>6}")
    worst_warm_p95 = 0.0
    users = {"agent": "b-agent", "supervisor": "b-sup", "manager": "b-mgr", "control_desk": "b-desk"}
    for name, (role, body) in cases.items():
        user = users[role]
        if user not in clients:
            clients[user] = app.server.test_client()
            token = re.search(r'name="csrf" value="([^"]+)"', clients[user].get("/login").get_data(as_text=True))
            clients[user].post("/login", data={"username": user, "password": PASSWORD, "csrf": token.group(1)})
        client = clients[user]

        def call(client=client, body=body):
            response = client.post("/_dash-update-component", data=body, content_type="application/json")
            assert response.status_code == 200, response.data[:300]
            return len(response.data)

        size = call()
        warm, cold = [], []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            call()  # the same question again: answered from the per-data-version cache
            warm.append(time.perf_counter() - t0)
            with db.exclusive():  # a write (nothing changes) moves the data version on, as a load would
                pass
            t0 = time.perf_counter()
            call()  # a new data version: every KPI computed afresh
            cold.append(time.perf_counter() - t0)
        print(f"{name:<46}{1000 * statistics.median(warm):>9.0f}{1000 * p95(warm):>9.0f}"
              f"{1000 * statistics.median(cold):>9.0f}{1000 * p95(cold):>9.0f}{size / 1024:>6.0f}")
        worst_warm_p95 = max(worst_warm_p95, p95(warm))
    print(f"worst warm p95: {1000 * worst_warm_p95:.0f} ms (aim < 150 ms)")
    db.close()


def p95(seconds: list[float]) -> float:
    return statistics.quantiles(seconds, n=20, method="inclusive")[18] if len(seconds) > 1 else seconds[0]


if __name__ == "__main__":
    main()
