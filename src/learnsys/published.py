"""What a server serves follows the store: seeding from corpus/, validation, index and graph refresh, export.

The store's published documents are the corpus. ``seed_store`` loads ``corpus/`` into the store (once per
file content); ``served_documents`` parses what is published; ``sync`` makes the search index and the graph
match it (only what differs is rebuilt: a search build embeds only new chunks, and nothing is rebuilt
when the fingerprints already match, so the call is cheap and safe to repeat); ``follow`` starts the
``ChangePoller`` that runs ``sync`` when another server (or this one) changes documents. At start the same
``sync`` reconciles what is served with what is stored, so a crash between a commit and a rebuild heals.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from learnsys.config import REPO_ROOT, Settings
from learnsys.corpus.documents import Document, DocumentError, parse_document
from learnsys.corpus.validate import check_links
from learnsys.kg.records import ReferenceData
from learnsys.search.validation import SUBFOLDERS, InvalidDocument, document_path, validate_text
from learnsys.store import documents as doc_store
from learnsys.store import plans
from learnsys.store.changes import ChangePoller, latest_sequence
from learnsys.store.db import Database

log = logging.getLogger(__name__)
Progress = Callable[[str], None]
STORE_INPUT = "store:published-documents"


def seed_store(database: Database, settings: Settings, documents: list[Document]) -> doc_store.SeedReport:
    """Seed the store from the (already validated) corpus files of ``documents``."""
    files = {d.id: (d.type, Path(d.path).read_text(encoding="utf-8")) for d in documents}
    return doc_store.seed(database, files)


def parse_published(texts: dict[str, str], settings: Settings) -> list[Document]:
    """The published texts as documents (paths as if in ``corpus/``); a text that no longer parses is skipped."""
    out = []
    for doc_id, text in sorted(texts.items()):
        try:
            doc = parse_document(text, f"store:{doc_id}")
        except DocumentError as exc:  # validated on the way in; only a hand-edited row could get here
            log.error("published document %s does not parse: %s", doc_id, exc)
            continue
        doc.path = str(document_path(settings.corpus_dir, doc))
        out.append(doc)
    return out


def served_documents(database: Database, settings: Settings) -> tuple[list[Document], str]:
    """(published documents, fingerprint of the published set)."""
    texts = doc_store.published_texts(database)
    return parse_published(texts, settings), doc_store.fingerprint(texts)


def graph_inputs(settings: Settings, fingerprint: str) -> dict[str, str]:
    """The graph build's inputs: reference data and ontology files, and the store's published set."""
    from learnsys.kg.build import file_hashes

    files = [*settings.data_dir.rglob("*.csv"), *settings.ontology_dir.rglob("*.ttl")]
    root = REPO_ROOT if all(REPO_ROOT in p.parents for p in files) else Path("/")
    return {**file_hashes(files, root), STORE_INPUT: fingerprint}


def validate_submission(text: str, database: Database, settings: Settings, reference: ReferenceData,
                        expected_id: str | None = None) -> Document:
    """Check a submitted text fully (front matter, vocabularies, codes, sources, links to published documents);
    raises ``InvalidDocument`` naming each failing field."""
    others, _ = served_documents(database, settings)
    return validate_text(text, corpus_dir=settings.corpus_dir, reference=reference,
                         ontology_dir=settings.ontology_dir, expected_id=expected_id, others=others)


def check_withdrawal(database: Database, settings: Settings, doc_id: str) -> None:
    """A document that a published guide names as an exemplar cannot be withdrawn first."""
    others, _ = served_documents(database, settings)
    linked = sorted(d.id for d in others if doc_id in d.exemplars and d.id != doc_id)
    if linked:
        raise InvalidDocument([("id", 1, f"{doc_id!r} is an exemplar of {', '.join(linked)}; "
                                          "update those guides first")])
    remaining = [d for d in others if d.id != doc_id]
    if check_links(remaining):
        raise InvalidDocument([("id", 1, f"withdrawing {doc_id!r} would break exemplar links")])


# ---- keeping the index and graph in step ---------------------------------------------------------------
_LOCKS: dict[tuple[int, str], threading.Lock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock(services: Any, part: str) -> threading.Lock:
    """One lock per server and part, so a slow graph rebuild never holds up the search index."""
    with _LOCKS_GUARD:
        return _LOCKS.setdefault((id(services), part), threading.Lock())


def sync(services: Any, progress: Progress = log.info, *, graph: bool = True) -> dict[str, bool]:
    """Make the search index (and, with ``graph``, the RDF graph) serve exactly the store's published set.
    Returns what was rebuilt."""
    from learnsys.search.build import build_search, corpus_hash

    settings = services.settings
    done = {"search": False, "graph": False}
    with _lock(services, "search"):
        documents, fingerprint = served_documents(services.store, settings)
        search = services.search
        if search is not None:
            search.refresh(force=True)  # another server on this index folder may have built it already
            current = search.status()["manifest"] or {}
            if current.get("corpus_hash") != corpus_hash(documents):
                build_search(settings, documents, services.reference, encoder=search.encoder, progress=progress)
                search.refresh(force=True)
                done["search"] = True
        services.documents = {d.id: d for d in documents}
    if graph:
        with _lock(services, "graph"):
            documents, fingerprint = served_documents(services.store, settings)
            done["graph"] = sync_graph(services, documents, fingerprint, progress)
    return done


def sync_graph(services: Any, documents: list[Document], fingerprint: str, progress: Progress) -> bool:
    from learnsys.kg import build as graph_build
    from learnsys.pipeline import derived_records

    settings = services.settings
    inputs = graph_inputs(settings, fingerprint)
    manifest = graph_build.current_manifest(settings.index_dir)
    if manifest is not None and manifest.get("inputs") == inputs:
        if services.graph is None:
            services.graph = _load_graph(settings)
        return False
    from learnsys.kg.reference import load_reference_data
    from learnsys.oversight.scoring import INDICATIVE_SOURCE

    data = load_reference_data(settings.data_dir, settings.lin_membership_file)
    data.sources[INDICATIVE_SOURCE.id] = INDICATIVE_SOURCE
    indicative, signals = derived_records(data)
    graph_build.build_graph_index(settings.index_dir, settings.ontology_dir, data, documents, inputs,
                                  extra_assessments=indicative, signals=signals, progress=progress)
    from learnsys.collaboratives.wiring import reproject

    graph = _load_graph(settings)
    reproject(graph, getattr(services, "collaboratives", None))  # the store's collaboratives, not in the files
    plans.project_all(graph, services.store)  # and its saved plans
    services.graph = graph
    return True


def _load_graph(settings: Settings) -> Any:
    from learnsys.kg.build import load_graph_store

    return load_graph_store(settings.index_dir, timeout_s=settings.sparql_timeout_s,
                            max_results=settings.sparql_max_results)


class GraphRefresher:
    """A daemon thread rebuilding the graph after document changes, requests coalesced: the graph build takes
    seconds, and the search index must not wait for it."""

    def __init__(self, services: Any, retry_s: float = 5.0):
        self.services = services
        self.retry_s = retry_s
        self._wanted = threading.Event()
        self._stopped = threading.Event()
        threading.Thread(target=self._run, daemon=True, name="learnsys-graph-refresh").start()

    def request(self) -> None:
        self._wanted.set()

    def stop(self) -> None:
        """End the thread (after the refresh under way, if any)."""
        self._stopped.set()
        self._wanted.set()

    def _run(self) -> None:
        while True:
            self._wanted.wait()
            self._wanted.clear()
            if self._stopped.is_set():
                return
            try:
                with _lock(self.services, "graph"):
                    documents, fingerprint = served_documents(self.services.store, self.services.settings)
                    sync_graph(self.services, documents, fingerprint, log.info)
            except Exception:  # the previous graph stays in service; try again
                log.exception("graph refresh after a document change failed; retrying")
                if self._stopped.wait(self.retry_s):
                    return
                self._wanted.set()


def follow(services: Any) -> ChangePoller:
    """Start the poller that refreshes the index (at once) and the graph (in the background) whenever
    documents change in the store, from any server."""
    with services.store.read() as session:
        since = latest_sequence(session)
    graph = GraphRefresher(services)

    def on_change(types: set[str]) -> None:
        if plans.ENTITY in types:
            plans.project_all(services.graph, services.store)
        if doc_store.ENTITY in types:
            sync(services, graph=False)
            graph.request()

    poller = ChangePoller(services.store, on_change, since=since, interval_s=services.settings.store_poll_s)
    poller.on_stop = graph.stop  # the graph refresher ends with the poller
    return poller.start()


def export_corpus(database: Database, folder: Path) -> list[Path]:
    """Write every published document to ``folder/{case-studies,guides}/ID.md``, byte for byte as stored."""
    written = []
    for doc_id, text in sorted(doc_store.published_texts(database).items()):
        try:
            doc_type = parse_document(text, doc_id).type
        except DocumentError:
            continue
        path = folder / SUBFOLDERS[doc_type] / f"{doc_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
