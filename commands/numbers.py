"""`floorview kpi`, `compare-adherence` and `erlang`: the numbers on the command line."""

from __future__ import annotations

import argparse
import sys
from datetime import date

from commands.common import csv_list, db_path, existing_db, settings_of


def register(sub: argparse._SubParsersAction, db: argparse.ArgumentParser) -> None:
    compare = sub.add_parser("compare-adherence", parents=[db],
                             help="adherence from a vendor export beside Floorview's own, per agent")
    compare.add_argument("--from", dest="date_from", required=True)
    compare.add_argument("--to", dest="date_to", required=True)
    compare.add_argument("--where", action="append", metavar="DIM=VALUE[,VALUE]")
    compare.add_argument("--format", choices=("table", "csv", "json"), default="table")
    compare.set_defaults(func=cmd_compare_adherence)

    kpi = sub.add_parser("kpi", parents=[db], help="compute KPIs over a period, optionally grouped and filtered")
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


def cmd_compare_adherence(args: argparse.Namespace) -> int:
    import store
    from kpis.compare import adherence_comparison
    from kpis.report import parse_where, plain_table

    settings = settings_of(args)
    db = existing_db(args, settings, "compare-adherence")
    if db is None:
        return 1
    con = store.connect(db, read_only=True)
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


def cmd_kpi(args: argparse.Namespace) -> int:
    from kpis.report import catalogue_table, kpi_table, parse_where

    settings = settings_of(args)
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
    from loaders.facts import built_with

    db = db_path(args, settings)
    if not db.exists():
        print(f"floorview kpi: no database at {db}; load data first (floorview demo --load)", file=sys.stderr)
        return 1
    try:
        scope = parse_where(args.where or [])
        period = Period(date.fromisoformat(args.date_from), date.fromisoformat(args.date_to))
        con = store.connect(db, read_only=True)  # reading only: no migration, no write lock
        try:
            result = compute(con, settings, csv_list(args.kpi), period, by=csv_list(args.by), scope=scope)
            stale = built_with.differences(con, settings)
        finally:
            con.close()
    except ValueError as err:
        print(f"floorview kpi: {err}", file=sys.stderr)
        return 2
    print(kpi_table(result, args.format))
    for difference in stale:  # read-only here: the facts are rebuilt by the next load, refresh or app start
        print(f"warning: {difference}; these figures use the stored value until `floorview refresh` (or the "
              "app's next start) rebuilds the facts", file=sys.stderr)
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
