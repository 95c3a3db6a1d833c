"""Buddy ranking on the real data: the floors, the shape of the answer, determinism and speed."""

from __future__ import annotations

import json
import statistics
import time

import pytest

from learnsys.buddies.config import FACTORS, BuddyConfig
from learnsys.buddies.matcher import BuddyMatcher, UnknownProvider
from tests.buddies.floors import domain_score, recent_value

TOPICS = {
    "uec": ("ae_4h_all", "access", "higher"),
    "elective": ("rtt_18w_pct", "access", "higher"),
    "cancer": ("cancer_62d", "access", "higher"),
}


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_mentor_never_weaker_on_headline_or_domain(matcher, topic):
    data = matcher.data
    headline, domain, _ = TOPICS[topic]
    checked = 0
    for ods, provider in sorted(data.providers.items()):
        if provider.family != "acute" or (matcher.standings[ods].segment or 0) < 3:
            continue
        result = matcher.rank(ods, topic, k=50)
        mine_h, mine_d = recent_value(data, ods, headline), domain_score(data, ods, domain)
        for buddy in result["buddies"]:
            mentor = buddy["ods"]
            assert data.providers[mentor].family == provider.family
            assert matcher.standings[mentor].segment in (1, 2)
            if mine_h is not None:
                theirs = recent_value(data, mentor, headline)
                assert theirs is not None and theirs >= mine_h - 1e-9, (ods, mentor, theirs, mine_h)
            if mine_d is not None:
                theirs_d = domain_score(data, mentor, domain)
                assert theirs_d is not None and theirs_d <= mine_d, (ods, mentor, theirs_d, mine_d)
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("topic", sorted(TOPICS))
def test_floors_hold_in_every_family(matcher, topic):
    """Mental health/community and ambulance trusts too (ambulance UEC headline: category 2 mean, lower)."""
    data = matcher.data
    spec = matcher.topic(topic)
    for ods, provider in sorted(data.providers.items()):
        if provider.family == "acute" or (matcher.standings[ods].segment or 0) < 3:
            continue
        headline = spec.headline_for(provider.family)
        sign = 1 if data.metrics[headline].direction == "higher" else -1
        mine_h, mine_d = recent_value(data, ods, headline), domain_score(data, ods, spec.domain)
        for buddy in matcher.rank(ods, topic, k=50)["buddies"]:
            mentor = buddy["ods"]
            assert data.providers[mentor].family == provider.family
            if mine_h is not None:
                assert sign * (recent_value(data, mentor, headline) - mine_h) >= -1e-9
            if mine_d is not None:
                assert domain_score(data, mentor, spec.domain) <= mine_d


def test_answer_shape_contributions_and_periods(matcher):
    result = matcher.rank("RWA", "UEC", k=3)
    assert result["provider"]["ods"] == "RWA" and result["topic"]["notation"] == "uec"
    assert result["provider"]["assessment"]["status"] in ("official", "indicative")
    assert len(result["buddies"]) == 3
    scores = [b["score"] for b in result["buddies"]]
    assert scores == sorted(scores, reverse=True)
    for buddy in result["buddies"]:
        assert set(buddy) >= {"ods", "name", "score", "factors", "evidence"}
        assert set(buddy["factors"]) == set(FACTORS)
        assert abs(sum(buddy["factors"].values()) - buddy["score"]) < 1e-3
        details = buddy["factor_details"]
        for factor in FACTORS:
            assert details[factor]["contribution"] == buddy["factors"][factor]
            assert 0 <= details[factor]["value"] <= 1
        measures = details["complementarity"]["data"]["measures"]
        assert measures and all(m["mentee"]["period"] for m in measures)
        assert buddy["floors"]["headline"]["mentor"]["period"]
        assert buddy["floors"]["domain"]["mentor"]["period"] == "2025/26 Q1"
        assert details["context"]["data"]["year"]["mentor"]


def test_evidence_lists_corpus_documents_and_spc_signals(matcher, buddy_services):
    model = matcher.model("uec")
    with_docs = [c for c, docs in model.evidence.documents.items() if docs]
    assert with_docs and model.evidence.spc_available
    for ods in with_docs:
        for item in matcher.evidence_items(model, ods):
            if item["kind"] in ("case-study", "guide"):
                doc = buddy_services.documents[item["id"]]
                assert ods in doc.providers and "uec" in doc.priority_areas
            else:
                assert item["kind"] == "spc-improvement" and item["start"] <= item["end"]


def test_same_input_same_output(matcher, buddy_services):
    first = json.dumps(matcher.rank("RXN", "elective", k=10), sort_keys=True)
    assert json.dumps(matcher.rank("RXN", "elective", k=10), sort_keys=True) == first
    fresh = BuddyMatcher(buddy_services, BuddyConfig())
    assert json.dumps(fresh.rank("RXN", "elective", k=10), sort_keys=True) == first


def test_unknown_provider(matcher):
    with pytest.raises(UnknownProvider):
        matcher.rank("ZZZ", "uec")


def test_weights_change_the_ranking_but_not_the_floors(buddy_services, matcher):
    from learnsys.buddies.config import FactorWeights

    near = BuddyMatcher(
        buddy_services,
        BuddyConfig(weights=FactorWeights(complementarity=0.1, context=0.1, evidence=0.1, proximity=0.6, capacity=0.1)),
    )
    default = {b["ods"] for b in matcher.rank("RWA", "uec", k=50)["buddies"]}
    local = near.rank("RWA", "uec", k=50)["buddies"]
    assert {b["ods"] for b in local} == default
    assert local[0]["factor_details"]["proximity"]["data"]["same_region"]


def test_one_ranking_under_50_ms(matcher):
    matcher.model("uec")
    times = []
    for _ in range(30):
        started = time.perf_counter()
        matcher.rank("RWA", "uec", k=5)
        times.append(time.perf_counter() - started)
    assert statistics.median(times) < 0.05
