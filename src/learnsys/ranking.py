"""Ranks and percentiles by direction of good, the one routine every comparison uses (scipy's ``rankdata``
and ``spearmanr``). ``direction`` is "higher" or "lower" (which way is good)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.stats import rankdata, spearmanr


def _goodness(values: np.ndarray, direction: str) -> np.ndarray:
    return values if direction != "lower" else -values


def percentiles(values: Sequence[float] | np.ndarray, direction: str) -> np.ndarray:
    """Percentile of each value among the others (1 = best, 0 = worst, ties averaged, NaN kept as NaN;
    a lone value gets 0.5)."""
    v = np.asarray(values, dtype=float)
    out = np.full(v.shape, np.nan)
    ok = ~np.isnan(v)
    n = int(ok.sum())
    if n == 1:
        out[ok] = 0.5
    elif n > 1:
        out[ok] = (rankdata(_goodness(v[ok], direction), method="average") - 1) / (n - 1)
    return out


def percentile_of(value: float, population: Sequence[float], direction: str) -> float:
    """``percentiles`` of one value that is itself a member of ``population``."""
    values = np.asarray(population, dtype=float)
    return float(percentiles(values, direction)[int(np.flatnonzero(values == value)[0])])


def competition_ranks(values: Mapping[str, float], direction: str) -> dict[str, int]:
    """1 = best; tied values share the best rank of their cluster (1, 2, 2, 4)."""
    keys = list(values)
    ranks = rankdata(-_goodness(np.array([values[k] for k in keys], dtype=float), direction), method="min")
    return {k: int(r) for k, r in zip(keys, ranks, strict=True)}


def rank_among(value: float, values: Sequence[float], direction: str) -> int:
    """Competition rank of ``value`` among ``values`` (1 + how many are strictly better)."""
    v = _goodness(np.asarray(values, dtype=float), direction)
    return 1 + int((v > _goodness(np.float64(value), direction)).sum())


def spearman(xs: Sequence[float], ys: Sequence[float]) -> float:
    """Spearman's rank correlation (ties averaged)."""
    return float(spearmanr(xs, ys).statistic)
