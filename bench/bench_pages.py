"""Dashboard callback latency at large-centre scale: each role page's main callbacks through the real
Flask/Dash stack (signed-in session, JSON in and out), warm, median of repeated runs; target < 300 ms.

Needs the database `bench/bench_load.py` leaves in bench/out/ (run that first). Usage:

    python bench/bench_pages.py [--agents 2000] [--sites 5] [--days 90] [--seed 7] [--repeat 5]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import accounts  # noqa: E402
import ids  # noqa: E402
import store  # noqa: E402
from app import create_app  # noqa: E402
from bench import centre  # noqa: E402
from settings import load_settings  # noqa: E402

PASSWORD = "bench-pass"
FROM, TO = "2026-10-23", "2026-11-21"  # the last 30 days of the benchmark centre


def payload(outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]],
            state: list[tuple[str, str, object]] = ()) -> str:
    return json.dumps({
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".." if len(outputs) > 1
        else f"{outputs[0][0]}.{outputs[0][1]}",
        "outputs": [{"id": i, "property": p} for i, p in outputs] if len(outputs) > 1
        else {"id": outputs[0][0], "property": outputs[0][1]},
        # An entry that is a list stands for a pattern-matching ALL input (the components it matched).
        "inputs": [x if isinstance(x, list) else {"id": x[0], "property": x[1], "value": x[2]} for x in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state], "changedPropIds": []})


def main() -> None:
    parser = argparse.ArgumentParser()
    centre.size_args(parser)
    parser.add_argument("--repeat", type=int, default=5)
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
    dates = [(ids.custom_range("{page}"), "start_date", FROM), (ids.custom_range("{page}"), "end_date", TO)]

    def with_page(page: str) -> list:
        return [(i.replace("{page}", page), p, v) for i, p, v in dates]

    cases = {
        "agent: tiles, charts, comments": ("b-agent", payload(
            [(ids.AGENT_HEADING, "children"), (ids.scope_text("agent"), "children"), (ids.AGENT_TILES, "children"),
             (ids.AGENT_PANELS, "children"), (ids.AGENT_DAY, "min_date_allowed"), (ids.AGENT_DAY, "max_date_allowed"),
             (ids.AGENT_DAY, "date")], with_page("agent") + [(ids.URL, "search", ""), (ids.EXC_FEEDBACK, "children", None)])),
        "agent: day timeline": ("b-agent", payload([(ids.AGENT_TIMELINE, "children"), (ids.EXC_FEEDBACK, "children")],
                                                   [(ids.AGENT_DAY, "date", "2026-11-20"), []],
                                                   [(ids.URL, "search", ""), (ids.EXC_REASON, "value", None)])),
        "supervisor: team tiles and agent table": ("b-sup", payload(
            [(ids.SUP_HEADING, "children"), (ids.scope_text("sup"), "children"), (ids.SUP_TILES, "children"),
             (ids.SUP_PANELS, "children")], [(ids.SUP_TEAM, "value", team)] + with_page("sup"))),
        "manager: site by call type, heatmap, trend": ("b-mgr", payload(
            [(ids.MGR_CRUMBS, "children"), (ids.MGR_HEADING, "children"), (ids.scope_text("mgr"), "children"),
             (ids.MGR_TILES, "children"), (ids.MGR_PANELS, "children")], with_page("mgr") + [(ids.URL, "search", "")])),
        "control desk: sites, net staffing, shrinkage": ("b-desk", payload(
            [(ids.scope_text("desk"), "children"), (ids.DESK_PANELS, "children"), (ids.DESK_SITE, "options"),
             (ids.DESK_SITE, "value")], with_page("desk") + [(ids.DESK_CLOCK, "value", "local")],
            [(ids.DESK_SITE, "value", None)])),
        "control desk: one site in detail": ("b-desk", payload(
            [(ids.DESK_DETAIL, "children")],
            [(ids.DESK_SITE, "value", site)] + with_page("desk") + [(ids.DESK_CLOCK, "value", "local")])),
    }
    clients = {}
    print(f"\nDashboard callback benchmark: {args.agents} agents, {args.sites} sites, {args.days} days; "
          f"period {FROM} to {TO}; median of {args.repeat} warm runs")
    print(f"{'callback':<46}{'ms':>8}{'KB':>8}")
    for name, (user, body) in cases.items():
        if user not in clients:
            clients[user] = app.server.test_client()
            clients[user].post("/login", data={"username": user, "password": PASSWORD})
        client = clients[user]

        def call(client=client, body=body):
            response = client.post("/_dash-update-component", data=body, content_type="application/json")
            assert response.status_code == 200, response.data[:300]
            return len(response.data)

        size = call()
        runs = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            call()
            runs.append(time.perf_counter() - t0)
        print(f"{name:<46}{1000 * statistics.median(runs):>8.0f}{size / 1024:>8.0f}")
    db.close()


if __name__ == "__main__":
    main()
