"""Concurrency: signed-in users replaying the role pages' callbacks against the served demo, over real HTTP.

The baseline, measured in the same run, is one user alone; then `--users` users (spread over the four roles)
replay for `--seconds`. Prints requests/s, p50/p95/p99 latency and errors for each, and the ratios.

    python bench/bench_concurrency.py                     # generates the demo, serves it with `floorview serve`
    python bench/bench_concurrency.py --url http://127.0.0.1:8050 --demo data/demo   # an app already serving

Against an app already serving, the demo's users and password (`app.demo_password`) must exist there.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode, urlparse

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.replay import role_cases  # noqa: E402

ROLES = ("agent", "supervisor", "manager", "control_desk")


class Session:
    """One signed-in browser: its own connection and session cookie."""

    def __init__(self, url: str) -> None:
        parsed = urlparse(url)
        self.host, self.port = parsed.hostname, parsed.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.cookie = ""

    def request(self, method: str, path: str, body: str | None = None, content_type: str = "") -> tuple[int, bytes]:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        if content_type:
            headers["Content-Type"] = content_type
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            raise
        data = response.read()
        for name, value in response.getheaders():
            if name.lower() == "set-cookie" and value.startswith("session="):
                self.cookie = value.split(";")[0]
        return response.status, data

    def sign_in(self, username: str, password: str) -> None:
        _, page = self.request("GET", "/login")
        token = re.search(rb'name="csrf" value="([^"]+)"', page)  # absent on servers older than the form token
        form = {"username": username, "password": password, **({"csrf": token.group(1).decode()} if token else {})}
        status, _ = self.request("POST", "/login", urlencode(form), "application/x-www-form-urlencoded")
        if status != 302:
            sys.exit(f"sign-in as {username} failed with HTTP {status}")


def replay(url: str, username: str, password: str, bodies: list[str], until: float, out: list, errors: list,
           pause: float = 0.0) -> None:
    """Ask the bodies in turn until `until`, waiting `pause` seconds after each answer (a person reading)."""
    session = Session(url)
    session.sign_in(username, password)
    n = 0
    while time.monotonic() < until:
        body = bodies[n % len(bodies)]
        n += 1
        t0 = time.perf_counter()
        try:
            status, _ = session.request("POST", "/_dash-update-component", body, "application/json")
        except (http.client.HTTPException, OSError) as err:
            errors.append(type(err).__name__)
            continue
        out.append(time.perf_counter() - t0)
        if status != 200:
            errors.append(status)
        time.sleep(pause)


def run(url: str, users: list[str], password: str, bodies: dict[str, list[str]], roles: dict[str, str],
        seconds: float, pause: float = 0.0) -> tuple[list[float], list, float]:
    """Latencies, errors and elapsed seconds of these users replaying at once for `seconds` (each pausing
    `pause` seconds between requests)."""
    latencies: list[float] = []
    errors: list = []
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=replay, args=(url, u, password, bodies[roles[u]], until, latencies, errors,
                                                      pause)) for u in users]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return latencies, errors, time.monotonic() - started


def figures(latencies: list[float], errors: list, elapsed: float) -> dict:
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    return {"requests": len(latencies), "rps": len(latencies) / elapsed, "p50": 1000 * q[49], "p95": 1000 * q[94],
            "p99": 1000 * q[98], "errors": len(errors)}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_demo_server(folder: Path) -> tuple[str, subprocess.Popen]:
    env = {**os.environ, "FLOORVIEW_DATABASE__PATH": str(folder / "demo.duckdb"),
           "FLOORVIEW_APP__SECRET_KEY_FILE": str(folder / "secret"), "FLOORVIEW_DATA__INBOX_DIR": str(folder / "inbox")}
    cli = [sys.executable, str(ROOT / "cli.py")]
    subprocess.run([*cli, "demo", "--out", str(folder / "demo"), "--load", "--quiet"], env=env, check=True,
                   stdout=subprocess.DEVNULL)
    port = free_port()
    server = subprocess.Popen([*cli, "serve", "--port", str(port), "--demo-today", str(folder / "demo")], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(300):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return f"http://127.0.0.1:{port}", server
        except OSError:
            time.sleep(0.2)
    server.kill()
    sys.exit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--baseline-seconds", type=float, default=20)
    parser.add_argument("--url", help="bench an app already serving the demo (default: serve a fresh demo)")
    parser.add_argument("--demo", help="the demo folder of that app (its stories.json names the users)")
    parser.add_argument("--password", default="demo")
    args = parser.parse_args()
    server = None
    if args.url:
        url, demo = args.url, Path(args.demo or ROOT / "data" / "demo")
    else:
        folder = Path(tempfile.mkdtemp(prefix="bench-concurrency-"))
        url, server = start_demo_server(folder)
        demo = folder / "demo"
    try:
        stories = json.loads((demo / "stories.json").read_text(encoding="utf-8"))
        end = date_of(stories["period"]["end"])
        start = end - 6 * 86400
        by_role: dict[str, dict] = {}
        for u in stories["users"]:
            by_role.setdefault(u["role"], u)
        team = by_role["supervisor"]["team_ids"][0]
        site = by_role["manager"]["site_ids"][0]
        cases = role_cases(team, site, iso(start), iso(end))
        bodies = {role: [body for r, body in cases.values() if r == role] for role in ROLES}
        roles = {by_role[r]["username"]: r for r in ROLES}
        names = list(roles)
        crowd = [names[n % len(names)] for n in range(args.users)]
        print(f"\nConcurrency benchmark against {url}: the role pages' callbacks over {iso(start)} to {iso(end)}")
        print(f"{'run':<34}{'requests':>9}{'req/s':>8}{'p50 ms':>8}{'p95 ms':>8}{'p99 ms':>8}{'errors':>8}")
        # The baseline: one user at a time, each role in turn, so it replays the same mix of callbacks.
        pooled: tuple[list[float], list, float] = ([], [], 0.0)
        for name in names:
            lat, err, took = run(url, [name], args.password, bodies, roles, args.baseline_seconds / len(names))
            pooled = (pooled[0] + lat, pooled[1] + err, pooled[2] + took)
        alone = figures(*pooled)
        crowded = figures(*run(url, crowd, args.password, bodies, roles, args.seconds))
        for label, r in ((f"1 user at a time, {args.baseline_seconds:.0f} s (base)", alone),
                         (f"{args.users} users, {args.seconds:.0f} s", crowded)):
            print(f"{label:<34}{r['requests']:>9}{r['rps']:>8.1f}{r['p50']:>8.0f}{r['p95']:>8.0f}{r['p99']:>8.0f}"
                  f"{r['errors']:>8}")
        print(f"ratios, {args.users} users / 1 user: throughput x{crowded['rps'] / alone['rps']:.2f}, "
              f"p95 x{crowded['p95'] / alone['p95']:.1f}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)


def date_of(text: str) -> float:
    return time.mktime(time.strptime(text[:10], "%Y-%m-%d"))


def iso(epoch: float) -> str:
    return time.strftime("%Y-%m-%d", time.localtime(epoch))


if __name__ == "__main__":
    main()
