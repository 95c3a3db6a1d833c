"""The metric catalogue: stable metric ids, definitions, targets, and fast access to each series."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from learnsys.kg.records import Metric, Observation, ReferenceData

PLANNING_2025_26 = (
    "NHS England, 2025/26 priorities and operational planning guidance (January 2025): "
    "78% of A&E patients admitted, transferred or discharged within 4 hours by March 2026"
)
MTPF_2026_27 = (
    "NHS England, Medium Term Planning Framework 2026/27 to 2028/29: every trust to maintain or "
    "improve to 82% 4-hour A&E performance by March 2027"
)


@dataclass(frozen=True)
class Target:
    value: float
    start: str | None  # first month it applies to ("2026-04"); None = from the start
    end: str | None  # last month it applies to
    source: str


# Targets by metric. The 4-hour standard is for all types, as NHS England publishes it.
TARGETS: dict[str, tuple[Target, ...]] = {
    "ae_4h_all": (
        Target(78.0, None, "2026-03", PLANNING_2025_26),
        Target(82.0, "2026-04", None, MTPF_2026_27),
    ),
}


def target_for(metric: str, period: str) -> Target | None:
    """The target that applies to a month (``YYYY-MM``), if any."""
    for target in TARGETS.get(metric, ()):
        if (target.start is None or period >= target.start) and (target.end is None or period <= target.end):
            return target
    return None


@dataclass
class ObservationIndex:
    """Observations keyed for the oversight services (built once per ``ReferenceData``)."""

    by_metric: dict[str, list[Observation]] = field(default_factory=lambda: defaultdict(list))
    series: dict[tuple[str, str], dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    count: int = 0

    @classmethod
    def build(cls, data: ReferenceData) -> ObservationIndex:
        index = cls(count=len(data.observations))
        for obs in data.observations:
            index.by_metric[obs.metric].append(obs)
            index.series[(obs.provider, obs.metric)][obs.period] = obs.value
        return index

    def periods(self, metric: str) -> list[str]:
        return sorted({o.period for o in self.by_metric.get(metric, [])})

    def at(self, metric: str, period: str) -> list[Observation]:
        return [o for o in self.by_metric.get(metric, []) if o.period == period]


_CACHE: dict[int, tuple[ReferenceData, ObservationIndex]] = {}


def index_of(data: ReferenceData) -> ObservationIndex:
    """The (cached) index for ``data``; rebuilt when its observation list changes length."""
    hit = _CACHE.get(id(data))
    if hit is not None and hit[0] is data and hit[1].count == len(data.observations):
        return hit[1]
    index = ObservationIndex.build(data)
    _CACHE[id(data)] = (data, index)
    return index


def metric_summary(data: ReferenceData, metric: Metric) -> dict:
    """A metric as the API shows it: definition, source, periods held, provider count, targets."""
    index = index_of(data)
    observations = index.by_metric.get(metric.id, [])
    periods = index.periods(metric.id)
    source = data.sources.get(metric.source)
    return {
        "id": metric.id,
        "label": metric.label,
        "description": metric.description,
        "unit": metric.unit,
        "direction": metric.direction,
        "granularity": metric.granularity,
        "domain": metric.domain,
        "source": {
            "id": metric.source,
            "title": source.title if source else None,
            "url": source.url if source else None,
        },
        "periods": periods,
        "latest_period": periods[-1] if periods else None,
        "providers": len({o.provider for o in observations}),
        "observations": len(observations),
        "targets": [
            {"value": t.value, "from": t.start, "to": t.end, "source": t.source}
            for t in TARGETS.get(metric.id, ())
        ],
    }


def list_metrics(
    data: ReferenceData, *, granularity: str | None = None, prefix: str | None = None
) -> list[dict]:
    """Every metric the reference data holds (series metrics first, then NOF ids), optionally filtered."""
    metrics = sorted(data.metrics.values(), key=lambda m: (m.id.startswith("OF"), m.id))
    return [
        metric_summary(data, m)
        for m in metrics
        if (granularity is None or m.granularity == granularity)
        and (prefix is None or m.id.startswith(prefix))
    ]
