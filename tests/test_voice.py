"""What customers say (kpis/voice.py): each comment classified by the configured rules, the words per category,
the monthly trend, and the scope, checked by hand. VADER's compound scores quoted are its own for these texts."""

from __future__ import annotations

from datetime import date

import pytest

from kpis.compute import Period, Scope
from kpis.voice import classify, comments, monthly, rising_complaints, top_terms, with_term
from loaders import load_file
from tests.conftest import write

CONTACTS = ("contact_id,queue_id,site_id,offered_at,answered_at,agent_id\n"
            "C1,Q1,NYC,2026-10-20T14:00:00Z,2026-10-20T14:00:30Z,A1\n"
            "C2,Q1,NYC,2026-10-21T15:00:00Z,2026-10-21T15:00:10Z,A2\n"
            "C3,Q2,NYC,2026-11-03T16:00:00Z,2026-11-03T16:00:05Z,A1\n"
            "C4,Q2,NYC,2026-11-04T17:00:00Z,2026-11-04T17:00:05Z,A2\n"
            "C5,Q1,NYC,2026-11-05T18:00:00Z,2026-11-05T18:00:05Z,A1\n"
            "C6,Q1,LDN,2026-11-05T10:00:00Z,2026-11-05T10:00:05Z,L1\n")
SURVEYS = ("response_id,responded_at,contact_id,nps,csat,comment\n"
           "R1,2026-10-20T16:00:00Z,C1,10,5,\"Really helpful agent, thank you!\"\n"
           "R2,2026-10-21T17:00:00Z,C2,3,2,Waited far too long and still not fixed.\n"
           "R3,2026-11-03T18:00:00Z,C3,8,4,It would be nice if you had a callback option\n"
           "R4,2026-11-04T19:00:00Z,C4,2,1,Waited far too long for the TV deal order.\n"
           "R5,2026-11-05T20:00:00Z,C5,4,,Waited ages and the order is still not fixed.\n"
           "R6,2026-11-05T12:00:00Z,C6,9,5,Lovely manner and very quick\n")


@pytest.fixture
def said(roster, settings, tmp_path):
    for name, text in (("contacts.csv", CONTACTS), ("surveys.csv", SURVEYS)):
        assert load_file(roster, write(tmp_path, name, text), settings).rows_rejected == 0
    return roster


def test_each_comment_is_classified_by_the_rule_that_decides_it(settings):
    rules = settings.voice
    assert classify("Really helpful agent, thank you!", 10, 5, rules).why == "tone +0.73"
    assert classify("Really helpful agent, thank you!", 10, 5, rules).category == "compliment"
    idea = classify("It would be nice if you had a callback option", 8, 4, rules)
    assert (idea.category, idea.why) == ("idea", 'idea cue "would be nice"')
    # VADER scores this 0.00: the NPS of 3 settles it.
    flat = classify("Waited far too long and still not fixed.", 3, 2, rules)
    assert (flat.category, flat.why) == ("complaint", "neutral tone, NPS 3")
    assert classify("Took ages to place my order.", None, 2, rules).why == "neutral tone, CSAT 2"
    assert classify("Called about my bill.", None, None, rules).category == "compliment"  # tone 0.00, no score
    assert classify("Terrible, rude and useless.", 10, 5, rules).category == "complaint"  # a clear tone wins


def test_comments_in_scope_and_period_with_their_category(said, settings):
    nov = Period(date(2026, 11, 1), date(2026, 11, 30))
    found = comments(said, settings, nov, Scope(site=("NYC",)))
    assert list(found["response_id"]) == ["R5", "R4", "R3"]  # newest first; London's R6 and October's out
    assert list(found["category"]) == ["complaint", "complaint", "idea"]
    mine = comments(said, settings, Period(date(2026, 10, 1), date(2026, 11, 30)), Scope(agent=("A1",)))
    assert sorted(mine["response_id"]) == ["R1", "R3", "R5"]  # an agent's own customers only
    assert set(mine["queue_name"]) == {"Billing", "Sales"}


def test_the_words_customers_use_per_category_and_their_verbatims(said, settings):
    everything = comments(said, settings, Period(date(2026, 10, 1), date(2026, 11, 30)), Scope())
    terms = top_terms(everything, 5)
    complaint_terms = list(terms[terms.category == "complaint"].term)
    # "waited" is in all three complaints (R2, R4, R5), more than any other term: it comes first.
    assert complaint_terms[0] == "waited"
    assert int(terms[(terms.category == "complaint") & (terms.term == "waited")].comments.iloc[0]) == 3
    assert "callback" in set(terms[terms.category == "idea"].term)
    assert not {"helpful", "lovely"} & set(complaint_terms)
    assert sorted(with_term(everything, "waited")["response_id"]) == ["R2", "R4", "R5"]
    assert sorted(with_term(everything, "far long")["response_id"]) == ["R2", "R4"]  # a phrase across words


def test_monthly_trend_and_rising_complaint_terms(said, settings):
    everything = comments(said, settings, Period(date(2026, 10, 1), date(2026, 11, 30)), Scope(site=("NYC",)))
    trend = monthly(everything).set_index("month")
    # October: R1 (NPS 10, CSAT 5), R2 (NPS 3, CSAT 2): NPS (1 - 1) / 2 = 0; CSAT 1 of 2 = 50 %; 1 complaint of 2.
    # November (NYC): R3 (8, 4), R4 (2, 1), R5 (4, -): NPS (0 - 2) / 3 = -66.7; CSAT 1 of 2 = 50 %; 2 of 3.
    assert trend.loc[date(2026, 10, 1)].to_dict() == {"comments": 2, "complaint_share": 50.0, "nps": 0.0,
                                                      "csat": 50.0}
    nov = trend.loc[date(2026, 11, 1)]
    assert (nov.comments, round(nov.complaint_share, 1), round(nov.nps, 1), nov.csat) == (3, 66.7, -66.7, 50.0)
    rising = rising_complaints(everything).set_index("term")
    assert (rising.loc["waited", "this_month"], rising.loc["waited", "last_month"]) == (2, 1)
    assert "order" in rising.index and rising.loc["order", "last_month"] == 0
