"""Vendor formats and mapping profiles: detection by content, and the converter of each.

`detect(path)` names the format of a file from its first bytes (None when it is not a vendor format);
`convert(path, name, con, settings)` turns it into canonical rows for the canonical loader.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import duckdb

from loaders.formats import (
    agent_events,
    amazon_connect,
    avaya,
    cisco,
    genesys,
    genesys_adherence,
    nice_iex,
    profile,
    qualtrics,
)
from loaders.formats.base import Converted, FormatError, head
from settings import Settings


@dataclass(frozen=True)
class Format:
    name: str
    kind: str
    describe: str
    looks_like: Callable[[str], bool]
    convert: Callable[[Path, duckdb.DuckDBPyConnection, Settings], Converted]


def _first_line(test: Callable[[str], bool]) -> Callable[[str], bool]:
    return lambda text: bool(text.strip()) and test(text.lstrip("\ufeff").splitlines()[0])


FORMATS: dict[str, Format] = {f.name: f for f in (
    Format("amazon-connect-ctr", "contacts", "Amazon Connect contact trace records (JSON, gzip too)",
           amazon_connect.looks_like_ctr, amazon_connect.convert_ctr),
    Format(agent_events.AMAZON, "agent_states", "Amazon Connect agent event stream (JSON; live events, kept in order)",
           amazon_connect.looks_like_agent_events, agent_events.convert_amazon_connect),
    Format(agent_events.GENERIC, "agent_states", "Agent-state events, one JSON object per line: agent_id, state, at",
           agent_events.looks_like_generic, agent_events.convert_generic),
    Format("genesys-agent-status", "agent_intervals", "Genesys Cloud Agent Status Summary (CSV)",
           _first_line(genesys.looks_like_status), genesys.convert_status),
    Format("genesys-agent-performance", "agent_intervals", "Genesys Cloud Agent Performance Summary (CSV)",
           _first_line(genesys.looks_like_performance), genesys.convert_performance),
    Format("genesys-adherence", "vendor_adherence", "Genesys Cloud Historical Adherence (CSV)",
           _first_line(genesys_adherence.looks_like_adherence), genesys_adherence.convert),
    Format("cisco-uccx-agent-state", "agent_states", "Cisco UCCX Agent State Detail report (CSV)",
           _first_line(cisco.looks_like_uccx), cisco.convert_uccx),
    Format("cisco-ucce-agent-state", "agent_states", "Cisco UCCE Agent_State_Trace (CSV)",
           _first_line(cisco.looks_like_ucce), cisco.convert_ucce),
    Format("nice-iex-schedule", "schedule", "NICE IEX Agent Schedule Detail (pipe-delimited)",
           nice_iex.looks_like_iex, nice_iex.convert),
    Format("avaya-cms-interval", "queue_intervals", "Avaya CMS Split/Skill Interval report (CSV)",
           avaya.looks_like_cms, avaya.convert),
    Format("qualtrics", "surveys", "Qualtrics survey responses (CSV, three header rows)",
           qualtrics.looks_like_qualtrics, qualtrics.convert),
)}


def detect(path: Path) -> str | None:
    # 64 kB: a JSON record's deciding top-level keys can follow a long snapshot (an agent event's EventType
    # comes after CurrentAgentSnapshot, whose configuration lists every queue).
    text = head(path, 1 << 16)
    return next((f.name for f in FORMATS.values() if text and f.looks_like(text)), None)


def convert(path: Path, name: str, con: duckdb.DuckDBPyConnection, settings: Settings,
            profile_name: str | None = None) -> Converted:
    if profile_name:
        return profile.convert(path, con, settings, profile_name)
    if name not in FORMATS:
        raise FormatError(f"unknown format {name!r}; one of {', '.join(FORMATS)}")
    return FORMATS[name].convert(path, con, settings)


__all__ = ["FORMATS", "Converted", "Format", "FormatError", "convert", "detect"]
