"""Settings: config.toml, FLOORVIEW_* overrides, clear errors naming the key, a documented file."""

from __future__ import annotations

import re
import tomllib

import pytest

from settings import ConfigError, load_settings
from tests.conftest import REPO


def test_defaults_come_from_config_toml():
    s = load_settings(REPO / "config.toml")
    assert (s.app.port, s.data.interval_minutes, s.service_level.variant) == (8050, 15, "offered")
    assert s.db_path == REPO / "data" / "floorview.duckdb"
    assert s.activities["lunch"].paid is False and s.activities["absence"].adherence_tracked is False
    assert s.activities["break"].planned_shrinkage and not s.activities["open"].planned_shrinkage
    assert s.activities["open"].satisfied_by == ["available", "on_contact", "acw"]


def test_environment_overrides_nested_keys(monkeypatch):
    monkeypatch.setenv("FLOORVIEW_SERVICE_LEVEL__VARIANT", "answered")
    monkeypatch.setenv("FLOORVIEW_APP__PORT", "8123")
    monkeypatch.setenv("FLOORVIEW_STATES__READY", "available")
    s = load_settings(REPO / "config.toml")
    assert (s.service_level.variant, s.app.port, s.states["ready"]) == ("answered", 8123, "available")
    assert s.states["lunch"] == "lunch"  # the file's other entries survive an env addition


def test_invalid_value_names_the_key(monkeypatch):
    monkeypatch.setenv("FLOORVIEW_SERVICE_LEVEL__VARIANT", "sometimes")
    with pytest.raises(ConfigError) as err:
        load_settings(REPO / "config.toml")
    assert "service_level.variant" in str(err.value) and "'sometimes'" in str(err.value)


def test_unknown_key_and_bad_state_category_are_named(tmp_path):
    bad = tmp_path / "config.toml"
    bad.write_text('[app]\nprot = 1\n[states]\nready = "sleeping"\n')
    with pytest.raises(ConfigError) as err:
        load_settings(bad)
    text = str(err.value)
    assert "app.prot" in text and "states.ready" in text


def test_real_time_thresholds_for_an_unknown_activity_are_named(tmp_path):
    bad = tmp_path / "config.toml"
    bad.write_text("[adherence.rta_by_activity.lnch]\ngrace_s = 300\n")  # a typo of lunch
    with pytest.raises(ConfigError, match="rta_by_activity: unknown activity lnch"):
        load_settings(bad)
    good = tmp_path / "good.toml"
    good.write_text("[adherence.rta_by_activity.lunch]\ngrace_s = 300\n[adherence.rta_by_activity.shift_start]\n"
                    "severe_s = 900\n")
    adherence = load_settings(good).adherence
    assert adherence.rta_thresholds("lunch", False) == (300, 600)
    assert adherence.rta_thresholds("lunch", True) == (300, 900)  # a shift's start adds its own
    assert adherence.rta_thresholds("open", False) == (60, 600)


def test_missing_config_file_is_a_clear_error(tmp_path):
    with pytest.raises(ConfigError, match="config file not found"):
        load_settings(tmp_path / "nope.toml")


def test_every_setting_in_config_toml_is_commented():
    """Each key has an inline comment or is explained in a comment (codes and KPI ids by their block's)."""
    lines = (REPO / "config.toml").read_text().splitlines()
    tomllib.loads("\n".join(lines))  # it parses
    comments = " ".join(line.split("#", 1)[1] for line in lines if "#" in line)
    section = ""
    for i, line in enumerate(lines):
        if line.startswith("["):
            section = line.strip("[] ")
            continue
        match = re.match(r"^\s*([a-z_]+)\s*=", line)
        if not match or "#" in line or section in ("states", "targets"):  # keys are codes or KPI ids
            continue
        assert re.search(rf"\b{match.group(1)}\b", comments), f"config.toml line {i + 1} is not explained: {line}"


# --- checked against the KPI catalogue at start-up ---------------------------------------------------------

def _config(tmp_path, extra: str):
    path = tmp_path / "config.toml"
    path.write_text((REPO / "config.toml").read_text() + extra)
    return path


@pytest.mark.parametrize(("extra", "named"), [
    ("\n[targets.servce_level]\ntarget = 80\n", "targets.servce_level: unknown KPI (did you mean service_level?)"),
    ('\n[[target_rules]]\nkpi = "ahtt"\nlevel = "site"\nid = "NYC"\ntarget = 380\n',
     "target_rules[0].kpi: unknown KPI 'ahtt' (did you mean aht?)"),
    ('\n[[target_rules]]\nkpi = "aht"\nlevel = "enterprise"\ntarget = 380\n',
     "target_rules[0]: an enterprise target is set as [targets.aht]"),
])
def test_a_config_that_does_not_match_the_catalogue_stops_start_up(tmp_path, capsys, extra, named):
    from app import create_app
    from cli import main
    from kpis.catalogue import check_settings

    config = _config(tmp_path, extra)
    settings = load_settings(config, database={"path": tmp_path / "x.duckdb"})
    with pytest.raises(ConfigError) as err:
        check_settings(settings)
    assert named in str(err.value)
    with pytest.raises(ConfigError):
        create_app(settings)
    assert not (tmp_path / "x.duckdb").exists()  # stopped before the database was opened
    assert main(["--config", str(config), "kpi", "--list"], delegate=False) == 2
    assert named in capsys.readouterr().err


def test_settings_are_not_changed_after_validation():
    import pydantic
    s = load_settings(REPO / "config.toml")
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        s.app.debug = True  # type: ignore[misc]
    with pytest.raises(pydantic.ValidationError, match="frozen"):
        s.targets = {}  # type: ignore[misc]
    assert s.activities["open"].category == "open" and s.base_dir == REPO


@pytest.mark.parametrize(("key", "value", "named"), [
    ("FLOORVIEW_TARGET_POLICY__LOOSER_THAN_ABOVE", "sometimes", "target_policy.looser_than_above"),
    ("FLOORVIEW_ADHERENCE__LIST_EXCEPTIONS_FROM_S", "-5", "adherence.list_exceptions_from_s"),
    ("FLOORVIEW_ADHERENCE__LIST_EXCEPTIONS_FROM_S", "86400", "adherence.list_exceptions_from_s"),
    ("FLOORVIEW_SERVER__CALLBACKS_AT_ONCE", "-1", "server.callbacks_at_once"),
    ("FLOORVIEW_SERVER__CALLBACKS_AT_ONCE", "many", "server.callbacks_at_once"),
    ("FLOORVIEW_SERVER__REQUEST_NICE", "-5", "server.request_nice"),  # never a higher priority than the loader
    ("FLOORVIEW_SERVER__REQUEST_NICE", "20", "server.request_nice"),
])
def test_this_sessions_settings_refuse_impossible_values_by_name(monkeypatch, key, value, named):
    monkeypatch.setenv(key, value)
    with pytest.raises(ConfigError) as err:
        load_settings(REPO / "config.toml")
    assert named in str(err.value)
