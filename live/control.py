"""The local path from the command line into the running app: a control file beside the database.

The serving process writes `<database>.control` (owner-only: the URL it serves, a random token, its pid, the
database). `floorview` commands find it, check the pid is alive and the database is theirs, and send their
arguments to the app, which runs them on its own connection through its single writer and returns the output
and exit code. Nobody without read access to the file (the owner's only) can use the path.
"""

from __future__ import annotations

import hmac
import json
import os
import secrets
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Control:
    url: str
    token: str
    pid: int
    db: str


def control_path(db_path: Path) -> Path:
    return Path(db_path).with_name(Path(db_path).name + ".control")


def publish(db_path: Path, url: str) -> Control:
    """Write the control file for this process (replacing a stale one), readable by its owner only."""
    control = Control(url, secrets.token_urlsafe(32), os.getpid(), str(Path(db_path).resolve()))
    path = control_path(db_path)
    path.unlink(missing_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        json.dump(control.__dict__, fh)
    return control


def withdraw(db_path: Path, control: Control) -> None:
    """Remove the control file if it is still this process's."""
    found = read(db_path)
    if found is not None and found.token == control.token:
        control_path(db_path).unlink(missing_ok=True)


def read(db_path: Path) -> Control | None:
    try:
        data = json.loads(control_path(db_path).read_text())
        return Control(str(data["url"]), str(data["token"]), int(data["pid"]), str(data["db"]))
    except (OSError, ValueError, KeyError, TypeError):
        return None


def running_app(db_path: Path) -> Control | None:
    """The app serving this database, if one is: its control file names a live process and this database."""
    found = read(db_path)
    if found is None or found.db != str(Path(db_path).resolve()):
        return None
    try:
        os.kill(found.pid, 0)
    except ProcessLookupError:
        return None
    except PermissionError:  # alive, another user's
        pass
    return found


def authorised(control: Control | None, token: str | None) -> bool:
    """Whether `token` (from the request's Authorization header) is this control file's."""
    if control is None or not token:
        return False
    return hmac.compare_digest(token.encode(), control.token.encode())
