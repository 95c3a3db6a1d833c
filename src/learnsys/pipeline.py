"""Files -> loaders -> graph and indexes -> services. The one place that wires the subsystems together."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from learnsys.config import Settings
from learnsys.corpus.documents import Document
from learnsys.corpus.validate import CorpusProblem, validate_corpus_dir
from learnsys.kg import build as graph_build
from learnsys.kg.concepts import load_concept_schemes
from learnsys.kg.records import Assessment, ReferenceData
from learnsys.kg.reference import load_reference_data
from learnsys.oversight.scoring import INDICATIVE_SOURCE, indicative_assessments
from learnsys.oversight.spc import SpcSignal, all_signals
from learnsys.services import Services
from learnsys.store import migrate, plans
from learnsys.store.db import Database

log = logging.getLogger(__name__)
Progress = Callable[[str], None]


class CorpusInvalid(ValueError):
    def __init__(self, problems: list[CorpusProblem]):
        self.problems = problems
        super().__init__(f"{len(problems)} corpus problem(s):\n" + "\n".join(map(str, problems[:50])))


def concept_notations(settings: Settings) -> dict[str, set[str]]:
    return {name: set(concepts) for name, concepts in load_concept_schemes(settings.ontology_dir).items()}


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


def store_documents(settings: Settings, progress: Progress = print,
                    database: Database | None = None) -> tuple[ReferenceData, list[Document], Database]:
    """Reference data and the store's published documents, after seeding the store from the validated corpus/."""
    from learnsys.published import seed_store, served_documents

    database = database or open_store(settings, progress)
    data, corpus = load_inputs(settings)
    report = seed_store(database, settings, corpus)
    if report.added or report.updated:
        progress(f"store: seeded {len(report.added)} new and {len(report.updated)} changed corpus document(s)")
    documents, _ = served_documents(database, settings)
    return data, documents, database


def build(settings: Settings, progress: Progress = print, search: bool = True) -> dict[str, Any]:
    """Build the graph (and the search index) of the store's published documents into ``settings.index_dir``."""
    from learnsys.published import graph_inputs, served_documents

    started = time.perf_counter()
    progress("loading reference data, seeding the store from corpus/ ...")
    data, documents, database = store_documents(settings, progress)
    _, fingerprint = served_documents(database, settings)
    progress("scoring indicative assessments and SPC signals ...")
    indicative, signals = derived_records(data)
    manifests: dict[str, Any] = {"graph": graph_build.build_graph_index(
        settings.index_dir, settings.ontology_dir, data, documents, graph_inputs(settings, fingerprint),
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


def load_services(settings: Settings, progress: Progress = print, search: bool = True,
                  follow: bool = True) -> Services:
    """Open the store (seeding it from corpus/), make the graph and index match its published documents
    (building them on first start, reconciling after a crash), and follow other servers' changes."""
    from learnsys import published

    data, documents, database = store_documents(settings, progress)
    if graph_build.current_manifest(settings.index_dir) is None or (
            search and not _search_built(settings)):
        progress("no build found: building the graph and indexes (first start) ...")
        build(settings, progress, search=search)
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

    attach(services)  # before sync: a rebuilt graph gets the collaboratives projected again
    rebuilt = published.sync(services, progress)  # what is served == what is stored (after a crash too)
    saved = plans.project_all(services.graph, database)  # saved plans live in the store, not in files
    if saved:
        progress(f"projected {saved} saved plan(s) into the graph")
    if any(rebuilt.values()):
        progress(f"reconciled with the store: rebuilt {', '.join(k for k, v in rebuilt.items() if v)}")
    if follow:
        services.follower = published.follow(services)
    services.ready = True
    progress("ready")
    return services


def _search_built(settings: Settings) -> bool:
    from learnsys.versioned import VersionedDir

    return VersionedDir(settings.index_dir / "search").current() is not None
