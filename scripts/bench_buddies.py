"""Benchmark buddy matching on the shipped data: medians over repeated runs.

Floors (issue 6): one provider's ranking under 50 ms, a national assignment under 1 s. Also reports the
assignment's total score against the greedy baseline, the effect of pruning, and the wave planner's time.

Usage: .venv/bin/python scripts/bench_buddies.py [--repeat N] [--json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any

from learnsys.buddies.assignment import assign as assign_mentors
from learnsys.buddies.assignment import build_problem, greedy, optimise, total
from learnsys.buddies.cli import load_buddy_services
from learnsys.buddies.matcher import BuddyMatcher
from learnsys.buddies.waves import plan_waves

TOPICS = ("uec", "elective", "cancer")


def timed(call: Callable[[], Any], repeat: int) -> tuple[float, float, Any]:
    """(median seconds, max seconds, last result)."""
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), max(times), result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    started = time.perf_counter()
    services = load_buddy_services()
    load_s = time.perf_counter() - started
    matcher = BuddyMatcher(services)
    report: dict[str, Any] = {
        "load_services_s": round(load_s, 3),
        "model_build_s": {},
        "ranking": {},
        "assignment": [],
        "pruning": [],
        "plan": {},
    }
    for topic in TOPICS:
        started = time.perf_counter()
        matcher.model(topic)
        report["model_build_s"][topic] = round(time.perf_counter() - started, 4)

    challenged = sorted(c for c, s in matcher.standings.items() if (s.segment or 0) >= 3)
    for topic in TOPICS:
        per_call = []
        for ods in challenged:
            med, _, _ = timed(lambda ods=ods, topic=topic: matcher.rank(ods, topic, k=5), args.repeat)
            per_call.append(med)
        report["ranking"][topic] = {
            "providers": len(challenged),
            "median_ms": round(statistics.median(per_call) * 1e3, 3),
            "max_of_medians_ms": round(max(per_call) * 1e3, 3),
        }

    for topic in TOPICS:
        for capacity in (1, 2, 3):
            med, worst, result = timed(
                lambda t=topic, c=capacity: assign_mentors(matcher, t, "national", c, baseline=False),
                args.repeat,
            )
            problem, _ = build_problem(matcher, topic, "national", capacity)
            base = greedy(problem)
            report["assignment"].append(
                {
                    "topic": topic,
                    "capacity": capacity,
                    "challenged": result["challenged"],
                    "mentors": result["mentors_available"],
                    "median_s": round(med, 4),
                    "max_s": round(worst, 4),
                    "pairs": len(result["pairs"]),
                    "total_score": result["total_score"],
                    "greedy_pairs": len(base),
                    "greedy_total_score": total(problem, base),
                }
            )

    for topic in TOPICS:
        problem, _ = build_problem(matcher, topic, "national", 2)
        longest = max(len(c) for c in problem.candidates.values())
        for k in sorted({5, 10, 20, 30, longest}):
            med, _, pairs = timed(lambda p=problem, k=k: optimise(p, k, 1000, True), max(3, args.repeat // 2))
            report["pruning"].append(
                {
                    "topic": topic,
                    "capacity": 2,
                    "prune_top": k,
                    "median_s": round(med, 4),
                    "pairs": len(pairs),
                    "total_score": total(problem, pairs),
                }
            )

    med, _, plan = timed(lambda: plan_waves(matcher, "uec", 33, 3), args.repeat)
    report["plan"] = {
        "topic": "uec",
        "median_s": round(med, 4),
        "waves": [w["size"] for w in plan["waves"]],
        "intensive_support": len(plan["intensive_support"]),
        "faculty_pool": len(plan["faculty_pool"]),
        "later_waves": len(plan["later_waves"]),
    }

    if args.json:
        print(json.dumps(report, indent=1))
        return 0
    print(
        f"services loaded in {report['load_services_s']} s; topic models built in "
        + ", ".join(f"{t} {s} s" for t, s in report["model_build_s"].items())
    )
    for topic, r in report["ranking"].items():
        print(
            f"ranking {topic}: median {r['median_ms']} ms over {r['providers']} challenged providers "
            f"(slowest provider's median {r['max_of_medians_ms']} ms)"
        )
    print("national assignment: topic cap challenged mentors median_s pairs total greedy_pairs greedy_total")
    for r in report["assignment"]:
        print(
            f"  {r['topic']:<9} {r['capacity']} {r['challenged']:>4} {r['mentors']:>4} {r['median_s']:>8} "
            f"{r['pairs']:>4} {r['total_score']:>8} {r['greedy_pairs']:>4} {r['greedy_total_score']:>8}"
        )
    print("pruning (capacity 2): topic prune_top median_s pairs total")
    for r in report["pruning"]:
        print(f"  {r['topic']:<9} {r['prune_top']:>3} {r['median_s']:>8} {r['pairs']:>4} {r['total_score']:>8}")
    p = report["plan"]
    print(
        f"UEC wave plan (3 x 33): {p['median_s']} s; waves {p['waves']}, intensive {p['intensive_support']}, "
        f"faculty pool {p['faculty_pool']}, later {p['later_waves']}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
