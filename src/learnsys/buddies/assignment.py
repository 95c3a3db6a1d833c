"""Pair every challenged provider in scope with a mentor: min-cost flow under mentor capacity limits.

Network: source -> mentee (capacity 1) -> mentor (capacity 1, cost ``scale - score``) -> sink (capacity =
the mentor's capacity); costs are integers (scores x ``score_scale``). With ``coverage_first`` (default)
networkx's ``max_flow_min_cost`` pairs as many mentees as the capacities allow and, among those pairings,
maximises the total score. Otherwise a mentee -> ``unmatched`` -> sink arc priced as a zero-score pairing
lets ``min_cost_flow`` maximise the total score alone. Each mentee keeps only its ``prune_top`` best
candidates; one left unpaired while a mentor beyond its list still has room is re-solved with all of them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from learnsys.buddies.matcher import BuddyMatcher, TopicModel

NATIONAL = "national"


class UnknownScope(LookupError):
    def __init__(self, scope: str, choices: list[str]):
        self.scope, self.choices = scope, choices
        super().__init__(f"no scope {scope!r}; use 'national' or a region code: {', '.join(choices)}")


@dataclass
class Problem:
    """Mentees, the mentor pool and every eligible (mentee, mentor, score, integer score) candidate."""

    model: TopicModel
    mentees: list[str]
    pool: set[str]
    capacity: dict[str, int]
    candidates: dict[str, list[tuple[str, float, int]]] = field(default_factory=dict)


def scope_members(matcher: BuddyMatcher, scope: str) -> tuple[str, list[str]]:
    data = matcher.data
    code = scope.strip()
    if code.lower() == NATIONAL:
        return NATIONAL, sorted(data.providers)
    code = code.upper()
    if code not in data.regions:
        raise UnknownScope(scope, sorted(data.regions))
    return code, sorted(c for c, p in data.providers.items() if p.region_code == code)


def build_problem(
    matcher: BuddyMatcher,
    topic: str,
    scope: str,
    capacity: int,
    capacities: dict[str, int] | None = None,
    mentors_from: str = "scope",
) -> tuple[Problem, str]:
    """The challenged providers in scope, the strong providers that may mentor them, and candidates."""
    model = matcher.model(topic)
    scope_code, members = scope_members(matcher, scope)
    challenged = set(matcher.config.challenged_segments)
    strong = set(matcher.config.mentor_segments)
    mentees = [c for c in members if (matcher.standings[c].segment or 0) in challenged]
    pool_from = sorted(matcher.data.providers) if mentors_from == NATIONAL else members
    pool = {c for c in pool_from if (matcher.standings[c].segment or 0) in strong}
    caps = {c: int((capacities or {}).get(c, capacity)) for c in sorted(pool)}
    problem = Problem(model, mentees, pool, caps)
    scale = matcher.config.score_scale
    for mentee in mentees:
        found = model.locate(mentee)
        if found is None:
            problem.candidates[mentee] = []
            continue
        fam = found[0]
        problem.candidates[mentee] = [
            (fam.table.ods[j], s, int(round(s * scale)))
            for j, s in matcher.candidates(model, mentee, pool)
            if caps.get(fam.table.ods[j])
        ]
    return problem, scope_code


def solve_flow(problem: Problem, prune: dict[str, int], scale: int, coverage_first: bool) -> dict[str, str]:
    """Min-cost flow over the pruned candidates; returns mentee -> mentor."""
    mentees = [m for m in problem.mentees if problem.candidates[m]]
    if not mentees:
        return {}
    graph = nx.DiGraph()
    used_mentors: set[str] = set()
    for mentee in mentees:
        graph.add_edge("source", ("e", mentee), capacity=1, weight=0)
        if not coverage_first:  # leaving a mentee unpaired costs as much as a zero-score pairing
            graph.add_edge(("e", mentee), "unmatched", capacity=1, weight=scale)
        for mentor, _score, points in problem.candidates[mentee][: prune[mentee]]:
            graph.add_edge(("e", mentee), ("r", mentor), capacity=1, weight=scale - points)
            used_mentors.add(mentor)
    for mentor in sorted(used_mentors):
        graph.add_edge(("r", mentor), "sink", capacity=problem.capacity[mentor], weight=0)
    if coverage_first:  # the largest number of pairs, and among those the least cost (= highest total score)
        flow = nx.max_flow_min_cost(graph, "source", "sink")
    else:
        graph.add_edge("unmatched", "sink", capacity=len(mentees), weight=0)
        graph.nodes["source"]["demand"], graph.nodes["sink"]["demand"] = -len(mentees), len(mentees)
        flow = nx.min_cost_flow(graph)
    pairs = {}
    for mentee in mentees:
        for node, units in flow[("e", mentee)].items():
            if units and node != "unmatched":
                pairs[mentee] = node[1]
    return pairs


def components(problem: Problem, prune: dict[str, int]) -> list[list[str]]:
    """Mentees grouped by the connected components of the pruned mentee-mentor graph (solved apart)."""
    graph = nx.Graph()
    for mentee in problem.mentees:
        graph.add_node(("e", mentee))
        for mentor, _, _ in problem.candidates[mentee][: prune[mentee]]:
            graph.add_edge(("e", mentee), ("r", mentor))
    groups = [sorted(n[1] for n in comp if n[0] == "e") for comp in nx.connected_components(graph)]
    return sorted(groups)


def optimise(problem: Problem, prune_top: int, scale: int, coverage_first: bool) -> dict[str, str]:
    """Solve each connected component with pruning; a mentee left unpaired while a mentor beyond its list
    still has room gets its whole candidate list and the problem is solved again."""
    prune = {m: prune_top for m in problem.mentees}
    while True:
        pairs: dict[str, str] = {}
        for group in components(problem, prune):
            part = Problem(
                problem.model,
                group,
                problem.pool,
                problem.capacity,
                {m: problem.candidates[m] for m in group},
            )
            pairs.update(solve_flow(part, prune, scale, coverage_first))
        load: dict[str, int] = {}
        for mentor in pairs.values():
            load[mentor] = load.get(mentor, 0) + 1
        widen = [
            m
            for m in problem.mentees
            if m not in pairs
            and any(load.get(r, 0) < problem.capacity[r] for r, _, _ in problem.candidates[m][prune[m] :])
        ]
        if not widen:
            return pairs
        for m in widen:
            prune[m] = len(problem.candidates[m])


def greedy(problem: Problem) -> dict[str, str]:
    """Baseline: best-scoring pair first, while the mentee is free and the mentor has room."""
    left = dict(problem.capacity)
    edges = sorted(
        ((s, mentee, mentor) for mentee, cands in problem.candidates.items() for mentor, s, _ in cands),
        key=lambda e: (-e[0], e[1], e[2]),
    )
    pairs: dict[str, str] = {}
    for _s, mentee, mentor in edges:
        if mentee not in pairs and left[mentor] > 0:
            pairs[mentee] = mentor
            left[mentor] -= 1
    return pairs


def total(problem: Problem, pairs: dict[str, str]) -> float:
    scores = {(m, r): s for m, c in problem.candidates.items() for r, s, _ in c}
    return round(sum(scores[(m, r)] for m, r in pairs.items()), 4)


def assign(
    matcher: BuddyMatcher,
    topic: str,
    scope: str = NATIONAL,
    capacity: int = 2,
    capacities: dict[str, int] | None = None,
    mentors_from: str = "scope",
    baseline: bool = True,
) -> dict[str, Any]:
    """The response of ``POST /buddies/assign``."""
    started = time.perf_counter()
    config = matcher.config
    problem, scope_code = build_problem(matcher, topic, scope, capacity, capacities, mentors_from)
    pairs = optimise(problem, config.prune_top, config.score_scale, config.coverage_first)
    elapsed = time.perf_counter() - started
    model = problem.model
    out_pairs, unmatched = [], []
    load: dict[str, int] = {}
    for mentee in problem.mentees:
        mentor = pairs.get(mentee)
        if mentor is None:
            unmatched.append(
                {
                    "ods": mentee,
                    "name": matcher.data.providers[mentee].name,
                    "reason": unmatched_reason(matcher, problem, mentee),
                }
            )
            continue
        load[mentor] = load.get(mentor, 0) + 1
        fam, i = model.locate(mentee)  # type: ignore[misc]
        j = fam.table.index[mentor]
        out_pairs.append(
            {
                "mentee": mentee,
                "mentee_name": matcher.data.providers[mentee].name,
                "mentor": mentor,
                "mentor_name": matcher.data.providers[mentor].name,
                "score": round(float(fam.score[i, j]), 4),
                "factors": matcher.factors_of(fam, i, j),
                "floors": matcher.floors(fam, i, j),
            }
        )
    statuses = sorted({matcher.standings[c].status or "none" for c in [*problem.mentees, *problem.pool]})
    result: dict[str, Any] = {
        "scope": scope_code,
        "topic": model.topic.to_dict(),
        "capacity": capacity,
        "mentors_from": NATIONAL if mentors_from == NATIONAL else "scope",
        "assessments": statuses[0] if len(statuses) == 1 else "mixed",
        "assessment_sources": _sources(matcher, [*problem.mentees, *sorted(problem.pool)]),
        "challenged": len(problem.mentees),
        "mentors_available": len(problem.pool),
        "pairs": out_pairs,
        "unmatched": unmatched,
        "total_score": total(problem, pairs),
        "mentor_load": dict(sorted(load.items())),
        "method": {
            "solver": "networkx min_cost_flow (network simplex), integer costs",
            "objective": "pair as many mentees as possible, then maximise total score"
            if config.coverage_first
            else "maximise total score",
            "prune_top": config.prune_top,
            "score_scale": config.score_scale,
            "seconds": round(elapsed, 4),
        },
    }
    if baseline:
        base = greedy(problem)
        result["baseline"] = {
            "method": "greedy: best-scoring pair first",
            "pairs": len(base),
            "total_score": total(problem, base),
        }
    return result


def _sources(matcher: BuddyMatcher, codes: list[str]) -> list[dict[str, Any]]:
    seen: dict[tuple[str | None, str | None, str | None], int] = {}
    for c in codes:
        st = matcher.standings[c]
        seen[(st.status, st.source, st.period)] = seen.get((st.status, st.source, st.period), 0) + 1
    return [
        {"status": s, "source": src, "period": p, "providers": n}
        for (s, src, p), n in sorted(seen.items(), key=lambda kv: tuple(str(x) for x in kv[0]))
    ]


def unmatched_reason(matcher: BuddyMatcher, problem: Problem, mentee: str) -> str:
    cands = problem.candidates.get(mentee, [])
    if not cands:
        return matcher.no_mentor_reason(problem.model, mentee, problem.pool)
    names = ", ".join(f"{m} (capacity {problem.capacity[m]})" for m, _, _ in cands[:5])
    names += " ..." if len(cands) > 5 else ""
    who = (
        f"its only eligible mentor, {names}, is"
        if len(cands) == 1
        else (f"all {len(cands)} of its eligible mentors, {names}, are")
    )
    return f"{who} full: the optimal assignment (most pairs, then highest total score) gave the places to others"


CSV_COLUMNS = (
    "status",
    "mentee",
    "mentee_name",
    "mentor",
    "mentor_name",
    "score",
    "complementarity",
    "context",
    "evidence",
    "proximity",
    "capacity",
    "headline_metric",
    "mentee_headline",
    "mentor_headline",
    "headline_period",
    "domain",
    "mentee_domain_score",
    "mentor_domain_score",
    "domain_period",
    "reason",
)


def assignment_csv(result: dict[str, Any]) -> str:
    """The assignment as CSV for regional teams: one row per pair, then one per unmatched mentee."""
    import csv
    import io

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for pair in result["pairs"]:
        head, dom = pair["floors"].get("headline", {}), pair["floors"].get("domain", {})
        writer.writerow(
            {
                "status": "paired",
                "mentee": pair["mentee"],
                "mentee_name": pair["mentee_name"],
                "mentor": pair["mentor"],
                "mentor_name": pair["mentor_name"],
                "score": pair["score"],
                **pair["factors"],
                "headline_metric": head.get("metric", ""),
                "mentee_headline": head.get("mentee", {}).get("value", ""),
                "mentor_headline": head.get("mentor", {}).get("value", ""),
                "headline_period": head.get("mentee", {}).get("period", ""),
                "domain": dom.get("domain", ""),
                "mentee_domain_score": dom.get("mentee", {}).get("score", ""),
                "mentor_domain_score": dom.get("mentor", {}).get("score", ""),
                "domain_period": dom.get("mentee", {}).get("period", ""),
                "reason": "",
            }
        )
    for item in result["unmatched"]:
        writer.writerow(
            {
                "status": "unmatched",
                "mentee": item["ods"],
                "mentee_name": item["name"],
                "reason": item["reason"],
            }
        )
    return buffer.getvalue()
