"""Time the oversight computations on the shipped reference data.

Usage: .venv/bin/python scripts/bench_scoring.py [--repeat 5]
Prints the median wall time of: scoring every acute trust (Q1 2025/26 recomputation), the acute nowcast,
the ambulance cohort, all indicative assessments, the validation against the official segmentation, and
every SPC signal for every monthly metric.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

from learnsys.config import REPO_ROOT
from learnsys.kg.reference import load_reference_data
from learnsys.oversight import scoring, spc


def timed(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    started = time.perf_counter()
    data = load_reference_data(REPO_ROOT / "data" / "reference")
    print(
        f"load reference data: {time.perf_counter() - started:.3f} s "
        f"({len(data.providers)} providers, {len(data.observations)} observations)"
    )
    cases: list[tuple[str, Callable[[], Any]]] = [
        (
            "score acute Q1 2025/26 (134 trusts, 29 metrics)",
            lambda: scoring.score_cohort(scoring.acute_cohort(data)),
        ),
        ("acute nowcast 2025/26 Q2", lambda: scoring.score_cohort(scoring.nowcast_cohort(data)[0])),
        ("ambulance cohort 2025/26 Q1", lambda: scoring.score_cohort(scoring.ambulance_cohort(data))),
        ("all indicative assessments", lambda: scoring.indicative_assessments(data)),
        ("validate against official Q1", lambda: scoring.validate_acute(data)),
        (
            "what-if (one trust, whole cohort rescored)",
            lambda: scoring.what_if(data, "RGT", {"ae_4h_all": 78}),
        ),
        ("all SPC signals, every monthly metric", lambda: spc.all_signals(data)),
    ]
    for label, fn in cases:
        seconds, result = timed(fn, args.repeat)
        size = len(result) if hasattr(result, "__len__") else ""
        print(f"{label:48} {seconds * 1000:9.1f} ms  {size}")


if __name__ == "__main__":
    main()
