"""``BuddyMatcher``: rank comparable, stronger trusts as buddies for a provider on a topic, with reasons.

Per topic it precomputes, once per ``Services``, one table per trust-type family: measures, percentiles, the
mentor floors and the five factor matrices. A ranking is then a row lookup and a sort.
"""

from __future__ import annotations

import threading
import weakref
from dataclasses import dataclass
from typing import Any

import numpy as np

from learnsys.buddies.candidates import (
    FamilyTable,
    SeriesIndex,
    Standing,
    build_family_table,
    standing_of,
)
from learnsys.buddies.config import FACTORS, BuddyConfig
from learnsys.buddies.factors import Evidence, compute_factors, explain_pair
from learnsys.buddies.topics import Topic, resolve_topic
from learnsys.periods import months_back
from learnsys.services import Services


class UnknownProvider(LookupError):
    def __init__(self, ods: str):
        self.ods = ods
        super().__init__(f"no provider {ods!r}")


@dataclass
class FamilyModel:
    """A family table with its factor matrices and the weighted score (NaN where the floors exclude)."""

    table: FamilyTable
    factors: dict[str, np.ndarray]
    aux: dict[str, Any]
    score: np.ndarray  # [mentee, mentor], NaN = not eligible


@dataclass
class TopicModel:
    topic: Topic
    families: dict[str, FamilyModel]
    evidence: Evidence

    def locate(self, ods: str) -> tuple[FamilyModel, int] | None:
        for model in self.families.values():
            i = model.table.index.get(ods)
            if i is not None:
                return model, i
        return None


def _r(x: float | None, places: int = 3) -> float | None:
    return None if x is None or np.isnan(x) else round(float(x), places)


class BuddyMatcher:
    """Buddy ranking over one ``Services``; thread-safe, topic models built on first use and kept."""

    def __init__(self, services: Services, config: BuddyConfig | None = None):
        self.services = services
        self.data = services.reference
        self.config = config or BuddyConfig()
        self.series = SeriesIndex.build(self.data)
        self.standings: dict[str, Standing] = {code: standing_of(self.data, code) for code in self.data.providers}
        self._models: dict[str, TopicModel] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------ topics and models
    def topic(self, text: str) -> Topic:
        return resolve_topic(self.services.concepts, text)

    def model(self, topic: Topic | str) -> TopicModel:
        """The precomputed model of a topic (built once, then cached)."""
        topic = self.topic(topic) if isinstance(topic, str) else topic
        hit = self._models.get(topic.notation)
        if hit is not None:
            return hit
        with self._lock:
            if topic.notation not in self._models:
                self._models[topic.notation] = self._build(topic)
        return self._models[topic.notation]

    def _build(self, topic: Topic) -> TopicModel:
        evidence = self._evidence(topic)
        families: dict[str, FamilyModel] = {}
        names = sorted({p.family for p in self.data.providers.values() if p.family})
        weights = self.config.weights.as_dict()
        for family in names:
            table = build_family_table(self.data, self.series, topic, family, self.standings, self.config)
            factors, aux = compute_factors(table, self.data, evidence, self.config)
            score = sum(weights[f] * factors[f] for f in FACTORS)
            families[family] = FamilyModel(table, factors, aux, np.where(table.eligible, score, np.nan))
        return TopicModel(topic, families, evidence)

    def _evidence(self, topic: Topic) -> Evidence:
        docs: dict[str, list[Any]] = {}
        for doc in sorted(self.services.documents.values(), key=lambda d: d.id):
            if topic.notation in doc.priority_areas and doc.type in ("case-study", "guide"):
                for code in doc.providers:
                    docs.setdefault(code, []).append(doc)
        signals: dict[str, list[Any]] = {}
        try:
            from learnsys.oversight.spc import all_signals
        except ImportError:  # the oversight package is optional: evidence then comes from the corpus only
            return Evidence(docs, {}, spc_available=False)
        monthly = [
            m
            for m in topic.all_metrics()
            if m in self.data.metrics
            and self.data.metrics[m].granularity == "month"
            and self.data.metrics[m].direction in ("higher", "lower")
        ]
        if monthly:
            window = self.config.evidence_signal_months
            since = {m: months_back(self.series.latest[m], window) for m in monthly}
            for signal in all_signals(self.data, monthly):
                if signal.direction == "improvement" and signal.end >= since[signal.metric]:
                    signals.setdefault(signal.provider, []).append(signal)
        return Evidence(docs, signals, spc_available=True)

    # ------------------------------------------------------------------ ranking
    def provider(self, ods: str) -> str:
        code = ods.strip().upper()
        if code not in self.data.providers:
            raise UnknownProvider(ods)
        return code

    def candidates(self, model: TopicModel, ods: str, pool: set[str] | None = None) -> list[tuple[int, float]]:
        """Eligible mentors of ``ods`` as (column, score), best first (ties by ODS code)."""
        found = model.locate(ods)
        if found is None:
            return []
        fam, i = found
        row = fam.score[i]
        cols = [j for j in np.flatnonzero(~np.isnan(row)) if pool is None or fam.table.ods[j] in pool]
        cols.sort(key=lambda j: (-round(float(row[j]), 9), fam.table.ods[j]))
        return [(int(j), float(row[j])) for j in cols]

    def rank(self, ods: str, topic: str, k: int = 5) -> dict[str, Any]:
        """The response of ``GET /providers/{ods}/buddies``."""
        code = self.provider(ods)
        model = self.model(topic)
        found = model.locate(code)
        out: dict[str, Any] = {
            "provider": self.provider_dict(model, code),
            "topic": model.topic.to_dict(),
            "weights": self.config.weights.as_dict(),
            "buddies": [],
        }
        if found is None:
            out["eligible_candidates"] = 0
            out["note"] = "the provider has no trust-type family, so no comparable trusts"
            return out
        fam, i = found
        ranked = self.candidates(model, code)
        out["eligible_candidates"] = len(ranked)
        out["buddies"] = [self.buddy_dict(model, fam, i, j, score) for j, score in ranked[:k]]
        if not ranked:
            out["note"] = self.no_mentor_reason(model, code)
        return out

    def factors_of(self, fam: FamilyModel, i: int, j: int) -> dict[str, float]:
        weights = self.config.weights.as_dict()
        return {f: round(weights[f] * float(fam.factors[f][i, j]), 4) for f in FACTORS}

    def buddy_dict(self, model: TopicModel, fam: FamilyModel, i: int, j: int, score: float) -> dict[str, Any]:
        table, mentor = fam.table, fam.table.ods[j]
        weights = self.config.weights.as_dict()
        data = explain_pair(table, fam.aux, self.data, model.evidence, i, j, self.config)
        details = {
            f: {
                "value": round(float(fam.factors[f][i, j]), 4),
                "weight": weights[f],
                "contribution": round(weights[f] * float(fam.factors[f][i, j]), 4),
                "data": data[f],
            }
            for f in FACTORS
        }
        return {
            "ods": mentor,
            "name": self.data.providers[mentor].name,
            "score": round(score, 4),
            "factors": self.factors_of(fam, i, j),
            "evidence": self.evidence_items(model, mentor),
            "floors": self.floors(fam, i, j),
            "factor_details": details,
        }

    def evidence_items(self, model: TopicModel, ods: str) -> list[dict[str, Any]]:
        items: list[dict[str, Any]] = [
            {"kind": doc.type, "id": doc.id, "title": doc.title, "published": str(doc.published or "")}
            for doc in model.evidence.documents.get(ods, [])
        ]
        for s in sorted(model.evidence.signals.get(ods, []), key=lambda s: (s.metric, s.start, s.rule)):
            items.append(
                {
                    "kind": "spc-improvement",
                    "metric": s.metric,
                    "rule": s.rule,
                    "start": s.start,
                    "end": s.end,
                    "label": self.data.metrics[s.metric].label,
                }
            )
        return items

    def floors(self, fam: FamilyModel, i: int, j: int) -> dict[str, Any]:
        """The headline-metric and domain-score comparison every mentor passes."""
        t = fam.table
        out: dict[str, Any] = {}
        if t.headline is not None:
            h = t.headline
            out["headline"] = {
                "metric": t.metrics[h],
                "direction": t.directions[h],
                "mentee": {"value": _r(t.values[i, h], 2), "period": t.periods[i][h]},
                "mentor": {"value": _r(t.values[j, h], 2), "period": t.periods[j][h]},
            }
        if t.topic.domain:
            si, sj = t.standings[i], t.standings[j]
            out["domain"] = {
                "domain": t.topic.domain,
                "better": "lower",
                "mentee": {
                    "score": _r(t.domain[i], 2),
                    "period": si.domain_period,
                    "status": si.domain_status,
                },
                "mentor": {
                    "score": _r(t.domain[j], 2),
                    "period": sj.domain_period,
                    "status": sj.domain_status,
                },
            }
        return out

    def provider_dict(self, model: TopicModel, ods: str) -> dict[str, Any]:
        p = self.data.providers[ods]
        st = self.standings[ods]
        out: dict[str, Any] = {
            "ods": ods,
            "name": p.name,
            "family": p.family,
            "region": p.region_code,
            "icb": p.icb_code,
            "assessment": st.to_dict(),
            "challenged": (st.segment or 0) in self.config.challenged_segments,
        }
        found = model.locate(ods)
        if found is not None:
            t, i = found[0].table, found[1]
            if t.headline is not None:
                out["headline"] = {
                    "metric": t.metrics[t.headline],
                    "value": _r(t.values[i, t.headline], 2),
                    "period": t.periods[i][t.headline],
                }
            if model.topic.domain:
                out["domain_score"] = {
                    "domain": model.topic.domain,
                    "score": _r(t.domain[i], 2),
                    "period": st.domain_period,
                    "status": st.domain_status,
                }
        return out

    def no_mentor_reason(self, model: TopicModel, ods: str, pool: set[str] | None = None) -> str:
        """Why a provider has no eligible mentor (in ``pool`` when given)."""
        found = model.locate(ods)
        if found is None:
            return "no trust-type family, so no comparable trusts"
        fam, i = found
        t = fam.table
        like = self.config.like_for_like
        strong = [
            c
            for k, (c, s) in enumerate(zip(t.ods, t.segment, strict=True))
            if s in self.config.mentor_segments
            and c != ods
            and (pool is None or c in pool)
            and (not like or t.kind[k] == t.kind[i])
        ]
        where = "in scope" if pool is not None else "nationally"
        segs = "/".join(map(str, self.config.mentor_segments))
        kind = f"{t.kind[i]} " if like and t.family == "acute" else ""
        if t.metrics and np.isnan(t.values[i]).all():
            return (
                f"no recent value on the topic's measures ({', '.join(t.metrics)}), so nothing to compare a mentor on"
            )
        if not t.metrics and np.isnan(t.domain[i]):
            return f"the topic defines no measures and the provider has no {t.topic.domain} domain score"
        if not strong:
            return f"no strong (segment {segs}) {kind}{t.family} trust {where}"
        parts = []
        if t.headline is not None and not np.isnan(t.values[i, t.headline]):
            parts.append(f"{t.metrics[t.headline]} {t.values[i, t.headline]:.1f} ({t.periods[i][t.headline]})")
        if not np.isnan(t.domain[i]):
            parts.append(f"{t.topic.domain} domain score {t.domain[i]:.2f} ({t.standings[i].domain_period})")
        basis = " and ".join(parts) or "the topic"
        return (
            f"none of the {len(strong)} strong (segment {segs}) {kind}{t.family} trusts {where} is at least as "
            f"good on {basis} and ahead on one of them"
        )


_MATCHERS: dict[int, tuple[weakref.ref, dict[str, BuddyMatcher]]] = {}
MAX_CONFIGS = 8  # matchers kept per Services (requests may send their own weights)
_MATCHERS_LOCK = threading.Lock()


def matcher_for(services: Services, config: BuddyConfig | None = None) -> BuddyMatcher:
    """The matcher of a ``Services`` instance and configuration (built once, then reused)."""
    config = config or BuddyConfig()
    key = config.key()
    with _MATCHERS_LOCK:
        entry = _MATCHERS.get(id(services))
        if entry is None or entry[0]() is not services:
            for stale in [k for k, (ref, _) in _MATCHERS.items() if ref() is None]:
                del _MATCHERS[stale]
            entry = (weakref.ref(services), {})
            _MATCHERS[id(services)] = entry
        matcher = entry[1].pop(key, None)
        if matcher is None:
            matcher = BuddyMatcher(services, config)
        entry[1][key] = matcher  # most recently used last
        while len(entry[1]) > MAX_CONFIGS:
            del entry[1][next(iter(entry[1]))]
        return matcher
