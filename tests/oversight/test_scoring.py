"""The NOF 2025/26 method: the manual's worked examples, the adjustments, and agreement with Q1 2025/26."""

from __future__ import annotations

import pytest

from learnsys.oversight.scoring import (
    ACUTE_RULES,
    MetricInput,
    MetricRule,
    acute_cohort,
    apply_adjustments,
    indicative_assessments,
    quartile_cutoffs,
    score_metric,
    segment_of,
    validate_acute,
    weighted_average,
    what_if,
)


def inputs(values: dict[str, float]) -> dict[str, MetricInput]:
    return {k: MetricInput(value=v) for k, v in values.items()}


def test_example_1_standard_of_80_percent() -> None:
    rule = MetricRule("X", "standard 80%", "access", "higher", "V", standard=80.0)
    values = {"a": 95.0, "b": 85.0, "c": 80.0, "d": 79.0, "e": 75.0, "f": 70.0, "g": 70.0, "h": 60.0}
    scores = score_metric(rule, inputs(values))
    assert scores["a"] == scores["b"] == scores["c"] == 1.00  # meet or exceed the target
    assert scores["d"] == 2.00  # highest performing not meeting the target
    assert scores["h"] == 4.00  # lowest performing
    assert scores["e"] == 2.50 and scores["f"] == scores["g"] == 3.00  # even spread; ties share the best
    assert all(2.01 <= scores[k] <= 3.99 for k in "efg")


def test_example_2_requirement_to_improve_from_baseline() -> None:
    rule = MetricRule("X", "improve on baseline", "access", "higher", "V", floor=0.0)
    values = {"a": 5.0, "b": 3.0, "c": 2.0, "d": 1.0, "e": 0.5, "f": -1.0, "g": -2.0}
    scores = score_metric(rule, inputs(values))
    assert scores["f"] == scores["g"] == 4.00  # failed to improve on baseline
    assert scores["a"] == 1.00 and scores["e"] == 3.00  # most improvement; lowest improvement
    assert all(1.01 <= scores[k] <= 2.99 for k in "bcd")


def test_example_3_no_standard_or_floor_higher_is_better_with_ties() -> None:
    rule = MetricRule("X", "no standard", "access", "higher", "V")
    values = {"a": 9.0, "b": 7.0, "c": 7.0, "d": 5.0, "e": 1.0}
    scores = score_metric(rule, inputs(values))
    assert scores["a"] == 1.00 and scores["e"] == 4.00
    assert scores["b"] == scores["c"] == 1.75  # the cluster takes its highest performing score
    assert 1.01 <= scores["d"] <= 3.99
    lower = score_metric(MetricRule("Y", "lower is better", "access", "lower", "V"), inputs(values))
    assert lower["e"] == 1.00 and lower["a"] == 4.00


def test_figure_1_overall_score_of_the_example_trust() -> None:
    scores = {
        "52w": 1.00,
        "18w": 2.62,
        "fds": 1.00,
        "62d": 1.00,
        "4h": 1.00,
        "12h": 1.4,
        "plan": 1.00,
        "latest": 3.00,
        "engagement": 1.36,
        "safety": 1.45,
        "cqc": 2.00,
    }
    rules = {k: MetricRule(k, k, "access") for k in scores}
    assert round(sum(scores.values()), 2) == 16.83
    assert weighted_average(scores, rules) == 1.53


def test_infections_weighted_one_third_and_missing_excluded() -> None:
    rules = {
        "a": MetricRule("a", "a", "access"),
        "mrsa": MetricRule("mrsa", "m", "patient-safety", weight=1 / 3),
        "missing": MetricRule("missing", "x", "access"),
    }
    assert weighted_average({"a": 2.0, "mrsa": 4.0, "missing": 0.0}, rules) == 2.5


def test_quartiles_deficit_cap_and_segment_5() -> None:
    scores = [1.2, 1.5, 1.8, 2.0, 2.2, 2.4, 2.6, 3.0]
    cutoffs = quartile_cutoffs(scores)  # QUARTILE.EXC: positions (n+1)p
    assert cutoffs == pytest.approx((1.575, 2.1, 2.55))
    assert [segment_of(s, cutoffs) for s in scores] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert apply_adjustments(1, deficit=True, recovery_support=False) == 3
    assert apply_adjustments(2, deficit=True, recovery_support=False) == 3
    assert apply_adjustments(4, deficit=True, recovery_support=False) == 4
    assert apply_adjustments(2, deficit=False, recovery_support=False) == 2
    assert apply_adjustments(3, deficit=True, recovery_support=True) == 5


def test_recomputed_q1_acute_results_agree_with_official(ref) -> None:
    agreement = validate_acute(ref)
    assert agreement.n == 134
    assert agreement.spearman >= 0.9
    assert agreement.exact_segment_share >= 0.8
    assert sum(sum(row.values()) for row in agreement.confusion.values()) == 134
    for metric in ("OF1003", "OF1010", "OF1011", "OF1013", "OF1014", "OF1023", "OF1084", "OF1106"):
        assert agreement.metric_score_exact_share[metric] == 1.0, metric


def test_combined_finance_reproduces_published_scores(ref) -> None:
    from learnsys.oversight.scoring import score_cohort

    cohort = acute_cohort(ref)
    cards = score_cohort(cohort)
    published = {o: i.score for o, i in cohort.inputs["OF1080"].items()}
    assert all(cards[o].metric_scores["OF1080"] == s for o, s in published.items())


def test_indicative_assessments_are_labelled_and_cover_ambulance_and_nowcast(ref) -> None:
    items = indicative_assessments(ref)
    assert items and all(a.official is False and a.method for a in items)
    ambulance = [a for a in items if ref.providers[a.provider].family == "ambulance"]
    assert len(ambulance) == 10 and all("AmbSYS" in a.method and a.period == "2025/26 Q1" for a in ambulance)
    nowcast = [a for a in items if ref.providers[a.provider].family == "acute"]
    assert len(nowcast) == 134 and all(a.period == "2025/26 Q2" and "2025-07" in a.method for a in nowcast)
    assert {a.segment for a in nowcast} <= {1, 2, 3, 4, 5}


def test_what_if_four_hour_reaches_the_standard(ref) -> None:
    cohort = acute_cohort(ref)
    below = next(o for o, i in cohort.inputs["OF1013"].items() if i.value is not None and i.value < 70)
    result = what_if(ref, below, {"ae_4h_all": 78.0})
    assert result["changes"] == {"OF0013": 78.0}
    assert result["scenario"]["metric_scores"]["OF1013"] == 1.0
    assert result["baseline"]["metric_scores"]["OF1013"] > 2.0
    assert result["scenario"]["average_score"] < result["baseline"]["average_score"]


def test_rules_cover_every_published_acute_score(ref) -> None:
    published = {
        o.metric
        for o in ref.observations
        if o.metric.startswith("OF1")
        and o.period == "2025/26 Q1"
        and ref.providers[o.provider].family == "acute"
    }
    assert published <= set(ACUTE_RULES)
