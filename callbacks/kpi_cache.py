"""KPI results cached per data version, across users: the same KPIs for the same scope and period are computed
once until the next write. Every committed write bumps the version (store.Database), so a cached result is
never older than the data the page says it shows; one that moves with the clock is recomputed each minute."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

import duckdb
import flask
import pandas as pd
from flask_caching import Cache

import callback_gate
import store
from kpis.compute import Period, Scope, compute, moves_with_clock
from kpis.targets import TargetBook
from settings import Settings


class KpiCache:
    """Called like `kpis.compute.compute`; results come from the cache while the data version stands."""

    def __init__(self, server: flask.Flask, db: store.Database, threshold: int = 2000) -> None:
        self._cache = Cache(server, config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 0,
                                            "CACHE_THRESHOLD": threshold})
        self._db = db
        self._running: dict[str, Future[pd.DataFrame]] = {}  # key -> the computation under way
        self._lock = threading.Lock()
        self._clocked: dict[tuple[str, ...], bool] = {}  # the settings are the process's: fixed while it runs

    def __call__(self, con: duckdb.DuckDBPyConnection, settings: Settings, kpi_ids: list[str], period: Period,
                 by: tuple[str, ...] | list[str] = (), scope: Scope | None = None,
                 targets: TargetBook | None = None) -> pd.DataFrame:
        scope = scope or Scope()
        if targets is not None:  # a target book passed in is not part of the key: compute it afresh
            return compute(con, settings, kpi_ids, period, by=by, scope=scope, targets=targets)
        kpis = tuple(kpi_ids)
        if kpis not in self._clocked:  # planning takes 0.5 ms: once per set of KPIs, not once per question
            self._clocked[kpis] = moves_with_clock(list(kpis), settings)
        minute = int(time.time() // 60) if self._clocked[kpis] else None  # such a result stands a minute at most
        key = "kpi:" + hashlib.sha256(
            repr((self._db.data_version, minute, kpis, period, tuple(by), scope)).encode()).hexdigest()
        found = self._cache.get(key)
        if found is None:
            found = self._computed_once(key, lambda: compute(con, settings, list(kpi_ids), period, by=by, scope=scope))
        return found.copy()

    def _computed_once(self, key: str, work: Callable[[], pd.DataFrame]) -> pd.DataFrame:
        """Compute and cache; whoever asks the same meanwhile waits for that result rather than computing it
        again (after a load, everyone's pages ask at once, most of them the same questions)."""
        with self._lock:
            running = self._running.get(key)
            mine = running is None
            if running is None:
                running = self._running[key] = Future()
        if not mine:
            with callback_gate.turn_set_aside():  # waiting is not computing: let other callbacks run
                return running.result()
        try:
            found = work()
            self._cache.set(key, found)
            running.set_result(found)
            return found
        except BaseException as err:
            running.set_exception(err)  # those waiting get the same error, and the next asker tries again
            raise
        finally:
            with self._lock:
                del self._running[key]
