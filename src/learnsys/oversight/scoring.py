"""NHS Oversight Framework 2025/26 segmentation method, run on published data.

Follows NHS England's *NHS Oversight Framework 2025/26 - methodology manual* (PRN02028_i, 26 June 2025):

1. each metric is scored 1-4: meeting a defined standard scores 1.00, failing a defined floor 4.00, and the
   rest are spread evenly between the bookends (1.00/2.00 .. 3.00/4.00) by percentile rank, ties taking
   the best score in their cluster; bespoke metrics map brackets straight to a score;
2. the scores are averaged (infection metrics weighted one third; missing metrics excluded), rounded to
   2 d.p., and quartiled within the trust type (segments 1-4);
3. a provider in financial deficit cannot be placed above segment 3;
4. providers in the Recovery Support (Provider Improvement) Programme are placed in segment 5.

Everything this module produces is **indicative** (``official=False``); official assessments win.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from learnsys.kg.records import Assessment, Observation, ReferenceData, Source
from learnsys.oversight.metrics import index_of
from learnsys.periods import add_months, next_quarter, quarter_months, quarter_of
from learnsys.ranking import competition_ranks, spearman

INDICATIVE_SOURCE = Source(
    "learnsys-indicative-nof",
    "learnsys indicative NOF 2025/26 assessment (method of the NHS Oversight Framework 2025/26 methodology "
    "manual applied to published data; not an official segmentation)",
    "learnsys",
    "https://www.england.nhs.uk/long-read/nhs-oversight-framework-2025-26/",
    licence="derived from Open Government Licence v3.0 data",
)

DOMAINS = ("access", "effectiveness-experience", "patient-safety", "people-workforce", "finance-productivity")


@dataclass(frozen=True)
class MetricRule:
    """How one NOF metric is scored.

    ``standard``: a value at or better than it scores 1.00. ``floor``: a value worse than it scores 4.00.
    ``brackets``: bespoke scoring, ``(bound, inclusive, score)`` tried in order (value >= bound, or > when
    not inclusive, for higher-is-better); anything below every bracket scores 4.00.
    ``use_published_score``: no value is published (or the score is set against a national cohort wider
    than this one), so the published score is taken as the input.
    """

    id: str  # the score metric id, e.g. OF1013
    label: str
    domain: str
    direction: str = "higher"
    value_id: str | None = None  # the published value metric id, e.g. OF0013
    standard: float | None = None
    floor: float | None = None
    brackets: tuple[tuple[float, bool, float], ...] = ()
    weight: float = 1.0
    in_average: bool = True
    use_published_score: bool = False
    note: str = ""


_PLAN = "2025/26 priorities and operational planning guidance"
ACUTE_RULES: dict[str, MetricRule] = {
    r.id: r
    for r in [
        MetricRule(
            "OF1003",
            "RTT: % waiting over 52 weeks",
            "access",
            "lower",
            "OF0003",
            standard=1.0,
            note=f"standard: under 1% of the waiting list over 52 weeks ({_PLAN})",
        ),
        MetricRule("OF1005", "Community services: % waiting over 52 weeks", "access", "lower", "OF0005"),
        MetricRule(
            "OF1010",
            "Cancer 28-day Faster Diagnosis Standard",
            "access",
            "higher",
            "OF0010",
            standard=80.0,
            note=f"standard: 80% by March 2026 ({_PLAN})",
        ),
        MetricRule(
            "OF1011",
            "Cancer 62-day",
            "access",
            "higher",
            "OF0011",
            standard=75.0,
            note=f"standard: 75% by March 2026 ({_PLAN})",
        ),
        MetricRule(
            "OF1013",
            "A&E 4-hour",
            "access",
            "higher",
            "OF0013",
            standard=78.0,
            note=f"standard: 78% by March 2026 ({_PLAN})",
        ),
        MetricRule("OF1014", "A&E: % over 12 hours in the department", "access", "lower", "OF0014"),
        MetricRule(
            "OF1016",
            "Mental health crisis face-to-face within 24 hours",
            "patient-safety",
            "higher",
            "OF0016",
            use_published_score=True,
        ),
        MetricRule(
            "OF1017",
            "Category 2 ambulance mean response",
            "access",
            "lower",
            "OF0017",
            standard=30.0,
            use_published_score=True,
        ),
        MetricRule(
            "OF1020",
            "MRSA infections",
            "patient-safety",
            "lower",
            "OF0020",
            standard=0.0,
            weight=1 / 3,
            note="infection: weighted one third; standard: none",
        ),
        MetricRule("OF1023", "RTT: % within 18 weeks", "access", "higher", "OF0023"),
        MetricRule(
            "OF1025", "Days from discharge-ready to discharge", "effectiveness-experience", "lower", "OF0025"
        ),
        MetricRule(
            "OF1028",
            "Ambulance conveyance to ED",
            "effectiveness-experience",
            "lower",
            "OF0028",
            use_published_score=True,
        ),
        MetricRule(
            "OF1035",
            "CQC community mental health survey",
            "effectiveness-experience",
            use_published_score=True,
        ),
        MetricRule("OF1041", "Change in CYP accessing mental health services", "access", "higher", "OF0041"),
        MetricRule("OF1046", "SHMI (banded)", "effectiveness-experience", use_published_score=True),
        MetricRule(
            "OF1048",
            "E. coli infections (against threshold)",
            "patient-safety",
            "lower",
            "OF0048",
            standard=1.0,
            weight=1 / 3,
            note="infection: weighted one third; standard: at or under threshold",
        ),
        MetricRule(
            "OF1057",
            "Urgent Community Response 2-hour",
            "effectiveness-experience",
            "higher",
            "OF0057",
            floor=70.0,
            note=f"floor: 70% ({_PLAN})",
        ),
        MetricRule("OF1061", "Staff survey: raising concerns", "patient-safety", "higher", "OF0061"),
        MetricRule(
            "OF1063",
            "Inpatients with >60 day length of stay",
            "effectiveness-experience",
            "lower",
            "OF0063",
            use_published_score=True,
        ),
        MetricRule("OF1067", "CQC safe inspection (banded)", "patient-safety", use_published_score=True),
        MetricRule(
            "OF1069", "CQC inpatient survey (banded)", "effectiveness-experience", use_published_score=True
        ),
        MetricRule(
            "OF1079",
            "Planned surplus/deficit (% of income)",
            "finance-productivity",
            "higher",
            "OF0079",
            brackets=((0.0, True, 1.0), (-1.0, False, 2.0), (-2.0, True, 3.0)),
            in_average=False,
            note="bespoke brackets; combined into OF1080",
        ),
        MetricRule(
            "OF1081",
            "Variance year-to-date to plan (%)",
            "finance-productivity",
            "higher",
            "OF0081",
            brackets=((0.0, True, 1.0), (-0.5, False, 2.0), (-1.0, True, 3.0)),
            in_average=False,
            note="bespoke brackets; combined into OF1080",
        ),
        MetricRule("OF1080", "Combined finance", "finance-productivity", note="matrix of OF1079 x OF1081"),
        MetricRule("OF1082", "Sickness absence", "people-workforce", "lower", "OF0082"),
        MetricRule("OF1084", "Staff survey: engagement", "people-workforce", "higher", "OF0084"),
        MetricRule("OF1085", "Implied productivity", "finance-productivity", "higher", "OF0085"),
        MetricRule(
            "OF1088",
            "C. difficile infections (against threshold)",
            "patient-safety",
            "lower",
            "OF0088",
            standard=1.0,
            weight=1 / 3,
            note="infection: weighted one third; standard: at or under threshold",
        ),
        MetricRule(
            "OF1106",
            "18-week performance against plan (pp)",
            "access",
            "higher",
            "OF0106",
            standard=0.0,
            note="standard: at or above the trust's plan",
        ),
    ]
}

# OF1080 combined finance from (OF1079 planned position score, OF1081 variance-to-plan score): all 16
# combinations occur in the Q1 2025/26 acute publication, which this table reproduces.
COMBINED_FINANCE = {
    (1, 1): 1,
    (1, 2): 1,
    (1, 3): 2,
    (1, 4): 3,
    (2, 1): 2,
    (2, 2): 2,
    (2, 3): 3,
    (2, 4): 4,
    (3, 1): 2,
    (3, 2): 3,
    (3, 3): 3,
    (3, 4): 4,
    (4, 1): 2,
    (4, 2): 3,
    (4, 3): 4,
    (4, 4): 4,
}

# Ambulance trusts: no official file. The scored set uses what the published monthly data holds.
AMBULANCE_RULES: dict[str, MetricRule] = {
    r.id: r
    for r in [
        MetricRule(
            "amb_c2_mean",
            "Category 2 mean response (minutes)",
            "access",
            "lower",
            "amb_c2_mean",
            standard=30.0,
            note=f"standard: 30 minutes average across 2025/26 ({_PLAN})",
        ),
        MetricRule(
            "amb_c1_mean",
            "Category 1 mean response (minutes)",
            "access",
            "lower",
            "amb_c1_mean",
            standard=7.0,
            note="standard: 7 minutes (ambulance response programme)",
        ),
        MetricRule(
            "amb_c1_p90",
            "Category 1 90th centile (minutes)",
            "access",
            "lower",
            "amb_c1_p90",
            standard=15.0,
            note="standard: 15 minutes (ambulance response programme)",
        ),
        MetricRule(
            "amb_c2_p90",
            "Category 2 90th centile (minutes)",
            "access",
            "lower",
            "amb_c2_p90",
            standard=40.0,
            note="standard: 40 minutes (ambulance response programme)",
        ),
        MetricRule(
            "amb_handover_mean",
            "Hospital handover mean (minutes)",
            "effectiveness-experience",
            "lower",
            "amb_handover_mean",
        ),
        MetricRule(
            "nss_engagement",
            "Staff survey: engagement (2024)",
            "people-workforce",
            "higher",
            "nss_engagement",
        ),
    ]
}

# Monthly series that move a NOF metric between publications (nowcast: NOF value + change in the series).
NOWCAST_SERIES = {
    "OF0013": "ae_4h_all",
    "OF0023": "rtt_18w_pct",
    "OF0003": "rtt_52w_pct",
    "OF0010": "cancer_fds_28d",
    "OF0011": "cancer_62d",
}
# What-if keys: series ids accepted as aliases of the NOF value metric they feed.
SERIES_ALIASES = {**{v: k for k, v in NOWCAST_SERIES.items()}, "nss_engagement": "OF0084"}


@dataclass
class MetricInput:
    value: float | None = None
    rank: float | None = None  # published competition rank (1 = best); orders ties the rounding hides
    score: float | None = None  # published score (used only where the rule says so)


@dataclass
class Cohort:
    """Providers of one trust type scored together for one period."""

    name: str
    period: str
    rules: dict[str, MetricRule]
    inputs: dict[str, dict[str, MetricInput]]  # rule id -> ods -> input
    providers: list[str]
    deficit: dict[str, bool] = field(default_factory=dict)
    recovery_support: dict[str, bool] = field(default_factory=dict)
    method: str = ""

    def with_values(self, ods: str, changes: Mapping[str, float]) -> Cohort:
        """A copy with some of one provider's values replaced (rule id or value id keys); ranks dropped."""
        by_value = {r.value_id: r.id for r in self.rules.values() if r.value_id}
        inputs = {
            rid: {o: replace(inp, rank=None) for o, inp in per.items()} for rid, per in self.inputs.items()
        }
        for key, value in changes.items():
            rid = key if key in self.rules else by_value[key]
            inputs.setdefault(rid, {})[ods] = MetricInput(value=value)
        return replace(self, inputs=inputs)


@dataclass
class ScoreCard:
    provider: str
    metric_scores: dict[str, float]
    average_score: float | None
    domain_scores: dict[str, float]
    unadjusted_segment: int | None = None
    segment: int | None = None  # after the deficit cap and segment 5
    deficit: bool = False
    recovery_support: bool = False
    domain_segments: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------- step 1: metric scores


def _better(direction: str, a: float, b: float) -> bool:
    return a > b if direction == "higher" else a < b


def meets_standard(rule: MetricRule, value: float) -> bool:
    if rule.standard is None:
        return False
    return value >= rule.standard if rule.direction == "higher" else value <= rule.standard


def fails_floor(rule: MetricRule, value: float) -> bool:
    if rule.floor is None:
        return False
    return value < rule.floor if rule.direction == "higher" else value > rule.floor


def bracket_score(rule: MetricRule, value: float) -> float:
    sign = 1 if rule.direction == "higher" else -1
    for bound, inclusive, score in rule.brackets:
        v, b = sign * value, sign * bound
        if v > b or (inclusive and v == b):
            return score
    return 4.0


def score_metric(rule: MetricRule, inputs: Mapping[str, MetricInput]) -> dict[str, float]:
    """Score every provider with a value on one metric (the manual's standard ranking model)."""
    if rule.use_published_score or rule.value_id is None:
        return {o: i.score for o, i in inputs.items() if i.score is not None and i.score > 0}
    values = {o: i.value for o, i in inputs.items() if i.value is not None}
    if rule.brackets:
        return {o: bracket_score(rule, v) for o, v in values.items()}
    scores: dict[str, float] = {}
    rest: dict[str, float] = {}
    # A published value equal to the standard may be rounded from either side: the published rank says which.
    failing = [inputs[o].rank for o, v in values.items() if not meets_standard(rule, v)]
    boundary_rank = min((r for r in failing if r is not None), default=math.inf)
    for ods, value in values.items():
        rank = inputs[ods].rank
        if value == rule.standard and rank is not None and rank >= boundary_rank:
            rest[ods] = value
        elif meets_standard(rule, value):
            scores[ods] = 1.0
        elif fails_floor(rule, value):
            scores[ods] = 4.0
        else:
            rest[ods] = value
    if not rest:
        return scores
    published = {o: inputs[o].rank for o in rest}
    if all(r is not None for r in published.values()):
        ranks: dict[str, float] = {o: float(r) for o, r in published.items() if r is not None}
    else:
        ranks = {o: float(r) for o, r in competition_ranks(rest, rule.direction).items()}
    lo = 2.0 if rule.standard is not None else 1.0
    hi = 3.0 if rule.floor is not None else 4.0
    best, worst = min(ranks.values()), max(ranks.values())
    for ods, rank in ranks.items():
        share = 0.0 if worst == best else (rank - best) / (worst - best)
        scores[ods] = round_half_up(lo + (hi - lo) * share, 2)
    return scores


def round_half_up(x: float, places: int) -> float:
    """Round as a spreadsheet does (2.805 -> 2.81), guarding against binary representation error."""
    scale = 10**places
    return math.floor(x * scale + 0.5 + 1e-9) / scale


# ---------------------------------------------------------------- step 2-4: averages and segments


def weighted_average(scores: Mapping[str, float], rules: Mapping[str, MetricRule]) -> float | None:
    """Mean of the recorded scores (0 or missing excluded), infections weighted by their rule weight."""
    total = weight = 0.0
    for rid, score in scores.items():
        rule = rules.get(rid)
        if rule is None or not rule.in_average or not score:
            continue
        total += score * rule.weight
        weight += rule.weight
    return round_half_up(total / weight, 2) if weight else None


def quartile_cutoffs(values: Iterable[float]) -> tuple[float, float, float]:
    """Lower quartile, median and upper quartile as Excel's QUARTILE.EXC computes them ((n+1)p positions)."""
    xs = sorted(values)
    n = len(xs)
    if n == 0:
        raise ValueError("no values to quartile")

    def at(p: float) -> float:
        pos = (n + 1) * p
        if pos <= 1:
            return xs[0]
        if pos >= n:
            return xs[-1]
        lower = math.floor(pos)
        return xs[lower - 1] + (pos - lower) * (xs[lower] - xs[lower - 1])

    return at(0.25), at(0.5), at(0.75)


def segment_of(score: float, cutoffs: tuple[float, float, float]) -> int:
    """1 = lowest (best) quartile of average scores ... 4 = highest; a score on a cut-off goes below."""
    q1, q2, q3 = cutoffs
    return 1 if score <= q1 else 2 if score <= q2 else 3 if score <= q3 else 4


def apply_adjustments(unadjusted: int, deficit: bool, recovery_support: bool) -> int:
    """Deficit cap at segment 3 (step 3), then segment 5 for the Recovery Support Programme (step 4)."""
    segment = max(unadjusted, 3) if deficit else unadjusted
    return 5 if recovery_support else segment


def score_cohort(cohort: Cohort) -> dict[str, ScoreCard]:
    """Run steps 1-4 for every provider in the cohort."""
    metric_scores: dict[str, dict[str, float]] = {
        rid: score_metric(rule, cohort.inputs.get(rid, {})) for rid, rule in cohort.rules.items()
    }
    if "OF1080" in cohort.rules and "OF1079" in metric_scores and "OF1081" in metric_scores:
        planned, variance = metric_scores["OF1079"], metric_scores["OF1081"]
        metric_scores["OF1080"] = {
            o: float(COMBINED_FINANCE[(int(planned[o]), int(variance[o]))]) for o in planned if o in variance
        }
    cards: dict[str, ScoreCard] = {}
    for ods in cohort.providers:
        scores = {rid: per[ods] for rid, per in metric_scores.items() if ods in per}
        domains = {}
        for domain in DOMAINS:
            in_domain = {rid: s for rid, s in scores.items() if cohort.rules[rid].domain == domain}
            avg = weighted_average(in_domain, cohort.rules)
            if avg is not None:
                domains[domain] = avg
        cards[ods] = ScoreCard(
            ods,
            scores,
            weighted_average(scores, cohort.rules),
            domains,
            deficit=cohort.deficit.get(ods, False),
            recovery_support=cohort.recovery_support.get(ods, False),
        )
    scored = [c for c in cards.values() if c.average_score is not None]
    if scored:
        cutoffs = quartile_cutoffs(c.average_score for c in scored if c.average_score is not None)
        for card in scored:
            assert card.average_score is not None
            card.unadjusted_segment = segment_of(card.average_score, cutoffs)
            card.segment = apply_adjustments(card.unadjusted_segment, card.deficit, card.recovery_support)
    for domain in DOMAINS:
        have = [c for c in cards.values() if domain in c.domain_scores]
        if have:
            cutoffs = quartile_cutoffs(c.domain_scores[domain] for c in have)
            for card in have:
                card.domain_segments[domain] = segment_of(card.domain_scores[domain], cutoffs)
    return cards


# ---------------------------------------------------------------- cohorts from reference data


def _family_members(data: ReferenceData, family: str) -> list[str]:
    return sorted(o for o, p in data.providers.items() if p.family == family)


def published_acute_period(data: ReferenceData) -> str:
    """The latest quarter of published NOF acute data (OF5002) in the loaded files."""
    acute = set(_family_members(data, "acute"))
    periods = {o.period for o in index_of(data).by_metric.get("OF5002", []) if o.provider in acute}
    if not periods:
        raise LookupError("no published NOF acute data loaded")
    return max(periods)  # "YYYY/YY Qn" sorts as text


def ambulance_period(data: ReferenceData) -> str:
    """The latest financial quarter with all three months of AmbSYS data loaded."""
    index = index_of(data)
    months = {o.period for m in AMBULANCE_RULES if m != "nss_engagement" for o in index.by_metric.get(m, [])}
    complete = [q for q in {quarter_of(m) for m in months} if set(quarter_months(q)) <= months]
    if not complete:
        raise LookupError("no complete quarter of AmbSYS data loaded")
    return max(complete)


def acute_cohort(data: ReferenceData, period: str | None = None) -> Cohort:
    """The acute trusts as published for ``period`` (default the latest published quarter): values and ranks
    (OF0xxx), published scores (OF1xxx)."""
    period = period or published_acute_period(data)
    members = set(_family_members(data, "acute"))
    by_id: dict[str, dict[str, Observation]] = {}
    index = index_of(data)
    wanted = {
        *ACUTE_RULES,
        *(r.value_id for r in ACUTE_RULES.values() if r.value_id),
        "OF5002",
        "OF5004",
        "OF5007",
    }
    for metric in wanted:
        for obs in index.by_metric.get(metric, []):
            if obs.period == period and obs.provider in members:
                by_id.setdefault(obs.metric, {})[obs.provider] = obs
    if "OF5002" not in by_id:
        raise LookupError(f"no published NOF acute data for {period}")
    inputs: dict[str, dict[str, MetricInput]] = {}
    for rid, rule in ACUTE_RULES.items():
        per: dict[str, MetricInput] = {}
        for ods, obs in by_id.get(rule.value_id or "", {}).items():
            per[ods] = MetricInput(value=obs.value, rank=obs.rank)
        for ods, obs in by_id.get(rid, {}).items():
            per.setdefault(ods, MetricInput()).score = obs.value
        inputs[rid] = per
    providers = sorted(by_id["OF5002"])
    flag = lambda mid: {o: bool(obs.value) for o, obs in by_id.get(mid, {}).items()}  # noqa: E731
    return Cohort(
        "acute",
        period,
        ACUTE_RULES,
        inputs,
        providers,
        flag("OF5004"),
        flag("OF5007"),
        method=f"NOF 2025/26 method on the published {period} acute metric values (OF0xxx values and "
        "ranks; published scores only for metrics with no published value or a national cohort)",
    )


def nowcast_cohort(data: ReferenceData, base_period: str | None = None) -> tuple[Cohort, str]:
    """Acute cohort moved forward with the newest monthly data: NOF value + (latest month - base quarter)."""
    base_period = base_period or published_acute_period(data)
    cohort = acute_cohort(data, base_period)
    months = quarter_months(base_period)
    series: dict[str, dict[str, dict[str, float]]] = {}
    wanted = set(NOWCAST_SERIES.values())
    index = index_of(data)
    for series_id in wanted:
        for obs in index.by_metric.get(series_id, []):
            series.setdefault(obs.metric, {}).setdefault(obs.provider, {})[obs.period] = obs.value
    held = [{p for s in per.values() for p in s} for per in series.values()]
    common = set.intersection(*held) if held else set()
    later = sorted(p for p in common if months[-1] < p <= add_months(months[-1], 3))
    latest = later[-1] if later else None
    if latest is None:
        raise LookupError("no monthly data newer than the base quarter")
    used: list[str] = []
    by_value = {r.value_id: r.id for r in ACUTE_RULES.values() if r.value_id}
    for value_id, series_id in NOWCAST_SERIES.items():
        rid = by_value[value_id]
        moved = 0
        for ods, inp in cohort.inputs.get(rid, {}).items():
            s = series.get(series_id, {}).get(ods, {})
            base = [s[m] for m in months if m in s]
            if inp.value is None or not base or latest not in s:
                continue
            inp.value = round(inp.value + s[latest] - sum(base) / len(base), 4)
            inp.rank = None
            moved += 1
        for inp in cohort.inputs.get(rid, {}).values():
            inp.rank = None
        used.append(f"{value_id} from {series_id} ({moved} trusts)")
    cohort.period = next_quarter(base_period)
    cohort.method = (
        f"Indicative nowcast of {cohort.period}: NOF 2025/26 method on the {base_period} published "
        f"acute values, with {', '.join(used)} moved by each trust's change from the {base_period} "
        f"monthly average to {latest}; other metrics, deficit and Recovery Support flags as published "
        f"for {base_period}. Not an official segmentation."
    )
    return cohort, latest


def ambulance_cohort(data: ReferenceData, period: str | None = None) -> Cohort:
    """Ambulance trusts from AmbSYS monthly means over the quarter (default the latest complete one) and the
    2024 staff survey."""
    members = _family_members(data, "ambulance")
    period = period or ambulance_period(data)
    try:
        months = quarter_months(period)
    except ValueError as exc:
        raise LookupError(str(exc)) from None
    sums: dict[tuple[str, str], list[float]] = {}
    index, member_set = index_of(data), set(members)
    for metric in AMBULANCE_RULES:
        for obs in index.by_metric.get(metric, []):
            if obs.provider in member_set and (metric == "nss_engagement" or obs.period in months):
                sums.setdefault((obs.metric, obs.provider), []).append(obs.value)
    inputs = {
        rid: {o: MetricInput(value=round(sum(v) / len(v), 4)) for (m, o), v in sums.items() if m == rid}
        for rid in AMBULANCE_RULES
    }
    providers = [o for o in members if any(o in per for per in inputs.values())]
    return Cohort(
        "ambulance",
        period,
        AMBULANCE_RULES,
        inputs,
        providers,
        method=(
            f"Indicative NOF-style assessment of ambulance trusts for {period} (no official file): "
            f"{', '.join(r.label for r in AMBULANCE_RULES.values())}; AmbSYS monthly values averaged "
            f"over {months[0]}..{months[-1]}, NHS Staff Survey 2024; scored 1-4 with the manual's "
            "ranking model, quartiled among ambulance trusts; no finance data, so no deficit cap."
        ),
    )


def to_assessments(cohort: Cohort, cards: Mapping[str, ScoreCard]) -> list[Assessment]:
    return [
        Assessment(
            provider=c.provider,
            period=cohort.period,
            segment=c.segment,
            average_score=c.average_score,
            official=False,
            source=INDICATIVE_SOURCE.id,
            unadjusted_segment=c.unadjusted_segment,
            financial_deficit=c.deficit if cohort.deficit else None,
            recovery_support=c.recovery_support if cohort.recovery_support else None,
            domain_scores=dict(c.domain_scores),
            domain_segments=dict(c.domain_segments),
            method=cohort.method,
        )
        for c in cards.values()
        if c.average_score is not None
    ]


def indicative_assessments(data: ReferenceData) -> list[Assessment]:
    """Indicative (``official=False``) assessments: ambulance trusts for the latest complete AmbSYS quarter and
    the acute nowcast of the quarter after the latest published one.

    Each carries ``method`` naming the metrics and period used. Official assessments take precedence.
    """
    out: list[Assessment] = []
    amb = ambulance_cohort(data)
    out += to_assessments(amb, score_cohort(amb))
    try:
        now, _ = nowcast_cohort(data)
    except LookupError:
        return out
    out += to_assessments(now, score_cohort(now))
    return out


# ---------------------------------------------------------------- validation and what-if


@dataclass
class Agreement:
    n: int
    spearman: float
    exact_segment_share: float
    confusion: dict[int, dict[int, int]]  # official unadjusted -> indicative unadjusted -> count
    average_exact_share: float
    average_mae: float
    domain_mae: dict[str, float]
    metric_score_exact_share: dict[str, float]


def validate_acute(data: ReferenceData, period: str | None = None) -> Agreement:
    """Recompute the published acute results and compare with the official OF5002 / OF5003 / OF4xxx."""
    cohort = acute_cohort(data, period)
    period = cohort.period
    cards = score_cohort(cohort)
    official = {
        a.provider: a
        for a in data.assessments
        if a.official and a.period == period and a.provider in cards and a.source.startswith("nof-acute-q")
    }
    pairs = [(official[o], cards[o]) for o in sorted(official) if cards[o].average_score is not None]
    confusion: dict[int, dict[int, int]] = {s: dict.fromkeys(range(1, 5), 0) for s in range(1, 5)}
    for off, card in pairs:
        if off.unadjusted_segment and card.unadjusted_segment:
            confusion[off.unadjusted_segment][card.unadjusted_segment] += 1
    domain_mae = {}
    for domain in DOMAINS:
        diffs = [
            abs(off.domain_scores[domain] - card.domain_scores[domain])
            for off, card in pairs
            if domain in off.domain_scores and domain in card.domain_scores
        ]
        if diffs:
            domain_mae[domain] = round(sum(diffs) / len(diffs), 4)
    metric_exact = {}
    for rid, rule in cohort.rules.items():
        if rule.use_published_score or rule.value_id is None:
            continue
        ours = score_metric(rule, cohort.inputs.get(rid, {}))
        theirs = {o: i.score for o, i in cohort.inputs.get(rid, {}).items() if i.score is not None}
        common = [o for o in ours if o in theirs]
        if common:
            metric_exact[rid] = round(
                sum(abs(ours[o] - (theirs[o] or 0)) < 0.005 for o in common) / len(common), 4
            )
    n = len(pairs)
    return Agreement(
        n=n,
        spearman=round(
            spearman([p[0].average_score or 0 for p in pairs], [p[1].average_score or 0 for p in pairs]), 4
        ),
        exact_segment_share=round(sum(o.unadjusted_segment == c.unadjusted_segment for o, c in pairs) / n, 4),
        confusion=confusion,
        average_exact_share=round(
            sum(abs((o.average_score or 0) - (c.average_score or 0)) < 0.005 for o, c in pairs) / n, 4
        ),
        average_mae=round(sum(abs((o.average_score or 0) - (c.average_score or 0)) for o, c in pairs) / n, 4),
        domain_mae=domain_mae,
        metric_score_exact_share=metric_exact,
    )


def cohort_for(data: ReferenceData, ods: str, period: str | None = None) -> Cohort:
    """The cohort a provider is scored in (acute: published data; ambulance: AmbSYS)."""
    provider = data.providers.get(ods)
    if provider is None:
        raise KeyError(ods)
    if provider.family == "acute":
        return acute_cohort(data, period)
    if provider.family == "ambulance":
        return ambulance_cohort(data, period)
    raise LookupError(
        f"{ods} is a {provider.trust_type} trust; what-if scoring covers acute and ambulance trusts"
    )


def what_if(data: ReferenceData, ods: str, changes: Mapping[str, float], period: str | None = None) -> dict:
    """Re-run the method with some of one provider's values changed; baseline computed the same way."""
    cohort = cohort_for(data, ods, period)
    if ods not in cohort.providers:
        raise LookupError(f"{ods} has no published data for {cohort.period}")
    resolved = {(SERIES_ALIASES.get(k, k) if cohort.name == "acute" else k): v for k, v in changes.items()}
    baseline = score_cohort(cohort.with_values(ods, {}))[ods]
    scenario = score_cohort(cohort.with_values(ods, resolved))[ods]
    return {
        "provider": ods,
        "period": cohort.period,
        "cohort": cohort.name,
        "changes": resolved,
        "baseline": card_dict(baseline),
        "scenario": card_dict(scenario),
    }


def card_dict(card: ScoreCard) -> dict:
    return {
        "average_score": card.average_score,
        "unadjusted_segment": card.unadjusted_segment,
        "segment": card.segment,
        "financial_deficit": card.deficit,
        "recovery_support": card.recovery_support,
        "domain_scores": card.domain_scores,
        "domain_segments": card.domain_segments,
        "metric_scores": card.metric_scores,
    }


def final_segment(assessment: Assessment) -> int | None:
    """The segment as published for use: segment 5 when in the Recovery Support Programme."""
    return assessment.final_segment
