"""Real-time adherence at large-centre scale: live events in, /live out.

Copies the centre bench_load.py leaves (run it first, same sizes), schedules every agent for open work around
now, gives each a state, serves it with `floorview serve`, and measures over real HTTP:
  1. events ingested per second through POST /api/v1/agent-events, sustained for --seconds (batches of
     --batch lines), against the rate at which this machine merely parses the same lines (json.loads);
  2. the control desk's /live callback with every agent listed, p50/p95, against the version poll every page
     makes (the cheapest callback) in the same run;
  3. from an event posted to the /live callback showing the agent's new status (an open page shows it at its
     next refresh, adherence.rta_refresh_s later at most).
Usage:
    python bench/bench_rta.py [--agents 2000] [--sites 5] [--days 90] [--seconds 20] [--batch 1000]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import accounts  # noqa: E402
import store  # noqa: E402
from bench import centre  # noqa: E402
from bench.bench_concurrency import Session  # noqa: E402
from bench.bench_live import serve  # noqa: E402
from bench.replay import live_case, poll_case  # noqa: E402
from loaders import load_file  # noqa: E402
from settings import load_settings  # noqa: E402

PASSWORD = "bench-pass"
STATES = ("available", "on_contact", "acw")


def z(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def prepare(db_path: Path, folder: Path, now: datetime) -> list[str]:
    """Every agent scheduled for open work from two hours ago to two hours on, and available since an hour ago."""
    settings = load_settings(ROOT / "config.toml", database={"path": db_path})
    con = store.connect(db_path)
    try:
        agents = [a for (a,) in con.execute("SELECT agent_id FROM agents ORDER BY 1").fetchall()]
        accounts.add_user(con, "b-desk", "b-desk", "control_desk", PASSWORD, replace=True)
        plan = folder / "schedule-now.csv"
        plan.write_text("agent_id,activity,start_at,end_at\n" + "".join(
            f"{a},open,{z(now - timedelta(hours=2))},{z(now + timedelta(hours=2))}\n" for a in agents))
        first = folder / "events-first.jsonl"
        first.write_text("".join(json.dumps({"agent_id": a, "state": "available",
                                             "at": z(now - timedelta(hours=1))}) + "\n" for a in agents))
        for f in (plan, first):
            result = load_file(con, f, settings)
            if result.status != "loaded" or result.rows_rejected:
                sys.exit(result.summary())
        return agents
    finally:
        con.close()


def post(conn: http.client.HTTPConnection, token: str, body: bytes) -> dict:
    conn.request("POST", "/api/v1/agent-events", body=body,
                 headers={"Authorization": f"Bearer {token}", "Content-Type": "application/x-ndjson"})
    response = conn.getresponse()
    answer = json.loads(response.read())
    if response.status != 200:
        sys.exit(f"agent-events answered {response.status}: {answer}")
    return answer


def main() -> None:
    parser = argparse.ArgumentParser()
    centre.size_args(parser)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--batch", type=int, default=1000)
    args = parser.parse_args()
    source = centre.loaded_database(args)
    folder = Path(tempfile.mkdtemp(prefix="bench-rta-"))
    db_path = folder / "centre.duckdb"
    shutil.copyfile(source, db_path)
    now = datetime.now(UTC).replace(tzinfo=None)
    agents = prepare(db_path, folder, now)
    url, server = serve(db_path, folder, today=None)  # live: the real now
    env = {**os.environ, "FLOORVIEW_DATABASE__PATH": str(db_path)}
    made = subprocess.run([sys.executable, str(ROOT / "cli.py"), "token", "create", "bench-acd"], env=env,
                          capture_output=True, text=True, check=True)
    token = made.stdout.strip().splitlines()[-1]
    try:
        host, port = url.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        # 1. Ingest: batches of state changes spread over every agent, each agent's in time order, all in the
        #    last hour (so none is in the future).
        step = timedelta(milliseconds=1)
        at, n_sent, kept = now - timedelta(minutes=59), 0, 0
        lines_sent: list[bytes] = []
        started = time.monotonic()
        while time.monotonic() - started < args.seconds:
            lines = []
            for _ in range(args.batch):
                lines.append(json.dumps({"agent_id": agents[n_sent % len(agents)], "at": z(at),
                                         "state": STATES[(n_sent // len(agents)) % len(STATES)]}))
                n_sent += 1
                at += step
            body = ("\n".join(lines) + "\n").encode()
            lines_sent.append(body)
            kept += post(conn, token, body)["events"]
        elapsed = time.monotonic() - started
        t0 = time.perf_counter()
        parsed = sum(1 for body in lines_sent for line in body.splitlines() if json.loads(line))
        parse_s = time.perf_counter() - t0
        rate = kept / elapsed
        print(f"\nReal-time adherence benchmark: {len(agents)} agents; {args.batch} events per request")
        print(f"events ingested: {kept:,} in {elapsed:.1f} s = {rate:,.0f} events/s (aim >= 2,000/s); "
              f"json.loads alone: {parsed / parse_s:,.0f} lines/s (ingest x{parsed / parse_s / rate:.0f} slower)")

        # 2. /live for the control desk, every agent listed; the version poll as the reference.
        desk = Session(url)
        desk.sign_in("b-desk", PASSWORD)
        timings: dict[str, list[float]] = {"live": [], "poll": []}
        for _ in range(40):
            for name, body in (("live", live_case()), ("poll", poll_case())):
                t = time.perf_counter()
                status, data = desk.request("POST", "/_dash-update-component", body, "application/json")
                timings[name].append(time.perf_counter() - t)
                if status != 200:
                    sys.exit(f"{name} answered {status}")
        rows = desk.request("POST", "/_dash-update-component", live_case(), "application/json")[1]
        listed = rows.count(b'"data-agent"')
        total = re.search(rb"of ([\d,]+) agents|([\d,]+) agent\(s\)", rows)
        q = {k: statistics.quantiles(v, n=20) for k, v in timings.items()}
        of = (total.group(1) or total.group(2)).decode() if total else "?"
        print(f"/live callback, control desk, {of} agents listed ({listed:,} rows drawn): "
              f"p50 {1000 * statistics.median(timings['live']):.0f} ms, p95 {1000 * q['live'][18]:.0f} ms (aim < 150 ms); version poll p95 {1000 * q['poll'][18]:.0f} ms "
              f"(x{q['live'][18] / q['poll'][18]:.0f})")

        # 3. An agent goes on an unscheduled break: how soon does /live's callback show it?
        conn.close()  # idle while /live was measured: the server may have closed it
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        who = agents[len(agents) // 2]
        went = datetime.now(UTC).replace(tzinfo=None)
        t = time.monotonic()
        post(conn, token, (json.dumps({"agent_id": who, "state": "break", "at": z(went)}) + "\n").encode())
        needle = f'"data-agent":"{who}"'.encode()
        seen = None
        while time.monotonic() - t < 60:
            body = desk.request("POST", "/_dash-update-component", live_case(["grace", "out", "severe"]),
                                "application/json")[1]
            if needle in body:
                seen = time.monotonic() - t
                break
        settings = load_settings(ROOT / "config.toml")
        print("event posted -> /live callback shows it: " + (
            f"{seen:.2f} s; an open page within {seen + settings.adherence.rta_refresh_s:.1f} s at most "
            f"(its refresh, adherence.rta_refresh_s = {settings.adherence.rta_refresh_s} s; aim: refresh + 1 s)"
            if seen is not None else "not seen within 60 s"))
    finally:
        server.terminate()
        server.wait(timeout=60)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
