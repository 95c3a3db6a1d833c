"""The one periods module and the one rank/percentile routine."""

from __future__ import annotations

import math

import numpy as np
import pytest

from learnsys.periods import (
    add_months,
    is_month,
    is_quarter,
    month_range,
    months_back,
    next_quarter,
    quarter_months,
    quarter_of,
)
from learnsys.ranking import competition_ranks, percentile_of, percentiles, rank_among, spearman


def test_month_arithmetic_crosses_years() -> None:
    assert add_months("2025-01", -1) == "2024-12"
    assert add_months("2024-11", 14) == "2026-01"
    assert month_range("2024-11", "2025-02") == ["2024-11", "2024-12", "2025-01", "2025-02"]
    assert month_range("2025-02", "2025-01") == []
    assert months_back("2025-03", 6) == "2024-10"
    assert is_month("2025-12") and not is_month("2025-13") and not is_month("2025/26 Q1")


def test_financial_quarters() -> None:
    assert quarter_months("2025/26 Q1") == ("2025-04", "2025-05", "2025-06")
    assert quarter_months("2025/26 Q4") == ("2026-01", "2026-02", "2026-03")
    assert [quarter_of(m) for m in ("2025-04", "2025-09", "2025-12", "2026-03")] == [
        "2025/26 Q1", "2025/26 Q2", "2025/26 Q3", "2025/26 Q4"]
    assert next_quarter("2025/26 Q4") == "2026/27 Q1" and next_quarter("2099/00 Q2") == "2099/00 Q3"
    assert next_quarter("2099/00 Q4") == "2100/01 Q1"
    assert is_quarter("2025/26 Q3") and not is_quarter("Q3 2025/26")
    with pytest.raises(ValueError, match="not a quarter"):
        quarter_months("2025 Q1")


def test_percentiles_by_direction_with_ties_and_missing() -> None:
    values = np.array([10.0, 20.0, 20.0, np.nan, 40.0])
    higher = percentiles(values, "higher")
    assert list(higher[[0, 1, 2, 4]]) == [0.0, 0.5, 0.5, 1.0] and math.isnan(higher[3])
    lower = percentiles(values, "lower")
    assert list(lower[[0, 1, 2, 4]]) == [1.0, 0.5, 0.5, 0.0]
    assert list(percentiles([7.0], "higher")) == [0.5]
    assert percentile_of(20.0, [10.0, 20.0, 20.0, 40.0], "higher") == 0.5


def test_competition_ranks_and_rank_among() -> None:
    assert competition_ranks({"a": 9, "b": 7, "c": 7, "d": 1}, "higher") == {"a": 1, "b": 2, "c": 2, "d": 4}
    assert competition_ranks({"a": 9, "b": 7, "c": 7, "d": 1}, "lower") == {"a": 4, "b": 2, "c": 2, "d": 1}
    assert rank_among(7, [9, 7, 7, 1], "higher") == 2 and rank_among(7, [9, 7, 7, 1], "lower") == 2


def test_spearman_matches_the_textbook_formula() -> None:
    xs, ys = [1, 2, 3, 4, 5], [5, 6, 7, 8, 7]
    # no ties in xs; ys ranks 1, 2, 3.5, 5, 3.5 -> Pearson correlation of the ranks
    rx, ry = np.array([1, 2, 3, 4, 5.0]), np.array([1, 2, 3.5, 5, 3.5])
    assert spearman(xs, ys) == pytest.approx(float(np.corrcoef(rx, ry)[0, 1]))
    assert spearman([1, 2, 3], [3, 2, 1]) == pytest.approx(-1.0)
