"""Interval facts: additive measures per site-local interval, rebuilt for an explicit refresh window.

One builder per fact table (semantic.FACTS declares them), each taking the window's grid; `refresh` is the only
way in. The window comes from what changed: `window.touched_by` (a file's rows), `window.of_agent_span`
(an approved exception), `window.everything` (a full rebuild) or the backlog a deferred load left.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

import store
from loaders import vocabulary
from loaders.facts import agent, aggregates, built_with, forecast, grid, handle, queue, survey
from loaders.facts.window import Window, of_agent_span, touched_by
from loaders.facts.window import everything as whole_history
from semantic import AGENT, BY_NAME, FACT_TABLES, FACTS_OF_KIND, FORECAST, HANDLE, QUEUE, SURVEY, AgentId
from settings import Settings

ALL_FACTS = FACT_TABLES
__all__ = ["ALL_FACTS", "FACTS_OF_KIND", "Window", "defer", "refresh", "refresh_agent_span", "refresh_backlog",
           "retag_teams", "touched_by"]



def _build(con: duckdb.DuckDBPyConnection, settings: Settings, table: str, g: grid.Grid) -> None:
    if table == QUEUE.name:
        queue.build(con, settings, g)
    elif table == HANDLE.name:
        handle.build(con, settings, g)
    elif table == AGENT.name:
        agent.build(con, settings, g)
    elif table == FORECAST.name:
        forecast.build(con, g)
    elif table == SURVEY.name:
        survey.build(con, g)
    aggregates.add(con, BY_NAME[table], g)


def refresh(con: duckdb.DuckDBPyConnection, settings: Settings, tables: tuple[str, ...] = ALL_FACTS,
            everything: bool = False, *, window: Window | None = None) -> int:
    """Rebuild the given interval facts for the window's site-days (or every day); returns site-days done.
    A table whose stored facts were built with other settings (a threshold changed in config.toml) is
    rebuilt over the whole history instead, so no figure mixes two thresholds."""
    if everything:
        con.execute("DELETE FROM fact_backlog")
        con.execute("DELETE FROM meta WHERE key = ?", [store.FACTS_REBUILD_ALL])
    whole_tables = tables if everything else tuple(t for t in tables if t in built_with.stale(con, settings))
    whole = whole_history(con) if whole_tables else Window()
    grids: dict[Window, grid.Grid] = {}
    done = 0
    for table in tables:
        w = whole if table in whole_tables else (window or Window())
        if not w:
            continue
        if w not in grids:
            grids[w] = grid.build(con, w, int(settings.data.interval_minutes))
        g = grids[w]
        con.execute(f"DELETE FROM {table} WHERE (site_id, date_local) IN ({grid.days_sql(g)})")  # noqa: S608
        _build(con, settings, table, g)
        done = max(done, len(w))
    built_with.record(con, settings, whole_tables)
    return done


def defer(con: duckdb.DuckDBPyConnection, tables: tuple[str, ...], window: Window) -> None:
    """Leave the window's site-days of these fact tables for `refresh_backlog` (committed with the load, so
    facts a crash left unbuilt are built by the next load or `floorview refresh`)."""
    sites, days = window.columns()
    con.execute("""INSERT INTO fact_backlog
                   SELECT t.fact_table, w.site_id, w.date_local
                   FROM (SELECT unnest(?::VARCHAR[]) AS site_id, unnest(?::DATE[]) AS date_local) w,
                        (SELECT unnest(?::VARCHAR[]) AS fact_table) t""", [sites, days, list(tables)])


def pending(con: duckdb.DuckDBPyConnection, settings: Settings) -> bool:
    """Whether loads (or a changed model, or changed settings) left facts to build."""
    return bool(con.execute("SELECT EXISTS (FROM fact_backlog) OR EXISTS (FROM meta WHERE key = ?)",
                            [store.FACTS_REBUILD_ALL]).fetchall()[0][0]) or bool(built_with.stale(con, settings))


# Each site's newest day in the backlog: what a live increment changes most (earlier days it touches are the
# FCR look-back of its customers, a re-export's corrections).
_NEWEST = """(SELECT site_id, max(date_local) AS date_local FROM fact_backlog
              WHERE date_local >= $earliest AND date_local < $latest GROUP BY site_id)"""


def refresh_backlog(con: duckdb.DuckDBPyConnection, settings: Settings, newest_only: bool = False) -> int:
    """Rebuild every fact table for the site-days loads left to it; returns site-days done. `newest_only`:
    only each site's newest day, the rest left in the backlog for the next call (unless every table must be
    rebuilt anyway, for a changed model or settings: then everything, as without it)."""
    if con.execute("SELECT count(*) FROM meta WHERE key = ?", [store.FACTS_REBUILD_ALL]).fetchall()[0][0]:
        return refresh(con, settings, everything=True)
    done = 0
    backlog_tables = {t for (t,) in con.execute("SELECT DISTINCT fact_table FROM fact_backlog").fetchall()}
    changed = tuple(t for t in built_with.stale(con, settings) if t not in backlog_tables)
    if changed:  # built with other settings, with nothing of theirs in the backlog: their whole history now
        done += refresh(con, settings, changed)
    bounds = {"earliest": settings.data.earliest_date, "latest": settings.data.latest_date}
    chosen = f"(site_id, date_local) IN (SELECT site_id, date_local FROM {_NEWEST})" if newest_only else "true"
    for (table,) in con.execute("SELECT DISTINCT fact_table FROM fact_backlog ORDER BY 1").fetchall():
        # Days outside the plausible range (left by a version that did not bound them) are dropped, not built.
        backlog = Window(frozenset(con.execute(
            f"""SELECT DISTINCT site_id, date_local FROM fact_backlog
               WHERE fact_table = $table AND date_local >= $earliest AND date_local < $latest
                 AND {chosen}""", {"table": table, **bounds}).fetchall()))  # noqa: S608 - fixed fragments
        done += refresh(con, settings, (table,), window=backlog)
    con.execute(f"DELETE FROM fact_backlog WHERE {chosen}", bounds if newest_only else {})  # noqa: S608 - fixed
    return done


def refresh_agent_span(con: duckdb.DuckDBPyConnection, settings: Settings, agent_id: AgentId, start_at: datetime,
                       end_at: datetime) -> int:
    """Rebuild the agent facts of the site-days an agent's UTC span touches (after an adherence exception
    is approved: the span's out-of-adherence time becomes excused)."""
    vocabulary.install(con, settings)
    return refresh(con, settings, (AGENT.name,), window=of_agent_span(con, agent_id, start_at, end_at))


def retag_teams(con: duckdb.DuckDBPyConnection) -> None:
    """After a roster change, attribute facts to each agent's current team."""
    for table in (AGENT.name, HANDLE.name):
        con.execute(f"""
            UPDATE {table} f SET team_id = a.team_id FROM agents a
            WHERE a.agent_id = f.agent_id AND f.team_id IS DISTINCT FROM a.team_id""")  # noqa: S608
