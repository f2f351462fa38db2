"""The app shell at the HTTP level: pages are served and the data page's callback reads the database."""

from __future__ import annotations

import json

import pytest

import ids
import store
from app import create_app
from tests.conftest import ROSTER, write


@pytest.fixture
def client(roster, settings, tmp_path):
    from loaders import load_file
    write(tmp_path, "bad.csv", "site_id,name,timezone\nZZ,Zed,Not/AZone\n")
    load_file(roster, tmp_path / "bad.csv", settings)
    roster.close()
    db = store.Database(settings.db_path)
    app = create_app(settings, db)
    yield app.server.test_client()
    db.close()


@pytest.mark.parametrize("path", ["/", "/agent", "/supervisor", "/manager", "/control-desk", "/data"])
def test_every_route_serves_the_app(client, path):
    response = client.get(path)
    assert response.status_code == 200
    assert b"Floorview" in response.data


def test_bootstrap_is_served_locally(client):
    response = client.get("/assets/bootstrap.min.css")
    assert response.status_code == 200 and b"Bootstrap" in response.data[:200]


def test_data_callback_returns_counts_loads_and_rejects(client):
    body = {
        "output": f"..{ids.DATA_COUNTS}.children...{ids.DATA_FRESHNESS}.children...{ids.DATA_LOADS}.rowData..."
                  f"{ids.DATA_REJECTS}.rowData..",
        "outputs": [{"id": ids.DATA_COUNTS, "property": "children"}, {"id": ids.DATA_FRESHNESS, "property": "children"},
                    {"id": ids.DATA_LOADS, "property": "rowData"}, {"id": ids.DATA_REJECTS, "property": "rowData"}],
        "inputs": [{"id": ids.DATA_REFRESH, "property": "n_clicks", "value": None}],
        "changedPropIds": [],
        "state": [],
    }
    response = client.post("/_dash-update-component", data=json.dumps(body), content_type="application/json")
    assert response.status_code == 200
    result = response.get_json()["response"]
    loads = result[ids.DATA_LOADS]["rowData"]
    assert [r["file_name"] for r in loads] == ["bad.csv"] + [n for n in reversed(list(ROSTER))]
    rejects = result[ids.DATA_REJECTS]["rowData"]
    assert rejects == [{"load_id": loads[0]["load_id"], "file_name": "bad.csv", "line": 2, "field": "timezone",
                        "value": "Not/AZone", "reason": "not an IANA time zone (e.g. Europe/London)"}]
    counts_html = json.dumps(result[ids.DATA_COUNTS]["children"])
    assert '"Agents"' in counts_html and '"3"' in counts_html
