#!/usr/bin/env python3
"""Speed: /search latency through a real uvicorn server at ~1k, 10k and 100k chunks, index-build
throughput beside the model's raw encoding throughput (same run), and the exact-vs-HNSW measurement
behind ``dense.HNSW_THRESHOLD``.

Corpus scale-up: the real project corpus and SciFact train chunks (their embeddings come from the cache)
give ~10k real chunks; the 100k index repeats them under new document ids with each vector perturbed by
Gaussian noise (sigma 0.02, renormalised) instead of encoding 90k new chunks, which would take hours on
this 2-core machine. Lexical postings are rebuilt by BM25 over the repeated texts.

    .venv/bin/python scripts/bench_search_speed.py [--sizes 1000,10000,100000] [--requests 300]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from learnsys.config import Settings, get_settings  # noqa: E402
from learnsys.corpus.documents import Document, load_corpus  # noqa: E402
from learnsys.kg.reference import load_reference_data  # noqa: E402
from learnsys.search.build import build_index  # noqa: E402
from learnsys.search.dense import DenseIndex, EmbeddingCache, Encoder  # noqa: E402
from learnsys.search.evaluate import load_beir, read_jsonl  # noqa: E402
from learnsys.search.index_store import ChunkRecord, SearchIndex, embedding_cache_dir, save_index  # noqa: E402
from learnsys.search.lexical import LexicalIndex  # noqa: E402


def percentiles(ms: list[float]) -> dict[str, float]:
    a = np.array(ms)
    return {
        "p50": float(np.percentile(a, 50)),
        "p95": float(np.percentile(a, 95)),
        "p99": float(np.percentile(a, 99)),
        "mean": float(a.mean()),
    }


def real_pool(
    settings: Settings, encoder: Encoder, cache: EmbeddingCache, scifact: Path, reference: object
) -> SearchIndex:
    """One index over the project corpus and SciFact train (all embeddings from the cache)."""
    documents, _ = load_corpus(settings.corpus_dir)
    if (scifact / "corpus.jsonl").exists():
        documents += load_beir(scifact).documents
    index, embedded = build_index(documents, encoder, cache, reference=reference)
    print(
        f"# real pool: {len(index.docs)} documents, {len(index.chunks)} chunks ({embedded} newly embedded)",
        file=sys.stderr,
    )
    return index


def scaled_index(pool: SearchIndex, size: int, seed: int = 0) -> SearchIndex:
    """``size`` chunks: the pool's (project corpus first), repeated as new documents with perturbed vectors."""
    rng = np.random.default_rng(seed)
    docs, chunks, vectors, texts = [], [], [], []
    replica = 0
    while len(chunks) < size:
        for row, doc in enumerate(pool.docs):
            if len(chunks) >= size:
                break
            new_row = len(docs)
            docs.append(replace(doc, id=doc.id if replica == 0 else f"{doc.id}~{replica}"))
            for c in pool.doc_chunks[row]:
                chunk = pool.chunks[c]
                chunks.append(ChunkRecord(new_row, chunk.ordinal, chunk.section, chunk.text, chunk.hash))
                v = pool.dense.vectors[c]
                if replica:
                    v = v + rng.normal(0, 0.02, v.shape).astype(np.float32)
                    v = v / np.linalg.norm(v)
                vectors.append(v)
                texts.append(f"{doc.title}. {chunk.section}.\n{chunk.text}")
        replica += 1
    lexical = LexicalIndex.build(texts, k1=pool.lexical.k1, b=pool.lexical.b)
    dense = DenseIndex.build(np.stack(vectors))
    manifest = {
        **pool.manifest,
        "counts": {"documents": len(docs), "chunks": len(chunks)},
        "dense_index": dense.kind,
        "synthetic_replicas": replica,
    }
    return SearchIndex(docs, chunks, lexical, dense, manifest)


def serve(index_dir: str, port: int) -> None:
    """Child process: the real search router on uvicorn, over the index in ``index_dir``."""
    import uvicorn
    from fastapi import FastAPI

    from learnsys.api.problems import install_problem_handlers
    from learnsys.api.routes import search as search_routes
    from learnsys.search.service import SearchService
    from learnsys.services import Services

    settings = get_settings().model_copy(update={"index_dir": Path(index_dir)})
    reference = load_reference_data(settings.data_dir)
    service = SearchService(settings, reference)
    service.warm_up()
    app = FastAPI()
    install_problem_handlers(app)
    app.state.services = Services(settings=settings, reference=reference, graph=None, search=service, ready=True)
    app.include_router(search_routes.router)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_txtai(index_dir: str, port: int) -> None:
    """Child process: txtai's hybrid search over the same chunks and vectors, behind the same FastAPI +
    uvicorn stack (a GET /search returning the top-k documents, best chunk per document)."""
    import uvicorn
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse
    from txtai import Embeddings

    from learnsys.search.index_store import load_index

    index = load_index(Path(index_dir))
    encoder = Encoder.shared()
    texts = [f"{index.docs[c.doc].title}. {c.section}.\n{c.text}" for c in index.chunks]
    row_of = {t: i for i, t in enumerate(texts)}

    def transform(inputs: list[str]) -> np.ndarray:
        if all(t in row_of for t in inputs):
            return index.dense.vectors[[row_of[t] for t in inputs]]
        return encoder.encode(list(inputs))

    embeddings = Embeddings(method="external", transform=transform, hybrid=True, content=False, backend="faiss")
    embeddings.index([(i, t, None) for i, t in enumerate(texts)])
    Encoder.limit_threads(1)  # as for learnsys
    app = FastAPI()

    @app.get("/search")
    def search(q: str, k: int = 10) -> JSONResponse:
        ranking: list[str] = []
        for row, _score in embeddings.search(q, 300):
            doc = index.docs[index.chunks[int(row)].doc]
            if doc.id not in ranking:
                ranking.append(doc.id)
        return JSONResponse({"results": ranking[:k], "build_id": index.build_id})

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def measure_http(
    index_dir: Path, build_id: str, queries: list[str], requests: int, engine: str = "learnsys"
) -> dict[str, float]:
    import httpx

    port = free_port()
    flag = "--serve" if engine == "learnsys" else "--serve-txtai"
    proc = subprocess.Popen(
        [sys.executable, __file__, flag, str(index_dir), "--port", str(port)],
        env={**os.environ, "HF_HUB_OFFLINE": "1"},
    )
    try:
        url = f"http://127.0.0.1:{port}/search"
        with httpx.Client(timeout=60) as client:
            deadline = time.monotonic() + 600
            while True:
                if proc.poll() is not None:
                    raise RuntimeError("server exited")
                try:
                    response = client.get(url, params={"q": "warm up"})
                    if response.status_code == 200:
                        if response.json().get("build_id") != build_id:
                            raise RuntimeError(f"port {port} answered by another server")
                        break
                except httpx.TransportError:
                    pass
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("server did not start")
                time.sleep(0.5)
            for q in queries[:30]:  # warm-up
                client.get(url, params={"q": q, "k": 10})
            latencies = []
            for i in range(requests):
                q = queries[i % len(queries)]
                t0 = time.perf_counter()
                r = client.get(url, params={"q": q, "k": 10})
                latencies.append((time.perf_counter() - t0) * 1000)
                assert r.status_code == 200, r.text
        return percentiles(latencies)
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def build_throughput(settings: Settings, encoder: Encoder, n_docs: int = 30) -> dict[str, float]:
    """Index-build chunks/s on documents not in the cache, beside raw model encode chunks/s, same texts."""
    documents, _ = load_corpus(settings.corpus_dir)
    fresh = [
        Document(**{**d.__dict__, "id": f"{d.id}-bench", "title": f"{d.title} (benchmark copy)"})
        for d in documents[:n_docs]
    ]
    with tempfile.TemporaryDirectory() as tmp:
        cache = EmbeddingCache(Path(tmp) / "cache", encoder.dim)
        t0 = time.perf_counter()
        index, embedded = build_index(fresh, encoder, cache)
        build_s = time.perf_counter() - t0
    texts = [f"{index.docs[c.doc].title}. {c.section}.\n{c.text}" for c in index.chunks]
    t0 = time.perf_counter()
    encoder.encode(texts)
    encode_s = time.perf_counter() - t0
    return {
        "chunks": len(texts),
        "build_chunks_per_s": len(texts) / build_s,
        "encode_chunks_per_s": len(texts) / encode_s,
        "build_s": build_s,
        "encode_s": encode_s,
    }


def ann_threshold(pool: SearchIndex, sizes: list[int], queries: np.ndarray, k: int = 300) -> list[dict]:
    """Exact (flat) vs HNSW search time and HNSW recall of the exact top-k, per size."""
    import faiss

    Encoder.limit_threads(1)  # as in the service
    rows = []
    for size in sizes:
        base = scaled_index(pool, size).dense.vectors
        flat = faiss.IndexFlatIP(base.shape[1])
        flat.add(base)
        t0 = time.perf_counter()
        hnsw = faiss.IndexHNSWFlat(base.shape[1], 32, faiss.METRIC_INNER_PRODUCT)
        hnsw.hnsw.efConstruction = 80
        hnsw.add(base)
        build_s = time.perf_counter() - t0
        params = faiss.SearchParametersHNSW(efSearch=max(128, k))  # as DenseIndex.search
        timings: dict[str, list[float]] = {"flat": [], "hnsw": []}
        recall = []
        for q in queries:
            q = q.reshape(1, -1)
            t0 = time.perf_counter()
            _, exact = flat.search(q, k)
            timings["flat"].append((time.perf_counter() - t0) * 1000)
            t0 = time.perf_counter()
            _, approx = hnsw.search(q, k, params=params)
            timings["hnsw"].append((time.perf_counter() - t0) * 1000)
            recall.append(len(set(exact[0]) & set(approx[0])) / k)
        rows.append(
            {
                "size": size,
                "flat_p50_ms": float(np.median(timings["flat"])),
                "hnsw_p50_ms": float(np.median(timings["hnsw"])),
                "hnsw_recall": float(np.mean(recall)),
                "hnsw_build_s": build_s,
            }
        )
        print(f"  ann {rows[-1]}", file=sys.stderr, flush=True)
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    parser.add_argument("--scifact", type=Path, default=ROOT.parent / "shared" / "benchmarks" / "scifact-train")
    parser.add_argument("--skip-ann", action="store_true")
    parser.add_argument(
        "--txtai-sizes",
        default="1000,10000",
        help="sizes at which txtai's hybrid search is served and timed the same way",
    )
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    parser.add_argument("--serve-txtai", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port)
        return 0
    if args.serve_txtai:
        serve_txtai(args.serve_txtai, args.port)
        return 0
    settings = get_settings()
    encoder = Encoder.shared()
    cache = EmbeddingCache(embedding_cache_dir(settings.index_dir, encoder.name), encoder.dim)
    reference = load_reference_data(settings.data_dir)
    pool = real_pool(settings, encoder, cache, args.scifact, reference)
    queries = [r["text"] for r in read_jsonl(settings.corpus_dir / "eval" / "queries.jsonl")]

    throughput = build_throughput(settings, encoder)
    print(f"# build throughput {throughput}", file=sys.stderr, flush=True)

    results = []
    for size in [int(s) for s in args.sizes.split(",")]:
        with tempfile.TemporaryDirectory() as tmp:
            t0 = time.perf_counter()
            index = scaled_index(pool, size)
            save_index(index, Path(tmp))
            prep_s = time.perf_counter() - t0
            latency = measure_http(Path(tmp), index.build_id, queries, args.requests)
            row = {"chunks": len(index.chunks), "documents": len(index.docs), "prep_s": prep_s}
            results.append({**row, "engine": "learnsys hybrid", "dense": index.dense.kind, **latency})
            print(f"# {results[-1]}", file=sys.stderr, flush=True)
            if str(size) in args.txtai_sizes.split(","):
                latency = measure_http(Path(tmp), index.build_id, queries, args.requests, engine="txtai")
                results.append({**row, "engine": "txtai hybrid", "dense": "txtai faiss", **latency})
                print(f"# {results[-1]}", file=sys.stderr, flush=True)

    ann = [] if args.skip_ann else ann_threshold(pool, [10_000, 50_000, 100_000], encoder.encode(queries[:50]))

    print("\n/search latency through uvicorn (sequential client, after 30 warm-up requests)\n")
    print("| engine | chunks | documents | dense index | p50 ms | p95 ms | p99 ms | mean ms |")
    print("|---|---:|---:|---|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['engine']} | {r['chunks']} | {r['documents']} | {r['dense']} | {r['p50']:.1f} | "
            f"{r['p95']:.1f} | {r['p99']:.1f} | {r['mean']:.1f} |"
        )
    print("\nIndex build vs raw encoding (same texts, same run)\n")
    print("| chunks | index build chunks/s | raw encode chunks/s | build s | encode s |")
    print("|---:|---:|---:|---:|---:|")
    t = throughput
    print(
        f"| {t['chunks']} | {t['build_chunks_per_s']:.1f} | {t['encode_chunks_per_s']:.1f} | "
        f"{t['build_s']:.1f} | {t['encode_s']:.1f} |"
    )
    if ann:
        print("\nExact vs HNSW (M=32, efConstruction=80, efSearch=max(128, k)), top-300 of 50 queries\n")
        print("| vectors | flat p50 ms | HNSW p50 ms | HNSW recall@300 | HNSW build s |")
        print("|---:|---:|---:|---:|---:|")
        for r in ann:
            print(
                f"| {r['size']} | {r['flat_p50_ms']:.2f} | {r['hnsw_p50_ms']:.2f} | {r['hnsw_recall']:.3f} | "
                f"{r['hnsw_build_s']:.1f} |"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
