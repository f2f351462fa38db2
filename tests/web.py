"""Signing in through the real sign-in form, as a browser does: fetch the form, send its token back."""

from __future__ import annotations

import re


def form_token(client, path: str = "/login") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf" value="([^"]+)"', page)
    assert found, f"no form token on {path}"
    return found.group(1)


def login(client, username: str, password: str, next_path: str | None = None, **request):
    """POST the sign-in form with this browser's token; returns the response. `request` goes to the client
    (e.g. environ_base for the peer address, headers)."""
    data = {"username": username, "password": password, "csrf": form_token(client)}
    if next_path is not None:
        data["next"] = next_path
    return client.post("/login", data=data, **request)
