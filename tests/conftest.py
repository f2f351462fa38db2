"""Shared fixtures: settings pointing at a temporary database, and small roster files."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import duckdb
import pytest

import store
from loaders import load_file
from settings import Settings, load_settings

REPO = Path(__file__).resolve().parents[1]

ROSTER = {
    "sites.csv": "site_id,name,timezone\nNYC,New York,America/New_York\nLDN,London,Europe/London\n"
                 "JNB,Johannesburg,Africa/Johannesburg\n",
    "teams.csv": "team_id,name,site_id,supervisor_id\nT1,Team Falcon,NYC,sup1\nT2,Team Heron,LDN,sup2\n",
    "agents.csv": "agent_id,name,team_id,site_id,hire_date\nA1,Ann Adams,T1,NYC,2024-01-05\n"
                  "A2,Bo Chen,T1,NYC,2025-06-01\nL1,Lee Evans,T2,LDN,2023-03-03\n",
    "queues.csv": "queue_id,name,channel,call_type,sl_threshold_s\nQ1,Billing,voice,billing,20\n"
                  "Q2,Sales,voice,sales,30\n",
}


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(REPO / "config.toml", database={"path": tmp_path / "test.duckdb"})


@pytest.fixture
def con(settings: Settings) -> duckdb.DuckDBPyConnection:
    connection = store.connect(settings.db_path)
    yield connection
    connection.close()


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def roster_module(
        tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[duckdb.DuckDBPyConnection, Settings, Path]]:
    """(connection, settings, folder) of a database shared by one test module, with the roster loaded: for
    property tests, which put their own rows in for each example."""
    folder = tmp_path_factory.mktemp("centre")
    settings = load_settings(REPO / "config.toml", database={"path": folder / "centre.duckdb"})
    connection = store.connect(settings.db_path)
    for name, text in ROSTER.items():
        assert load_file(connection, write(folder, name, text), settings).status == "loaded"
    yield connection, settings, folder
    connection.close()


@pytest.fixture
def roster(con: duckdb.DuckDBPyConnection, settings: Settings, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """The connection with three sites, two teams, three agents and two queues loaded."""
    folder = tmp_path / "roster"
    folder.mkdir()
    for name in ("sites.csv", "teams.csv", "agents.csv", "queues.csv"):
        result = load_file(con, write(folder, name, ROSTER[name]), settings)
        assert result.status == "loaded" and result.rows_rejected == 0, result
    return con


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


DEMO_END = date(2026, 11, 21)


@pytest.fixture(scope="session")
def demo_db(tmp_path_factory):
    """The demo (28 days to Sat 21 Nov 2026) generated, loaded and given its users once per test run."""
    import accounts
    from actions.audit import now
    from actions.demo_hotline import work_the_hotline
    from demo import DemoSpec, generate
    from loaders import load_paths

    folder = tmp_path_factory.mktemp("demo")
    stories = generate(DemoSpec(out=folder / "files", days=28, end=DEMO_END))
    settings = load_settings(REPO / "config.toml", database={"path": folder / "demo.duckdb"},
                             app={"today": "2026-11-22", "secret_key_file": str(folder / "secret")})
    con = store.connect(settings.db_path)
    results = load_paths(con, [folder / "files"], settings)
    for u in stories["users"]:
        accounts.add_user(con, u["username"], u["display_name"], u["role"], settings.app.demo_password,
                          agent_id=u.get("agent_id"), team_ids=tuple(u.get("team_ids", ())),
                          site_ids=tuple(u.get("site_ids", ())))
    hotline = work_the_hotline(con, settings, stories["users"], now())  # as `floorview demo --load` does
    yield {"con": con, "stories": stories, "results": results, "folder": folder / "files", "settings": settings,
           "hotline": hotline}
    con.close()


@pytest.fixture(scope="module")
def served_demo(demo_db):
    """The demo app served on a free port with Chromium: (url, browser, stories, password)."""
    import store
    from app import create_app
    from tests.browser import chromium, serve

    db = store.Database(demo_db["settings"].db_path)
    app = create_app(demo_db["settings"], db)
    with serve(app.server) as url, chromium() as browser:
        yield url, browser, demo_db["stories"], demo_db["settings"].app.demo_password
    db.close()


def changed(settings: Settings, **sections: dict) -> Settings:
    """A copy of frozen settings with some values of some sections changed (settings are never mutated)."""
    return settings.model_copy(update={name: getattr(settings, name).model_copy(update=values)
                                       for name, values in sections.items()})
