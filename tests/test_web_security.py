"""Sessions that can be ended, forms that cannot be forged, security headers, sign-in throttling and
owner-only files, at the HTTP level (Flask's test client against the real app)."""

from __future__ import annotations

import stat
import threading
import time

import pytest

import accounts
import store
import web_auth
from tests.test_app import PASSWORD, app  # noqa: F401 - the app fixture
from tests.web import form_token, login


def signed_in(app, username: str = "ann", **request):  # noqa: F811
    client = app.server.test_client()
    assert login(client, username, PASSWORD, **request).status_code == 302
    return client


def change(app, fn, *args, **kwargs) -> None:  # noqa: F811
    with app.server.config["FLOORVIEW_DB"].session() as cur:
        fn(cur, *args, **kwargs)


def is_signed_in(client) -> bool:
    return client.get("/agent").status_code == 200


def test_sign_out_ends_the_session_on_every_device(app):  # noqa: F811
    laptop, phone = signed_in(app), signed_in(app)
    assert is_signed_in(laptop) and is_signed_in(phone)
    stolen_cookie = laptop.get_cookie("session").value
    laptop.post("/logout", data={"csrf": form_token(laptop, "/logout")})
    assert not is_signed_in(phone)
    replay = app.server.test_client()
    replay.set_cookie("session", stolen_cookie)
    assert not is_signed_in(replay)  # the old cookie, kept by someone, no longer works


@pytest.mark.parametrize("what", ["password reset", "role change", "disable then enable"])
def test_account_changes_end_existing_sessions(app, what):  # noqa: F811
    client = signed_in(app)
    if what == "password reset":
        change(app, accounts.set_password, "ann", "another-pass")
    elif what == "role change":
        change(app, accounts.set_role, "ann", "agent", agent_id="A2")
    else:
        change(app, accounts.set_disabled, "ann", True)
        change(app, accounts.set_disabled, "ann", False)
    assert not is_signed_in(client)


def test_sessions_end_after_the_idle_and_the_absolute_lifetime(app, monkeypatch):  # noqa: F811
    auth = app.server.config["FLOORVIEW_AUTH"]
    now = time.time()
    client = signed_in(app)
    clock = [now + auth.session_idle_hours * 3600 - 60]  # just inside the idle time: still signed in
    monkeypatch.setattr(web_auth.time, "time", lambda: clock[0])
    assert is_signed_in(client)
    clock[0] += auth.session_idle_hours * 3600 + 120  # then idle for longer than allowed
    assert not is_signed_in(client)

    monkeypatch.undo()
    client = signed_in(app)
    start = time.time()
    steps = int(auth.session_max_hours // (auth.session_idle_hours / 2)) + 1
    for step in range(1, steps + 1):  # active every half idle-time, until past the absolute lifetime
        at = start + step * auth.session_idle_hours / 2 * 3600
        monkeypatch.setattr(web_auth.time, "time", lambda at=at: at)
        if at - start < auth.session_max_hours * 3600:
            assert is_signed_in(client), step
    assert not is_signed_in(client)


def test_the_sign_in_form_needs_its_token(app):  # noqa: F811
    client = app.server.test_client()
    forged = client.post("/login", data={"username": "ann", "password": PASSWORD})
    assert forged.status_code == 400 and b"expired" in forged.data
    assert not is_signed_in(client)
    other = app.server.test_client()  # a token from another browser's form is not this one's
    forged = client.post("/login", data={"username": "ann", "password": PASSWORD, "csrf": form_token(other)})
    assert forged.status_code == 400


def test_sign_out_is_a_post_with_the_token(app):  # noqa: F811
    client = signed_in(app)
    page = client.get("/logout")  # a link or an image tag cannot sign anyone out
    assert page.status_code == 200 and b'method="post" action="/logout"' in page.data
    assert is_signed_in(client)
    client.post("/logout", data={})  # a forged form without the token
    assert is_signed_in(client)
    client.post("/logout", data={"csrf": form_token(client, "/logout")})
    assert not is_signed_in(client)


def test_the_cookie_is_secure_over_https_from_a_trusted_proxy_only(app):  # noqa: F811
    app.server.session_interface.proxies = web_auth.web_front.parse_networks(["10.0.0.1"])
    https = {"X-Forwarded-Proto": "https"}
    cookie = login(app.server.test_client(), "ann", PASSWORD, headers=https,
                   environ_base={"REMOTE_ADDR": "10.0.0.1"}).headers["Set-Cookie"]
    assert "Secure" in cookie
    cookie = login(app.server.test_client(), "ann", PASSWORD, headers=https,
                   environ_base={"REMOTE_ADDR": "192.0.2.7"}).headers["Set-Cookie"]
    assert "Secure" not in cookie  # anyone can send the header; only the proxy is believed
    direct = login(app.server.test_client(), "ann", PASSWORD, base_url="https://floorview.example")
    assert "Secure" in direct.headers["Set-Cookie"]


@pytest.mark.parametrize("path", ["/login", "/agent", "/_dash-layout", "/assets/bootstrap.min.css"])
def test_every_response_carries_the_security_headers(app, path):  # noqa: F811
    client = signed_in(app)
    response = client.get(path)
    assert response.status_code == 200
    policy = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in policy and "script-src 'self' 'sha256-" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP: no HSTS
    https = client.get(path, base_url="https://floorview.example")
    assert https.headers["Strict-Transport-Security"].startswith("max-age=")


def test_many_names_from_one_address_are_throttled(app):  # noqa: F811
    auth = app.server.config["FLOORVIEW_AUTH"]
    client = app.server.test_client()
    for n in range(auth.failures_per_address):
        assert login(client, f"guess{n}", "wrong").status_code == 200
    assert login(client, "ann", PASSWORD).status_code == 429  # even the right password, from this address
    elsewhere = app.server.test_client()
    assert login(elsewhere, "ann", PASSWORD, environ_base={"REMOTE_ADDR": "192.0.2.9"}).status_code == 302


def test_one_name_from_many_addresses_is_throttled(app):  # noqa: F811
    auth = app.server.config["FLOORVIEW_AUTH"]
    for n in range(auth.failures_per_name):
        client = app.server.test_client()
        assert login(client, "ann", "wrong", environ_base={"REMOTE_ADDR": f"192.0.2.{n + 1}"}).status_code == 200
    assert login(app.server.test_client(), "ann", PASSWORD,
                 environ_base={"REMOTE_ADDR": "198.51.100.1"}).status_code == 429


def test_password_checks_run_a_few_at_a_time(app, monkeypatch):  # noqa: F811
    running, most = [0], [0]
    lock = threading.Lock()
    real_authenticate = accounts.authenticate

    def slow_authenticate(con, username: str, password: str):
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        time.sleep(0.2)
        try:
            return real_authenticate(con, username, password)
        finally:
            with lock:
                running[0] -= 1

    monkeypatch.setattr(accounts, "authenticate", slow_authenticate)
    tokens = []
    for _ in range(8):  # each browser fetches its form first
        client = app.server.test_client()
        tokens.append((client, form_token(client)))
    codes: list[int] = []

    def sign_in(client, token):
        response = client.post("/login", data={"username": "ann", "password": PASSWORD, "csrf": token})
        codes.append(response.status_code)

    threads = [threading.Thread(target=sign_in, args=pair) for pair in tokens]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert codes == [302] * 8
    assert most[0] == app.server.config["FLOORVIEW_AUTH"].password_checks_at_once


def test_the_database_and_the_session_key_are_readable_by_their_owner_only(tmp_path):
    con = store.connect(tmp_path / "new.duckdb")
    con.execute("CREATE TABLE x AS SELECT 1 AS a")
    con.close()
    assert stat.S_IMODE((tmp_path / "new.duckdb").stat().st_mode) == 0o600
    web_auth.secret_key(tmp_path / "keys" / "secret_key")
    assert stat.S_IMODE((tmp_path / "keys" / "secret_key").stat().st_mode) == 0o600
