"""SPC limits from the published monthly A&E files, computed independently here with csv, to 4 d.p."""

from __future__ import annotations

import csv
from collections import defaultdict

import pytest

from learnsys.config import REPO_ROOT
from learnsys.oversight.spc import SeriesTooShort, all_signals, improving_providers, provider_chart, xmr

TOLERANCE = 1e-4

MONTHS = {
    m: i
    for i, m in enumerate(
        [
            "JANUARY",
            "FEBRUARY",
            "MARCH",
            "APRIL",
            "MAY",
            "JUNE",
            "JULY",
            "AUGUST",
            "SEPTEMBER",
            "OCTOBER",
            "NOVEMBER",
            "DECEMBER",
        ],
        start=1,
    )
}
TYPES = [
    "Type 1",
    "Type 2",
    "Other A&E Department",
    "Booked Appointments Type 1",
    "Booked Appointments Type 2",
    "Booked Appointments Other Department",
]


def independent_four_hour() -> dict[str, dict[str, float]]:
    """Trust -> month -> % within 4 hours (all types, booked included), straight from the CSV files."""
    out: dict[str, dict[str, float]] = defaultdict(dict)
    for path in sorted((REPO_ROOT / "data" / "reference" / "ae").glob("Monthly-AE-*.csv")):
        with path.open(newline="", encoding="utf-8-sig") as handle:
            for row in csv.DictReader(handle):
                if row["Period"].strip().upper() == "TOTAL":
                    continue
                _, month, year = row["Period"].strip().upper().split("-")
                attendances = sum(float(row[f"A&E attendances {t}"] or 0) for t in TYPES)
                over = sum(
                    float(row[f"Attendances over 4hrs {t.replace('A&E Department', 'Department')}"] or 0)
                    for t in TYPES
                )
                if attendances > 0:
                    out[row["Org Code"].strip()][f"{year}-{MONTHS[month]:02d}"] = 100 * (
                        1 - over / attendances
                    )
    return out


def consecutive(a: str, b: str) -> bool:
    ya, ma, yb, mb = int(a[:4]), int(a[5:]), int(b[:4]), int(b[5:])
    return yb * 12 + mb - (ya * 12 + ma) == 1


@pytest.mark.parametrize("window", [(None, None), ("2024-06", "2025-07")])
def test_limits_equal_independent_computation_to_4dp(ref, window) -> None:
    start, end = window
    checked = 0
    for ods, months in independent_four_hour().items():
        if ods not in ref.providers:
            continue
        periods = sorted(p for p in months if (start is None or p >= start) and (end is None or p <= end))
        if len(periods) < 12:
            with pytest.raises(SeriesTooShort):
                provider_chart(ref, ods, "ae_4h_all", start=start, end=end)
            continue
        values = [months[p] for p in periods]
        mean = sum(values) / len(values)
        ranges = [
            abs(values[i] - values[i - 1])
            for i in range(1, len(values))
            if consecutive(periods[i - 1], periods[i])
        ]
        mr_bar = sum(ranges) / len(ranges)
        chart = provider_chart(ref, ods, "ae_4h_all", start=start, end=end)
        assert [p.period for p in chart.points] == periods
        # The A&E loader stores each monthly % rounded to 4 d.p.; that rounding alone moves the limits by
        # < 1e-4 (worst case seen 9.3e-5). With unrounded monthly values they agree to float precision.
        for ours, theirs in (
            (chart.mean, mean),
            (chart.mr_bar, mr_bar),
            (chart.ucl, mean + 2.66 * mr_bar),
            (chart.lcl, mean - 2.66 * mr_bar),
        ):
            assert abs(ours - theirs) < TOLERANCE, ods
        exact = xmr(periods, values)
        assert round(exact.ucl, 4) == round(mean + 2.66 * mr_bar, 4) and round(exact.lcl, 4) == round(
            mean - 2.66 * mr_bar, 4
        )
        checked += 1
    assert checked > 100


def test_full_series_reports_the_gap_before_may_2026(ref) -> None:
    chart = provider_chart(ref, "RGT", "ae_4h_all")
    assert chart.points[-1].period == "2026-05" and "2025-08" in chart.gaps and len(chart.gaps) == 9
    assert chart.target == 82.0 and "Medium Term Planning Framework" in (chart.target_source or "")
    window = provider_chart(ref, "RGT", "ae_4h_all", start="2024-06", end="2025-07")
    assert window.gaps == [] and window.target == 78.0


def test_signals_are_dated_records_classed_by_direction(ref) -> None:
    signals = all_signals(ref, ["ae_4h_all", "ae_12h_dta_per_1000"], start="2024-06", end="2025-07")
    assert signals and all(s.direction in ("improvement", "concern") for s in signals)
    assert all(s.start <= s.end and s.periods[0] == s.start for s in signals)
    for s in signals:
        if s.rule in ("shift", "outside_limits", "two_of_three"):
            good_side = "high" if s.metric == "ae_4h_all" else "low"
            assert (s.direction == "improvement") == (s.side == good_side)


def test_improving_trusts_for_four_hour_performance(ref) -> None:
    rows = improving_providers(ref, "ae_4h_all", start="2024-06", end="2025-07")
    assert rows and all(r["improvement_signals"] for r in rows)
    portsmouth = next(r for r in rows if r["provider"] == "RHU")
    assert any(s["rule"] == "trend" for s in portsmouth["improvement_signals"])


def test_every_signal_has_a_unique_graph_key(ref) -> None:
    signals = all_signals(ref)
    keys = [(s.provider, s.metric, s.rule, s.start) for s in signals]
    assert len(keys) == len(set(keys))
