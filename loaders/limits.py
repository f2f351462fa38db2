"""The bounds of plausible input, from `[data]`, as DuckDB variables the validation SQL reads.

Variables rather than literals keep every value out of the SQL text, and rather than a joined table they keep
the first pass free of joins (its row order is the file's).
"""

from __future__ import annotations

from datetime import datetime, time

import duckdb

from settings import Settings


def install(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    data = settings.data
    earliest, latest = datetime.combine(data.earliest_date, time()), datetime.combine(data.latest_date, time())
    con.execute("SET VARIABLE fv_earliest = ?::TIMESTAMP", [earliest])
    con.execute("SET VARIABLE fv_latest = ?::TIMESTAMP", [latest])
    con.execute("SET VARIABLE fv_range_text = ?",
                [f"outside the plausible range {data.earliest_date} to {data.latest_date} "
                 "(data.earliest_date, data.latest_date)"])
    con.execute("SET VARIABLE fv_max_span = to_microseconds(?::BIGINT)", [int(data.max_segment_hours * 3_600_000_000)])
    con.execute("SET VARIABLE fv_max_span_days = ?::INTEGER", [int(data.max_segment_hours // 24) + 1])
    con.execute("SET VARIABLE fv_clock_skew = to_microseconds(?::BIGINT)", [int(data.clock_skew_s * 1_000_000)])
    con.execute("SET VARIABLE fv_span_text = ?",
                [f"longer than {data.max_segment_hours:g} hours (data.max_segment_hours)"])
