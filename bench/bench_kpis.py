"""KPI compute benchmark at large-centre scale: the queries each role page makes, warm, against a plain
pandas group-by over the raw contacts measured in the same run.

Needs the database `bench/bench_load.py` leaves in bench/out/ (run that first). Usage:

    python bench/bench_kpis.py [--agents 2000] [--sites 5] [--days 90] [--seed 7] [--repeat 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from bench import centre  # noqa: E402
from kpis.compute import Period, Scope, compute  # noqa: E402
from settings import load_settings  # noqa: E402

END = date(2026, 11, 21)


def timed(fn, repeat: int) -> float:
    fn()  # warm
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    centre.size_args(parser)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    db = centre.loaded_database(args)
    settings = load_settings(ROOT / "config.toml", database={"path": db})
    con = store.connect(db)
    agent, team, site = con.execute("SELECT agent_id, team_id, site_id FROM agents ORDER BY agent_id LIMIT 1").fetchall()[0]
    month = Period(END - timedelta(days=29), END)
    day = Period(END, END)
    agent_tiles = ["adherence", "conformance", "aht", "avg_talk", "avg_hold", "avg_acw", "handled", "fcr", "csat", "nps"]
    queries = {
        "agent: tiles, one agent, 30 days": lambda: compute(con, settings, agent_tiles, month, scope=Scope(agent=(agent,))),
        "agent: adherence by time of day": lambda: compute(con, settings, ["out_of_adherence_minutes"], month,
                                                           by=["time_of_day"], scope=Scope(agent=(agent,))),
        "supervisor: team's agents, 8 KPIs": lambda: compute(
            con, settings, ["handled", "contacts_per_hour", "aht", "avg_talk", "avg_hold", "avg_acw", "adherence",
                            "fcr"], month, by=["agent"], scope=Scope(team=(team,))),
        "manager: site by call type": lambda: compute(con, settings, ["aht", "service_level", "handled"], month,
                                                      by=["call_type"], scope=Scope(site=(site,))),
        "manager: SL heatmap day x time": lambda: compute(con, settings, ["service_level"], month,
                                                          by=["date", "time_of_day"], scope=Scope(site=(site,))),
        "manager: centre tiles, 30 days": lambda: compute(con, settings, ["service_level", "aht", "abandon_rate",
                                                                           "occupancy", "adherence", "nps"], month),
        "control desk: staffing by site x interval": lambda: compute(
            con, settings, ["forecast_contacts", "offered", "required_agents", "scheduled_agents", "on_hand_agents"],
            day, by=["site", "time_of_day"]),
        "control desk: shrinkage by activity": lambda: compute(
            con, settings, ["shrinkage_break", "shrinkage_meeting", "shrinkage_training", "shrinkage_aux",
                            "shrinkage_absence"], day, by=["site"]),
    }
    contacts = con.execute("SELECT site_id, talk_s, hold_s, acw_s FROM contacts WHERE answered_at IS NOT NULL").df()

    def pandas_aht_by_site() -> None:
        g = contacts.groupby("site_id")[["talk_s", "hold_s", "acw_s"]].agg(["sum", "count"])
        _ = (g[("talk_s", "sum")] + g[("hold_s", "sum")] + g[("acw_s", "sum")]) / g[("talk_s", "count")]

    baseline = timed(pandas_aht_by_site, args.repeat)
    whole = timed(lambda: compute(con, settings, ["aht"], Period(END - timedelta(days=args.days), END), by=["site"]),
                  args.repeat)
    print(f"\nKPI compute benchmark: {args.agents} agents, {args.sites} sites, {args.days} days; "
          f"{len(contacts):,} handled contacts; median of {args.repeat} warm runs")
    print(f"{'query':<44}{'ms':>10}{'x pandas':>10}")
    for name, fn in queries.items():
        t = timed(fn, args.repeat)
        print(f"{name:<44}{1000 * t:>10.1f}{t / baseline:>10.2f}")
    print(f"{'AHT by site, all days (facts)':<44}{1000 * whole:>10.1f}{whole / baseline:>10.2f}")
    print(f"{'baseline: pandas group-by on raw contacts':<44}{1000 * baseline:>10.1f}{1.0:>10.2f}")


if __name__ == "__main__":
    main()
