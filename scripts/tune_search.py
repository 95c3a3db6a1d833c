#!/usr/bin/env python3
"""Tune the hybrid's fusion, boost and expansion settings on the blind DEV split only (reproducible grid).

    PYTHONPATH=src .venv/bin/python scripts/tune_search.py [--json tune.json]

Step 1 is a full grid over the fusion settings (dense weight x lexical grain x passage weight); step 2 sweeps
each boost / expansion setting in turn, the others held at the best so far. The best change of a grid is
adopted only if it lifts blind-dev nDCG@10 by at least ``--min-gain`` (33 queries: smaller differences are
noise) and keeps corpus/eval (the regression set) within 0.01 of the starting settings. The blind test split is never
loaded here: report it once, afterwards, with scripts/bench_search_quality.py.
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from learnsys.config import get_settings  # noqa: E402
from learnsys.corpus.documents import load_corpus  # noqa: E402
from learnsys.kg.reference import load_reference_data  # noqa: E402
from learnsys.search.build import build_index  # noqa: E402
from learnsys.search.dense import EmbeddingCache, Encoder  # noqa: E402
from learnsys.search.evaluate import (  # noqa: E402
    CachedQueryEncoder,
    evaluate_index,
    evaluation_config,
    load_blind_set,
    load_project_set,
)
from learnsys.search.graph_boost import GraphBooster  # noqa: E402
from learnsys.search.index_store import embedding_cache_dir  # noqa: E402
from learnsys.search.retriever import HybridRetriever  # noqa: E402
from learnsys.search.terminology import Terminology  # noqa: E402

FUSION_GRID: dict[str, list[object]] = {
    "dense_weight": [0.4, 0.5, 0.6, 0.7, 0.8],
    "lexical_grain": ["chunk", "fields+passage"],
    "passage_weight": [0.3, 0.6, 1.0],
}
SWEEPS: dict[str, list[object]] = {
    "type_prior": [0.0, 0.04, 0.08, 0.15],
    "area_min_confidence": [0.3, 0.5, 0.7, 1.01],
    "expansion_weight": [0.15, 0.3, 0.5],
    "acronym_weight": [0.3, 0.5, 0.8],
    "everyday_weight": [0.0, 0.15, 0.3],
    "sense_threshold": [0.3, 0.4, 0.5],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--min-gain", type=float, default=0.005)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    settings = get_settings()
    encoder = Encoder.shared()
    Encoder.limit_threads(1)
    cache = EmbeddingCache(embedding_cache_dir(settings.index_dir, encoder.name), encoder.dim)
    reference = load_reference_data(settings.data_dir, settings.lin_membership_file)
    documents, _ = load_corpus(settings.corpus_dir)
    dev = load_blind_set(settings.corpus_dir, "dev", documents)
    project = load_project_set(settings.corpus_dir, documents)
    index = build_index(documents, encoder, cache, reference=reference)[0]
    same = {d.id for d in dev.documents} == {d.id for d in documents}
    dev_index = index if same else build_index(dev.documents, encoder, cache, reference=reference)[0]
    retriever = HybridRetriever(
        CachedQueryEncoder(encoder, cache),
        Terminology.load(settings.ontology_dir / "terminology.ttl"),
        GraphBooster(reference),
    )

    def score(change: dict[str, object]) -> tuple[float, float]:
        cfg = evaluation_config("hybrid", **change)
        d = evaluate_index(dev_index, retriever, dev, cfg)["ndcg@10"]
        p = evaluate_index(index, retriever, project, cfg)["ndcg@10"]
        return d, p

    log: list[dict[str, object]] = []
    start_dev, start_project = score({})
    print(f"start: blind-dev {start_dev:.4f}  corpus/eval {start_project:.4f}")
    best: dict[str, object] = {}
    best_dev = start_dev

    def pick(changes: list[dict[str, object]]) -> None:
        """Score every change; adopt the best on blind-dev if it beats the current best by ``min_gain``
        while corpus/eval stays within 0.01 of the start (ties: the first listed)."""
        nonlocal best, best_dev
        scored = []
        for change in changes:
            d, p = score(change)
            log.append({"change": change, "blind_dev": d, "corpus_eval": p})
            print(f"  {change}: blind-dev {d:.4f}  corpus/eval {p:.4f}", flush=True)
            if p >= start_project - 0.01:
                scored.append((d, change))
        top_dev, top = max(scored, key=lambda x: x[0], default=(0.0, {}))
        if top_dev >= best_dev + args.min_gain:
            best, best_dev = dict(top), top_dev
            print(f"  -> adopted {top}", flush=True)

    keys = list(FUSION_GRID)
    grid = [dict(zip(keys, combo, strict=True)) for combo in itertools.product(*FUSION_GRID.values())]
    # the passage weight only matters for fields+passage
    pick([c for c in grid if c["lexical_grain"] != "chunk" or c["passage_weight"] == FUSION_GRID["passage_weight"][0]])
    for key, values in SWEEPS.items():
        pick([{**best, key: value} for value in values])
    final_dev, final_project = score(best)
    print(f"best: {best or 'the defaults'}: blind-dev {final_dev:.4f}  corpus/eval {final_project:.4f}")
    if args.json:
        args.json.write_text(json.dumps({"best": best, "runs": log}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
