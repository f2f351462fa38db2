"""KPI results cached per data version, across users: the same KPIs for the same scope and period are computed
once until the next write. Every committed write bumps the version (store.Database), so a cached result is
never older than the data the page says it shows."""

from __future__ import annotations

import hashlib

import duckdb
import flask
import pandas as pd
from flask_caching import Cache

import store
from kpis.compute import Period, Scope, compute
from kpis.targets import TargetBook
from settings import Settings


class KpiCache:
    """Called like `kpis.compute.compute`; results come from the cache while the data version stands."""

    def __init__(self, server: flask.Flask, db: store.Database, threshold: int = 2000) -> None:
        self._cache = Cache(server, config={"CACHE_TYPE": "SimpleCache", "CACHE_DEFAULT_TIMEOUT": 0,
                                            "CACHE_THRESHOLD": threshold})
        self._db = db

    def __call__(self, con: duckdb.DuckDBPyConnection, settings: Settings, kpi_ids: list[str], period: Period,
                 by: tuple[str, ...] | list[str] = (), scope: Scope | None = None,
                 targets: TargetBook | None = None) -> pd.DataFrame:
        scope = scope or Scope()
        if targets is not None:  # a target book passed in is not part of the key: compute it afresh
            return compute(con, settings, kpi_ids, period, by=by, scope=scope, targets=targets)
        key = "kpi:" + hashlib.sha256(
            repr((self._db.data_version, tuple(kpi_ids), period, tuple(by), scope)).encode()).hexdigest()
        found = self._cache.get(key)
        if found is None:
            found = compute(con, settings, list(kpi_ids), period, by=by, scope=scope)
            self._cache.set(key, found)
        return found.copy()
