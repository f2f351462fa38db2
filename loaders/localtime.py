"""Site-local wall-clock times to UTC, many at once.

Converting each value through ICU costs about 0.2 µs, seconds for a large export. A zone's UTC offset
changes rarely and, almost everywhere, on a quarter-hour of wall-clock time, so within one wall-clock
quarter-hour the shift (wall-clock minus UTC) is constant, in the gap and in the repeated hour of a DST change
too (ICU's choice for the quarter-hour's start is its choice for every time in it). A small table of shifts
per zone and quarter-hour, joined to the rows, gives the same instants. A quarter-hour whose shift is not the
same at its start and its end (Moncton changed at 00:01 until 2006) is left out of the table, and its values,
like those outside the table's range, go through ICU.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import duckdb

SHIFTS = "zone_shifts"
QUARTER = "INTERVAL 15 MINUTE"
LONGEST = timedelta(days=800)  # a file spanning more keeps ICU for its oldest values
LAST_MOMENT = "INTERVAL 899999999 MICROSECOND"  # the end of a quarter-hour


def build_shifts(con: duckdb.DuckDBPyConnection, first: datetime | None, last: datetime | None) -> None:
    """Temp table `zone_shifts (zone, wall, shift)` for the site time zones over these wall-clock times."""
    last = last or first or datetime(2000, 1, 1)
    first = max(first or last, last - LONGEST)
    con.execute(f"""
        CREATE OR REPLACE TEMP TABLE {SHIFTS} AS
        WITH walls AS (
            SELECT zone, unnest(generate_series(time_bucket({QUARTER}, ?::TIMESTAMP), ?::TIMESTAMP, {QUARTER})) AS wall
            FROM (SELECT DISTINCT timezone AS zone FROM sites)),
        shifts AS (
            SELECT zone, wall, wall - timezone('UTC', timezone(zone, wall)) AS shift,
                   wall + {LAST_MOMENT} - timezone('UTC', timezone(zone, wall + {LAST_MOMENT})) AS shift_at_end
            FROM walls)
        SELECT zone, wall, shift FROM shifts WHERE shift = shift_at_end""",  # noqa: S608 - constants only
        [first, last])


def shift_join(alias: str, wall: str, zone: str) -> str:
    """LEFT JOIN clause giving `alias`.shift for a wall-clock value in a zone (SQL expressions)."""
    return f"LEFT JOIN {SHIFTS} {alias} ON {alias}.zone = {zone} AND {alias}.wall = time_bucket({QUARTER}, {wall})"


def utc_of(wall: str, zone: str, alias: str) -> str:
    """SQL: the UTC instant of a wall-clock value in a zone, through the shift `alias` joined for it."""
    return f"coalesce({wall} - {alias}.shift, timezone('UTC', timezone({zone}, {wall})))"
