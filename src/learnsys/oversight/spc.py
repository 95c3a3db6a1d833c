"""XmR statistical process control charts in the NHS England *Making Data Count* style.

Limits: mean +/- 2.66 x mean moving range. Special-cause rules (defaults: NHS England's Making Data Count,
as the NHS-R ``NHSRplotthedots`` package implements it):

* ``outside_limits``: a point above the upper or below the lower process limit;
* ``shift``: 7 or more consecutive points on one side of the mean (a point on the mean breaks the run);
* ``trend``: 7 or more consecutive points each higher (or each lower) than the one before (equal breaks it);
* ``two_of_three``: 2 of 3 consecutive points beyond 2 sigma (2/3 of the way to a limit, limit included),
  all three on the same side of the mean.

Months missing inside the window are *gaps*: no moving range spans a gap and no run rule crosses one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from learnsys.kg.records import ReferenceData
from learnsys.oversight.metrics import index_of, target_for
from learnsys.periods import month_range

RULE_LABELS = {
    "outside_limits": "a point beyond a process limit",
    "shift": "a run of points on one side of the mean",
    "trend": "a run of consecutively increasing or decreasing points",
    "two_of_three": "two of three points beyond two sigma on the same side of the mean",
}


@dataclass(frozen=True)
class SpcRules:
    """Thresholds (all configurable); defaults follow Making Data Count."""

    shift: int = 7
    trend: int = 7
    two_of_three: bool = True
    close_sigma: float = 2.0  # "close to a limit": beyond this many sigma (sigma = 2.66 x MR-bar / 3)
    min_points: int = 12
    limit_factor: float = 2.66


class SeriesTooShort(ValueError):
    def __init__(self, n: int, minimum: int):
        super().__init__(f"series too short: {n} points, at least {minimum} needed for an XmR chart")
        self.n, self.minimum = n, minimum


@dataclass(frozen=True)
class SpcSignal:
    """A special-cause signal: a dated record the graph builder can turn into triples."""

    provider: str
    metric: str
    rule: str  # outside_limits | shift | trend | two_of_three
    direction: str  # improvement | concern | neutral
    side: str  # high | low (for trend: increasing = high)
    start: str  # first period (YYYY-MM)
    end: str  # last period
    periods: tuple[str, ...]


@dataclass
class SpcPoint:
    period: str
    value: float
    moving_range: float | None
    special_cause: bool = False
    rules: list[str] = field(default_factory=list)


@dataclass
class SpcChart:
    provider: str
    metric: str
    unit: str
    direction: str
    points: list[SpcPoint]
    mean: float
    mr_bar: float
    ucl: float
    lcl: float
    close_upper: float
    close_lower: float
    signals: list[SpcSignal]
    gaps: list[str]
    variation: str  # common_cause | special_cause_improvement_high | ... | special_cause_neutral_low
    assurance: str | None  # consistently_pass | consistently_fail | hit_and_miss | None (no target)
    target: float | None
    target_source: str | None
    rules: SpcRules

    def to_dict(self) -> dict:
        out = asdict(self)
        out["signals"] = [
            {**asdict(s), "periods": list(s.periods), "label": RULE_LABELS[s.rule]} for s in self.signals
        ]
        return out


def _classify(direction: str, side: str) -> str:
    if direction not in ("higher", "lower"):
        return "neutral"
    return "improvement" if (side == "high") == (direction == "higher") else "concern"


def _segments(periods: list[str]) -> list[list[int]]:
    """Indices of runs of consecutive months (a gap starts a new segment)."""
    out: list[list[int]] = []
    for i, period in enumerate(periods):
        if i and month_range(periods[i - 1], period)[1:] == [period]:
            out[-1].append(i)
        else:
            out.append([i])
    return out


def xmr(
    periods: list[str],
    values: list[float],
    *,
    provider: str = "",
    metric: str = "",
    unit: str = "",
    direction: str = "higher",
    target: float | None = None,
    target_source: str | None = None,
    rules: SpcRules | None = None,
) -> SpcChart:
    """An XmR chart with Making Data Count signals for one monthly series (sorted by period)."""
    rules = rules or SpcRules()
    n = len(values)
    if n < rules.min_points:
        raise SeriesTooShort(n, rules.min_points)
    segments = _segments(periods)
    mrs: list[float | None] = [None] * n
    for seg in segments:
        for a, b in zip(seg, seg[1:], strict=False):
            mrs[b] = abs(values[b] - values[a])
    ranges = [m for m in mrs if m is not None]
    if not ranges:
        raise SeriesTooShort(n, rules.min_points)
    mean = sum(values) / n
    mr_bar = sum(ranges) / len(ranges)
    ucl, lcl = mean + rules.limit_factor * mr_bar, mean - rules.limit_factor * mr_bar
    sigma = rules.limit_factor * mr_bar / 3
    close_upper, close_lower = mean + rules.close_sigma * sigma, mean - rules.close_sigma * sigma
    points = [SpcPoint(p, v, m) for p, v, m in zip(periods, values, mrs, strict=True)]
    found: list[tuple[str, str, list[int]]] = []  # (rule, side, indices)

    for i, v in enumerate(values):
        if v > ucl or v < lcl:
            found.append(("outside_limits", "high" if v > ucl else "low", [i]))
    for seg in segments:
        found += _runs(
            seg,
            [(1 if values[i] > mean else -1 if values[i] < mean else 0) for i in seg],
            rules.shift,
            "shift",
        )
        steps = [0] + [
            (1 if values[b] > values[a] else -1 if values[b] < values[a] else 0)
            for a, b in zip(seg, seg[1:], strict=False)
        ]
        found += _trend_runs(seg, steps, rules.trend)
        if rules.two_of_three:
            found += _two_of_three(seg, values, mean, close_upper, close_lower)

    segment_of = {i: k for k, seg in enumerate(segments) for i in seg}
    merged: dict[tuple[str, str], list[set[int]]] = {}  # one signal per run of adjacent flagged points
    for rule, side, idx in found:
        for i in idx:
            points[i].special_cause = True
            if rule not in points[i].rules:
                points[i].rules.append(rule)
        groups = merged.setdefault((rule, side), [])
        for group in groups:
            first = min(idx)
            if group & set(idx) or (first - 1 in group and segment_of[first - 1] == segment_of[first]):
                group.update(idx)
                break
        else:
            groups.append(set(idx))
    signals = []
    for (rule, side), groups in merged.items():
        for group in groups:
            ordered = sorted(group)
            signals.append(
                SpcSignal(
                    provider,
                    metric,
                    rule,
                    _classify(direction, side),
                    side,
                    periods[ordered[0]],
                    periods[ordered[-1]],
                    tuple(periods[i] for i in ordered),
                )
            )
    signals.sort(key=lambda s: (s.start, s.rule))
    gaps = [m for m in month_range(periods[0], periods[-1]) if m not in set(periods)]
    return SpcChart(
        provider,
        metric,
        unit,
        direction,
        points,
        mean,
        mr_bar,
        ucl,
        lcl,
        close_upper,
        close_lower,
        signals,
        gaps,
        _variation_icon(points, mean, direction),
        _assurance_icon(target, ucl, lcl, direction),
        target,
        target_source,
        rules,
    )


def _runs(seg: list[int], signs: list[int], length: int, rule: str) -> list[tuple[str, str, list[int]]]:
    out, start = [], 0
    for k in range(1, len(seg) + 1):
        if k == len(seg) or signs[k] != signs[start] or signs[k] == 0:
            if signs[start] != 0 and k - start >= length:
                out.append((rule, "high" if signs[start] > 0 else "low", seg[start:k]))
            start = k
    return out


def _trend_runs(seg: list[int], steps: list[int], length: int) -> list[tuple[str, str, list[int]]]:
    """Runs of ``length`` points (``length - 1`` steps) all rising or all falling."""
    out, k = [], 1
    while k < len(seg):
        if steps[k] == 0:
            k += 1
            continue
        j = k
        while j + 1 < len(seg) and steps[j + 1] == steps[k]:
            j += 1
        if j - k + 2 >= length:  # steps k..j cover points k-1..j
            out.append(("trend", "high" if steps[k] > 0 else "low", seg[k - 1 : j + 1]))
        k = j + 1
    return out


def _two_of_three(
    seg: list[int], values: list[float], mean: float, hi: float, lo: float
) -> list[tuple[str, str, list[int]]]:
    out = []
    for w in range(len(seg) - 2):
        window = seg[w : w + 3]
        for side, beyond, same in (
            ("high", lambda v: v > hi, lambda v: v > mean),
            ("low", lambda v: v < lo, lambda v: v < mean),
        ):
            if all(same(values[i]) for i in window):
                close = [i for i in window if beyond(values[i])]
                if len(close) >= 2:
                    out.append(("two_of_three", side, close))
    return out


def _variation_icon(points: list[SpcPoint], mean: float, direction: str) -> str:
    last = points[-1]
    if not last.special_cause:
        return "common_cause"
    side = "high" if last.value > mean else "low"
    return f"special_cause_{_classify(direction, side)}_{side}"


def _assurance_icon(target: float | None, ucl: float, lcl: float, direction: str) -> str | None:
    if target is None or direction not in ("higher", "lower"):
        return None
    if target > ucl:
        return "consistently_fail" if direction == "higher" else "consistently_pass"
    if target < lcl:
        return "consistently_pass" if direction == "higher" else "consistently_fail"
    return "hit_and_miss"


def provider_series(
    data: ReferenceData, ods: str, metric: str, start: str | None = None, end: str | None = None
) -> tuple[list[str], list[float]]:
    """A provider's monthly series for a metric, optionally limited to ``start``..``end``."""
    series = index_of(data).series.get((ods, metric), {})
    periods = sorted(p for p in series if (start is None or p >= start) and (end is None or p <= end))
    return periods, [series[p] for p in periods]


def provider_chart(
    data: ReferenceData,
    ods: str,
    metric: str,
    *,
    start: str | None = None,
    end: str | None = None,
    target: float | None = None,
    rules: SpcRules | None = None,
) -> SpcChart:
    """The XmR chart of one provider's monthly metric; the target defaults to the metric's own."""
    m = data.metrics[metric]
    periods, values = provider_series(data, ods, metric, start, end)
    target_source = None
    if target is None and periods:
        t = target_for(metric, periods[-1])
        if t is not None:
            target, target_source = t.value, t.source
    elif target is not None:
        target_source = "given in the request"
    return xmr(
        periods,
        values,
        provider=ods,
        metric=metric,
        unit=m.unit,
        direction=m.direction,
        target=target,
        target_source=target_source,
        rules=rules,
    )


def monthly_metrics(data: ReferenceData) -> list[str]:
    """Monthly metrics with a direction of good (the ones SPC signals are classed on)."""
    return sorted(
        m.id for m in data.metrics.values() if m.granularity == "month" and m.direction in ("higher", "lower")
    )


def all_signals(
    data: ReferenceData,
    metrics: list[str] | None = None,
    *,
    start: str | None = None,
    end: str | None = None,
    rules: SpcRules | None = None,
) -> list[SpcSignal]:
    """Every special-cause signal for every provider and monthly metric (series too short are skipped)."""
    rules = rules or SpcRules()
    index = index_of(data)
    out: list[SpcSignal] = []
    for metric in metrics or monthly_metrics(data):
        providers = sorted({o.provider for o in index.by_metric.get(metric, [])})
        for ods in providers:
            try:
                chart = provider_chart(data, ods, metric, start=start, end=end, rules=rules)
            except SeriesTooShort:
                continue
            out += chart.signals
    return out


def improving_providers(
    data: ReferenceData,
    metric: str,
    *,
    start: str | None = None,
    end: str | None = None,
    rules: SpcRules | None = None,
) -> list[dict]:
    """Providers with special-cause improvement on a metric, with their chart figures (for ``/signals``)."""
    if metric not in data.metrics:
        raise KeyError(metric)
    rows = []
    by_provider: dict[str, list[SpcSignal]] = {}
    for signal in all_signals(data, [metric], start=start, end=end, rules=rules):
        by_provider.setdefault(signal.provider, []).append(signal)
    for ods, signals in sorted(by_provider.items()):
        good = [s for s in signals if s.direction == "improvement"]
        if not good:
            continue
        chart = provider_chart(data, ods, metric, start=start, end=end, rules=rules)
        provider = data.providers.get(ods)
        rows.append(
            {
                "provider": ods,
                "name": provider.name if provider else ods,
                "trust_type": provider.trust_type if provider else None,
                "mean": round(chart.mean, 4),
                "ucl": round(chart.ucl, 4),
                "lcl": round(chart.lcl, 4),
                "first": chart.points[0].period,
                "last": chart.points[-1].period,
                "latest_value": chart.points[-1].value,
                "variation": chart.variation,
                "assurance": chart.assurance,
                "improvement_signals": [
                    {"rule": s.rule, "side": s.side, "start": s.start, "end": s.end} for s in good
                ],
                "concern_signals": len([s for s in signals if s.direction == "concern"]),
            }
        )
    return rows
