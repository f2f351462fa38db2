"""What customers say: every survey comment in a scope and period, classified compliment / complaint / idea,
the words they use most in each, and the monthly trend — all computed here, offline.

Classification (settings `[voice]`, shown beside every comment): an idea cue ("would be nice", "you should")
makes an idea; otherwise VADER's lexicon (vaderSentiment, which ships its lexicon in the wheel) scores the tone,
and a clear tone decides; a neutral tone is settled by the survey's score (NPS 9-10 or CSAT 4-5 a compliment,
NPS 0-6 or CSAT 1-2 a complaint), and failing that by the tone's sign. The words are TF-IDF terms (scikit-learn)
ranked by their mean weight in each category's comments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

import duckdb
import pandas as pd

from kpis.compute import Period, Scope
from settings import Settings, VoiceSettings

CATEGORIES = ("compliment", "complaint", "idea")


@dataclass(frozen=True)
class Verdict:
    category: str
    tone: float  # VADER compound, -1 .. +1
    why: str  # the rule that decided, in words


@lru_cache(maxsize=1)
def _analyser() -> Any:
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    return SentimentIntensityAnalyzer()


@lru_cache(maxsize=200_000)
def _tone(comment: str) -> float:
    """VADER's compound score; cached, as the same comment is read on every page view."""
    return float(_analyser().polarity_scores(comment)["compound"])


def classify(comment: str, nps: int | None, csat: int | None, rules: VoiceSettings) -> Verdict:
    text = comment.lower()
    tone = _tone(comment)
    cue = next((c for c in rules.idea_cues if c in text), None)
    if cue:
        return Verdict("idea", tone, f'idea cue "{cue}"')
    if tone >= rules.compliment_at_least:
        return Verdict("compliment", tone, f"tone {tone:+.2f}")
    if tone <= rules.complaint_at_most:
        return Verdict("complaint", tone, f"tone {tone:+.2f}")
    for label, score, good, bad in (("NPS", nps, 9, 6), ("CSAT", csat, 4, 2)):
        if score is not None and score >= good:
            return Verdict("compliment", tone, f"neutral tone, {label} {score}")
        if score is not None and score <= bad:
            return Verdict("complaint", tone, f"neutral tone, {label} {score}")
    return Verdict("compliment" if tone >= 0 else "complaint", tone, f"neutral tone {tone:+.2f}, no clear score")


def comments(con: duckdb.DuckDBPyConnection, settings: Settings, period: Period, scope: Scope) -> pd.DataFrame:
    """The period's survey comments in the scope (by the response's site-local date), classified."""
    where: list[str] = ["x.day BETWEEN ? AND ?"]
    params: list[object] = [period.start, period.end]
    columns = {"site": "site_id", "team": "team_id", "agent": "agent_id", "queue": "queue_id",
               "call_type": "call_type", "channel": "channel"}
    for dim, values in scope.filters().items():
        where.append(f"list_contains(?, x.{columns[dim]})")
        params.append(list(values))
    frame = con.execute(f"""
        SELECT x.* FROM (
            SELECT s.response_id, s.responded_at, s.nps, s.csat, s.comment,
                   coalesce(s.agent_id, c.agent_id) AS agent_id, a.name AS agent_name, a.team_id, c.queue_id,
                   q.name AS queue_name, coalesce(c.call_type, q.call_type) AS call_type,
                   coalesce(c.channel, q.channel) AS channel,
                   coalesce(a.site_id, c.site_id, s.site_id) AS site_id, st.timezone,
                   timezone(st.timezone, s.responded_at::TIMESTAMPTZ)::DATE AS day
            FROM surveys s LEFT JOIN contacts c ON c.contact_id = s.contact_id
            LEFT JOIN agents a ON a.agent_id = coalesce(s.agent_id, c.agent_id)
            LEFT JOIN queues q ON q.queue_id = c.queue_id
            LEFT JOIN sites st ON st.site_id = coalesce(a.site_id, c.site_id, s.site_id)
            WHERE nullif(trim(s.comment), '') IS NOT NULL) x
        WHERE {' AND '.join(where)}
        ORDER BY x.responded_at DESC""", params).df()  # noqa: S608 - fixed clauses, values bound
    verdicts = [classify(str(t), _int(n), _int(c), settings.voice)
                for t, n, c in zip(frame["comment"], frame["nps"], frame["csat"], strict=True)]
    frame["category"] = [v.category for v in verdicts]
    frame["tone"] = [v.tone for v in verdicts]
    frame["why"] = [v.why for v in verdicts]
    return frame


def _int(value: Any) -> int | None:
    return None if value is None or pd.isna(value) else int(value)


def top_terms(frame: pd.DataFrame, per_category: int) -> pd.DataFrame:
    """(category, term, weight, comments) : each category's terms by mean TF-IDF weight over its comments."""
    if frame.empty:
        return pd.DataFrame(columns=["category", "term", "weight", "comments"])
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectoriser = TfidfVectorizer(stop_words="english", ngram_range=(1, 2), min_df=1, token_pattern=r"(?u)\b[a-z]{3,}\b")
    try:
        matrix = vectoriser.fit_transform(frame["comment"].str.lower())
    except ValueError:  # only stop words
        return pd.DataFrame(columns=["category", "term", "weight", "comments"])
    terms = vectoriser.get_feature_names_out()
    rows = []
    for category in CATEGORIES:
        mask = (frame["category"] == category).to_numpy()
        if not mask.any():
            continue
        part = matrix[mask]
        weights = part.mean(axis=0).A1
        present = (part > 0).sum(axis=0).A1
        for i in weights.argsort()[::-1][:per_category]:
            if weights[i] > 0:
                rows.append({"category": category, "term": terms[i], "weight": float(weights[i]),
                             "comments": int(present[i])})
    return pd.DataFrame(rows, columns=["category", "term", "weight", "comments"])


def with_term(frame: pd.DataFrame, term: str) -> pd.DataFrame:
    """The comments that use a term (a word, or a two-word phrase whose words may have stop words between them, as
    TF-IDF drops them: "far long" is "far too long"), any case."""
    pattern = r"\b" + r"(?:\W+\w+){0,2}?\W+".join(map(re.escape, term.lower().split())) + r"\b"
    return frame[frame["comment"].str.lower().str.contains(pattern, regex=True)]


def monthly(frame: pd.DataFrame) -> pd.DataFrame:
    """Per month: comments, share of complaints (%), NPS and CSAT top-two-box of the commented responses."""
    if frame.empty:
        return pd.DataFrame(columns=["month", "comments", "complaint_share", "nps", "csat"])
    months = frame.assign(month=[date(d.year, d.month, 1) for d in frame["day"]])
    rows = []
    for month, part in months.groupby("month"):
        nps = part["nps"].dropna()
        csat = part["csat"].dropna()
        rows.append({"month": month, "comments": len(part),
                     "complaint_share": 100.0 * (part["category"] == "complaint").sum() / len(part),
                     "nps": 100.0 * ((nps >= 9).sum() - (nps <= 6).sum()) / len(nps) if len(nps) else None,
                     "csat": 100.0 * (csat >= 4).sum() / len(csat) if len(csat) else None})
    return pd.DataFrame(rows)


def rising_complaints(frame: pd.DataFrame, top: int = 5) -> pd.DataFrame:
    """Complaint terms used by more complaints in the latest month than in the month before (counts of
    comments), most risen first."""
    complaints = frame[frame["category"] == "complaint"]
    if complaints.empty:
        return pd.DataFrame(columns=["term", "this_month", "last_month", "rise"])
    months = sorted({date(d.year, d.month, 1) for d in complaints["day"]})
    latest = months[-1]
    before = months[-2] if len(months) > 1 else None
    terms = top_terms(complaints, 30)["term"].tolist()
    rows = []
    for term in terms:
        hits = with_term(complaints, term)
        now = sum(1 for d in hits["day"] if date(d.year, d.month, 1) == latest)
        then = sum(1 for d in hits["day"] if before and date(d.year, d.month, 1) == before)
        if now > then:
            rows.append({"term": term, "this_month": now, "last_month": then, "rise": now - then})
    found = pd.DataFrame(rows, columns=["term", "this_month", "last_month", "rise"])
    return found.sort_values(["rise", "this_month"], ascending=False).head(top).reset_index(drop=True)
