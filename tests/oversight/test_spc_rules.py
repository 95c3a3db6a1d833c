"""XmR limits and every Making Data Count rule on constructed series; gaps; too short; both directions."""

from __future__ import annotations

import pytest

from learnsys.oversight.spc import SeriesTooShort, SpcRules, xmr
from learnsys.periods import month_range

MONTHS = month_range("2023-01", "2024-12")


def zigzag(n: int) -> list[float]:
    return [10.0 if i % 2 == 0 else 12.0 for i in range(n)]


def rules_of(chart, rule: str) -> list:
    return [s for s in chart.signals if s.rule == rule]


def test_limits_are_mean_plus_minus_2_66_mean_moving_range() -> None:
    values = [3.0, 5.0, 4.0, 6.0, 5.0, 7.0, 4.0, 5.0, 6.0, 5.0, 4.0, 6.0]
    chart = xmr(MONTHS[:12], values)
    mean = sum(values) / 12
    mr_bar = sum(abs(b - a) for a, b in zip(values, values[1:], strict=False)) / 11
    assert chart.mean == pytest.approx(mean) and chart.mr_bar == pytest.approx(mr_bar)
    assert chart.ucl == pytest.approx(mean + 2.66 * mr_bar) and chart.lcl == pytest.approx(
        mean - 2.66 * mr_bar
    )


def test_common_cause_series_has_no_signals() -> None:
    chart = xmr(MONTHS[:16], zigzag(16))
    assert chart.signals == [] and chart.variation == "common_cause"


def test_point_outside_limits_both_directions_of_good() -> None:
    values = zigzag(16)
    values[8] = 25.0
    good_high = xmr(MONTHS[:16], values, direction="higher")
    good_low = xmr(MONTHS[:16], values, direction="lower")
    [signal] = rules_of(good_high, "outside_limits")
    assert signal.start == signal.end == MONTHS[8] and signal.side == "high"
    assert signal.direction == "improvement"
    assert rules_of(good_low, "outside_limits")[0].direction == "concern"


def test_low_point_outside_lower_limit_is_concern_when_higher_is_better() -> None:
    values = zigzag(16)
    values[15] = -5.0
    chart = xmr(MONTHS[:16], values, direction="higher")
    [signal] = rules_of(chart, "outside_limits")
    assert signal.side == "low" and signal.direction == "concern"
    assert chart.variation == "special_cause_concern_low"


def test_shift_of_seven_points_above_the_mean() -> None:
    values = zigzag(9) + [12.5, 13.0, 12.5, 13.0, 12.5, 13.0, 12.5]
    chart = xmr(MONTHS[:16], values, direction="higher")
    [shift] = rules_of(chart, "shift")
    assert (shift.start, shift.end, len(shift.periods)) == (MONTHS[9], MONTHS[15], 7)
    assert shift.direction == "improvement" and not rules_of(chart, "trend")
    assert chart.variation == "special_cause_improvement_high"
    lower_is_good = xmr(MONTHS[:16], values, direction="lower")
    assert rules_of(lower_is_good, "shift")[0].direction == "concern"
    assert lower_is_good.variation == "special_cause_concern_high"


def test_shift_threshold_is_configurable() -> None:
    values = zigzag(9) + [12.5, 13.0, 12.5, 13.0, 12.5, 13.0, 12.5]
    assert not rules_of(xmr(MONTHS[:16], values, rules=SpcRules(shift=8)), "shift")
    six = zigzag(9) + [9.5, 12.5, 13.0, 12.5, 13.0, 12.5, 13.0]
    assert not rules_of(xmr(MONTHS[:16], six), "shift")
    assert rules_of(xmr(MONTHS[:16], six, rules=SpcRules(shift=6)), "shift")


def test_trend_of_seven_increasing_points() -> None:
    values = zigzag(9) + [10.2, 10.4, 10.6, 10.8, 11.0, 11.2, 11.4]
    chart = xmr(MONTHS[:16], values, direction="higher")
    [trend] = rules_of(chart, "trend")
    assert trend.side == "high" and trend.direction == "improvement"
    assert (trend.start, trend.end) == (MONTHS[8], MONTHS[15])
    assert not rules_of(chart, "shift") and not rules_of(chart, "outside_limits")
    falling = xmr(MONTHS[:16], [20 - v for v in values], direction="lower")
    assert rules_of(falling, "trend")[0].side == "low"
    assert rules_of(falling, "trend")[0].direction == "improvement"


def test_trend_of_six_is_not_a_signal_by_default_and_equal_values_break_it() -> None:
    values = zigzag(10) + [10.2, 10.4, 10.6, 10.8, 11.0, 11.2]
    assert not rules_of(xmr(MONTHS[:16], values), "trend")
    assert rules_of(xmr(MONTHS[:16], values, rules=SpcRules(trend=6)), "trend")
    flat = zigzag(9) + [10.2, 10.4, 10.6, 10.6, 10.8, 11.0, 11.2]
    assert not rules_of(xmr(MONTHS[:16], flat), "trend")


def test_two_of_three_beyond_two_sigma_same_side() -> None:
    values = zigzag(24)
    values[9], values[10], values[11] = 16.0, 12.0, 16.0
    chart = xmr(MONTHS[:24], values, direction="higher")
    assert chart.close_upper < 16.0 < chart.ucl and not rules_of(chart, "outside_limits")
    [signal] = rules_of(chart, "two_of_three")
    assert signal.periods == (MONTHS[9], MONTHS[11]) and signal.direction == "improvement"
    assert rules_of(xmr(MONTHS[:24], values, direction="lower"), "two_of_three")[0].direction == "concern"
    assert not rules_of(xmr(MONTHS[:24], values, rules=SpcRules(two_of_three=False)), "two_of_three")


def test_two_of_three_needs_all_three_on_the_same_side() -> None:
    values = zigzag(24)
    values[9], values[10], values[11] = 16.0, 10.0, 16.0  # middle point below the mean
    assert not rules_of(xmr(MONTHS[:24], values), "two_of_three")


def test_gap_breaks_moving_range_and_runs() -> None:
    periods = MONTHS[:8] + MONTHS[10:18]  # two months missing
    values = zigzag(4) + [12.5, 13.0, 12.5, 13.0] + [12.5, 13.0, 12.5] + zigzag(5)
    chart = xmr(periods, values)
    assert chart.gaps == [MONTHS[8], MONTHS[9]]
    assert chart.points[8].moving_range is None
    ranges = [p.moving_range for p in chart.points if p.moving_range is not None]
    assert len(ranges) == 14 and chart.mr_bar == pytest.approx(sum(ranges) / 14)
    assert not rules_of(chart, "shift")  # 4 + 3 points above the mean, split by the gap
    contiguous = xmr(MONTHS[:16], values)
    assert rules_of(contiguous, "shift")


def test_series_too_short() -> None:
    with pytest.raises(SeriesTooShort) as err:
        xmr(MONTHS[:11], zigzag(11))
    assert err.value.n == 11 and err.value.minimum == 12
    assert xmr(MONTHS[:6], zigzag(6), rules=SpcRules(min_points=6)).mean == pytest.approx(11.0)


def test_assurance_against_a_target() -> None:
    values = [70.0, 71.0, 70.5, 71.5, 70.0, 71.0, 70.5, 71.5, 70.0, 71.0, 70.5, 71.5]
    assert xmr(MONTHS[:12], values, target=78.0).assurance == "consistently_fail"
    assert xmr(MONTHS[:12], values, target=60.0).assurance == "consistently_pass"
    assert xmr(MONTHS[:12], values, target=71.0).assurance == "hit_and_miss"
    assert xmr(MONTHS[:12], values, target=78.0, direction="lower").assurance == "consistently_pass"
    assert xmr(MONTHS[:12], values).assurance is None
