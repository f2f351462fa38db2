"""The data page: what has been loaded, how much of each table there is, and what was rejected and why."""

from __future__ import annotations

from datetime import datetime

import dash_bootstrap_components as dbc
from dash import dcc, html

import ids
from layouts.components import data_grid, export_button, page_heading

# A count the manifest does not hold (a load interrupted half-way) is unknown, not 0.
_COUNT = "params.value == null ? '—' : d3.format(',')(params.value)"

LOAD_COLUMNS = [
    {"field": "load_id", "headerName": "#", "maxWidth": 80},
    {"field": "file_name", "headerName": "File", "minWidth": 180},
    {"field": "kind", "headerName": "Kind", "minWidth": 120},
    {"field": "status", "headerName": "Status", "minWidth": 130,
     "cellClassRules": {"text-danger fw-bold": "params.value == 'failed' || params.value == 'interrupted'"}},
    {"field": "rows_loaded", "headerName": "Rows loaded", "type": "numericColumn", "minWidth": 130,
     "valueFormatter": {"function": _COUNT}},
    {"field": "rows_rejected", "headerName": "Rows rejected", "type": "numericColumn", "minWidth": 140,
     "valueFormatter": {"function": _COUNT}},
    {"field": "started_utc", "headerName": "Started (UTC)", "minWidth": 170},
    {"field": "seconds", "headerName": "Time (s)", "type": "numericColumn", "minWidth": 110},
    {"field": "message", "headerName": "Message", "minWidth": 260, "tooltipField": "message"},
]

REJECT_COLUMNS = [
    {"field": "file_name", "headerName": "File", "minWidth": 160},
    {"field": "line", "headerName": "Line", "type": "numericColumn", "maxWidth": 100},
    {"field": "field", "headerName": "Field"},
    {"field": "value", "headerName": "Value"},
    {"field": "reason", "headerName": "Reason", "minWidth": 320, "tooltipField": "reason"},
]

AUDIT_COLUMNS = [
    {"field": "at_utc", "headerName": "When (UTC)", "minWidth": 160},
    {"field": "username", "headerName": "Who"}, {"field": "action", "headerName": "Action", "minWidth": 180},
    {"field": "object", "headerName": "What"}, {"field": "old_value", "headerName": "From"},
    {"field": "new_value", "headerName": "To"}, {"field": "reason", "headerName": "Why", "minWidth": 200},
]

TABLE_LABELS = {
    "sites": "Sites", "teams": "Teams", "agents": "Agents", "queues": "Queues", "contacts": "Contacts",
    "agent_states": "Agent-state segments", "schedule": "Schedule segments", "forecast": "Forecast intervals",
    "surveys": "Survey responses", "fact_queue_interval": "Queue interval facts",
    "fact_handle_interval": "Handle interval facts", "fact_agent_interval": "Agent interval facts",
    "fact_forecast_interval": "Forecast interval facts", "fact_survey_interval": "Survey interval facts",
    "rejects": "Rejected rows",
    "id_map": "Vendor id mappings", "queue_intervals": "Queue interval aggregates (CMS)",
    "agent_intervals": "Agent interval aggregates (Genesys)", "vendor_adherence": "Vendor adherence figures",
}


def layout(**_query: str) -> html.Div:
    return html.Div([
        page_heading("Data", "Loaded export files, table sizes and rejected rows with their reasons."),
        html.Div(dbc.Button("Refresh", id=ids.DATA_REFRESH, color="primary", size="sm"), className="mb-2"),
        dcc.Upload(id=ids.DATA_UPLOAD, multiple=True, className="fv-upload border border-2 rounded p-3 mb-2 text-center",
                   children=html.Div(["⇪ Drop export files here, or ", html.U("choose files"), html.Br(),
                                      html.Span("Loaded like the inbox: CSV, gzip, Parquet or a vendor format, up to "
                                                "15 MB each (larger: the inbox folder or the upload API). A manager's "
                                                "upload loads the rows of their own sites only.",
                                                className="small text-muted")])),
        dcc.Loading(html.Div(id=ids.DATA_UPLOAD_RESULT, className="mb-3"), type="circle"),
        html.Div(id=ids.DATA_FRESHNESS, className="mb-3"),
        html.Div(id=ids.DATA_PROGRESS, className="mb-3"),
        dbc.Row([
            dbc.Col([html.H2("Tables", className="h5"), html.Div(id=ids.DATA_COUNTS)], lg=3),
            dbc.Col([
                html.Div([html.H2("Loaded files", className="h5 d-inline"), export_button(ids.DATA_EXPORT_LOADS)],
                         className="mb-2"),
                data_grid(ids.DATA_LOADS, LOAD_COLUMNS, file_name="floorview-loads.csv"),
                html.Div([html.H2("Rejected rows", className="h5 d-inline mt-3"),
                          export_button(ids.DATA_EXPORT_REJECTS)], className="mb-2 mt-3"),
                data_grid(ids.DATA_REJECTS, REJECT_COLUMNS, file_name="floorview-rejects.csv"),
                html.H2("Audit trail", className="h5 mt-3"),
                html.P("Every action taken in Floorview: who, when (UTC), what, from which value to which, and why.",
                       className="small text-muted"),
                data_grid(ids.DATA_AUDIT, AUDIT_COLUMNS, file_name="floorview-audit.csv"),
            ], lg=9),
        ]),
    ])


def counts_table(counts: dict[str, int | None], sites: tuple[str, ...] | None = None) -> html.Div:
    """Rows per table; for a manager (`sites`), only their sites' rows, and tables without a site left out."""
    rows = [html.Tr([html.Td(TABLE_LABELS.get(name, name)), html.Td(f"{n:,}", className="text-end")])
            for name, n in counts.items() if n is not None]
    table = dbc.Table([html.Thead(html.Tr([html.Th("Table"), html.Th("Rows", className="text-end")])),
                       html.Tbody(rows)], size="sm", striped=True, className="small")
    if sites is None:
        return html.Div(table)
    return html.Div([html.P(f"Rows of your sites only ({', '.join(sites)}); tables without a site are not shown.",
                            className="small text-muted mb-1"), table])


def _fmt(value: datetime | None) -> str:
    return value.strftime("%a %d %b %Y %H:%M UTC") if value else "—"


def freshness(first: datetime | None, last: datetime | None, last_load: datetime | None) -> html.P:
    if last is None:
        return html.P("No contacts loaded yet. Run `floorview demo --load` or `floorview load FILES`.",
                      className="text-muted")
    return html.P([
        html.Strong("Contacts from "), _fmt(first), html.Strong(" to "), _fmt(last),
        html.Span(" · last file loaded "), _fmt(last_load),
    ], className="mb-0")


def live_events(posts: dict) -> html.P | None:
    """The events API's last hour in one line (its requests are not listed one by one with the files)."""
    if not posts["requests"]:
        return None
    return html.P([html.Strong("Live agent events "), "(POST /api/v1/agent-events) in the last hour: ",
                   f"{posts['requests']:,} requests, {posts['segments']:,} state segments stored; last ",
                   _fmt(posts["last"]), ". Their rejected lines are listed with the others below."],
                  className="mb-0")


def backlog(rows: list[dict]) -> html.Div:
    """What interval facts wait to be rebuilt: nothing, normally; after an interrupted rebuild, the site-days."""
    if not rows:
        return html.P("✓ Interval facts are up to date with every loaded file.", className="small text-muted mb-0")
    items = [html.Li(f"{r['site_id']}: {r['days']:,} day(s), {r['first_day']:%d %b %Y} to {r['last_day']:%d %b %Y} "
                     f"({r['tables']})") for r in rows]
    return html.Div([
        html.P(["⚠ ", html.Strong("Interval facts waiting to be rebuilt"),
                " (live agent events are caught up every adherence.live_facts_every_s; otherwise a rebuild was "
                "interrupted): the next catch-up, load or `floorview refresh` builds them:"], className="mb-1"),
        html.Ul(items, className="mb-0 small"),
    ], className="alert alert-warning py-2")


def loading_now(file: str | None, stage: str, fraction: float, source: str, queued: int) -> html.Div | None:
    """What the ingest worker is loading now, with a progress bar; nothing when it is idle."""
    if file is None and not queued:
        return None
    words = f"Loading {file} ({source}): {stage}" if file else "Waiting for the loader"
    more = f" · {queued} more file job(s) queued" if queued else ""
    return html.Div([html.Div(words + more, className="small mb-1"),
                     dbc.Progress(value=round(100 * fraction), label=f"{round(100 * fraction)} %", striped=True,
                                  animated=True, style={"height": "1.2rem"})], role="status")


def upload_results(rows: list[tuple[str, str, int, int, str]]) -> html.Div:
    """One line per uploaded file: (name, status, rows loaded, rows rejected, message)."""
    items = []
    for name, status, loaded, rejected, message in rows:
        if status == "loaded":
            text = f"✓ {name}: {loaded:,} rows loaded, {rejected:,} rejected" + (" (see Rejected rows)" if rejected else "")
            items.append(html.Li(text, className="text-success" if not rejected else "text-warning-emphasis"))
        else:
            items.append(html.Li(f"✕ {name}: not loaded — {message}", className="text-danger"))
    return html.Ul(items, className="mb-0", role="status")


def not_allowed() -> html.Div:
    return html.Div("The data page is for managers and the control desk.", className="alert alert-warning")
