"""Import directions (ARCHITECTURE.md): data flows loaders -> DuckDB -> kpis -> callbacks -> layouts."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

FORBIDDEN = {
    "kpis": {"dash", "plotly", "dash_ag_grid", "dash_bootstrap_components", "layouts", "callbacks", "loaders"},
    "loaders": {"dash", "plotly", "dash_ag_grid", "dash_bootstrap_components", "layouts", "callbacks", "kpis"},
    "layouts": {"duckdb", "kpis", "loaders", "store", "callbacks"},
    "callbacks": {"layouts.shell"},  # callbacks may use layout builders, never the other way round
    "demo": {"dash", "plotly", "duckdb", "store", "loaders"},
    "actions": {"dash", "plotly", "dash_ag_grid", "dash_bootstrap_components", "layouts", "callbacks",
                "loaders.canonical", "loaders.run"},
    "upkeep": {"dash", "plotly", "dash_ag_grid", "dash_bootstrap_components", "layouts", "callbacks"},
    "live": {"dash", "plotly", "dash_ag_grid", "dash_bootstrap_components", "layouts", "callbacks"},
}
# actions may use loaders.facts: an approved adherence exception must re-derive the facts it changes.


def imports_of(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def violations(package: str) -> list[str]:
    found = []
    for path in sorted((REPO / package).rglob("*.py")):
        for name in imports_of(path):
            for banned in FORBIDDEN[package]:
                if name == banned or name.startswith(banned + "."):
                    found.append(f"{path.relative_to(REPO)} imports {name}")
    return found


@pytest.mark.parametrize("package", list(FORBIDDEN))
def test_import_directions(package):
    assert violations(package) == []


def test_only_store_opens_duckdb():
    openers = [p.relative_to(REPO).as_posix() for p in REPO.glob("**/*.py")
               if ".venv" not in p.parts and "tests" not in p.parts and "bench" not in p.parts
               and "duckdb.connect(" in p.read_text()]
    assert openers == ["store.py"]


def test_the_checker_catches_a_violation(tmp_path, monkeypatch):
    bad = REPO / "layouts" / "_tmp_bad_import.py"
    bad.write_text("import duckdb\n")
    try:
        assert violations("layouts") == ["layouts/_tmp_bad_import.py imports duckdb"]
    finally:
        bad.unlink()


KPI_TESTS = ("test_kpis.py", "test_facts.py", "test_semantic.py", "test_properties.py", "test_sql_snapshots.py")


@pytest.mark.parametrize("name", KPI_TESTS)
def test_kpi_tests_do_not_lean_on_the_demo_generator(name):
    """KPI tests use hand-worked or published numbers; numbers from the demo generator are for generator tests."""
    text = (REPO / "tests" / name).read_text()
    assert "demo_db" not in text and "from demo" not in text and "generator" not in imports_of(REPO / "tests" / name)
