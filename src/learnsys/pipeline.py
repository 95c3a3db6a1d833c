"""Files -> loaders -> graph and indexes -> services. The one place that wires the subsystems together."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from learnsys.config import REPO_ROOT, Settings
from learnsys.corpus.documents import Document, corpus_files
from learnsys.corpus.validate import CorpusProblem, validate_corpus_dir
from learnsys.kg import build as graph_build
from learnsys.kg.concepts import load_concept_schemes
from learnsys.kg.records import Assessment, ReferenceData
from learnsys.kg.reference import load_reference_data
from learnsys.oversight.scoring import INDICATIVE_SOURCE, indicative_assessments
from learnsys.oversight.spc import SpcSignal, all_signals
from learnsys.services import Services
from learnsys.store import migrate
from learnsys.store.db import Database

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


class CorpusInvalid(ValueError):
    def __init__(self, problems: list[CorpusProblem]):
        self.problems = problems
        super().__init__(f"{len(problems)} corpus problem(s):\n" + "\n".join(map(str, problems[:50])))


def concept_notations(settings: Settings) -> dict[str, set[str]]:
    return {name: set(concepts) for name, concepts in load_concept_schemes(settings.ontology_dir).items()}


def input_hashes(settings: Settings) -> dict[str, str]:
    files = [*settings.data_dir.rglob("*.csv"), *settings.ontology_dir.rglob("*.ttl"),
             *corpus_files(settings.corpus_dir)]
    root = REPO_ROOT if all(REPO_ROOT in p.parents for p in files) else Path("/")
    return graph_build.file_hashes(files, root)


def load_inputs(settings: Settings) -> tuple[ReferenceData, list[Document]]:
    """Reference data and the validated corpus; raises on any malformed file."""
    data = load_reference_data(settings.data_dir, settings.lin_membership_file)
    data.sources[INDICATIVE_SOURCE.id] = INDICATIVE_SOURCE
    documents, problems = validate_corpus_dir(settings.corpus_dir, data, concept_notations(settings))
    if problems:
        raise CorpusInvalid(problems)
    return data, documents


def derived_records(data: ReferenceData) -> tuple[list[Assessment], list[SpcSignal]]:
    """Indicative assessments and SPC signals computed from the reference data (dated, with provenance)."""
    return indicative_assessments(data), all_signals(data)


def build(settings: Settings, progress: Progress = print, search: bool = True) -> dict[str, Any]:
    """Build the graph (and the search index) into ``settings.index_dir``; returns the manifests."""
    started = time.perf_counter()
    progress("loading reference data and corpus ...")
    data, documents = load_inputs(settings)
    progress("scoring indicative assessments and SPC signals ...")
    indicative, signals = derived_records(data)
    manifests: dict[str, Any] = {"graph": graph_build.build_graph_index(
        settings.index_dir, settings.ontology_dir, data, documents, input_hashes(settings),
        extra_assessments=indicative, signals=signals, progress=progress)}
    if search:
        from learnsys.search.service import build_search

        manifests["search"] = build_search(settings, documents, data, progress=progress)
    progress(f"build finished in {time.perf_counter() - started:.1f} s")
    return manifests


def open_store(settings: Settings, progress: Progress = print, upgrade: bool = True) -> Database:
    """The store of record named by ``settings.database_url``, migrated to this code's schema."""
    database = Database(settings.database_url)
    if upgrade:
        report = migrate.upgrade(database)
        if report["before"] != report["after"]:
            progress(f"store {database.safe_url()}: migrated {report['before'] or 'empty'} -> {report['after']} "
                     f"in {report['seconds']} s")
    else:
        migrate.require_current(database)
    return database


def load_services(settings: Settings, progress: Progress = print, search: bool = True) -> Services:
    """Load the current build (building it first if there is none) and the data the services use."""
    database = open_store(settings, progress)
    if graph_build.current_manifest(settings.index_dir) is None or (
            search and not _search_built(settings)):
        progress("no build found: building the graph and indexes (first start) ...")
        build(settings, progress, search=search)
    data, documents = load_inputs(settings)
    data.assessments.extend(indicative_assessments(data))  # SPC signals are only needed by the graph build
    progress("loading graph store ...")
    store = graph_build.load_graph_store(settings.index_dir, timeout_s=settings.sparql_timeout_s,
                                         max_results=settings.sparql_max_results)
    services = Services(settings=settings, reference=data, graph=store, documents={d.id: d for d in documents},
                        concepts=load_concept_schemes(settings.ontology_dir), store=database)
    if search:
        from learnsys.search.service import SearchService

        progress("loading search index ...")
        services.search = SearchService.open(settings, data)
    from learnsys.collaboratives.wiring import attach

    attach(services)
    services.ready = True
    progress("ready")
    return services


_GRAPH_REFRESH = threading.Lock()


def refresh_graph(services: Services, progress: Progress = log.info) -> None:
    """Rebuild the graph from the current files and swap it into running services (after a document write).

    Runs behind a lock so overlapping writes rebuild in turn; the old store serves until the new one is loaded.
    """
    with _GRAPH_REFRESH:
        settings = services.settings
        data, documents = load_inputs(settings)
        indicative, signals = derived_records(data)
        graph_build.build_graph_index(settings.index_dir, settings.ontology_dir, data, documents,
                                      input_hashes(settings), extra_assessments=indicative, signals=signals,
                                      progress=progress)
        store = graph_build.load_graph_store(settings.index_dir, timeout_s=settings.sparql_timeout_s,
                                             max_results=settings.sparql_max_results)
        from learnsys.collaboratives.wiring import reproject

        reproject(store, services.collaboratives)
        services.graph = store
        services.documents = {d.id: d for d in documents}


def schedule_graph_refresh(services: Services) -> threading.Thread:
    """Refresh the graph in the background, so a document write answers without waiting for it."""

    def run() -> None:
        try:
            refresh_graph(services)
        except Exception:  # the previous graph stays in service
            log.exception("graph refresh after a document change failed")

    thread = threading.Thread(target=run, daemon=True, name="learnsys-graph-refresh")
    thread.start()
    return thread


def _search_built(settings: Settings) -> bool:
    from learnsys.versioned import VersionedDir

    return VersionedDir(settings.index_dir / "search").current() is not None
