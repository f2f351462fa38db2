"""Rewrite generated exports in site-local time, as most ACD and WFM systems write them.

The generator writes instants in UTC ("…Z"). Many real exports carry wall-clock times without an offset,
which the loader reads in each row's site time zone; this gives the same centre in that form, so the demo
(and the load benchmark) can exercise it. The demo's shifts lie away from DST switch hours, so the files load
to the same rows as the UTC ones, except what falls in the repeated hour of a fall-back night (a late survey
answer): that local time names two instants, and the loader reads it as the later one.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

# file -> (the column that names the row's site or agent, the instant columns)
_INSTANTS = {
    "contacts.csv": ("site_id", ("offered_at", "answered_at", "ended_at")),
    "agent_states.csv": ("agent_id", ("start_at", "end_at")),
    "schedule.csv": ("agent_id", ("start_at", "end_at")),
    "surveys.csv": ("agent_id", ("responded_at",)),
    "forecast.csv": ("site_id", ("interval_start",)),
}


def rewrite_in_site_time(folder: Path) -> None:
    """Rewrite the instants of the export files in `folder` as site-local times without an offset, in place."""
    sites = _read(folder / "sites.csv")
    zone_of = dict(zip(sites["site_id"].to_pylist(), sites["timezone"].to_pylist(), strict=True))
    agents = _read(folder / "agents.csv")
    zone_of |= {a: zone_of[s] for a, s in zip(agents["agent_id"].to_pylist(), agents["site_id"].to_pylist(), strict=True)}
    for name, (owner, instants) in _INSTANTS.items():
        path = folder / name
        if not path.exists():
            continue
        table = _read(path)
        zones = pd.Series(table[owner].to_numpy(zero_copy_only=False)).map(zone_of)
        if zones.isna().any():
            raise ValueError(f"{name}: some rows name no known site or agent; cannot write them in site time")
        zones = zones.to_numpy()
        for column in instants:
            table = table.set_column(table.schema.get_field_index(column), column,
                                     _local_text(table[column], zones))
        pacsv.write_csv(table, path, pacsv.WriteOptions(quoting_style="needed"))


def _read(path: Path) -> pa.Table:
    """A CSV export with every column as text (blanks as nulls)."""
    with path.open(encoding="utf-8") as fh:
        names = fh.readline().strip().replace('"', "").split(",")
    return pacsv.read_csv(path, convert_options=pacsv.ConvertOptions(
        column_types={n: pa.string() for n in names}, strings_can_be_null=True))


def _local_text(utc_text: pa.ChunkedArray, zones: np.ndarray) -> pa.Array:
    """'YYYY-MM-DDThh:mm:ssZ' values as wall-clock text in each row's zone; blanks stay blank."""
    utc = pd.Series(pc.strptime(utc_text, format="%Y-%m-%dT%H:%M:%SZ", unit="s").to_pandas())
    out = np.full(len(utc), None, dtype=object)
    given = utc.notna().to_numpy()
    for zone in np.unique(zones):
        rows = (zones == zone) & given
        wall = utc[rows].dt.tz_localize("UTC").dt.tz_convert(zone).dt.tz_localize(None)
        out[rows] = np.datetime_as_string(wall.to_numpy("datetime64[s]"), unit="s")
    return pa.array(out, pa.string())
