"""Daily-load benchmark: one day's exports re-loaded into the loaded large centre (the realistic daily case).

Takes the last day of the large centre's agent states, schedule, contacts and surveys (written to
bench/out/…-oneday/), loads them into the database bench_load.py left (same rows, so it stays as it was:
natural keys replace), and prints the time against DuckDB's read_csv of the same slices. Usage:

    python bench/bench_incremental.py [--agents 2000] [--sites 5] [--days 90] [--seed 7] [--day 2026-11-20]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from bench import centre  # noqa: E402
from loaders import load_paths  # noqa: E402
from settings import load_settings  # noqa: E402

SLICES = {"schedule": "start_at", "agent_states": "start_at", "contacts": "offered_at", "surveys": "responded_at"}


def main() -> None:
    parser = argparse.ArgumentParser()
    centre.size_args(parser)
    parser.add_argument("--day", default="2026-11-20", help="UTC day to re-load (default: the centre's last weekday)")
    args = parser.parse_args()
    folder, db = centre.folder(args), centre.loaded_database(args)
    out = folder.with_name(folder.name + "-oneday")
    out.mkdir(exist_ok=True)
    scratch = duckdb.connect()
    for name, column in SLICES.items():
        scratch.execute(f"""COPY (SELECT * FROM read_csv('{folder / name}.csv', all_varchar = true)
                                  WHERE {column} LIKE '{args.day}%')
                           TO '{out / name}.csv' (HEADER)""")  # noqa: S608 - our own paths and a date
    files = [out / f"{name}.csv" for name in SLICES]
    t0 = time.perf_counter()
    for f in files:
        scratch.execute("CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv(?)", [str(f)])
    baseline = time.perf_counter() - t0
    settings = load_settings(ROOT / "config.toml", database={"path": db})
    con = store.connect(db)
    t0 = time.perf_counter()
    results = load_paths(con, files, settings)
    took = time.perf_counter() - t0
    con.close()
    rows = sum(r.rows_loaded for r in results)
    print(f"\nDaily load into the {args.days}-day centre ({args.agents} agents): day {args.day}")
    for r in results:
        print(f"  {Path(r.file).name:<18}{r.rows_loaded:>10,} rows  {r.status}")
    print(f"read_csv {baseline:.2f} s; Floorview {took:.2f} s for {rows:,} rows "
          "(validation against the stored roster, merge, interval facts of the touched site-days)")


if __name__ == "__main__":
    main()
