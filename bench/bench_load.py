"""Load benchmark: Floorview's full load (validation, merge, interval facts) against DuckDB's own read_csv.

Generates a large centre once (cached under bench/out/), then in the same run measures
  baseline  — DuckDB `CREATE TABLE AS SELECT * FROM read_csv(file)` for each file, and
  floorview — `load_paths` of the same files into a fresh database,
and prints rows/s per file and the ratio floorview / baseline; "facts rebuild" is the interval facts' share of
the total (rebuilt once, after the last file), as a ratio to the whole baseline. Usage:

    python bench/bench_load.py [--agents 2000] [--sites 5] [--days 90] [--seed 7] [--local-time]

With --local-time the same centre is exported in site-local time (no offsets, as many ACD exports are), so every
instant is converted in its row's site time zone; its files and database sit beside the UTC ones.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import store  # noqa: E402
from bench import centre  # noqa: E402
from demo import DemoSpec, generate  # noqa: E402
from demo.sitetime import rewrite_in_site_time  # noqa: E402
from loaders import load_paths  # noqa: E402
from loaders.kinds import LOAD_ORDER  # noqa: E402
from settings import load_settings  # noqa: E402

END = date(2026, 11, 21)


def dataset(args: argparse.Namespace) -> Path:
    out = centre.folder(args)
    if not (out / "stories.json").exists():
        print(f"generating {args.agents} agents, {args.sites} sites, {args.days} days into {out} …", flush=True)
        t0 = time.perf_counter()
        generate(DemoSpec(out=out, seed=args.seed, sites=args.sites, agents=args.agents, days=args.days, end=END))
        print(f"  generated in {time.perf_counter() - t0:.1f} s", flush=True)
    if not args.local_time:
        return out
    local = _local(out)
    if not (local / "stories.json").exists():
        print(f"rewriting in site-local time into {local} …", flush=True)
        shutil.rmtree(local, ignore_errors=True)
        shutil.copytree(out, local, ignore=shutil.ignore_patterns("stories.json"))
        rewrite_in_site_time(local)
        shutil.copy(out / "stories.json", local)  # last: it marks the folder complete
    return local


def _local(path: Path) -> Path:
    return path.with_name(f"{path.stem}-local{path.suffix}")


def baseline(files: list[Path], workdir: Path) -> dict[str, float]:
    con = duckdb.connect(str(workdir / "baseline.duckdb"))
    seconds = {}
    for f in files:
        t0 = time.perf_counter()
        con.execute("CREATE OR REPLACE TABLE t AS SELECT * FROM read_csv(?)", [str(f)])
        seconds[f.name] = time.perf_counter() - t0
    con.close()
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser()
    centre.size_args(parser)
    parser.add_argument("--local-time", action="store_true", help="load the centre exported in site-local time")
    args = parser.parse_args()

    folder = dataset(args)
    order = {f"{k}.csv": i for i, k in enumerate(LOAD_ORDER)}
    files = sorted(folder.glob("*.csv"), key=lambda f: order.get(f.name, 99))
    workdir = Path(tempfile.mkdtemp(prefix="fv-bench-"))
    kept_db = centre.database(args)  # reused by bench_kpis.py and bench_pages.py
    kept_db = _local(kept_db) if args.local_time else kept_db
    kept_db.unlink(missing_ok=True)
    try:
        base = baseline(files, workdir)
        settings = load_settings(ROOT / "config.toml", database={"path": kept_db})
        con = store.connect(settings.db_path)
        timings: dict[str, float] = {}
        last = [time.perf_counter()]

        def tick(path: Path, _result) -> None:
            now = time.perf_counter()
            timings[path.name] = now - last[0]
            last[0] = now

        t0 = time.perf_counter()
        results = load_paths(con, files, settings, on_file=tick)
        total = time.perf_counter() - t0
        facts = store.table_counts(con)
        con.close()
    finally:
        shutil.rmtree(workdir, ignore_errors=True)

    zone = "site-local time" if args.local_time else "UTC"
    print(f"\nLoad benchmark: {args.agents} agents, {args.sites} sites, {args.days} days, instants in {zone} "
          f"(duckdb {duckdb.__version__})")
    print(f"{'file':<20}{'rows':>12}{'read_csv s':>12}{'floorview s':>13}{'rows/s':>12}{'ratio':>8}")
    for r in results:
        name = Path(r.file).name
        fv, b = timings[name], base[name]
        print(f"{name:<20}{r.rows_loaded:>12,}{b:>12.2f}{fv:>13.2f}{r.rows_loaded / fv:>12,.0f}{fv / b:>8.2f}")
    rows = sum(r.rows_loaded for r in results)
    base_total = sum(base.values())
    facts_s = total - sum(timings.values())  # a folder load rebuilds the interval facts once, after its last file
    print(f"{'facts rebuild':<20}{'':>12}{'':>12}{facts_s:>13.2f}{'':>12}{facts_s / base_total:>8.2f}")
    print(f"{'all files':<20}{rows:>12,}{base_total:>12.2f}{total:>13.2f}{rows / total:>12,.0f}{total / base_total:>8.2f}")
    print(f"interval facts: {facts['fact_agent_interval']:,} agent, {facts['fact_queue_interval']:,} queue, "
          f"{facts['fact_handle_interval']:,} handle, {facts['fact_forecast_interval']:,} forecast rows")
    failed = [r for r in results if r.status != "loaded" or r.rows_rejected]
    if failed:
        print("unexpected failures or rejects:", [r.summary() for r in failed])


if __name__ == "__main__":
    main()
