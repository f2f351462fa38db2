"""The role pages' main callbacks as a browser sends them (JSON bodies for /_dash-update-component), shared by
the page-latency and the concurrency benchmarks."""

from __future__ import annotations

import json

import ids


def payload(outputs: list[tuple[str, str]], inputs: list[tuple[str, str, object]],
            state: list[tuple[str, str, object]] = ()) -> str:
    return json.dumps({
        "output": ".." + "...".join(f"{i}.{p}" for i, p in outputs) + ".." if len(outputs) > 1
        else f"{outputs[0][0]}.{outputs[0][1]}",
        "outputs": [{"id": i, "property": p} for i, p in outputs] if len(outputs) > 1
        else {"id": outputs[0][0], "property": outputs[0][1]},
        # An entry that is a list stands for a pattern-matching ALL input (the components it matched).
        "inputs": [x if isinstance(x, list) else {"id": x[0], "property": x[1], "value": x[2]} for x in inputs],
        "state": [{"id": i, "property": p, "value": v} for i, p, v in state], "changedPropIds": []})


def role_cases(team: str, site: str, start: str, end: str, day: str | None = None) -> dict[str, tuple[str, str]]:
    """name -> (role, request body) for each role page's main callbacks over the period start..end."""
    dates = [(ids.custom_range("{page}"), "start_date", start), (ids.custom_range("{page}"), "end_date", end)]

    def with_page(page: str) -> list:
        return [(i.replace("{page}", page), p, v) for i, p, v in dates]

    return {
        "agent: tiles, charts, comments": ("agent", payload(
            [(ids.AGENT_HEADING, "children"), (ids.scope_text("agent"), "children"), (ids.AGENT_TILES, "children"),
             (ids.AGENT_PANELS, "children"), (ids.AGENT_DAY, "min_date_allowed"), (ids.AGENT_DAY, "max_date_allowed"),
             (ids.AGENT_DAY, "date"), (ids.AGENT_DAY_TITLE, "children")], with_page("agent") + [(ids.URL, "search", ""), (ids.EXC_FEEDBACK, "children", None),
                                   (ids.DATA_VERSION, "data", None)],
            [(ids.period("agent"), "value", "custom")])),
        "agent: day timeline": ("agent", payload([(ids.AGENT_TIMELINE, "children"), (ids.EXC_FEEDBACK, "children")],
                                                 [(ids.AGENT_DAY, "date", day or end), []],
                                                 [(ids.URL, "search", ""), (ids.EXC_REASON, "value", None)])),
        "supervisor: team tiles and agent table": ("supervisor", payload(
            [(ids.SUP_HEADING, "children"), (ids.scope_text("sup"), "children"), (ids.SUP_TILES, "children"),
             (ids.SUP_PANELS, "children")], [(ids.SUP_TEAM, "value", team)] + with_page("sup") + [(ids.DATA_VERSION, "data", None)],
            [(ids.period("sup"), "value", "custom")])),
        "manager: site by call type, heatmap, trend": ("manager", payload(
            [(ids.MGR_CRUMBS, "children"), (ids.MGR_HEADING, "children"), (ids.scope_text("mgr"), "children"),
             (ids.MGR_TILES, "children"), (ids.MGR_PANELS, "children")], with_page("mgr") + [(ids.URL, "search", ""), (ids.DATA_VERSION, "data", None)],
            [(ids.period("mgr"), "value", "custom")])),
        "control desk: sites, net staffing, shrinkage": ("control_desk", payload(
            [(ids.scope_text("desk"), "children"), (ids.DESK_TILES, "children"), (ids.DESK_PANELS, "children"),
             (ids.DESK_SITE, "options"),
             (ids.DESK_SITE, "value")], with_page("desk") + [(ids.DESK_CLOCK, "value", "local"), (ids.DATA_VERSION, "data", None)],
            [(ids.DESK_SITE, "value", None)])),
        "control desk: one site in detail": ("control_desk", payload(
            [(ids.DESK_DETAIL, "children")],
            [(ids.DESK_SITE, "value", site)] + with_page("desk") + [(ids.DESK_CLOCK, "value", "local")])),
    }


def live_case(statuses: list[str] | None = None) -> str:
    """/live's rows and per-site counts as the page asks for them (every status unless `statuses`)."""
    return payload([(ids.RTA_COUNTS, "children"), (ids.RTA_TABLE, "children")],
                   [(ids.RTA_TICK, "n_intervals", 1), (ids.RTA_SITE, "value", None), (ids.RTA_TEAM, "value", None),
                    (ids.RTA_STATUS, "value", statuses), (ids.RTA_ACTIVITY, "value", None),
                    (ids.EVENTS_VERSION, "data", None), (ids.DATA_VERSION, "data", None)])


def poll_case() -> str:
    """The cheap version poll every open page makes: the reference a callback's latency is compared with."""
    stores = list(ids.VERSION_STORES.values())
    return payload([*((s, "data") for s in stores), (ids.DATA_AS_OF, "children")],
                   [(ids.LIVE_TICK, "n_intervals", 1)], [(s, "data", None) for s in stores])
