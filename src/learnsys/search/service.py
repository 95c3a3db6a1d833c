"""The search service held by ``Services.search``: the current index (hot-reloaded), queries, and
validated writes of single documents followed by an incremental rebuild."""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from learnsys.config import Settings
from learnsys.corpus.documents import Document, load_corpus, load_document
from learnsys.corpus.provenance import EVIDENCE_LEVELS, SCALES, SETTINGS
from learnsys.kg.records import ReferenceData
from learnsys.search.build import build_search
from learnsys.search.dense import Encoder
from learnsys.search.filters import FACET_FIELDS, FILTER_SCHEMES, Filters, value_masks
from learnsys.search.graph_boost import GraphBooster
from learnsys.search.index_store import SearchIndex, current_build_id, load_index, search_root
from learnsys.search.retriever import MODES, HybridRetriever, RetrievalConfig
from learnsys.search.terminology import Terminology
from learnsys.search.validation import (
    InvalidDocument,
    Vocabularies,
    document_path,
    find_document_file,
    validate_text,
)

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 2000
MAX_K = 100
MAX_OFFSET = 10_000
DOCUMENT_TYPES = ("case-study", "guide")


class SearchUnavailable(RuntimeError):
    """No index has been built yet."""


class InvalidSearch(ValueError):
    """A query parameter is out of range or names an unknown value."""

    def __init__(self, field_name: str, message: str):
        self.field = field_name
        super().__init__(message)


class DocumentNotFound(KeyError):
    pass


class DocumentExists(ValueError):
    pass


@dataclass
class SearchRequest:
    q: str
    k: int = 10
    offset: int = 0
    filters: dict[str, list[str]] = field(default_factory=dict)  # FACET_FIELDS name -> values
    published_after: date | None = None
    for_provider: str | None = None
    mode: str = "hybrid"
    boost: bool = True
    similar_to: str | None = None  # ODS: documents from this trust's peers first


class SearchService:
    """Thread-safe: queries read an immutable ``SearchIndex``; a newer CURRENT build is swapped in whole."""

    def __init__(
        self,
        settings: Settings,
        reference: ReferenceData | None = None,
        *,
        encoder: Encoder | None = None,
        terminology: Terminology | None = None,
    ):
        self.settings = settings
        self.reference = reference
        self.encoder = encoder
        self.terminology = terminology or Terminology.load(settings.ontology_dir / "terminology.ttl")
        self.booster = GraphBooster(reference) if reference is not None else None
        self._index: SearchIndex | None = None
        self._lock = threading.Lock()
        self._checked = 0.0
        self._retriever: HybridRetriever | None = None
        self._allowed: tuple[str, dict[str, set[str]]] | None = None

    @classmethod
    def open(cls, settings: Settings, reference: ReferenceData | None = None) -> SearchService:
        """The service for ``Services.search``: loads the model and the CURRENT build, warmed up."""
        service = cls(settings, reference)
        service.warm_up()
        return service

    # ---- index lifecycle -------------------------------------------------------------------------
    def retriever(self) -> HybridRetriever:
        if self._retriever is None:
            self.encoder = self.encoder or Encoder.shared()
            Encoder.limit_threads(self.settings.search_threads)
            peers = self.reference.peer_model if self.reference is not None else None
            self._retriever = HybridRetriever(self.encoder, self.terminology, self.booster, peers=peers)
        return self._retriever

    def warm_up(self) -> None:
        """Load the model and the current index and run one query, so the first request is fast."""
        if self.refresh(force=True) and self._index is not None:
            self.retriever().search(self._index, "warm up", k=1)

    def refresh(self, force: bool = False) -> bool:
        """Swap in the CURRENT build if it changed (checked at most every ``reload_poll_s``)."""
        now = time.monotonic()
        if not force and self._index is not None and now - self._checked < self.settings.reload_poll_s:
            return False
        self._checked = now
        build_id = current_build_id(self.settings.index_dir)
        if build_id is None or (self._index is not None and self._index.build_id == build_id):
            return False
        with self._lock:
            if self._index is not None and self._index.build_id == build_id:
                return False
            try:
                index = load_index(self.settings.index_dir, build_id)
            except (FileNotFoundError, OSError, ValueError) as exc:  # pruned or unreadable: keep serving
                log.warning("could not load search build %s: %s", build_id, exc)
                return False
            self._index = index
            log.info(
                "search index %s loaded (%d documents, %d chunks)",
                build_id,
                len(index.docs),
                len(index.chunks),
            )
            return True

    def index(self) -> SearchIndex:
        self.refresh()
        if self._index is None:
            raise SearchUnavailable("no search index has been built; run `learnsys build`")
        return self._index

    def status(self) -> dict[str, Any]:
        index = self._index
        return {
            "build_id": index.build_id if index else None,
            "documents": len(index.docs) if index else 0,
            "chunks": len(index.chunks) if index else 0,
            "manifest": index.manifest if index else None,
        }

    # ---- queries ---------------------------------------------------------------------------------
    def check(self, request: SearchRequest) -> Filters:
        """Validate a request; raises ``InvalidSearch`` naming the field."""
        if not request.q or not request.q.strip():
            raise InvalidSearch("q", "the query must not be empty")
        if len(request.q) > MAX_QUERY_CHARS:
            raise InvalidSearch("q", f"the query is longer than {MAX_QUERY_CHARS} characters")
        if not 1 <= request.k <= MAX_K:
            raise InvalidSearch("k", f"k must be between 1 and {MAX_K}")
        if not 0 <= request.offset <= MAX_OFFSET:
            raise InvalidSearch("offset", f"offset must be between 0 and {MAX_OFFSET}")
        if request.mode not in MODES:
            raise InvalidSearch("mode", f"mode must be one of {', '.join(MODES)}")
        allowed = self.allowed_values()
        for name, values in request.filters.items():
            if name not in FACET_FIELDS:
                raise InvalidSearch(name, f"unknown filter {name!r}")
            for value in values:
                if name in allowed and value not in allowed[name]:
                    raise InvalidSearch(name, f"unknown {name} {value!r}")
        if (
            request.for_provider is not None
            and self.reference is not None
            and request.for_provider not in self.reference.providers
        ):
            raise InvalidSearch("for_provider", f"unknown provider ODS code {request.for_provider!r}")
        if request.similar_to is not None:
            if self.reference is None or request.similar_to not in self.reference.providers:
                raise InvalidSearch("similar_to", f"unknown provider ODS code {request.similar_to!r}")
            if not self.reference.peer_model.has_context(request.similar_to):
                raise InvalidSearch("similar_to", f"no peer-finder context for {request.similar_to!r}, so no peers")
        return Filters({k: v for k, v in request.filters.items() if v}, request.published_after)

    def allowed_values(self) -> dict[str, set[str]]:
        """Accepted values per filter (vocabularies, reference codes, values in the index); cached per build."""
        key = self._index.build_id if self._index is not None else ""
        if self._allowed is None or self._allowed[0] != key:
            self._allowed = (key, self._allowed_values())
        return self._allowed[1]

    def _allowed_values(self) -> dict[str, set[str]]:
        allowed: dict[str, set[str]] = {"type": set(DOCUMENT_TYPES), "evidence": set(EVIDENCE_LEVELS),
                                        "setting": set(SETTINGS), "scale": set(SCALES)}
        try:
            notations = Vocabularies.load(self.settings.ontology_dir).notations
        except Exception:  # noqa: BLE001 - ontology unreadable: only the index's own values are known
            notations = {}
        for name, scheme in FILTER_SCHEMES.items():
            if notations.get(scheme):
                allowed[name] = notations[scheme]
        if self.reference is not None:
            allowed["region"] = set(self.reference.regions)
            allowed["icb"] = set(self.reference.icbs)
            allowed["provider"] = set(self.reference.providers) | set(self.reference.icbs) | set(self.reference.regions)
        if self._index is not None:  # values present in the index are always accepted
            for name in FACET_FIELDS:
                if name in allowed:
                    allowed[name] |= set(value_masks(self._index, name))
        return allowed

    def search(self, request: SearchRequest) -> dict[str, Any]:
        self.refresh()
        filters = self.check(request)
        index = self.index()
        config = RetrievalConfig(mode=request.mode, graph_boost=request.boost)
        return self.retriever().search(
            index,
            request.q,
            k=request.k,
            offset=request.offset,
            filters=filters,
            for_provider=request.for_provider,
            similar_to=request.similar_to,
            config=config,
        )

    # ---- documents -------------------------------------------------------------------------------
    def get_document(self, doc_id: str) -> dict[str, Any]:
        path = find_document_file(self.settings.corpus_dir, doc_id)
        if path is None:
            raise DocumentNotFound(doc_id)
        doc = load_document(path)
        data = doc.to_dict()
        data["path"] = str(path.relative_to(self.settings.corpus_dir))
        return data

    @contextmanager
    def _write_lock(self) -> Iterator[None]:
        root = search_root(self.settings.index_dir)
        root.mkdir(parents=True, exist_ok=True)
        with (root / ".write.lock").open("w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def put_document(
        self, text: str, *, doc_id: str | None = None, create: bool = False
    ) -> tuple[Document, dict[str, Any]]:
        """Validate, write into the corpus, rebuild incrementally and switch. ``create``: must be new;
        ``doc_id``: must exist and match the front matter. Raises InvalidDocument, DocumentExists,
        DocumentNotFound."""
        if self.reference is None:
            raise InvalidDocument([("document", 1, "reference data is not loaded; cannot validate codes")])
        with self._write_lock():
            doc = validate_text(
                text,
                corpus_dir=self.settings.corpus_dir,
                reference=self.reference,
                ontology_dir=self.settings.ontology_dir,
                expected_id=doc_id,
            )
            existing = find_document_file(self.settings.corpus_dir, doc.id)
            if create and existing is not None:
                raise DocumentExists(doc.id)
            if doc_id is not None and existing is None:
                raise DocumentNotFound(doc_id)
            target = document_path(self.settings.corpus_dir, doc)
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_name(f".{target.name}.tmp")
            tmp.write_text(text if text.endswith("\n") else text + "\n", encoding="utf-8")
            os.replace(tmp, target)
            if existing is not None and existing != target:
                existing.unlink(missing_ok=True)  # the type changed: the file moved folder
            report = self._rebuild()
        self.refresh(force=True)
        return doc, report

    def remove_document(self, doc_id: str) -> dict[str, Any]:
        with self._write_lock():
            path = find_document_file(self.settings.corpus_dir, doc_id)
            if path is None:
                raise DocumentNotFound(doc_id)
            documents, _ = load_corpus(self.settings.corpus_dir)
            linked = [d.id for d in documents if doc_id in d.exemplars and d.id != doc_id]
            if linked:
                raise InvalidDocument(
                    [
                        (
                            "id",
                            1,
                            f"{doc_id!r} is an exemplar of {', '.join(sorted(linked))}; update those guides first",
                        )
                    ]
                )
            path.unlink()
            report = self._rebuild()
        self.refresh(force=True)
        return report

    def _rebuild(self) -> dict[str, Any]:
        self.encoder = self.encoder or Encoder.shared()
        return build_search(self.settings, reference=self.reference, encoder=self.encoder)


def ingest_file(service: SearchService, path: Path) -> tuple[Document, dict[str, Any]]:
    """``learnsys ingest PATH``: add or replace the document in ``path``."""
    return service.put_document(path.read_text(encoding="utf-8"))
