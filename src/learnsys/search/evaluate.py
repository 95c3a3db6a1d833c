"""Retrieval evaluation on BEIR-format datasets (and the project's own set): nDCG@10, recall, MRR."""

from __future__ import annotations

import csv
import hashlib
import json
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from learnsys.corpus.documents import Document
from learnsys.search.dense import EmbeddingCache, Encoder
from learnsys.search.index_store import SearchIndex
from learnsys.search.retriever import HybridRetriever, RetrievalConfig

METRIC_KEYS = ("ndcg@10", "recall@10", "recall@100", "mrr@10")


@dataclass
class Dataset:
    name: str
    documents: list[Document]
    queries: dict[str, str]
    qrels: dict[str, dict[str, int]]


def read_jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def read_qrels(path: Path) -> dict[str, dict[str, int]]:
    qrels: dict[str, dict[str, int]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) < 3 or row[0] in ("query-id", "query_id"):
                continue
            qrels.setdefault(row[0], {})[row[1]] = int(float(row[2]))
    return qrels


def load_beir(folder: Path, split: str | None = None) -> Dataset:
    """A BEIR folder (corpus.jsonl, queries.jsonl, qrels/<split>.tsv) as documents, queries and judgements.

    ``split`` defaults to ``test``, or to the only split present (SciFact's train folder has only train)."""
    if split is None:
        available = sorted(p.stem for p in (folder / "qrels").glob("*.tsv"))
        split = "test" if "test" in available or len(available) != 1 else available[0]
    qrels_path = folder / "qrels" / f"{split}.tsv"
    if not qrels_path.exists():
        available = sorted(p.stem for p in (folder / "qrels").glob("*.tsv"))
        raise FileNotFoundError(f"{qrels_path} not found (splits here: {', '.join(available) or 'none'})")
    qrels = read_qrels(qrels_path)
    documents = [
        Document(id=str(r["_id"]), title=str(r.get("title") or ""), type="beir", body=str(r.get("text") or ""))
        for r in read_jsonl(folder / "corpus.jsonl")
    ]
    queries = {str(r["_id"]): str(r["text"]) for r in read_jsonl(folder / "queries.jsonl") if str(r["_id"]) in qrels}
    return Dataset(f"{folder.name}/{split}", documents, queries, qrels)


def load_project_set(corpus_dir: Path, documents: list[Document]) -> Dataset:
    """The project's evaluation set (corpus/eval) over the given corpus documents."""
    folder = corpus_dir / "eval"
    qrels = read_qrels(folder / "qrels" / "test.tsv")
    queries = {str(r["_id"]): str(r["text"]) for r in read_jsonl(folder / "queries.jsonl") if str(r["_id"]) in qrels}
    return Dataset("learnsys", documents, queries, qrels)


def load_pinned_set(folder: Path, split: str, documents: list[Document]) -> Dataset:
    """A BEIR-style query set kept in the repository (``queries.jsonl``, ``qrels/<split>.tsv``) that was
    judged against a fixed list of documents (``corpus-ids.txt``): evaluated over those documents only,
    so documents added to the corpus later (never judged) cannot count as misses."""
    qrels = read_qrels(folder / "qrels" / f"{split}.tsv")
    pinned_file = folder / "corpus-ids.txt"
    if pinned_file.exists():
        pinned = {line.strip() for line in pinned_file.read_text(encoding="utf-8").splitlines() if line.strip()}
        documents = [d for d in documents if d.id in pinned]
    rows = read_jsonl(folder / "queries.jsonl")
    queries = {str(r.get("_id", r.get("id"))): str(r["text"]) for r in rows if str(r.get("_id", r.get("id"))) in qrels}
    return Dataset(f"{folder.name}/{split}", documents, queries, qrels)


def load_blind_set(corpus_dir: Path, split: str, documents: list[Document]) -> Dataset:
    """The blind set (corpus/eval/blind: queries written without seeing the corpus, every document judged)
    for ``split`` ``dev`` (tune on it) or ``test`` (report only), over the documents it was judged on."""
    if split not in ("dev", "test"):
        raise ValueError(f"blind split must be dev or test, not {split!r}")
    return load_pinned_set(corpus_dir / "eval" / "blind", split, documents)


class CachedQueryEncoder:
    """An ``Encoder`` whose query vectors go through the embedding cache (evaluation runs repeat the same
    queries many times; the vectors are the ones ``Encoder.encode_query`` gives)."""

    def __init__(self, encoder: Encoder, cache: EmbeddingCache):
        self.encoder, self.cache = encoder, cache
        self.name, self.dim, self.path = encoder.name, encoder.dim, encoder.path
        self._memo: dict[str, np.ndarray] = {}

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        keys = ["q:" + hashlib.sha256(t.encode()).hexdigest()[:24] for t in texts]
        return self.cache.get_or_encode(keys, texts, self.encoder, batch_size)[0]

    def encode_query(self, text: str) -> np.ndarray:
        if text not in self._memo:
            self._memo[text] = self.encode([text])[0]
        return self._memo[text]


def ndcg_at(ranking: list[str], rels: dict[str, int], k: int) -> float:
    dcg = sum(rels.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranking[:k]))
    ideal = sorted((r for r in rels.values() if r > 0), reverse=True)[:k]
    idcg = sum(r / math.log2(i + 2) for i, r in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def recall_at(ranking: list[str], rels: dict[str, int], k: int) -> float:
    relevant = {d for d, r in rels.items() if r > 0}
    return len(relevant.intersection(ranking[:k])) / len(relevant) if relevant else 0.0


def mrr_at(ranking: list[str], rels: dict[str, int], k: int) -> float:
    return next((1.0 / (i + 1) for i, d in enumerate(ranking[:k]) if rels.get(d, 0) > 0), 0.0)


def score_run(run: dict[str, list[str]], qrels: dict[str, dict[str, int]]) -> dict[str, float]:
    """Mean metrics over the judged queries (a query with no ranking scores 0)."""
    judged = [q for q, rels in qrels.items() if any(r > 0 for r in rels.values())]
    if not judged:
        return dict.fromkeys(METRIC_KEYS, 0.0)
    totals = dict.fromkeys(METRIC_KEYS, 0.0)
    for q in judged:
        ranking, rels = run.get(q, []), qrels[q]
        totals["ndcg@10"] += ndcg_at(ranking, rels, 10)
        totals["recall@10"] += recall_at(ranking, rels, 10)
        totals["recall@100"] += recall_at(ranking, rels, 100)
        totals["mrr@10"] += mrr_at(ranking, rels, 10)
    return {k: round(v / len(judged), 4) for k, v in totals.items()}


def run_queries(queries: dict[str, str], rank: Callable[[str], list[str]]) -> tuple[dict[str, list[str]], float]:
    """(query id -> ranked doc ids, mean seconds per query)."""
    started = time.perf_counter()
    run = {qid: rank(text) for qid, text in queries.items()}
    return run, (time.perf_counter() - started) / max(1, len(queries))


def evaluate_index(
    index: SearchIndex,
    retriever: HybridRetriever,
    dataset: Dataset,
    config: RetrievalConfig,
    depth: int = 100,
) -> dict[str, float]:
    """Run every query of ``dataset`` against ``index`` and score the rankings."""

    def rank(text: str) -> list[str]:
        return [index.docs[d].id for d in retriever.retrieve(index, text, config=config).ranked[:depth]]

    run, seconds = run_queries(dataset.queries, rank)
    return {
        **score_run(run, dataset.qrels),
        "queries": len(dataset.queries),
        "ms_per_query": round(seconds * 1000, 2),
    }


def evaluation_config(mode: str, *, expand: bool = True, boost: bool = True, **changes: object) -> RetrievalConfig:
    """The retrieval settings used for evaluation: every fused candidate is ranked (no result-set cut)."""
    return RetrievalConfig(mode=mode, expand=expand, graph_boost=boost, result_floor=0.0, **changes)  # type: ignore[arg-type]
