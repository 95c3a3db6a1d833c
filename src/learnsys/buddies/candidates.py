"""Who can be compared with whom on a topic: each provider's oversight standing, its recent values on the
topic's measures, percentiles within its trust-type family, and the eligibility floors for a mentor."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from learnsys.buddies.config import BuddyConfig
from learnsys.buddies.topics import Topic
from learnsys.kg.profiles import assessments_of, current_assessment
from learnsys.kg.records import ReferenceData
from learnsys.periods import month_range, months_back
from learnsys.ranking import percentiles


@dataclass(frozen=True)
class Standing:
    """A provider's oversight position: segment (official first) and the domain scores behind the floor."""

    segment: int | None
    period: str | None
    status: str | None  # "official" | "indicative" | None (no assessment)
    source: str | None
    financial_deficit: bool | None
    domain_scores: dict[str, float] = field(default_factory=dict)
    domain_segments: dict[str, int] = field(default_factory=dict)
    domain_period: str | None = None
    domain_status: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {"segment": self.segment, "period": self.period, "status": self.status, "source": self.source}


def standing_of(data: ReferenceData, ods: str) -> Standing:
    """Current segment (latest official, else indicative) and the latest domain scores (official first)."""
    current = current_assessment(data, ods)
    items = assessments_of(data, ods)
    with_domains = [a for a in items if a.official and a.domain_scores] or [a for a in items if a.domain_scores]
    dom = with_domains[0] if with_domains else None
    if current is None:
        return Standing(None, None, None, None, None)
    deficit = current.financial_deficit
    if deficit is None:  # take the flag from the newest assessment that has one
        deficit = next((a.financial_deficit for a in items if a.financial_deficit is not None), None)
    return Standing(
        current.segment,
        current.period,
        "official" if current.official else "indicative",
        current.source,
        deficit,
        dict(dom.domain_scores) if dom else {},
        dict(dom.domain_segments) if dom else {},
        dom.period if dom else None,
        ("official" if dom.official else "indicative") if dom else None,
    )


@dataclass
class SeriesIndex:
    """Observation values keyed metric -> provider -> period, built once per ``ReferenceData``."""

    values: dict[str, dict[str, dict[str, float]]]
    latest: dict[str, str]  # metric -> latest period anywhere

    @classmethod
    def build(cls, data: ReferenceData) -> SeriesIndex:
        values: dict[str, dict[str, dict[str, float]]] = {}
        for obs in data.observations:
            values.setdefault(obs.metric, {}).setdefault(obs.provider, {})[obs.period] = obs.value
        latest = {m: max(p for s in per.values() for p in s) for m, per in values.items()}
        return cls(values, latest)

    def recent(self, metric: str, ods: str, granularity: str, months: int) -> tuple[float, str] | None:
        """(value, period label): the mean over the ``months`` calendar months ending at the metric's latest
        month for monthly series; the provider's latest value for quarterly and yearly measures."""
        series = self.values.get(metric, {}).get(ods)
        if not series:
            return None
        if granularity != "month":
            period = max(series)
            return series[period], period
        last = self.latest[metric]
        window = [p for p in month_range(months_back(last, months), last) if p in series]
        if not window:
            return None
        label = window[0] if len(window) == 1 else f"{window[0]}..{window[-1]}"
        return float(np.mean([series[p] for p in window])), label


def not_worse(a: float, b: float, direction: str) -> bool:
    """Is value ``a`` at least as good as ``b``?"""
    return a >= b if direction == "higher" else a <= b


@dataclass
class FamilyTable:
    """One topic within one trust-type family: the providers, their measures, standings and floors."""

    topic: Topic
    family: str
    ods: list[str]
    metrics: list[str]
    directions: list[str]
    values: np.ndarray  # [n, m] recent values (NaN = none)
    periods: list[list[str | None]]  # [n][m]
    pct: np.ndarray  # [n, m] percentile within the family, 1 = best
    headline: int | None  # column of the headline metric
    domain: np.ndarray  # [n] topic NOF domain score (lower = better), NaN = none
    segment: np.ndarray  # [n] current segment, 0 = none
    standings: list[Standing]
    eligible: np.ndarray  # [n, n] mentee row i may be mentored by column j
    kind: np.ndarray  # [n] "specialist" or "general"
    index: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.index = {code: i for i, code in enumerate(self.ods)}

    def composite(self) -> np.ndarray:
        """Topic position 0..1 (1 = best): headline percentile counted twice, other measures once."""
        weights = np.ones(len(self.metrics))
        if self.headline is not None:
            weights[self.headline] = 2.0
        ok = ~np.isnan(self.pct)
        total = np.where(ok, self.pct, 0.0) @ weights
        denom = ok.astype(float) @ weights
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(denom > 0, total / np.where(denom > 0, denom, 1), np.nan)


def build_family_table(
    data: ReferenceData,
    series: SeriesIndex,
    topic: Topic,
    family: str,
    standings: dict[str, Standing],
    config: BuddyConfig,
) -> FamilyTable:
    """Measures, percentiles and the mentor floors for every provider of one family."""
    ods = sorted(code for code, p in data.providers.items() if p.family == family)
    metrics = [m for m in topic.metrics_for(family) if m in data.metrics]
    directions = [data.metrics[m].direction for m in metrics]
    n, m = len(ods), len(metrics)
    values = np.full((n, m), np.nan)
    periods: list[list[str | None]] = [[None] * m for _ in range(n)]
    for j, metric in enumerate(metrics):
        gran = data.metrics[metric].granularity
        for i, code in enumerate(ods):
            hit = series.recent(metric, code, gran, config.recent_months)
            if hit is not None:
                values[i, j], periods[i][j] = hit
    pct = np.column_stack([percentiles(values[:, j], directions[j]) for j in range(m)]) if m else values
    headline_id = topic.headline_for(family)
    headline = metrics.index(headline_id) if headline_id in metrics else None
    stand = [standings[code] for code in ods]
    domain = np.array([s.domain_scores.get(topic.domain, np.nan) if topic.domain else np.nan for s in stand])
    segment = np.array([s.segment or 0 for s in stand])
    kind = np.array(["specialist" if data.providers[c].trust_type == "specialist-acute" else "general" for c in ods])
    eligible = mentor_floors(values, headline, directions, domain, segment, config)
    # something to compare on: a value on one of the topic's measures (the domain score alone is too broad:
    # a mental health trust's access domain says nothing about A&E); only a topic that defines no measures
    # (e.g. maternity) is compared on its domain score alone
    measured = (~np.isnan(values)).any(axis=1)
    eligible &= (measured if metrics else ~np.isnan(domain))[:, None]
    if config.like_for_like:
        eligible &= kind[:, None] == kind[None, :]
    return FamilyTable(
        topic,
        family,
        ods,
        metrics,
        directions,
        values,
        periods,
        pct,
        headline,
        domain,
        segment,
        stand,
        eligible,
        kind,
    )


def mentor_floors(
    values: np.ndarray,
    headline: int | None,
    directions: list[str],
    domain: np.ndarray,
    segment: np.ndarray,
    config: BuddyConfig,
) -> np.ndarray:
    """[mentee, mentor] mask: a strong trust, never weaker on the headline metric nor the domain score, and
    strictly ahead on at least one of them when the mentee has either."""
    n = len(segment)
    strong = np.isin(segment, list(config.mentor_segments))
    ok = np.broadcast_to(strong[None, :], (n, n)).copy()
    np.fill_diagonal(ok, False)
    ahead = np.zeros((n, n), dtype=bool)
    comparable = np.zeros(n, dtype=bool)
    if headline is not None:
        h = values[:, headline]
        sign = 1.0 if directions[headline] == "higher" else -1.0
        has = ~np.isnan(h)
        diff = sign * (h[None, :] - h[:, None])  # mentor minus mentee, positive = mentor better
        ok &= ~has[:, None] | (has[None, :] & (np.nan_to_num(diff, nan=-1.0) >= 0))
        ahead |= np.nan_to_num(diff, nan=-1.0) > 0
        comparable |= has
    has_d = ~np.isnan(domain)
    ddiff = domain[:, None] - domain[None, :]  # mentee minus mentor, positive = mentor better (lower)
    ok &= ~has_d[:, None] | (has_d[None, :] & (np.nan_to_num(ddiff, nan=-1.0) >= 0))
    ahead |= np.nan_to_num(ddiff, nan=-1.0) > 0
    comparable |= has_d
    ok &= ~comparable[:, None] | ahead
    return ok
