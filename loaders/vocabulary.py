"""Temp tables describing the configured state and activity vocabularies, for loader and fact SQL.

Their names are this module's interface (`VOCAB`); other modules name them through it, never by hand.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from semantic import STATES as STATE_CATEGORIES
from settings import Settings


@dataclass(frozen=True)
class Vocabulary:
    states: str = "vocab_states"  # code, category
    activities: str = "vocab_activities"  # code, category, paid, planned_shrinkage, adherence_tracked, open
    satisfies: str = "vocab_satisfies"  # activity, state (category)
    satisfies_wide: str = "vocab_satisfies_wide"  # activity, sat_<category> per state category


VOCAB = Vocabulary()


def install(con: duckdb.DuckDBPyConnection, settings: Settings) -> None:
    """(Re)create vocab_states, vocab_activities and vocab_satisfies from the settings, and
    vocab_satisfies_wide: per activity, one flag per state category that satisfies it (for sums over
    per-category columns)."""
    con.execute("CREATE OR REPLACE TEMP TABLE vocab_states (code VARCHAR, category VARCHAR)")
    con.executemany("INSERT INTO vocab_states VALUES (?, ?)", list(settings.states.items()))
    con.execute(
        "CREATE OR REPLACE TEMP TABLE vocab_activities (code VARCHAR, category VARCHAR, paid BOOLEAN, "
        "planned_shrinkage BOOLEAN, adherence_tracked BOOLEAN, open BOOLEAN)"
    )
    con.executemany(
        "INSERT INTO vocab_activities VALUES (?, ?, ?, ?, ?, ?)",
        [(code, a.category, a.paid, a.planned_shrinkage, a.adherence_tracked, a.open)
         for code, a in settings.activities.items()],
    )
    con.execute("CREATE OR REPLACE TEMP TABLE vocab_satisfies (activity VARCHAR, state VARCHAR)")
    pairs = [(code, state) for code, a in settings.activities.items() for state in a.satisfied_by]
    if pairs:
        con.executemany("INSERT INTO vocab_satisfies VALUES (?, ?)", pairs)
    flags = ", ".join(f"count(s.state) FILTER (s.state = '{c}') > 0 AS sat_{c}" for c in STATE_CATEGORIES)
    con.execute(f"""CREATE OR REPLACE TEMP TABLE vocab_satisfies_wide AS
                    SELECT v.code AS activity, {flags}
                    FROM vocab_activities v LEFT JOIN vocab_satisfies s ON s.activity = v.code GROUP BY v.code""")  # noqa: S608 - categories are code constants
