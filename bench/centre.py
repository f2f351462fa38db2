"""The benchmark centre shared by the bench scripts: its size options and where its files and database live."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

OUT = Path(__file__).resolve().parent / "out"


def size_args(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--agents", type=int, default=2000)
    parser.add_argument("--sites", type=int, default=5)
    parser.add_argument("--days", type=int, default=90)
    parser.add_argument("--seed", type=int, default=7)


def folder(args: argparse.Namespace) -> Path:
    """Generated export files of the centre of this size (bench_load.py writes them)."""
    return OUT / f"centre-a{args.agents}-s{args.sites}-d{args.days}-seed{args.seed}"


def loaded_database(args: argparse.Namespace) -> Path:
    """The database of this size that bench_load.py left; stops with how to make it when there is none."""
    db = database(args)
    if not db.exists():
        sys.exit(f"{db} not found: run bench/bench_load.py with the same sizes first")
    return db


def database(args: argparse.Namespace) -> Path:
    """The loaded database bench_load.py leaves for bench_kpis.py and bench_pages.py."""
    return folder(args).with_suffix(".duckdb")
