"""Fusing lexical and dense document scores: a convex combination of normalised scores, or RRF.

Convex: BM25 scores are divided by the best one; cosine scores are used as they are (a document outside
the dense candidates gets the lowest candidate's cosine). Weights: docs/search.md.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np

# Grid-searched on the blind dev split (scripts/tune_search.py, docs/search.md); 0.7 was best on SciFact train.
DENSE_WEIGHT = 0.6
RRF_K = 60


class FusionMethod(StrEnum):
    CONVEX = "convex"
    RRF = "rrf"


def ranks(scores: dict[int, float]) -> dict[int, int]:
    """1-based rank of each key, highest score first (ties by key for determinism)."""
    order = sorted(scores, key=lambda k: (-scores[k], k))
    return {k: r for r, k in enumerate(order, start=1)}


def scale_by_max(scores: dict[int, float]) -> dict[int, float]:
    """Divide by the best score (BM25 has a natural zero, so the weakest match is not forced to 0)."""
    top = max(scores.values(), default=0.0)
    return {k: v / top for k, v in scores.items()} if top > 0 else dict.fromkeys(scores, 0.0)


def normalise(scores: dict[int, float]) -> dict[int, float]:
    """Min-max to [0, 1] over the candidate list (a single candidate scores 1)."""
    if not scores:
        return {}
    values = np.fromiter(scores.values(), dtype=np.float64)
    low, high = float(values.min()), float(values.max())
    if high - low < 1e-12:
        return dict.fromkeys(scores, 1.0)
    return {k: (v - low) / (high - low) for k, v in scores.items()}


def fuse(
    lexical: dict[int, float],
    dense: dict[int, float],
    *,
    method: FusionMethod = FusionMethod.CONVEX,
    dense_weight: float = DENSE_WEIGHT,
    rrf_k: int = RRF_K,
) -> dict[int, float]:
    """Fused score per document key.

    Convex: ``(1 - w) * bm25 / best bm25 + w * cosine``. A document missing from the BM25 list gets 0 from
    it; one missing from the dense candidates gets the lowest candidate cosine (it is at most that close).
    """
    keys = set(lexical) | set(dense)
    if method is FusionMethod.RRF:
        lr, dr = ranks(lexical), ranks(dense)
        return {
            k: (1 - dense_weight) * (1.0 / (rrf_k + lr[k]) if k in lr else 0.0)
            + dense_weight * (1.0 / (rrf_k + dr[k]) if k in dr else 0.0)
            for k in keys
        }
    ln = scale_by_max(lexical)
    floor = min(dense.values(), default=0.0)
    return {k: (1 - dense_weight) * ln.get(k, 0.0) + dense_weight * dense.get(k, floor) for k in keys}
