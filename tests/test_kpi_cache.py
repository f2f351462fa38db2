"""The KPI cache (callbacks/kpi_cache.py) computes a question once even when several people ask it at the same
moment (as every open page does after a load): the others wait for that result. A KPI that moves with the clock
is computed again each minute. (That results last a data version across users: tests/test_live.py.)"""

from __future__ import annotations

import threading
from datetime import date

import flask

import store
from callbacks import kpi_cache
from kpis.compute import Period, Scope

WAIT_S = 10  # only reached when the behaviour is wrong


def test_people_asking_the_same_at_once_share_one_computation(roster, settings, monkeypatch):
    roster.close()
    db = store.Database(settings.db_path)
    started, finish = threading.Event(), threading.Event()
    calls: list[tuple] = []
    real = kpi_cache.compute

    def slow_compute(*args, **kwargs):
        calls.append(kwargs["scope"].site)
        if kwargs["scope"].site == ("NYC",):
            started.set()
            finish.wait(WAIT_S)  # held until the others have asked
        return real(*args, **kwargs)

    monkeypatch.setattr(kpi_cache, "compute", slow_compute)
    cached = kpi_cache.KpiCache(flask.Flask("t"), db)
    day = Period(date(2026, 11, 20), date(2026, 11, 20))
    answers: list = []

    def ask(site: str) -> None:
        with db.session() as cur:
            answers.append((site, cached(cur, settings, ["offered"], day, scope=Scope(site=(site,)))))

    try:
        first = threading.Thread(target=ask, args=("NYC",))
        first.start()
        assert started.wait(WAIT_S)
        same = [threading.Thread(target=ask, args=("NYC",)) for _ in range(3)]
        for t in same:
            t.start()
        other = threading.Thread(target=ask, args=("LDN",))  # another question is not held up
        other.start()
        other.join(WAIT_S)
        assert [site for site, _ in answers] == ["LDN"]
        finish.set()
        for t in [first, *same]:
            t.join(WAIT_S)
        assert sorted(calls) == [("LDN",), ("NYC",)]  # each question once
        assert len(answers) == 5 and all(a.equals(answers[1][1]) for s, a in answers if s == "NYC")
    finally:
        db.close()


def test_a_follow_up_clock_kpi_is_computed_again_each_minute_and_others_are_not(roster, settings, monkeypatch):
    """Whether a follow-up is past due changes with the clock, not with a write: its cached result lasts a
    minute at most, while other KPIs stand for the whole data version."""
    roster.close()
    db = store.Database(settings.db_path)
    calls: list[tuple] = []
    real = kpi_cache.compute
    monkeypatch.setattr(kpi_cache, "compute", lambda *a, **k: calls.append(tuple(a[2])) or real(*a, **k))
    now = [1_800_000_000.0]
    monkeypatch.setattr(kpi_cache.time, "time", lambda: now[0])
    cached = kpi_cache.KpiCache(flask.Flask("t"), db)
    day = Period(date(2026, 11, 20), date(2026, 11, 20))
    try:
        with db.session() as cur:
            for _ in range(2):
                cached(cur, settings, ["follow_up_closed_within_sla"], day)
                cached(cur, settings, ["offered"], day)
            now[0] += 60
            cached(cur, settings, ["follow_up_closed_within_sla"], day)
            cached(cur, settings, ["offered"], day)
        assert calls == [("follow_up_closed_within_sla",), ("offered",), ("follow_up_closed_within_sla",)]
    finally:
        db.close()
