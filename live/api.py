"""HTTP ways in for machines: the command line's local path (`/api/v1/local/cli`), file uploads
(`POST /api/v1/files`) and live agent-state events (`POST /api/v1/agent-events`), the last two with a bearer
token from `floorview token create`. All go through the app's one writer; none uses the browser's session, so
none needs its form token."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

import flask

import store
from live import control, tokens, uploads
from live.service import Live
from loaders.canonical import LoadResult
from loaders.formats import agent_events, amazon_connect
from settings import Settings

LOOPBACK = ("127.0.0.1", "::1")


def register(server: flask.Flask, db: store.Database, settings: Settings) -> None:
    server.config["MAX_CONTENT_LENGTH"] = int(settings.server.max_request_mb * 1024 * 1024)

    def live() -> Live | None:
        return server.extensions.get("floorview_live")

    @server.post("/api/v1/local/cli")
    def local_cli():  # noqa: ANN202 - Flask view
        running = live()
        refused = _local_refusal(running)
        if refused:
            return refused
        payload = flask.request.get_json(silent=True) or {}
        argv, stdin = payload.get("argv"), payload.get("stdin")
        if not isinstance(argv, list) or not all(isinstance(a, str) for a in argv) or not argv:
            return flask.jsonify(error="argv: a list of strings"), 400
        if argv[0] == "restore" or "restore" in argv[:3]:
            return flask.jsonify(code=3, stdout="", stderr="floorview restore: the app is serving this database; "
                                 "stop it first (restore replaces the database it has open)\n")
        code, out, err = run_command(db, argv, stdin if isinstance(stdin, str) else None)
        return flask.jsonify(code=code, stdout=out, stderr=err)

    @server.get("/api/v1/local/status")
    def local_status():  # noqa: ANN202 - Flask view
        running = live()
        refused = _local_refusal(running)
        if refused:
            return refused
        p = running.worker.progress
        return flask.jsonify(data_version=db.data_version, loading=p.file, stage=p.stage, fraction=p.fraction,
                             source=p.source, queued=p.queued, inbox_handled=running.inbox.handled,
                             inbox=str(running.inbox.folder),
                             today=settings.app.today.isoformat() if settings.app.today else None)

    @server.post("/api/v1/files")
    def upload_files():  # noqa: ANN202 - Flask view
        running = live()
        name, refused = _token_holder(running)
        if refused:
            return refused
        saved = _save_uploads(running)
        if not saved:
            return flask.jsonify(error="no file: send multipart field 'file', or the body with ?name=FILE"), 400
        args = flask.request.args
        results = uploads.load(running, db, saved, f"api:{name}", kind=args.get("kind"), fmt=args.get("format"),
                               profile=args.get("profile"))
        body = [_described(r) for r in results]
        return flask.jsonify(files=body), 200 if all(r["status"] == "loaded" for r in body) else 422

    @server.post("/api/v1/agent-events")
    def post_agent_events():  # noqa: ANN202 - Flask view
        """Agent-state changes as they happen: JSON lines of {agent_id, state, at, reason?}, or Amazon Connect
        agent event stream records (detected, or ?format=amazon-connect-agent-events)."""
        running = live()
        name, refused = _token_holder(running)
        if refused:
            return refused
        body = flask.request.get_data(cache=False)
        if not body.strip():
            return flask.jsonify(error="no events: send JSON lines in the body"), 400
        fmt = flask.request.args.get("format") or (
            agent_events.AMAZON if amazon_connect.looks_like_agent_events(body[:4096].decode("utf-8", "replace"))
            else agent_events.GENERIC)
        if fmt not in (agent_events.GENERIC, agent_events.AMAZON):
            return flask.jsonify(error=f"format: {agent_events.GENERIC} or {agent_events.AMAZON}"), 400
        saved = uploads.save(running, f"{store.EVENT_POSTS}{name}.jsonl", body)
        try:
            result = running.worker.submit([saved], f"api:{name}", fmt=fmt, events=True).result()[0]
        finally:
            saved.unlink(missing_ok=True)
            saved.parent.rmdir()
        answer = {"status": result.status, "events": result.events, "duplicates": result.duplicates,
                  "segments": result.rows_loaded, "rejected": result.rows_rejected, "message": result.message,
                  "rejects": [{"line": ln, "field": f, "reason": why} for ln, f, _v, why in result.sample_rejects]}
        return flask.jsonify(answer), 200 if result.status == "loaded" else 422

    def _token_holder(running: Live | None):  # noqa: ANN202 - (name, None) or (None, a Flask response)
        """Who holds the request's API token, or why the request is refused (no worker, no valid token)."""
        if running is None:
            return None, (flask.jsonify(error="this app is not serving live (no ingest worker)"), 503)
        with db.session() as cur:
            name = tokens.holder(cur, _bearer())
        if name is None:
            return None, (flask.jsonify(error="a valid API token is required: Authorization: Bearer <token> "
                                        "(made by `floorview token create NAME`)"), 401)
        return name, None


def _local_refusal(running: Live | None):  # noqa: ANN202 - a Flask response or None
    """Why a request on the command line's path is refused, or None: it must come from this machine with the
    control file's token."""
    if running is None or running.control is None:
        return flask.jsonify(error="this app is not serving live (no ingest worker)"), 503
    if flask.request.remote_addr not in LOOPBACK or not control.authorised(running.control, _bearer()):
        return flask.jsonify(error="the command line's token is required, from this machine"), 401
    return None


def run_command(db: store.Database, argv: list[str], stdin: str | None) -> tuple[int, str, str]:
    """A `floorview` command run here, on the app's connection, as the only writer while it runs. Its output is
    captured by redirecting the standard streams, which is safe because commands run one at a time."""
    import cli

    out, err = io.StringIO(), io.StringIO()
    with (db.exclusive(), store.through_app(db), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err),
          _stdin(stdin)):
        try:
            code = cli.main(argv, delegate=False)
        except SystemExit as exit_:  # argparse's usage errors
            code = exit_.code if isinstance(exit_.code, int) else 2
    return code, out.getvalue(), err.getvalue()


@contextlib.contextmanager
def _stdin(text: str | None):
    import sys

    saved = sys.stdin
    sys.stdin = io.StringIO(text or "")
    try:
        yield
    finally:
        sys.stdin = saved


def _bearer() -> str | None:
    header = flask.request.headers.get("Authorization", "")
    return header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else None


def _save_uploads(running: Live) -> list[Path]:
    """Each uploaded file (multipart field `file`, or the body named by ?name=) saved for the worker."""
    found = [(f.filename, f.stream) for f in flask.request.files.getlist("file")]
    if not found and flask.request.args.get("name") and flask.request.content_length:
        found = [(flask.request.args["name"], flask.request.stream)]
    return [uploads.save(running, name, stream) for name, stream in found]


def _described(r: LoadResult) -> dict:
    return {"file": Path(r.file).name, "status": r.status, "kind": r.described_kind, "rows_read": r.rows_read,
            "rows_loaded": r.rows_loaded, "rows_rejected": r.rows_rejected, "message": r.message,
            "rejects": [{"line": ln, "field": f, "reason": why} for ln, f, _v, why in r.sample_rejects]}
