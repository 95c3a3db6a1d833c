"""Build a search index from corpus documents: chunk, BM25, embed (through the cache), save, switch."""

from __future__ import annotations

import hashlib
import json
import logging
import time
from collections.abc import Callable
from typing import Any

from learnsys.config import Settings
from learnsys.corpus.documents import Document, load_corpus
from learnsys.kg.records import ReferenceData
from learnsys.search.chunking import chunk_document
from learnsys.search.dense import HNSW_THRESHOLD, DenseIndex, EmbeddingCache, Encoder
from learnsys.search.fields import FIELD_B, FIELD_WEIGHTS, build_document_lexical
from learnsys.search.index_store import ChunkRecord, DocRecord, SearchIndex, embedding_cache_dir, save_index
from learnsys.search.lexical import LexicalIndex

log = logging.getLogger(__name__)

# BM25 k1/b swept on SciFact train and the project set (docs/search.md); chunk sizes hand-set.
CHUNK_WORDS = 160
CHUNK_OVERLAP = 30
BM25_K1 = 0.9
BM25_B = 0.4


def place_codes(providers: list[str], reference: ReferenceData | None) -> tuple[list[str], list[str]]:
    """(regions, ICBs) a document's provider codes belong to (trust, ICB or region codes)."""
    regions: set[str] = set()
    icbs: set[str] = set()
    if reference is None:
        return [], []
    for code in providers:
        if code in reference.providers:
            p = reference.providers[code]
            regions.add(p.region_code)
            if p.icb_code:
                icbs.add(p.icb_code)
        elif code in reference.icbs:
            icbs.add(code)
            regions.add(reference.icbs[code].region_code)
        elif code in reference.regions:
            regions.add(code)
    return sorted(regions), sorted(icbs)


def document_hash(doc: Document) -> str:
    payload = json.dumps({k: v for k, v in doc.to_dict().items()}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]


def corpus_hash(documents: list[Document]) -> str:
    """The hash a search build records for the documents it indexes (``manifest['corpus_hash']``)."""
    ordered = sorted(documents, key=lambda d: d.id)
    return hashlib.sha256("".join(document_hash(d) for d in ordered).encode()).hexdigest()[:16]


def doc_record(doc: Document, reference: ReferenceData | None) -> DocRecord:
    regions, icbs = place_codes(doc.providers, reference)
    sources = [
        {"url": str(s.get("url", "")), "title": str(s.get("title", ""))} for s in doc.sources if isinstance(s, dict)
    ]
    metrics = [m for m in doc.metrics if isinstance(m, dict)]
    return DocRecord(
        doc.id,
        doc.title,
        doc.type,
        list(doc.providers),
        list(doc.priority_areas),
        list(doc.msf),
        list(doc.nof_domains),
        list(doc.methods),
        regions,
        icbs,
        doc.published,
        doc.summary,
        sources,
        metrics,
        doc.path,
        document_hash(doc),
        doc.evidence,
        doc.setting,
        doc.scale,
    )


def build_index(
    documents: list[Document],
    encoder: Encoder,
    cache: EmbeddingCache,
    *,
    reference: ReferenceData | None = None,
    chunk_words: int = CHUNK_WORDS,
    chunk_overlap: int = CHUNK_OVERLAP,
    k1: float = BM25_K1,
    b: float = BM25_B,
    hnsw_threshold: int = HNSW_THRESHOLD,
) -> tuple[SearchIndex, int]:
    """An in-memory index of ``documents`` and the number of chunks newly embedded."""
    documents = sorted(documents, key=lambda d: d.id)
    docs = [doc_record(d, reference) for d in documents]
    chunks: list[ChunkRecord] = []
    texts: list[str] = []
    for row, doc in enumerate(documents):
        for chunk in chunk_document(
            doc.id, doc.title, doc.body, doc.summary, max_words=chunk_words, overlap=chunk_overlap
        ):
            chunks.append(ChunkRecord(row, chunk.ordinal, chunk.section, chunk.text, chunk.content_hash))
            texts.append(chunk.indexed_text)
    lexical = LexicalIndex.build(texts, k1=k1, b=b)
    whole = build_document_lexical(documents, reference)
    vectors, embedded = cache.get_or_encode([c.hash for c in chunks], texts, encoder)
    dense = DenseIndex.build(vectors, threshold=hnsw_threshold)
    manifest = {
        "model": encoder.name,
        "model_path": encoder.path,
        "dimension": encoder.dim,
        "corpus_hash": corpus_hash(documents),
        "counts": {
            "documents": len(docs),
            "chunks": len(chunks),
            "vocabulary": len(lexical.vocab),
            "embedded_new": embedded,
            "embedded_from_cache": len(chunks) - embedded,
        },
        "dense_index": dense.kind,
        "chunking": {"max_words": chunk_words, "overlap": chunk_overlap},
        "bm25": {"k1": k1, "b": b},
        "bm25f": {"k1": whole.fields.k1, "weights": FIELD_WEIGHTS, "b": FIELD_B},
        "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
    }
    return SearchIndex(
        docs, chunks, lexical, dense, manifest, fields=whole.fields, plain=whole.plain, single=whole.single
    ), embedded


def build_search(
    settings: Settings,
    documents: list[Document] | None = None,
    reference: ReferenceData | None = None,
    *,
    encoder: Encoder | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Build the search index of the corpus under ``settings.index_dir`` and make it CURRENT.

    ``documents`` defaults to every parseable document in ``settings.corpus_dir``; ``reference`` gives
    regions and ICBs for filters (omit it and those filters are empty). Only chunks whose content hash is
    not in the embedding cache are encoded, so a rebuild after one edit embeds one document's chunks.
    Returns the build's manifest (``build_id``, ``counts``, ``seconds``, ...).
    """
    started = time.perf_counter()
    if documents is None:
        documents, errors = load_corpus(settings.corpus_dir)
        for error in errors:
            log.warning("skipped: %s", error)
    if progress:
        progress(f"search: indexing {len(documents)} documents ...")
    encoder = encoder or Encoder.shared()
    cache = EmbeddingCache(embedding_cache_dir(settings.index_dir, encoder.name), encoder.dim)
    index, _ = build_index(documents, encoder, cache, reference=reference)
    index.manifest["seconds"] = round(time.perf_counter() - started, 2)
    folder = save_index(index, settings.index_dir)
    manifest = {**index.manifest, "folder": str(folder)}
    if progress:
        c = manifest["counts"]
        progress(
            f"search index {index.build_id}: {c['documents']} documents, {c['chunks']} chunks, "
            f"{c['embedded_new']} newly embedded, {index.dense.kind} index, {manifest['seconds']:.1f} s"
        )
    return manifest
