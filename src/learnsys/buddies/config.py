"""Weights and thresholds of buddy matching and wave planning (defaults justified in docs/buddies.md)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

FACTORS = ("complementarity", "context", "evidence", "proximity", "capacity")


class FactorWeights(BaseModel):
    """How much each factor counts in a buddy's score; they must sum to 1 so a score stays in 0..1."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    complementarity: float = Field(0.35, ge=0, le=1, description="ahead on the mentee's weakest topic measures")
    context: float = Field(0.20, ge=0, le=1, description="similar size, activity, deprivation, rurality, specialism")
    evidence: float = Field(0.15, ge=0, le=1, description="case studies/guides on the topic; SPC improvement")
    proximity: float = Field(0.15, ge=0, le=1, description="same ICB, region, Learning and Improvement Network")
    capacity: float = Field(0.15, ge=0, le=1, description="spare capacity: segment, finance, workforce headroom")

    @model_validator(mode="after")
    def _sum_to_one(self) -> FactorWeights:
        total = sum(getattr(self, f) for f in FACTORS)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"factor weights must sum to 1 (they sum to {total:.3f})")
        return self

    def as_dict(self) -> dict[str, float]:
        return {f: getattr(self, f) for f in FACTORS}


class BuddyConfig(BaseModel):
    """Every tunable of the matcher, the assignment and the wave planner."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    weights: FactorWeights = Field(default_factory=FactorWeights)
    recent_months: int = Field(3, ge=1, le=12, description="calendar months ending at a series' latest month")
    challenged_segments: tuple[int, ...] = (3, 4, 5)
    mentor_segments: tuple[int, ...] = (1, 2)
    like_for_like: bool = Field(
        True,
        description="specialist trusts are matched with specialist trusts and "
        "general trusts with general trusts, within the family",
    )
    # proximity points: same ICB / same region / same LIN (sum to 1)
    proximity_icb: float = 0.4
    proximity_region: float = 0.3
    proximity_lin: float = 0.3
    # evidence: documents and SPC-improving metrics needed for a full score
    evidence_documents_for_full: int = 2
    evidence_signals_for_full: int = 2
    evidence_signal_months: int = Field(
        12, ge=1, le=60, description="SPC improvement counts if it ends within this many months of the end"
    )
    # assignment
    prune_top: int = Field(20, ge=1, le=500, description="candidate mentors kept per mentee in the flow network")
    score_scale: int = Field(1000, ge=10, description="scores are multiplied by this and rounded to integer costs")
    coverage_first: bool = Field(True, description="match as many mentees as possible, then maximise total score")
    # waves
    intensive_segments: tuple[int, ...] = (5,)
    intensive_bottom_share: float = Field(
        0.15, ge=0, le=1, description="segment-4 trusts in this bottom share on the topic"
    )
    faculty_min_percentile: float = Field(0.5, ge=0, le=1, description="faculty: segment 1-2 and at least this")
    faculty_per_wave: int = Field(4, ge=0, le=50)

    def key(self) -> str:
        return self.model_dump_json()
