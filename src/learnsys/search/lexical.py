"""BM25 term scores in a sparse matrix (chunks, or whole documents) and scoring of weighted queries."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import bm25s
import numpy as np

from learnsys.search.text import terms


@dataclass
class LexicalIndex:
    """Precomputed BM25 term scores: a CSC matrix (term -> postings of chunk rows and scores)."""

    vocab: dict[str, int]
    data: np.ndarray
    indices: np.ndarray
    indptr: np.ndarray
    num_docs: int
    k1: float
    b: float

    @classmethod
    def build(cls, texts: list[str], *, k1: float = 1.2, b: float = 0.75) -> LexicalIndex:
        tokenized = [terms(t) or [""] for t in texts]
        model = bm25s.BM25(k1=k1, b=b, method="lucene")
        model.index(tokenized, show_progress=False)
        s = model.scores
        return cls(
            dict(model.vocab_dict),
            np.asarray(s["data"], np.float32),
            np.asarray(s["indices"], np.int32),
            np.asarray(s["indptr"], np.int64),
            int(s["num_docs"]),
            k1,
            b,
        )

    def score(self, weighted_terms: dict[str, float]) -> np.ndarray:
        """BM25 score of every chunk for stemmed query terms with weights (1.0 = user's own term)."""
        scores = np.zeros(self.num_docs, dtype=np.float32)
        for term, weight in weighted_terms.items():
            tid = self.vocab.get(term)
            if tid is None or weight <= 0:
                continue
            start, end = self.indptr[tid], self.indptr[tid + 1]
            if end > start:
                scores[self.indices[start:end]] += weight * self.data[start:end]
        return scores

    def has_term(self, term: str) -> bool:
        return term in self.vocab

    def save(self, folder: Path, name: str = "lexical") -> None:
        np.savez(
            folder / f"{name}.npz",
            data=self.data,
            indices=self.indices,
            indptr=self.indptr,
            meta=np.array([self.num_docs, self.k1, self.b], dtype=np.float64),
        )
        (folder / f"{name}_vocab.json").write_text(json.dumps(self.vocab), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path, name: str = "lexical") -> LexicalIndex:
        arrays = np.load(folder / f"{name}.npz")
        meta = arrays["meta"]
        vocab = json.loads((folder / f"{name}_vocab.json").read_text(encoding="utf-8"))
        return cls(
            vocab,
            arrays["data"],
            arrays["indices"],
            arrays["indptr"],
            int(meta[0]),
            float(meta[1]),
            float(meta[2]),
        )
