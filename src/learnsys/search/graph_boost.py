"""Knowledge-graph-aware boost, bounded and explained.

A document's fused score is multiplied by ``1 + boost`` with ``boost <= MAX_BOOST``, made of:
- performance: its providers rank well within their trust-type family on the headline metric of the
  query's priority area (observations), or on the matching NOF domain score (official assessments);
- impact: its front matter reports measured results (baseline and result);
- peers (``for_provider``): its providers are among that provider's peers (``learnsys.kg.peers.PeerModel``)
  or in its family, and stronger on the area's metric where that provider is weaker.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from learnsys.kg.records import ReferenceData
from learnsys.ranking import percentile_of
from learnsys.search.index_store import SearchIndex
from learnsys.search.retriever import Boost

MAX_BOOST = 0.15
PERFORMANCE_MAX = 0.08
IMPACT_MAX = 0.03
PEER_MAX = 0.06
MAIN_FAMILY_SHARE = 0.25

# priority area -> ("metric", id) for a monthly/quarterly series, or ("domain", NOF domain) or ("nof", "")
AREA_SIGNALS: dict[str, tuple[str, str]] = {
    "uec": ("metric", "ae_4h_all"),
    "elective": ("metric", "rtt_18w_pct"),
    "cancer": ("metric", "cancer_62d"),
    "diagnostics": ("metric", "dm01_6wk_pct"),
    "workforce": ("metric", "nss_engagement"),
    "frailty": ("metric", "OF0025"),
    "finance-productivity": ("metric", "OF0085"),
    "primary-community": ("metric", "OF0057"),
    "patient-safety": ("domain", "patient-safety"),
    "maternity": ("domain", "patient-safety"),
    "cvd": ("domain", "effectiveness-experience"),
    "mental-health": ("nof", ""),
}
DOMAIN_LABELS = {
    "access": "access",
    "effectiveness-experience": "effectiveness and experience",
    "patient-safety": "patient safety",
    "people-workforce": "people and workforce",
    "finance-productivity": "finance and productivity",
}


@dataclass(frozen=True)
class Standing:
    percentile: float  # 0 = worst, 1 = best within the trust-type family
    label: str  # what was compared
    value: str  # the figure and period


class ProviderPerformance:
    """Percentile standing of each provider within its family, per metric or NOF domain."""

    def __init__(self, reference: ReferenceData):
        self.reference = reference
        self._latest: dict[str, dict[str, tuple[str, float]]] = {}
        for o in reference.observations:
            current = self._latest.setdefault(o.metric, {}).get(o.provider)
            if current is None or o.period > current[0]:
                self._latest[o.metric][o.provider] = (o.period, o.value)
        self._assessment = {}
        for a in sorted(reference.assessments, key=lambda a: (a.official, a.period)):
            self._assessment[a.provider] = a  # the latest, official preferred

    def _main_family(self, metric: str, family: str) -> bool:
        """Whether ``family`` is one of the families a metric is really about (>= 25% of the providers it
        is published for): a community trust's minor injuries unit is not compared on A&E 4-hour waits."""
        values = self._latest.get(metric, {})
        share = sum(1 for p in values if self.family(p) == family) / max(1, len(values))
        return share >= MAIN_FAMILY_SHARE

    def family(self, ods: str) -> str | None:
        p = self.reference.providers.get(ods)
        return p.family if p else None

    @lru_cache(maxsize=4096)  # noqa: B019 - one instance per loaded reference data
    def standing(self, ods: str, area: str) -> Standing | None:
        signal = AREA_SIGNALS.get(area)
        family = self.family(ods)
        if signal is None or family is None:
            return None
        kind, key = signal
        if kind == "metric":
            values = self._latest.get(key, {})
            if ods not in values or not self._main_family(key, family):
                return None
            metric = self.reference.metrics.get(key)
            higher = metric is None or metric.direction != "lower"
            peers = [v for p, (_, v) in values.items() if self.family(p) == family]
            period, value = values[ods]
            label = metric.label if metric else key
            unit = "%" if metric is not None and metric.unit == "percent" else ""
            shown = f"{value:.1f}{unit} ({period})"
        else:
            assessment = self._assessment.get(ods)
            if assessment is None:
                return None
            if kind == "domain":
                if key not in assessment.domain_scores:
                    return None
                value = assessment.domain_scores[key]
                peers = [
                    a.domain_scores[key]
                    for p, a in self._assessment.items()
                    if key in a.domain_scores and self.family(p) == family
                ]
                label = f"NOF {DOMAIN_LABELS.get(key, key)} score"
            else:
                if assessment.average_score is None:
                    return None
                value = assessment.average_score
                peers = [
                    a.average_score
                    for p, a in self._assessment.items()
                    if a.average_score is not None and self.family(p) == family
                ]
                label = "NOF average score"
            higher = False  # NOF scores: 1 is best
            shown = f"{value:.2f} ({assessment.period})"
        if len(peers) < 5:
            return None
        return Standing(percentile_of(value, peers, "higher" if higher else "lower"), label, shown)


class GraphBooster:
    """The ``Booster`` the retriever calls: performance + impact + peers, capped at ``MAX_BOOST``."""

    def __init__(self, reference: ReferenceData):
        self.reference = reference
        self.performance = ProviderPerformance(reference)
        self.peers = reference.peer_model

    def boost(
        self, index: SearchIndex, doc_rows: list[int], areas: list[str], for_provider: str | None
    ) -> dict[int, Boost]:
        out: dict[int, Boost] = {}
        areas = [a for a in areas if a in AREA_SIGNALS][:2]
        peers = {p.ods for p in self.peers.peers(for_provider)} if for_provider else set()
        for row in doc_rows:
            doc = index.docs[row]
            value, reasons = 0.0, []
            best: tuple[float, str, str, Standing] | None = None
            for area in areas:
                for ods in doc.providers:
                    standing = self.performance.standing(ods, area)
                    if standing and (best is None or standing.percentile > best[0]):
                        best = (standing.percentile, ods, area, standing)
            if best is not None and best[0] > 0.5:
                part = PERFORMANCE_MAX * (best[0] - 0.5) / 0.5
                value += part
                top = max(1, round((1 - best[0]) * 100))
                family = self.performance.family(best[1]) or "trusts"
                reasons.append(
                    f"{best[1]} is in the top {top}% of {family} trusts on {best[3].label}: "
                    f"{best[3].value} (+{part:.3f})"
                )
            measured = [m for m in doc.metrics if isinstance(m.get("result"), int | float)]
            with_baseline = [m for m in measured if isinstance(m.get("baseline"), int | float)]
            if measured:
                part = IMPACT_MAX if with_baseline else IMPACT_MAX / 2
                value += part
                reasons.append(
                    f"measured impact: {len(measured)} reported figure(s)"
                    f"{', with baselines' if with_baseline else ''} (+{part:.3f})"
                )
            note = ""
            if for_provider and not areas:
                note = f"not compared with {for_provider}: no priority area of the query is sure enough"
            elif for_provider:
                peer_part, peer_reason = self._peer_part(doc.providers, for_provider, areas, peers)
                if peer_part > 0:
                    value += peer_part
                    reasons.append(peer_reason)
                    note = peer_reason
                else:
                    note = (
                        f"no provider of this document is in {for_provider}'s trust family and stronger on "
                        f"{' or '.join(areas)}"
                    )
            if value > 0 or note:
                out[row] = Boost(min(MAX_BOOST, value), "; ".join(reasons), note)
        return out

    def _peer_part(self, providers: list[str], me: str, areas: list[str], nearest: set[str]) -> tuple[float, str]:
        family = self.performance.family(me)
        best = (0.0, "")
        for ods in providers:
            if ods == me or family is None or self.performance.family(ods) != family:
                continue
            closeness = 1.0 if ods in nearest else 0.4
            for area in areas:
                theirs, mine = self.performance.standing(ods, area), self.performance.standing(me, area)
                if theirs is None or mine is None or theirs.percentile <= mine.percentile:
                    continue
                gap = theirs.percentile - mine.percentile
                part = PEER_MAX * closeness * min(1.0, gap / 0.5)
                if part > best[0]:
                    kind = "a close peer of" if ods in nearest else "in the same trust family as"
                    best = (
                        part,
                        f"{ods} is {kind} {me} and stronger on {theirs.label}: "
                        f"{theirs.value} vs {mine.value} (+{part:.3f})",
                    )
        return best
