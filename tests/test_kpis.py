"""Every KPI against numbers worked by hand (and the published examples of the KPI reference).

The scenario, loaded through the real loaders (New York, Tuesday 3 Nov 2026, local times):
- Queue Q1 (T = 20 s): 100 contacts offered 09:00-11:45; 70 answered within 10 s, 20 answered after
  40 s, 10 abandoned after 15 s (the Cisco published example: 70 within, 10 abandoned within, 20 beyond).
- A1 handles the first 60 answered (talk 240, ACW 30; 10 of them held 60 s), A2 the other 30
  (talk 300, ACW 120; 6 transferred). Nine of A1's customers call again on 5 Nov (repeats).
- A1's day: scheduled open 09:00-12:00, lunch 12:00-12:30 (unpaid), open 12:30-15:00, break 15:00-15:15,
  meeting 15:15-15:45, open 15:45-17:00. Actual: logs in 09:05; on contact to 11:00; available to 12:05;
  lunch 12:05-12:35; aux to 13:00; ACW to 15:00; break 15:00-15:20; meeting to 15:45; available to 16:50;
  offline.
- Forecast Q1: 20 contacts per 30 minutes 09:00-12:00 (AHT 300, 1.5 agents required).
- Ten surveys: NPS 10,9,9,8,8,7,7,7,3,0; CSAT 5,5,4,4,4,3,3,2,1,5; resolved 7 yes, 3 no.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

import store
from kpis.catalogue import BY_ID, CATALOGUE, CatalogueError, Kpi, resolve, validate
from kpis.compute import Period, Scope, compute
from kpis.erlang import required_agents
from kpis.targets import Target, TargetBook, status
from loaders import load_file
from settings import TargetRule, load_settings
from tests.conftest import REPO, ROSTER, rows, write

DAY = Period(date(2026, 11, 3), date(2026, 11, 3))
EST = timedelta(hours=5)


def iso(local: datetime) -> str:
    return (local + EST).strftime("%Y-%m-%dT%H:%M:%SZ")


def contacts_csv() -> str:
    lines = ["contact_id,queue_id,site_id,offered_at,answered_at,ended_at,agent_id,customer_id,talk_s,hold_s,"
             "acw_s,transferred"]
    quarters = [10] * 8 + [10, 0, 10, 0]  # contacts offered per quarter-hour from 09:00
    offered = [datetime(2026, 11, 3, 9) + timedelta(minutes=15 * q, seconds=60 * j)
               for q, n in enumerate(quarters) for j in range(n)]
    a1 = a2 = 0
    for i, t in enumerate(offered):
        if i >= 90:
            lines.append(f"C{i},Q1,NYC,{iso(t)},,{iso(t + timedelta(seconds=15))},,K{i},,,,")
            continue
        answered = t + timedelta(seconds=10 if i < 70 else 40)
        if a1 < 60:
            agent, talk, hold, acw, transferred = "A1", 240, 60 if a1 < 10 else 0, 30, "false"
            a1 += 1
        else:
            agent, talk, hold, acw, transferred = "A2", 300, 0, 120, "true" if a2 < 6 else "false"
            a2 += 1
        ended = answered + timedelta(seconds=talk + hold)
        lines.append(f"C{i},Q1,NYC,{iso(t)},{iso(answered)},{iso(ended)},{agent},K{i},{talk},{hold},{acw},{transferred}")
    for i in range(9):  # repeats two days later from nine of A1's customers
        t = datetime(2026, 11, 5, 9) + timedelta(minutes=i)
        lines.append(f"R{i},Q1,NYC,{iso(t)},{iso(t + timedelta(seconds=5))},{iso(t + timedelta(seconds=200))},"
                     f"A1,K{i},195,0,20,false")
    return "\n".join(lines) + "\n"


SCHEDULE = """agent_id,activity,start_at,end_at
A1,open,2026-11-03 09:00,2026-11-03 12:00
A1,lunch,2026-11-03 12:00,2026-11-03 12:30
A1,open,2026-11-03 12:30,2026-11-03 15:00
A1,break,2026-11-03 15:00,2026-11-03 15:15
A1,meeting,2026-11-03 15:15,2026-11-03 15:45
A1,open,2026-11-03 15:45,2026-11-03 17:00
A2,open,2026-11-04 08:00,2026-11-04 15:30
A2,break,2026-11-04 15:30,2026-11-04 16:20
L1,open,2026-11-04 08:00,2026-11-04 16:20
A2,open,2026-11-06 09:00,2026-11-06 10:00
"""
STATES = """agent_id,state,start_at,end_at
A1,on_contact,2026-11-03 09:05,2026-11-03 11:00
A1,available,2026-11-03 11:00,2026-11-03 12:05
A1,lunch,2026-11-03 12:05,2026-11-03 12:35
A1,aux,2026-11-03 12:35,2026-11-03 13:00
A1,acw,2026-11-03 13:00,2026-11-03 15:00
A1,break,2026-11-03 15:00,2026-11-03 15:20
A1,meeting,2026-11-03 15:20,2026-11-03 15:45
A1,available,2026-11-03 15:45,2026-11-03 16:50
A1,offline,2026-11-03 16:50,2026-11-03 17:30
A2,available,2026-11-04 08:00,2026-11-04 15:30
A2,break,2026-11-04 15:30,2026-11-04 16:20
L1,available,2026-11-04 08:00,2026-11-04 14:40
L1,aux,2026-11-04 14:40,2026-11-04 16:20
A2,available,2026-11-06 09:10,2026-11-06 10:10
"""
FORECAST = "site_id,queue_id,interval_start,interval_minutes,contacts,aht_s,required_agents\n" + "".join(
    f"NYC,Q1,2026-11-03 {9 + h // 2:02d}:{30 * (h % 2):02d},30,20,300,1.5\n" for h in range(6))
SURVEY_NPS = [10, 9, 9, 8, 8, 7, 7, 7, 3, 0]
SURVEY_CSAT = [5, 5, 4, 4, 4, 3, 3, 2, 1, 5]
SURVEYS = "response_id,responded_at,contact_id,nps,csat,resolved\n" + "".join(
    f"S{i},2026-11-03T20:00:00Z,C{i},{n},{c},{'yes' if i < 7 else 'no'}\n"
    for i, (n, c) in enumerate(zip(SURVEY_NPS, SURVEY_CSAT, strict=True)))


@pytest.fixture(scope="module")
def centre_db(tmp_path_factory):
    """Loaded once per module: the tests only read it. (4 Nov: L1 in London time, A2 in New York time.)"""
    folder = tmp_path_factory.mktemp("centre")
    settings = load_settings(REPO / "config.toml", database={"path": folder / "centre.duckdb"})
    con = store.connect(settings.db_path)
    for name, text in list(ROSTER.items()) + [
            ("schedule.csv", SCHEDULE), ("states.csv", STATES), ("contacts.csv", contacts_csv()),
            ("forecast.csv", FORECAST), ("surveys.csv", SURVEYS)]:
        result = load_file(con, write(folder, name, text), settings)
        assert result.status == "loaded" and result.rows_rejected == 0, result.sample_rejects
    yield con, settings
    con.close()


@pytest.fixture
def centre(centre_db):
    return centre_db[0]


@pytest.fixture
def settings(centre_db):
    return centre_db[1]


def value(con, settings, kpi, period=DAY, scope=None, by=()):
    result = compute(con, settings, [kpi], period, by=by, scope=scope or Scope())
    assert len(result) == 1, result
    return result.iloc[0]["value"]


def roster_db(tmp_path, **changes):
    """A fresh database with the test roster loaded, for scenarios of their own."""
    settings = load_settings(REPO / "config.toml", database={"path": tmp_path / "own.duckdb"}, **changes)
    con = store.connect(settings.db_path)
    for name, text in ROSTER.items():
        load_file(con, write(tmp_path, name, text), settings)
    return con, settings


def with_settings(settings, **changes):
    return load_settings(REPO / "config.toml", database={"path": settings.db_path}, **changes)


# --- the catalogue itself -------------------------------------------------------------------------------

REQUIRED_IDS = ["offered", "answered", "handled", "abandoned", "abandon_rate", "short_abandons", "service_level", "asa", "avg_abandon_time", "aht", "avg_talk", "avg_hold", "avg_acw", "transfer_rate", "contacts_per_hour", "occupancy", "utilisation", "adherence", "conformance", "late_login_minutes", "shrinkage", "shrinkage_planned", "shrinkage_unplanned", "fcr", "fcr_survey", "nps", "csat", "survey_response_rate", "forecast_contacts", "forecast_accuracy", "required_agents", "scheduled_agents", "on_hand_agents", "net_staffing"]


def test_catalogue_has_the_required_ids_and_more_than_forty():
    assert set(REQUIRED_IDS) <= set(BY_ID)
    assert len(CATALOGUE) >= 40


def test_catalogue_validation_catches_mistakes():
    ok = BY_ID["aht"]
    with pytest.raises(CatalogueError, match="duplicate KPI id 'aht'"):
        validate((ok, ok))
    with pytest.raises(CatalogueError, match="unknown unit"):
        validate((Kpi("x", "X", "furlongs", "higher", "handled"),))  # type: ignore[arg-type]
    with pytest.raises(CatalogueError, match=r"unknown measure\(s\) \['banana_s'\]"):
        validate((Kpi("x", "X", "s", "lower", "banana_s", "handled"),))
    with pytest.raises(CatalogueError, match="unknown KPI 'nope'"):
        resolve("nope", load_settings(REPO / "config.toml"))


def test_kpi_catalogue_doc_is_in_sync_with_the_code():
    from kpis.docs import markdown
    assert (REPO / "docs" / "KPI-CATALOGUE.md").read_text() == markdown()


# --- queue KPIs: the Cisco published example -------------------------------------------------------

@pytest.mark.parametrize(("kpi", "expected"), [
    ("offered", 100), ("answered", 90), ("abandoned", 10), ("short_abandons", 0), ("answered_within", 70),
    ("abandon_rate", 10.0), ("abandon_rate_excl_short", 10.0), ("answer_rate", 90.0),
    ("asa", 1500 / 90), ("avg_abandon_time", 15.0),
])
def test_queue_kpis(centre, settings, kpi, expected):
    assert value(centre, settings, kpi) == pytest.approx(expected)


@pytest.mark.parametrize(("variant", "expected"), [
    ("offered", 70.00),  # Cisco "abandons negative"
    ("offered_less_abandoned_within", 77.78),  # Cisco "abandons ignored"
    ("abandoned_within_positive", 80.00),  # Cisco "abandons positive"
    ("answered", 77.78),
    ("offered_less_short", 70.00),
])
def test_service_level_variants_published_cisco_example(centre, settings, variant, expected):
    s = with_settings(settings, service_level={"variant": variant})
    assert round(value(centre, s, "service_level"), 2) == expected
    assert resolve("service_level", s).variant == f"service_level.variant = {variant}"


def test_short_abandons_and_their_variants(tmp_path):
    roster, settings = roster_db(tmp_path)
    # 4 answered within 20 s, 1 answered after, 2 short abandons (3 s), 1 abandon at 30 s: 8 offered.
    lines = ["contact_id,queue_id,site_id,offered_at,answered_at,ended_at,agent_id"]
    waits = [5, 5, 5, 5, 25]
    for i, w in enumerate(waits):
        t = datetime(2026, 11, 3, 14, 0, 0) + timedelta(minutes=i)
        lines.append(f"C{i},Q1,NYC,{t:%Y-%m-%dT%H:%M:%SZ},{t + timedelta(seconds=w):%Y-%m-%dT%H:%M:%SZ},,A1")
    for i, w in enumerate([3, 3, 30]):
        t = datetime(2026, 11, 3, 14, 10, 0) + timedelta(minutes=i)
        lines.append(f"X{i},Q1,NYC,{t:%Y-%m-%dT%H:%M:%SZ},,{t + timedelta(seconds=w):%Y-%m-%dT%H:%M:%SZ},")
    load_file(roster, write(tmp_path, "c.csv", "\n".join(lines) + "\n"), settings)
    assert value(roster, settings, "short_abandons") == 2
    assert value(roster, with_settings(settings, service_level={"variant": "offered_less_short"}),
                 "service_level") == pytest.approx(100 * 4 / 6)
    assert value(roster, settings, "abandon_rate_excl_short") == pytest.approx(100 * 1 / 6)
    assert value(roster, settings, "service_level") == pytest.approx(100 * 4 / 8)


# --- handling -------------------------------------------------------------------------------------

@pytest.mark.parametrize(("kpi", "expected"), [
    ("handled", 90), ("aht", 29400 / 90), ("avg_talk", 260.0), ("avg_hold", 600 / 90), ("avg_acw", 60.0),
    ("transfer_rate", 100 * 6 / 90), ("hold_rate", 100 * 10 / 90), ("avg_hold_when_held", 60.0),
    ("handle_hours", 29400 / 3600), ("fcr", 100 * 81 / 90),
])
def test_handling_kpis(centre, settings, kpi, expected):
    assert value(centre, settings, kpi) == pytest.approx(expected)


def test_fcr_by_agent_and_queue_match_variant(centre, settings):
    by_agent = compute(centre, settings, ["fcr"], DAY, by=["agent"])
    assert dict(zip(by_agent.agent, by_agent.value, strict=True)) == pytest.approx({"A1": 100 * 51 / 60, "A2": 100.0})
    queue_match = with_settings(settings, fcr={"match": "customer_queue", "window_days": 7})
    assert value(centre, queue_match, "fcr") == pytest.approx(100 * 81 / 90)  # the repeats were on the same queue


def test_team_aht_equals_aht_recomputed_from_raw_contacts(centre, settings):
    team = value(centre, settings, "aht", scope=Scope(team=("T1",)))
    raw = rows(centre, "SELECT sum(talk_s + hold_s + acw_s) / count(*) FROM contacts c JOIN agents a USING (agent_id) "
                       "WHERE a.team_id = 'T1' AND c.answered_at < TIMESTAMP '2026-11-04'")[0][0]
    assert team == pytest.approx(raw)
    per_agent = compute(centre, settings, ["aht"], DAY, by=["agent"])
    assert dict(zip(per_agent.agent, per_agent.value, strict=True)) == pytest.approx({"A1": 280.0, "A2": 420.0})
    assert team != pytest.approx(sum(per_agent.value) / 2)  # the team is not the average of its agents


# --- agent time: A1's day ---------------------------------------------------------------------------

A1 = Scope(agent=("A1",))


@pytest.mark.parametrize(("kpi", "expected"), [
    ("adherence", 100 * 425 / 480), ("out_of_adherence_minutes", 55.0), ("conformance", 100 * 365 / 405),
    ("occupancy", 100 * 235 / 365), ("utilisation", 100 * 235 / 450), ("late_login_minutes", 5.0),
    ("early_logout_minutes", 10.0), ("break_overrun_minutes", 5.0), ("staffed_hours", 465 / 60),
    ("productive_hours", 365 / 60), ("scheduled_hours", 7.5), ("contacts_per_hour", 60 / (365 / 60)),
    ("shrinkage", 20.0), ("shrinkage_planned", 10.0), ("shrinkage_unplanned", 10.0),
    ("shrinkage_break", 100 * 20 / 450), ("shrinkage_meeting", 100 * 30 / 450), ("shrinkage_aux", 100 * 25 / 450),
    ("shrinkage_absence", 100 * 15 / 450), ("shrinkage_training", 0.0), ("shrinkage_coaching", 0.0),
])
def test_agent_time_kpis(centre, settings, kpi, expected):
    assert value(centre, settings, kpi, scope=A1) == pytest.approx(expected)


def test_denominator_settings(centre, settings):
    assert value(centre, with_settings(settings, occupancy={"denominator": "staffed"}), "occupancy",
                 scope=A1) == pytest.approx(100 * 235 / 465)
    assert value(centre, with_settings(settings, utilisation={"denominator": "staffed"}), "utilisation",
                 scope=A1) == pytest.approx(100 * 235 / 465)
    assert value(centre, with_settings(settings, shrinkage={"denominator": "scheduled"}), "shrinkage_planned",
                 scope=A1) == pytest.approx(100 * 45 / 480)


def test_published_shrinkage_example_150_of_1000_hours(centre, settings):
    # 4 Nov: A2 450 min open + 50 min break (planned); L1 500 min open of which 100 min in aux (unplanned).
    nov4 = Period(date(2026, 11, 4), date(2026, 11, 4))
    assert value(centre, settings, "shrinkage", period=nov4) == pytest.approx(15.0)
    assert value(centre, settings, "shrinkage_planned", period=nov4) == pytest.approx(5.0)
    assert value(centre, settings, "shrinkage_unplanned", period=nov4) == pytest.approx(10.0)


def test_published_genesys_adherence_example(centre, settings):
    nov6 = Period(date(2026, 11, 6), date(2026, 11, 6))
    assert round(value(centre, settings, "adherence", period=nov6), 2) == 83.33
    counting = with_settings(settings, adherence={"count_work_outside_shift": True, "exception_threshold_s": 0})
    assert round(value(centre, counting, "adherence", period=nov6), 2) == 71.43
    assert value(centre, settings, "conformance", period=nov6) == pytest.approx(100.0)


def test_adherence_by_time_of_day_finds_the_interval(centre, settings):
    by_time = compute(centre, settings, ["out_of_adherence_minutes"], DAY, by=["time_of_day"], scope=A1)
    out = {t: v for t, v in zip(by_time.time_of_day, by_time.value, strict=True) if v}
    # not logged in 09:00-09:05; available during lunch 12:00-12:05; back from lunch 5 min late then aux to 13:00;
    # break overran into the meeting 15:15-15:20; logged out 16:50, ten minutes early.
    assert out == {"09:00": 5.0, "12:00": 5.0, "12:30": 15.0, "12:45": 15.0, "15:15": 5.0, "16:45": 10.0}


# --- staffing and forecast ---------------------------------------------------------------------------

def test_staffing_by_interval(centre, settings):
    got = compute(centre, settings, ["required_agents", "scheduled_agents", "on_hand_agents", "net_staffing",
                                     "net_staffing_on_hand"], DAY, by=["site", "time_of_day"],
                  scope=Scope(site=("NYC",)))
    first = got[got.time_of_day == "09:00"].set_index("kpi").value
    assert first.to_dict() == pytest.approx({"required_agents": 1.5, "scheduled_agents": 1.0,
                                             "on_hand_agents": 600 / 900, "net_staffing": -0.5,
                                             "net_staffing_on_hand": 600 / 900 - 1.5})


@pytest.mark.parametrize(("kpi", "expected"), [
    ("forecast_contacts", 120.0), ("forecast_aht", 300.0), ("forecast_accuracy", 100 * (1 - 20 / 120)),
    ("forecast_volume_deviation", 100 * (100 - 120) / 120), ("required_agents", 1.5),
])
def test_forecast_kpis(centre, settings, kpi, expected):
    assert value(centre, settings, kpi, scope=Scope(site=("NYC",))) == pytest.approx(expected)


# --- customer outcome: the published NPS example ----------------------------------------------------------

@pytest.mark.parametrize(("kpi", "expected"), [
    ("nps", 10.0), ("promoter_rate", 30.0), ("detractor_rate", 20.0), ("csat", 60.0), ("fcr_survey", 70.0),
    ("survey_responses", 10), ("survey_response_rate", 100 * 10 / 90),
])
def test_survey_kpis(centre, settings, kpi, expected):
    assert value(centre, settings, kpi) == pytest.approx(expected)


# --- slices, empty slices, scope ------------------------------------------------------------------------

def test_empty_slice_gives_no_value_not_zero(centre, settings):
    empty = Period(date(2026, 12, 1), date(2026, 12, 2))
    got = compute(centre, settings, ["aht", "service_level", "handled"], empty)
    assert got.value.isna().all() and (got.status == "none").all()


def test_kpi_that_cannot_be_sliced_that_way_gets_no_value(centre, settings):
    got = compute(centre, settings, ["service_level", "aht"], DAY, scope=A1)
    assert got.set_index("kpi").value.isna().to_dict() == {"service_level": True, "aht": False}


def test_kpi_alone_that_cannot_be_sliced_that_way_gets_no_value(centre, settings):
    got = compute(centre, settings, ["service_level"], DAY, scope=A1)
    assert len(got) == 1 and got.iloc[0]["value"] is None and got.iloc[0]["status"] == "none"


def test_group_by_date_gives_each_day(centre, settings):
    got = compute(centre, settings, ["handled"], Period(date(2026, 11, 3), date(2026, 11, 5)), by=["date"])
    assert [(d.isoformat(), v) for d, v in zip(got.date, got.value, strict=True)] == [
        ("2026-11-03", 90), ("2026-11-05", 9)]


def test_unknown_dimension_is_an_error(centre, settings):
    with pytest.raises(ValueError, match="unknown group-by dimension"):
        compute(centre, settings, ["aht"], DAY, by=["planet"])


# --- targets and status ---------------------------------------------------------------------------------

def test_status_is_direction_aware():
    aht, sl = BY_ID["aht"], BY_ID["service_level"]
    t = Target(360, 30, "test")
    assert [status(aht.direction, v, t) for v in (300, 360, 380, 391)] == ["green", "green", "amber", "red"]
    t = Target(80, 5, "test")
    assert [status(sl.direction, v, t) for v in (85, 80, 76, 74.9)] == ["green", "green", "amber", "red"]
    assert status("higher", None, t) == "none" and status("higher", 50.0, None) == "none"


def test_most_specific_target_in_force_wins():
    aht = BY_ID["aht"]
    book = TargetBook([
        TargetRule(kpi="aht", level="enterprise", target=350),
        TargetRule(kpi="aht", level="site", id="NYC", target=380),
        TargetRule(kpi="aht", level="team", id="T1", target=300, effective_from=date(2026, 11, 10)),
        TargetRule(kpi="aht", level="agent", id="A9", target=250, amber=10),
    ])
    ctx = {"site": "NYC", "team": "T1", "agent": "A1"}
    assert book.resolve(aht, ctx, date(2026, 11, 5)).value == 380  # team rule not yet in force
    assert book.resolve(aht, ctx, date(2026, 11, 12)).value == 300
    assert book.resolve(aht, {"site": "NYC", "agent": "A9"}, None) == Target(250, 10, "agent A9")
    assert book.resolve(aht, {"site": "LDN"}, None).value == 350
    assert TargetBook().resolve(aht, {}, None) == Target(aht.target, aht.amber, "catalogue default")


def test_compute_attaches_target_and_status_per_group(centre, settings):
    s = with_settings(settings, target_rules=[{"kpi": "aht", "level": "agent", "id": "A2", "target": 400, "amber": 30}])
    got = compute(centre, s, ["aht"], DAY, by=["agent"]).set_index("agent")
    assert (got.loc["A1", "target"], got.loc["A1", "status"]) == (360, "green")  # config enterprise target
    assert (got.loc["A2", "target"], got.loc["A2", "status"], got.loc["A2", "target_source"]) == (400, "amber",
                                                                                                  "agent A2")


# --- Erlang C -----------------------------------------------------------------------------------------

def test_erlang_c_published_example_and_uplift():
    s = required_agents(100, 30, 180, 0.80, 20, shrinkage=0.30)
    assert (s.traffic, s.agents, s.staffed) == (10.0, 14, 20)
    assert (round(s.prob_wait, 4), round(s.service_level, 4), round(s.asa_s, 2), round(s.occupancy, 3)) == (
        0.1741, 0.8884, 7.84, 0.714)
    from kpis.erlang import staff_after_shrinkage
    assert staff_after_shrinkage(70, 0.30) == 100


def test_erlang_caps_on_asa_and_occupancy():
    free = required_agents(100, 30, 180, 0.80, 20)
    assert required_agents(100, 30, 180, 0.80, 20, max_asa_s=2.0).agents > free.agents
    assert required_agents(100, 30, 180, 0.50, 20, max_occupancy=0.70).agents == 15  # 10/15 = 0.667


def test_erlang_is_stable_for_thousands_of_agents():
    s = required_agents(60000, 30, 300, 0.90, 20)
    assert 10000 < s.agents < 10100 and 0.9 <= s.service_level < 1


@pytest.mark.parametrize(("contacts", "minutes", "aht", "target", "threshold"), [
    (100, 30, 180, 0.8, 20), (250, 15, 300, 0.8, 20), (40, 60, 420, 0.9, 30), (1200, 30, 240, 0.85, 15)])
def test_erlang_matches_pyworkforce(contacts, minutes, aht, target, threshold):
    from pyworkforce.queuing import ErlangC
    ours = required_agents(contacts, minutes, aht, target, threshold)
    theirs = ErlangC(transactions=contacts, aht=aht / 60, asa=threshold / 60, interval=minutes)
    assert ours.agents == theirs.required_positions(service_level=target, max_occupancy=1.0)["raw_positions"]
    assert ours.prob_wait == pytest.approx(theirs.waiting_probability(ours.agents))
    assert ours.service_level == pytest.approx(theirs.service_level(ours.agents))


def test_required_agents_from_erlang_when_the_forecast_has_no_requirement(tmp_path):
    # 50 contacts per 15 minutes at AHT 180 s (A = 10 Erlangs): Erlang C needs 14 agents for 80/20
    # (the published example, at the same arrival rate). Queue Q1 has T = 20 s and no SL target of its own.
    con, settings = roster_db(tmp_path)
    load_file(con, write(tmp_path, "f.csv", "site_id,queue_id,interval_start,contacts,aht_s,required_agents\n"
                         "NYC,Q1,2026-11-03 09:00,50,180,\nNYC,Q1,2026-11-03 09:15,50,180,\n"
                         "NYC,Q2,2026-11-03 09:00,10,300,4\n"), settings)
    got = compute(con, settings, ["required_agents"], DAY, by=["queue", "time_of_day"])
    assert [(q, t, v) for q, t, v in zip(got.queue, got.time_of_day, got.value, strict=True)] == [
        ("Q1", "09:00", 14.0), ("Q1", "09:15", 14.0), ("Q2", "09:00", 4.0)]
    assert value(con, settings, "required_agents", by=()) == pytest.approx((14 + 14 + 4) / 2)


def test_dst_fall_back_day_counts_25_hours(tmp_path):
    con, settings = roster_db(tmp_path)
    load_file(con, write(tmp_path, "s.csv", "agent_id,state,start_at,end_at\nA1,available,2026-11-01 00:00,"
                         "2026-11-02 00:00\n"), settings)
    sunday = Period(date(2026, 11, 1), date(2026, 11, 1))
    assert value(con, settings, "productive_hours", period=sunday) == pytest.approx(25.0)
    by_time = compute(con, settings, ["on_hand_agents"], sunday, by=["interval"])
    assert len(by_time) == 100 and (by_time.value == 1.0).all()
    assert list(by_time.interval[4:12]) == [
        "2026-11-01 01:00 -04:00", "2026-11-01 01:15 -04:00", "2026-11-01 01:30 -04:00", "2026-11-01 01:45 -04:00",
        "2026-11-01 01:00 -05:00", "2026-11-01 01:15 -05:00", "2026-11-01 01:30 -05:00", "2026-11-01 01:45 -05:00"]


def test_fcr_window_and_configured_sl_threshold_settings(tmp_path):
    # A queue without its own threshold uses service_level.threshold_s; a one-day FCR window no longer sees
    # a repeat two days later.
    con, settings = roster_db(tmp_path, service_level={"threshold_s": 10}, fcr={"window_days": 1})
    load_file(con, write(tmp_path, "q.csv", "queue_id,name\nQ3,Complaints\n"), settings)
    load_file(con, write(tmp_path, "c.csv",
                         "contact_id,queue_id,site_id,offered_at,answered_at,agent_id,customer_id\n"
                         "C1,Q3,NYC,2026-11-03T14:00:00Z,2026-11-03T14:00:08Z,A1,K1\n"
                         "C2,Q3,NYC,2026-11-03T14:01:00Z,2026-11-03T14:01:15Z,A1,K2\n"
                         "C3,Q3,NYC,2026-11-05T14:00:00Z,2026-11-05T14:00:05Z,A1,K1\n"), settings)
    assert value(con, settings, "service_level") == pytest.approx(50.0)  # 8 s within 10 s, 15 s not
    assert value(con, settings, "fcr") == pytest.approx(100.0)
    week = with_settings(settings, fcr={"window_days": 7})
    from loaders import facts, vocabulary
    with store.transaction(con):
        vocabulary.install(con, week)
        facts.refresh(con, week, everything=True)
    assert value(con, week, "fcr") == pytest.approx(50.0)


def test_empty_slice_grouped_by_date_across_sources_gives_no_rows(centre, settings):
    got = compute(centre, settings, ["aht", "service_level", "adherence"], DAY, by=["date"],
                  scope=Scope(site=("NOWHERE",)))
    assert got.empty
