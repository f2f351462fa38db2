"""HTML elements as the JSON Dash sends for them, built without Dash's component classes.

For the one place where a callback returns thousands of elements every few seconds (the /live table: 200 rows
of 8 cells): constructing and then serialising a Dash component costs about 0.1 ms each (validation, then
to_plotly_json), which made up over half of the control desk's /live callback. The browser receives exactly
what `html.Tr(...)` would have produced; tests/test_app.py checks a row against the components' own JSON.
"""

from __future__ import annotations

from typing import Any

NAMESPACE = "dash_html_components"


def element(tag: str, children: Any = None, **props: Any) -> dict[str, Any]:
    """`tag` as dash.html names it ("Tr", "Td", "A"); props as html.<Tag> takes them (className, href, data-*)."""
    shown = {k: v for k, v in props.items() if v is not None}
    if children is not None:
        shown = {"children": children, **shown}
    return {"props": shown, "type": tag, "namespace": NAMESPACE}
