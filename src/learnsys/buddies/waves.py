"""Structured improvement collaborative waves, after the founding paper's Annex B and the Emergency Services
Collaborative (six waves of 30-35 sites): "all-in, phased rollout, targeting the middle of the pack".

* the most challenged go to intensive support, not a wave: segment 5 (the Recovery Support / National
  Provider Improvement Programme), and segment-4 trusts in the bottom share of the cohort on the topic;
* strong performers are faculty, not participants: segment 1-2, in the top half on the topic and (like for
  like) of the cohort's main kind, general or specialist;
* a topic with a headline measure is for the trusts that report it (UEC: trusts running an A&E);
* the rest are participants, middle of the pack first: ordered by distance from the cohort's median topic
  position, and spread over the waves so each wave mirrors the regional mix of the participants;
* each wave gets faculty from the strong performers, preferring faculty from the wave's own regions.
"""

from __future__ import annotations

import hashlib
import math
from typing import Any

import numpy as np
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, RDF, SKOS, XSD

from learnsys.buddies.assignment import NATIONAL, scope_members
from learnsys.buddies.matcher import BuddyMatcher, FamilyModel
from learnsys.kg.namespaces import ID, LS, org_iri, slug
from learnsys.ranking import percentiles


class UnknownFamily(LookupError):
    def __init__(self, family: str, choices: list[str]):
        self.family, self.choices = family, choices
        super().__init__(f"no trust-type family {family!r}; use one of {', '.join(choices)}")


def default_family(matcher: BuddyMatcher, topic: str) -> str:
    """The family with the most providers holding the topic's headline (else any topic) measure."""
    model = matcher.model(topic)
    best, count = "", -1
    for name, fam in sorted(model.families.items()):
        t = fam.table
        col = t.headline if t.headline is not None else None
        have = (
            int((~np.isnan(t.values[:, col])).sum())
            if col is not None
            else int((~np.isnan(t.pct)).any(axis=1).sum())
            if t.metrics
            else 0
        )
        if have > count:
            best, count = name, have
    return best


def _round(x: float | None, places: int = 3) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), places)


def _quotas(remaining: dict[str, int], size: int) -> dict[str, int]:
    """Largest-remainder apportionment of ``size`` places over regions, proportional to what each has left."""
    total = sum(remaining.values())
    if total <= size:
        return dict(remaining)
    exact = {r: size * n / total for r, n in remaining.items()}
    quota = {r: min(int(math.floor(x)), remaining[r]) for r, x in exact.items()}
    order = sorted(remaining, key=lambda r: (-(exact[r] - math.floor(exact[r])), -remaining[r], r))
    left = size - sum(quota.values())
    while left > 0:
        progressed = False
        for r in order:
            if left and quota[r] < remaining[r]:
                quota[r] += 1
                left -= 1
                progressed = True
        if not progressed:
            break
    return quota


def plan_waves(
    matcher: BuddyMatcher,
    topic: str,
    wave_size: int = 33,
    waves: int = 3,
    scope: str = NATIONAL,
    family: str | None = None,
    faculty_per_wave: int | None = None,
) -> dict[str, Any]:
    """The response of ``POST /collaboratives/plan`` (without storing it)."""
    config = matcher.config
    model = matcher.model(topic)
    family = family or default_family(matcher, topic)
    if family not in model.families:
        raise UnknownFamily(family, sorted(model.families))
    fam: FamilyModel = model.families[family]
    t = fam.table
    scope_code, members = scope_members(matcher, scope)
    in_scope = set(members)
    rows = [i for i, c in enumerate(t.ods) if c in in_scope]
    # a topic that defines no measures (e.g. maternity) is ranked on its NOF domain score (lower = better)
    position = t.composite() if t.metrics else percentiles(t.domain, "lower")
    data = matcher.data

    def describe(i: int) -> dict[str, Any]:
        code = t.ods[i]
        st = t.standings[i]
        out: dict[str, Any] = {
            "ods": code,
            "name": data.providers[code].name,
            "region": data.providers[code].region_code,
            "segment": st.segment,
            "position": _round(position[i]),
        }
        if t.headline is not None:
            out["headline"] = {
                "metric": t.metrics[t.headline],
                "value": _round(t.values[i, t.headline], 2),
                "period": t.periods[i][t.headline],
            }
        return out

    # a topic with a headline measure is for the trusts that report it (UEC: those running an A&E)
    has = ~np.isnan(t.values[:, t.headline]) if t.headline is not None else ~np.isnan(position)
    no_data = [i for i in rows if not has[i] or np.isnan(position[i])]
    ranked = [i for i in rows if has[i] and not np.isnan(position[i])]
    kinds = [str(t.kind[i]) for i in ranked]
    main_kind = max(sorted(set(kinds)), key=kinds.count) if kinds else "general"
    cohort_pos = np.array([position[i] for i in ranked])
    median = float(np.median(cohort_pos)) if ranked else 0.5
    bottom_cut = float(np.quantile(cohort_pos, config.intensive_bottom_share)) if ranked else 0.0
    intensive, faculty, participants = [], [], []
    for i in ranked:
        seg = int(t.segment[i])
        if seg in config.intensive_segments:
            intensive.append((i, f"segment {seg}: national intensive support (Recovery Support / NPIP)"))
        elif seg == 4 and position[i] <= bottom_cut:
            intensive.append(
                (
                    i,
                    f"segment 4 and in the bottom {config.intensive_bottom_share:.0%} on the topic "
                    f"(position {position[i]:.2f} <= {bottom_cut:.2f})",
                )
            )
        elif (
            seg in config.mentor_segments
            and position[i] >= config.faculty_min_percentile
            and (not config.like_for_like or t.kind[i] == main_kind)
        ):
            faculty.append(i)
        else:
            participants.append(i)
    # middle of the pack first: closest to the cohort median, ties by ODS code
    participants.sort(key=lambda i: (abs(position[i] - median), t.ods[i]))
    by_region: dict[str, list[int]] = {}
    for i in participants:
        by_region.setdefault(data.providers[t.ods[i]].region_code, []).append(i)
    capacity = wave_size * waves
    plan_waves_: list[list[int]] = []
    queues = {r: list(q) for r, q in sorted(by_region.items())}
    scheduled = min(capacity, len(participants))
    # regional shares over everyone scheduled: take each region's middle-most first
    share = _quotas({r: len(q) for r, q in queues.items()}, scheduled)
    picked = {r: q[: share[r]] for r, q in queues.items()}
    later = [i for r, q in queues.items() for i in q[share[r] :]]
    for _ in range(waves):
        remaining = {r: len(q) for r, q in picked.items() if q}
        quota = _quotas(remaining, wave_size)
        wave: list[int] = []
        for r in sorted(quota):
            wave += picked[r][: quota[r]]
            picked[r] = picked[r][quota[r] :]
        wave.sort(key=lambda i: (abs(position[i] - median), t.ods[i]))
        if wave:  # fewer participants than places: no empty waves
            plan_waves_.append(wave)
    later.sort(key=lambda i: (abs(position[i] - median), t.ods[i]))

    per_wave = config.faculty_per_wave if faculty_per_wave is None else faculty_per_wave
    faculty.sort(key=lambda i: (-position[i], t.ods[i]))
    max_uses = math.ceil(len(plan_waves_) * per_wave / len(faculty)) if faculty else 0
    uses = {i: 0 for i in faculty}
    wave_faculty: list[list[int]] = []
    for wave in plan_waves_:
        regions = [data.providers[t.ods[i]].region_code for i in wave]
        chosen: list[int] = []
        for _ in range(min(per_wave, len(faculty), len(wave))):
            covered = {data.providers[t.ods[f]].region_code for f in chosen}
            options = [f for f in faculty if f not in chosen and uses[f] < max_uses]
            if not options:
                break
            best = min(
                options,
                key=lambda f: (
                    -(
                        regions.count(data.providers[t.ods[f]].region_code)
                        if data.providers[t.ods[f]].region_code not in covered
                        else 0
                    ),
                    uses[f],
                    -position[f],
                    t.ods[f],
                ),
            )
            chosen.append(best)
            uses[best] += 1
        wave_faculty.append(chosen)

    region_share = {r: len(q) / len(participants) for r, q in by_region.items()} if participants else {}
    out_waves = []
    for n, (wave, fac) in enumerate(zip(plan_waves_, wave_faculty, strict=True), start=1):
        counts: dict[str, int] = {}
        for i in wave:
            r = data.providers[t.ods[i]].region_code
            counts[r] = counts.get(r, 0) + 1
        gap = (
            max((abs(counts.get(r, 0) / len(wave) - s) for r, s in region_share.items()), default=0.0) if wave else 0.0
        )
        pos = [position[i] for i in wave]
        out_waves.append(
            {
                "number": n,
                "size": len(wave),
                "members": [describe(i) for i in wave],
                "faculty": [describe(f) for f in fac],
                "regions": dict(sorted(counts.items())),
                "max_regional_share_gap": _round(gap),
                "position": {
                    "min": _round(min(pos)) if pos else None,
                    "max": _round(max(pos)) if pos else None,
                    "median": _round(float(np.median(pos))) if pos else None,
                },
            }
        )
    topic_ = model.topic
    statuses = sorted({t.standings[i].status or "none" for i in rows})
    return {
        "topic": topic_.to_dict(),
        "scope": scope_code,
        "family": family,
        "wave_size": wave_size,
        "waves_requested": waves,
        "waves": out_waves,
        "assessments": statuses[0] if len(statuses) == 1 else "mixed",
        "cohort": {
            "providers": len(rows),
            "with_topic_data": len(ranked),
            "median_position": _round(median),
            "participants": len(participants),
            "scheduled": sum(len(w) for w in plan_waves_),
        },
        "intensive_support": [{**describe(i), "reason": why} for i, why in intensive],
        "faculty_pool": [describe(i) for i in faculty],
        "later_waves": [
            {
                **describe(i),
                "reason": f"beyond {waves} waves of {wave_size}: further from the "
                f"middle of the pack ({position[i]:.2f} vs median {median:.2f})",
            }
            for i in later
        ],
        "no_topic_data": [
            {
                "ods": t.ods[i],
                "name": data.providers[t.ods[i]].name,
                "reason": (
                    f"no recent value on the headline measure {t.metrics[t.headline]}"
                    if t.headline is not None
                    else "no recent value on the topic's measures"
                    if t.metrics
                    else f"no {t.topic.domain} domain score"
                ),
            }
            for i in no_data
        ],
        "method": {
            "position": "mean percentile within the family over the topic's measures, headline counted twice (1 = best)"
            if t.metrics
            else f"percentile of the {t.topic.domain} domain score within the family (1 = best)",
            "intensive_support": f"segment in {list(config.intensive_segments)}, or segment 4 in the "
            f"bottom {config.intensive_bottom_share:.0%} on the topic",
            "faculty": f"segment in {list(config.mentor_segments)}, position >= "
            f"{config.faculty_min_percentile}"
            + (f", {main_kind} trusts like most of the cohort" if config.like_for_like else ""),
            "order": "distance from the cohort median position, smallest first (middle of the pack)",
            "balance": "regional quotas per wave by largest remainder over the participants' regional mix",
            "faculty_per_wave": per_wave,
        },
    }


def collaborative_iri(plan: dict[str, Any]) -> URIRef:
    """Deterministic: topic, scope and a hash of the membership."""
    content = "|".join(
        f"{w['number']}:{','.join(m['ods'] for m in w['members'])}:{','.join(f['ods'] for f in w['faculty'])}"
        for w in plan["waves"]
    )
    digest = hashlib.sha256(content.encode()).hexdigest()[:10]
    return ID[f"collaborative/{slug(plan['topic']['notation'])}/{slug(plan['scope'])}-{plan['family']}-{digest}"]


def plan_to_ntriples(plan: dict[str, Any]) -> bytes:
    """The plan as an ``ls:ImprovementCollaborative`` with ``ls:CollaborativeWave`` waves (N-Triples),
    for ``services.graph.add_ntriples``; conforms to CollaborativeShape and WaveShape."""
    graph = Graph()
    node = collaborative_iri(plan)
    topic = plan["topic"]
    graph.add((node, RDF.type, LS.ImprovementCollaborative))
    graph.add(
        (
            node,
            SKOS.prefLabel,
            Literal(
                f"{topic['label']} improvement collaborative ({plan['scope']}, {plan['family']}, "
                f"{len(plan['waves'])} waves of up to {plan['wave_size']})",
                lang="en",
            ),
        )
    )
    graph.add((node, LS.topic, URIRef(topic["iri"])))
    graph.add(
        (
            node,
            DCTERMS.description,
            Literal(
                "Planned by learnsys: middle of the pack first, the most challenged to intensive support, "
                "strong performers as faculty, waves balanced across regions.",
                lang="en",
            ),
        )
    )
    for item in plan["intensive_support"]:
        graph.add((node, LS.intensiveSupport, org_iri(item["ods"])))
    for wave in plan["waves"]:
        wnode = URIRef(f"{node}/wave/{wave['number']}")
        graph.add((node, LS.wave, wnode))
        graph.add((wnode, RDF.type, LS.CollaborativeWave))
        graph.add((wnode, SKOS.prefLabel, Literal(f"Wave {wave['number']}", lang="en")))
        graph.add((wnode, LS.waveNumber, Literal(wave["number"], datatype=XSD.integer)))
        graph.add((wnode, ORG.subOrganizationOf, node))
        for member in wave["members"]:
            graph.add((wnode, ORG.hasMember, org_iri(member["ods"])))
        for fac in wave["faculty"]:
            graph.add((wnode, LS.faculty, org_iri(fac["ods"])))
    return graph.serialize(format="nt", encoding="utf-8")
