"""The command line's side of the local path into the running app (see `live.control`)."""

from __future__ import annotations

import argparse
import json
import sys
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path

from live.control import Control

# Commands that use the database, so that the running app runs them (restore replaces the database: never).
DELEGATED = frozenset({"load", "kpi", "refresh", "inspect", "user", "compare-adherence", "backup", "purge", "token",
                       "demo", "follow-ups"})
_PATH_ARGS = ("paths", "path", "dest", "db", "out", "config")


def delegate(control: Control, argv: list[str], args: argparse.Namespace,
             read_password: Callable[[argparse.Namespace], str]) -> int | None:
    """Run the command in the app and print what it printed; its exit code, or None if the app did not answer
    (the caller then runs the command here)."""
    argv = _absolute(argv, args)
    stdin = None
    if args.command == "user" and args.action in ("add", "passwd"):  # asked here, where the person is
        stdin = sys.stdin.readline() if args.password_stdin else read_password(args) + "\n"
        argv = argv if args.password_stdin else [*argv, "--password-stdin"]
    request = urllib.request.Request(
        control.url.rstrip("/") + "/api/v1/local/cli", data=json.dumps({"argv": argv, "stdin": stdin}).encode(),
        headers={"Authorization": f"Bearer {control.token}", "Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=None) as response:  # noqa: S310 - our own app, on loopback
            answer = json.load(response)
    except urllib.error.HTTPError as err:
        print(f"the running app refused the command (HTTP {err.code}): {err.read(300).decode(errors='replace')}",
              file=sys.stderr)
        return 3
    except urllib.error.URLError:
        return None
    sys.stdout.write(answer.get("stdout", ""))
    sys.stderr.write(answer.get("stderr", ""))
    return int(answer.get("code", 1))


def _absolute(argv: list[str], args: argparse.Namespace) -> list[str]:
    """The same arguments with file paths made absolute: the app does not share this shell's directory."""
    values: set[str] = set()
    for name in _PATH_ARGS:
        value = getattr(args, name, None)
        values.update(value if isinstance(value, list) else [value] if isinstance(value, str) else [])
    return [str(Path(a).resolve()) if a in values else a for a in argv]
