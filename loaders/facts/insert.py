"""Writing a builder's rows into its fact table, by column name, checked against the semantic model."""

from __future__ import annotations

import duckdb

from semantic import FactTable


class BuilderMismatch(RuntimeError):
    """A fact builder's SELECT does not give exactly its table's declared columns."""


def insert(con: duckdb.DuckDBPyConnection, table: FactTable, select_sql: str) -> None:
    """INSERT … BY NAME, after checking the SELECT names every declared column and nothing else (binding the
    query, not running it): a missing measure would otherwise be stored as NULL and silently drop out of sums."""
    given = con.sql(select_sql).columns
    declared = [c for c, _ in table.columns]
    if sorted(given) != sorted(declared):
        missing = sorted(set(declared) - set(given))
        extra = sorted(set(given) - set(declared))
        raise BuilderMismatch(f"{table.name}: builder gives {len(given)} columns; missing {missing}, "
                              f"undeclared {extra}")
    con.execute(f"INSERT INTO {table.name} BY NAME {select_sql}")  # noqa: S608 - names from the model
