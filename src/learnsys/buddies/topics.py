"""Resolve a topic (a priority-area concept) by notation or label, case-insensitively."""

from __future__ import annotations

import re
from dataclasses import dataclass

from learnsys.kg.concepts import Concept

SCHEME = "priority-area"

# Trust-type families whose own measures stand in for (or add to) a topic's measures. Ambulance trusts run
# no A&E department, so for urgent and emergency care their headline is the category 2 mean response (the
# measure NOF scores them on, OF0017) and their topic measures are the AmbSYS series.
FAMILY_METRICS: dict[str, dict[str, tuple[str, ...]]] = {
    "uec": {"ambulance": ("amb_c2_mean", "amb_c1_mean", "amb_c2_p90", "amb_handover_mean")},
}


class UnknownTopic(LookupError):
    """No priority area matches; ``choices`` lists the notations."""

    def __init__(self, text: str, choices: list[str]):
        self.text, self.choices = text, choices
        super().__init__(f"no priority area {text!r}; use one of {', '.join(choices)}")


@dataclass(frozen=True)
class Topic:
    """A priority area with the measures buddies are compared on."""

    notation: str
    label: str
    iri: str
    domain: str | None  # NOF domain notation, e.g. "access"
    headline: str | None  # headline metric id, e.g. "ae_4h_all"
    metrics: tuple[str, ...]  # topic metric ids, headline first

    def headline_for(self, family: str | None) -> str | None:
        """The headline metric for a trust-type family (family overrides first)."""
        extra = FAMILY_METRICS.get(self.notation, {}).get(family or "")
        return extra[0] if extra else self.headline

    def metrics_for(self, family: str | None) -> tuple[str, ...]:
        extra = FAMILY_METRICS.get(self.notation, {}).get(family or "")
        return extra if extra else self.metrics

    def all_metrics(self) -> tuple[str, ...]:
        extras = [m for fam in FAMILY_METRICS.get(self.notation, {}).values() for m in fam]
        return tuple(dict.fromkeys([*self.metrics, *extras]))

    def to_dict(self) -> dict[str, object]:
        return {
            "notation": self.notation,
            "label": self.label,
            "iri": self.iri,
            "domain": self.domain,
            "headline_metric": self.headline,
            "metrics": list(self.metrics),
        }


def _norm(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()


def _local(iri: str) -> str:
    return iri.rstrip("/").rsplit("/", 1)[-1].rsplit("#", 1)[-1]


def topic_from_concept(concept: Concept) -> Topic:
    props = concept.properties
    headline = _local(props["headlineMetric"][0]) if props.get("headlineMetric") else None
    metrics = [_local(m) for m in props.get("topicMetric", [])]
    if headline:
        metrics = [headline, *[m for m in metrics if m != headline]]
    domain = _local(props["domain"][0]) if props.get("domain") else None
    return Topic(concept.notation, concept.pref_label, concept.iri, domain, headline, tuple(metrics))


def resolve_topic(concepts: dict[str, dict[str, Concept]], text: str) -> Topic:
    """The priority area whose notation, preferred or alternative label matches ``text`` (any case)."""
    areas = concepts.get(SCHEME, {})
    wanted = _norm(text)
    if not wanted:
        raise UnknownTopic(text, sorted(areas))
    for concept in sorted(areas.values(), key=lambda c: c.notation):
        if wanted == _norm(concept.notation) or wanted == _norm(concept.pref_label):
            return topic_from_concept(concept)
    for concept in sorted(areas.values(), key=lambda c: c.notation):
        if any(wanted == _norm(alt) for alt in concept.alt_labels):
            return topic_from_concept(concept)
    raise UnknownTopic(text, sorted(areas))
