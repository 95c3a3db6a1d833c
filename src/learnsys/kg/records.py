"""Typed records that loaders produce and the graph builder and services consume."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from learnsys.kg.peers import PeerModel

# Trust-type families used for peer comparison (NOF publishes acute and MH/community separately).
TRUST_TYPES = ("acute", "specialist-acute", "mental-health", "community", "ambulance")


@dataclass(frozen=True)
class Region:
    code: str
    name: str


@dataclass(frozen=True)
class Icb:
    code: str
    name: str
    region_code: str


@dataclass
class Provider:
    ods: str
    name: str
    region_code: str
    icb_code: str
    postcode: str = ""
    opened: str = ""
    trust_type: str | None = None  # one of TRUST_TYPES once classified
    trust_subtype: str | None = None  # as NHS England publishes it, e.g. "Acute - Teaching"

    @property
    def family(self) -> str | None:
        """The comparison family: acute (incl. specialist), mental-health-community, ambulance."""
        if self.trust_type in ("acute", "specialist-acute"):
            return "acute"
        if self.trust_type in ("mental-health", "community"):
            return "mental-health-community"
        return self.trust_type


@dataclass(frozen=True)
class Lin:
    """A Learning and Improvement Network, hosted by a region."""

    id: str
    name: str
    region_code: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Metric:
    """A measure with a stable id; ``direction`` says which way is good."""

    id: str
    label: str
    unit: str  # percent, count, per-1000, seconds, minutes, days, score, rate, ...
    direction: str  # "higher" or "lower" (or "none" for context measures)
    source: str  # id of a Source
    granularity: str  # "month", "quarter" or "year"
    domain: str | None = None  # NOF domain notation
    description: str = ""


@dataclass(frozen=True)
class Source:
    id: str
    title: str
    publisher: str
    url: str
    licence: str = "Open Government Licence v3.0"
    file: str = ""


@dataclass(frozen=True)
class Observation:
    provider: str
    metric: str
    period: str  # "2025-06" (month), "2025/26 Q1" (quarter) or "2024" (year)
    value: float
    source: str
    median: float | None = None
    lower_quartile: float | None = None
    upper_quartile: float | None = None
    rank: float | None = None


@dataclass
class Assessment:
    """An oversight (NOF) assessment: a dated record, official or indicative."""

    provider: str
    period: str  # "2025/26 Q1"
    segment: int | None
    average_score: float | None
    official: bool
    source: str
    unadjusted_segment: int | None = None
    financial_deficit: bool | None = None
    recovery_support: bool | None = None
    rank: int | None = None
    domain_scores: dict[str, float] = field(default_factory=dict)
    domain_segments: dict[str, int] = field(default_factory=dict)
    method: str = ""  # for indicative assessments: the metrics and period used

    @property
    def final_segment(self) -> int | None:
        """The segment to act on: 5 when in the Recovery Support Programme, else the adjusted segment."""
        return 5 if self.recovery_support else self.segment


@dataclass
class ReferenceData:
    """Everything the loaders read, keyed for fast lookup."""

    regions: dict[str, Region] = field(default_factory=dict)
    icbs: dict[str, Icb] = field(default_factory=dict)
    providers: dict[str, Provider] = field(default_factory=dict)
    lins: dict[str, Lin] = field(default_factory=dict)
    metrics: dict[str, Metric] = field(default_factory=dict)
    sources: dict[str, Source] = field(default_factory=dict)
    observations: list[Observation] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    context: dict[str, dict[str, float]] = field(default_factory=dict)  # ods -> peer-finder variables
    context_year: dict[str, int] = field(default_factory=dict)

    @cached_property
    def peer_model(self) -> PeerModel:
        """The one peer model (``learnsys.kg.peers``) over this data's peer-finder context, built on first use."""
        from learnsys.kg.peers import PeerModel

        return PeerModel.from_reference(self)

    def lin_of(self, ods: str) -> Lin | None:
        return next((lin for lin in self.lins.values() if ods in lin.members), None)
