"""The `floorview` command: load summaries, exit codes, and a clear message when the app holds the lock."""

from __future__ import annotations

import subprocess
import sys
from datetime import date

from cli import main
from tests.conftest import REPO, ROSTER, write


def test_load_prints_a_summary_per_file_and_exits_zero(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in ROSTER.items():
        write(folder, name, text)
    code = main(["load", "--db", str(tmp_path / "x.duckdb"), "--quiet", str(folder)])
    out = capsys.readouterr().out
    assert code == 0
    assert "loaded  " in out and "[agents]: 3 rows loaded, 0 rejected" in out
    assert out.strip().splitlines()[-1] == "4 file(s): 10 rows loaded, 0 rejected, 0 failed"


def test_load_exits_non_zero_when_a_file_fails_and_shows_rejects(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    write(folder, "sites.csv", "site_id,name,timezone\nNYC,New York,America/New_York\nX,Bad,Nowhere/Zone\n")
    write(folder, "junk.csv", "what,is,this\n1,2,3\n")
    code = main(["load", "--db", str(tmp_path / "x.duckdb"), "--quiet", str(folder)])
    out = capsys.readouterr().out
    assert code == 1
    assert "FAILED  " in out and "junk.csv: cannot tell what kind of export this is" in out
    assert "sites.csv:3: timezone = 'Nowhere/Zone': not an IANA time zone (e.g. Europe/London)" in out


def test_load_with_kind_option(tmp_path, capsys):
    f = write(tmp_path, "s.csv", "site_id,name,timezone\nNYC,New York,America/New_York\n")
    assert main(["load", "--db", str(tmp_path / "x.duckdb"), "--quiet", "--kind", "sites", str(f)]) == 0
    assert main(["load", "--db", str(tmp_path / "x.duckdb"), "--quiet", "--kind", "nonsense", str(f)]) == 1
    assert "unknown kind 'nonsense'" in capsys.readouterr().out


def test_load_says_clearly_when_another_process_holds_the_database(tmp_path):
    db = tmp_path / "busy.duckdb"
    holder = subprocess.Popen(
        [sys.executable, "-c", f"import store, time; c = store.connect({str(db)!r}); print('ready', flush=True); "
                               "time.sleep(60)"],
        cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "ready"
        f = write(tmp_path, "s.csv", "site_id,name,timezone\nNYC,New York,America/New_York\n")
        done = subprocess.run([sys.executable, "-m", "cli", "load", "--db", str(db), "--quiet", str(f)],
                              cwd=REPO, capture_output=True, text=True, timeout=60)
    finally:
        holder.kill()
    assert done.returncode == 3
    assert f"database locked: {db} is in use by process {holder.pid}" in done.stderr
    assert "not a Floorview app serving it" in done.stderr and "Stop that program first" in done.stderr


def test_config_error_is_reported_with_the_key(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("FLOORVIEW_DATA__INTERVAL_MINUTES", "7")
    assert main(["load", "--db", str(tmp_path / "x.duckdb"), str(tmp_path)]) == 2
    assert "data.interval_minutes" in capsys.readouterr().err


def test_refresh_rebuilds_facts(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in ROSTER.items():
        write(folder, name, text)
    write(folder, "states.csv", "agent_id,state,start_at,end_at\nA1,available,2026-11-02T14:00:00Z,2026-11-02T15:00:00Z\n")
    db = str(tmp_path / "x.duckdb")
    assert main(["load", "--db", db, "--quiet", str(folder)]) == 0
    assert main(["refresh", "--db", db]) == 0
    assert "interval facts rebuilt for 2 site-days" in capsys.readouterr().out


def test_kpi_list_shows_formulas_and_the_variant_in_force(capsys):
    assert main(["kpi", "--list"]) == 0
    out = capsys.readouterr().out
    assert "service_level" in out and "answered ≤ T ÷ offered  [service_level.variant = offered]" in out


def test_kpi_command_prints_long_format(tmp_path, capsys):
    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in ROSTER.items():
        write(folder, name, text)
    write(folder, "contacts.csv", "contact_id,queue_id,site_id,offered_at,answered_at,ended_at,agent_id,talk_s,hold_s,acw_s\n"
          "C1,Q1,NYC,2026-11-03T14:00:00Z,2026-11-03T14:00:10Z,2026-11-03T14:05:00Z,A1,280,0,20\n"
          "C2,Q1,NYC,2026-11-03T14:01:00Z,2026-11-03T14:01:30Z,2026-11-03T14:06:00Z,A2,250,20,90\n")
    db = str(tmp_path / "x.duckdb")
    assert main(["load", "--db", db, "--quiet", str(folder)]) == 0
    capsys.readouterr()
    assert main(["kpi", "--db", db, "--kpi", "aht,service_level", "--from", "2026-11-03", "--to", "2026-11-03",
                 "--by", "agent", "--format", "csv"]) == 0
    assert capsys.readouterr().out.strip().splitlines() == [
        "agent,kpi,value,unit,target,status",
        "A1,aht,300.0,s,360.0,green",
        "A1,service_level,,%,80.0,none",  # queue facts cannot be split by agent: no value, not zero
        "A2,aht,360.0,s,360.0,green",
        "A2,service_level,,%,80.0,none",
    ]
    assert main(["kpi", "--db", db, "--kpi", "service_level", "--from", "2026-11-03", "--to", "2026-11-03",
                 "--where", "site=NYC", "--format", "json"]) == 0
    assert '"value": 50.0' in capsys.readouterr().out


def test_kpi_command_errors_are_clear(tmp_path, capsys):
    assert main(["kpi", "--kpi", "aht"]) == 2
    assert "--from, --to required" in capsys.readouterr().err
    db = str(tmp_path / "none.duckdb")
    assert main(["kpi", "--db", db, "--kpi", "aht", "--from", "2026-11-03", "--to", "2026-11-03"]) == 1
    assert "no database at" in capsys.readouterr().err
    main(["load", "--db", db, "--quiet", str(write(tmp_path, "s.csv", ROSTER["sites.csv"]))])
    capsys.readouterr()
    assert main(["kpi", "--db", db, "--kpi", "nonsense", "--from", "2026-11-03", "--to", "2026-11-03"]) == 2
    assert "unknown KPI 'nonsense'" in capsys.readouterr().err
    assert main(["kpi", "--db", db, "--kpi", "aht", "--from", "2026-11-03", "--to", "2026-11-03",
                 "--where", "planet=Mars"]) == 2
    assert "expected DIM=VALUE" in capsys.readouterr().err


def test_erlang_command_published_example(capsys):
    assert main(["erlang", "--contacts", "100", "--interval-minutes", "30", "--aht", "180", "--sl-target", "80",
                 "--sl-seconds", "20", "--shrinkage", "30"]) == 0
    out = capsys.readouterr().out
    for expected in ("required agents   14", "service level     88.8 %", "ASA               7.8 s",
                     "occupancy         71.4 %", "staffed agents    20"):
        assert expected in out


def test_a_failed_fact_rebuild_keeps_the_rows_and_says_how_to_retry(tmp_path, capsys, monkeypatch):
    import duckdb

    import store
    from loaders import facts
    from tests.test_kpis import STATES

    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in list(ROSTER.items()) + [("states.csv", STATES)]:
        write(folder, name, text)

    def broken(*_args, **_kw):
        raise duckdb.OutOfMemoryException("Out of Memory Error: could not allocate block")

    monkeypatch.setattr(facts, "refresh_backlog", broken)
    db = tmp_path / "x.duckdb"
    assert main(["load", "--db", str(db), "--quiet", str(folder)]) == 1
    assert "run `floorview refresh` to try again" in capsys.readouterr().err
    monkeypatch.undo()
    con = store.connect(db)
    assert con.execute("SELECT count(*) FROM agent_states").fetchall() == [(14,)]
    assert con.execute("SELECT count(*) FROM fact_backlog").fetchall()[0][0] > 0
    con.close()
    assert main(["refresh", "--db", str(db)]) == 0
    con = store.connect(db)
    assert con.execute("SELECT count(*) FROM fact_backlog").fetchall() == [(0,)]
    assert con.execute("SELECT count(*) FROM fact_agent_interval").fetchall()[0][0] > 0
    con.close()


def test_serve_with_demo_today_pins_today_to_the_demo_last_day(tmp_path, capsys):
    from cli import build_parser, serve_settings

    demo = tmp_path / "demo"
    demo.mkdir()
    write(demo, "stories.json", '{"period": {"start": "2026-10-11", "end": "2026-11-22"}}')
    settings = serve_settings(build_parser().parse_args(["serve", "--demo-today", str(demo)]))
    assert settings.app.today == date(2026, 11, 22)
    assert "today is Sun 22 Nov 2026, the demo's last day" in capsys.readouterr().out
    # No demo there: the server's date, said so.
    settings = serve_settings(build_parser().parse_args(["serve", "--demo-today", str(tmp_path / "none")]))
    assert settings.app.today is None
    assert "no demo in" in capsys.readouterr().out


def test_demo_with_local_time_writes_site_local_wall_clock_times(tmp_path, capsys):
    out = tmp_path / "demo"
    assert main(["demo", "--out", str(out), "--agents", "48", "--days", "2", "--end", "2026-11-21", "--local-time"]) == 0
    assert "instants written in site-local time" in capsys.readouterr().out
    first = (out / "schedule.csv").read_text().splitlines()[1].split(",")
    # New York's first shift of Fri 20 Nov starts at nine on the wall clock (14:00 UTC), with no offset.
    assert first[0] == '"NYC0001"' and first[2] == '"2026-11-20T09:00:00"'


# --- the command modules -------------------------------------------------------------------------------------

def test_db_is_declared_once_and_commands_do_not_fake_each_others_arguments():
    sources = [REPO / "cli.py", *sorted((REPO / "commands").glob("*.py"))]
    text = {p.name: p.read_text() for p in sources}
    assert sum(t.count('add_argument("--db"') for t in text.values()) == 1
    assert not any("Namespace(" in t for t in text.values())
    from cli import build_parser
    parser = build_parser()
    for argv in (["load", "x"], ["kpi"], ["refresh"], ["user", "list"], ["token", "list"], ["serve"], ["demo"]):
        prefix = argv[:1] + ["--db", "D"] + argv[1:] if argv[0] != "token" else argv + ["--db", "D"]
        assert parser.parse_args(prefix).db == "D", argv


def test_kpi_reads_without_migrating_or_holding_the_database(tmp_path, capsys, monkeypatch):
    """`kpi` opens the file read-only, without migrating it, and closes it; `refresh` closes its connection too,
    so another process can open the database straight after."""
    import store

    folder = tmp_path / "in"
    folder.mkdir()
    for name, text in ROSTER.items():
        write(folder, name, text)
    db = tmp_path / "x.duckdb"
    assert main(["load", "--db", str(db), "--quiet", str(folder)]) == 0
    assert main(["refresh", "--db", str(db)]) == 0
    opened = subprocess.run([sys.executable, "-c", f"import duckdb; duckdb.connect({str(db)!r}).close()"],
                            capture_output=True, text=True)
    assert opened.returncode == 0, opened.stderr
    def no_migration(_con):
        raise AssertionError("kpi migrated the database")

    monkeypatch.setattr(store, "migrate", no_migration)
    assert main(["kpi", "--db", str(db), "--kpi", "aht", "--from", "2026-11-03", "--to", "2026-11-03"]) == 0
    assert "aht" in capsys.readouterr().out
    opened = subprocess.run([sys.executable, "-c", f"import duckdb; duckdb.connect({str(db)!r}).close()"],
                            capture_output=True, text=True)
    assert opened.returncode == 0, opened.stderr
