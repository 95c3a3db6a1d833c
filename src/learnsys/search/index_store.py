"""Versioned index builds on disk: ``<index_dir>/search/<build-id>/`` plus a ``CURRENT`` pointer.

A build folder is written completely (arrays, records, manifest) in a temporary folder, renamed into place
and only then made current (``learnsys.versioned.VersionedDir``: temp file + ``os.replace``), so a reader
never sees a half-written index.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from learnsys.search.dense import DenseIndex
from learnsys.search.lexical import LexicalIndex
from learnsys.versioned import VersionedDir

KEEP_BUILDS = 3
WHOLE_DOCUMENT = ("fields", "plain", "single")  # the whole-document lexical indexes saved with a build


@dataclass
class DocRecord:
    """A document's searchable metadata (filters, facets, result fields)."""

    id: str
    title: str
    type: str
    providers: list[str] = field(default_factory=list)
    priority_areas: list[str] = field(default_factory=list)
    msf: list[str] = field(default_factory=list)
    nof_domains: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    icbs: list[str] = field(default_factory=list)
    published: str = ""
    summary: str = ""
    sources: list[dict[str, str]] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    path: str = ""
    content_hash: str = ""
    evidence: str = ""
    setting: str = ""
    scale: str = ""


@dataclass
class ChunkRecord:
    doc: int  # row in SearchIndex.docs
    ordinal: int
    section: str
    text: str
    hash: str


@dataclass
class SearchIndex:
    """Everything a query needs, in memory."""

    docs: list[DocRecord]
    chunks: list[ChunkRecord]
    lexical: LexicalIndex
    dense: DenseIndex
    manifest: dict[str, Any]
    build_id: str = ""
    fields: LexicalIndex | None = None  # BM25F over whole documents (rows = docs)
    plain: LexicalIndex | None = None  # the plain whole-document BM25 baseline (rows = docs)
    single: LexicalIndex | None = None  # one-field BM25 over whole documents, project tokens (rows = docs)

    def __post_init__(self) -> None:
        self.doc_pos = {d.id: i for i, d in enumerate(self.docs)}
        self.chunk_doc = np.array([c.doc for c in self.chunks], dtype=np.int32)
        self.doc_chunks: list[list[int]] = [[] for _ in self.docs]
        for row, c in enumerate(self.chunks):
            self.doc_chunks[c.doc].append(row)
        if self.fields is None or self.plain is None or self.single is None:
            from learnsys.search.fields import document_lexical_from_chunks  # made without them: from chunks

            derived = document_lexical_from_chunks(self)
            self.fields = self.fields or derived.fields
            self.plain = self.plain or derived.plain
            self.single = self.single or derived.single


def search_root(index_dir: Path) -> Path:
    return index_dir / "search"


def search_builds(index_dir: Path) -> VersionedDir:
    return VersionedDir(search_root(index_dir), keep=KEEP_BUILDS)


def embedding_cache_dir(index_dir: Path, model_name: str) -> Path:
    return index_dir / "cache" / "embeddings" / model_name


def save_index(index: SearchIndex, index_dir: Path) -> Path:
    """Write a complete build folder, then switch CURRENT to it atomically. Returns the folder."""
    with search_builds(index_dir).new_build() as tmp:
        index.lexical.save(tmp)
        for name in ("fields", "single", "plain"):
            whole = getattr(index, name)
            if whole is not None:
                whole.save(tmp, name)
        index.dense.save(tmp)
        with (tmp / "docs.jsonl").open("w", encoding="utf-8") as out:
            for d in index.docs:
                out.write(json.dumps(asdict(d)) + "\n")
        with (tmp / "chunks.jsonl").open("w", encoding="utf-8") as out:
            for c in index.chunks:
                out.write(json.dumps(asdict(c)) + "\n")
        build_id = tmp.name.removeprefix(".tmp-")
        index.manifest = {**index.manifest, "build_id": build_id}
        (tmp / "manifest.json").write_text(json.dumps(index.manifest, indent=2), encoding="utf-8")
    index.build_id = build_id
    return search_root(index_dir) / build_id


def current_build_id(index_dir: Path) -> str | None:
    return search_builds(index_dir).current_id()


def load_index(index_dir: Path, build_id: str | None = None) -> SearchIndex:
    """Load a build (the CURRENT one by default). Raises FileNotFoundError when there is none."""
    build_id = build_id or current_build_id(index_dir)
    if not build_id:
        raise FileNotFoundError(f"no search index under {search_root(index_dir)}; run `learnsys build`")
    folder = search_root(index_dir) / build_id
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    with (folder / "docs.jsonl").open(encoding="utf-8") as handle:
        docs = [DocRecord(**json.loads(line)) for line in handle]
    with (folder / "chunks.jsonl").open(encoding="utf-8") as handle:
        chunks = [ChunkRecord(**json.loads(line)) for line in handle]
    whole = {n: LexicalIndex.load(folder, n) if (folder / f"{n}.npz").exists() else None for n in WHOLE_DOCUMENT}
    return SearchIndex(docs, chunks, LexicalIndex.load(folder), DenseIndex.load(folder), manifest, build_id, **whole)
