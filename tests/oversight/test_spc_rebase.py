"""Rebasing (limits recalculated from declared change points) in the one SPC implementation."""

from __future__ import annotations

import pytest

from learnsys.oversight.charts import ChartMarker, render_svg
from learnsys.oversight.spc import InvalidChangePoint, SeriesTooShort, month_range, xmr, xmr_rebased

MONTHS = month_range("2024-01", "2025-12")
BEFORE = [10.0, 12.0, 11.0, 13.0, 10.0, 12.0, 11.0, 13.0, 10.0, 12.0, 11.0, 13.0]
AFTER = [20.0, 21.0, 19.0, 22.0, 20.0, 21.0, 19.0, 22.0, 20.0, 21.0, 19.0, 22.0]


def _independent(values: list[float]) -> tuple[float, float, float]:
    mean = sum(values) / len(values)
    mr = sum(abs(b - a) for a, b in zip(values, values[1:], strict=False)) / (len(values) - 1)
    return mean, mean + 2.66 * mr, mean - 2.66 * mr


def test_without_change_points_it_is_xmr() -> None:
    values = BEFORE + AFTER
    a, b = xmr(MONTHS, values), xmr_rebased(MONTHS, values, [])
    assert (a.mean, a.ucl, a.lcl, a.variation) == (b.mean, b.ucl, b.lcl, b.variation) and b.phases == []


def test_each_phase_has_its_own_limits_and_no_moving_range_spans_the_change() -> None:
    values = BEFORE + AFTER
    chart = xmr_rebased(MONTHS, values, ["2025-01"], direction="higher")
    phases = [(p.start, p.end, p.points) for p in chart.phases]
    assert phases == [("2024-01", "2024-12", 12), ("2025-01", "2025-12", 12)]
    for phase, part in zip(chart.phases, (BEFORE, AFTER), strict=True):
        mean, ucl, lcl = _independent(part)
        assert (phase.mean, phase.ucl, phase.lcl) == pytest.approx((mean, ucl, lcl))
    assert chart.points[12].moving_range is None and chart.points[13].moving_range == 1.0
    assert chart.mean == pytest.approx(_independent(AFTER)[0])  # current process = last phase
    # unrebased, the step is a long shift above the mean; rebased, each phase is common cause
    assert xmr(MONTHS, values).variation.startswith("special_cause_improvement")
    assert chart.signals == [] and chart.variation == "common_cause"


def test_assurance_uses_the_last_phase_and_short_phases_warn() -> None:
    chart = xmr_rebased(MONTHS[:18], BEFORE + AFTER[:6], ["2025-01"], direction="higher", target=15.0)
    assert chart.assurance == "consistently_pass"  # target below the new phase's lower limit
    assert chart.warnings and "2025-01..2025-06 has 6 points" in chart.warnings[0]


def test_bad_change_points_are_refused() -> None:
    with pytest.raises(InvalidChangePoint):
        xmr_rebased(MONTHS, BEFORE + AFTER, ["2023-05"])
    with pytest.raises(InvalidChangePoint):
        xmr_rebased(MONTHS, BEFORE + AFTER, ["2025-12"])  # a one-point phase
    with pytest.raises(SeriesTooShort):
        xmr_rebased(MONTHS[:6], BEFORE[:6], ["2024-04"])


def test_svg_draws_each_phase_and_markers() -> None:
    chart = xmr_rebased(MONTHS, BEFORE + AFTER, ["2025-01"])
    svg = render_svg(chart, "rebased", markers=[ChartMarker("2024-06", "PDSA 1"), ChartMarker("2030-01", "off")])
    assert svg.count(">UCL ") == 2 and "PDSA 1" in svg and "off" not in svg
