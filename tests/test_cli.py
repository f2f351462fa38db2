"""The `floorview` command: load summaries, exit codes, and a clear message when the app holds the lock."""

from __future__ import annotations

import subprocess
import sys

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
    assert "inbox" in done.stderr


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
