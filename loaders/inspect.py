"""`floorview inspect FILE`: what a file is, the mapping that would be applied, and its first rows as they
would load — without loading anything."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb

from loaders import formats
from loaders.canonical import LoadError, file_rows, open_source, reading
from settings import Settings


def report(con: duckdb.DuckDBPyConnection, path: Path, settings: Settings, kind: str | None = None,
           fmt: str | None = None, profile: str | None = None, rows: int = 5) -> str:
    path = Path(path)
    if not path.is_file():
        raise LoadError(f"{path}: no such file")
    spec, header, converted, name = open_source(con, path, settings, kind, fmt, profile)
    lines = [f"file:     {path.name}"]
    if converted is None:
        lines += [f"format:   canonical {spec.name} (columns named as in EXPORT-FORMATS.md §1)",
                  "mapping:  none (columns are read as they are named)"]
        with reading(path, header, None) as src:  # read exactly as a load reads it
            rows_sql, params = file_rows(src, [h for h in header if h])
            sample = con.execute(f"SELECT * FROM {rows_sql} LIMIT {int(rows)}", params)  # noqa: S608
            columns = [d[0] for d in sample.description]
            table = [[None if v is None else str(v) for v in r] for r in sample.fetchall()]
        problems: list[tuple[Any, ...]] = []
        total = None
    else:
        described = formats.FORMATS[name].describe if name in formats.FORMATS else name
        lines += [f"format:   {name} — {described}", f"becomes:  {spec.name}", "mapping:"]
        lines += [f"  {src:<48} -> {dst}" for src, dst in converted.mapping]
        columns = [c for c in converted.table().column_names if c != "__line"]
        table = [[r.get(c) for c in columns] for r in converted.rows[:rows]]
        problems = converted.rejects
        total = len(converted.rows)
    lines.append(f"first {len(table)} row(s) as they would load" + (f" (of {total:,})" if total is not None else "") + ":")
    widths = [max(len(c), *(len(str(r[i] or "")) for r in table)) if table else len(c) for i, c in enumerate(columns)]
    lines.append("  " + "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for r in table:
        lines.append("  " + "  ".join(str(v or "").ljust(w) for v, w in zip(r, widths, strict=True)))
    if problems:
        lines.append(f"records that would be rejected before validation: {len(problems):,}")
        lines += [f"  line {ln}: {fld or '-'}: {why}" for ln, fld, _value, why in sorted(problems, key=lambda p: p[0])[:10]]
    lines.append("(values are then validated as on load: types, ranges, unknown agents, queues and codes)")
    return "\n".join(lines)
