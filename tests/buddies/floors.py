"""Independent re-derivation of the mentor floors from the raw records (not from the matcher's tables)."""

from __future__ import annotations

from learnsys.kg.records import ReferenceData

RECENT_MONTHS = 3


def _months_back(last: str, n: int) -> str:
    year, month = int(last[:4]), int(last[5:7]) - (n - 1)
    while month < 1:
        year, month = year - 1, month + 12
    return f"{year}-{month:02d}"


def recent_value(data: ReferenceData, ods: str, metric: str) -> float | None:
    """Mean over the 3 calendar months ending at the metric's latest month anywhere."""
    rows = [o for o in data.observations if o.metric == metric]
    if not rows:
        return None
    last = max(o.period for o in rows)
    first = _months_back(last, RECENT_MONTHS)
    mine = [o.value for o in rows if o.provider == ods and first <= o.period <= last]
    return sum(mine) / len(mine) if mine else None


def domain_score(data: ReferenceData, ods: str, domain: str) -> float | None:
    """The latest official assessment's domain score (indicative only when no official one has domains)."""
    items = sorted(
        (a for a in data.assessments if a.provider == ods and a.domain_scores),
        key=lambda a: (a.official, a.period),
        reverse=True,
    )
    return items[0].domain_scores.get(domain) if items else None
