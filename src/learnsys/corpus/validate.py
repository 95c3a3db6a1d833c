"""Corpus checks: each problem is reported with file and line."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from learnsys.corpus.dates import period_end, published_range
from learnsys.corpus.documents import CONCEPT_FIELDS, Document, DocumentError, corpus_files, load_document
from learnsys.corpus.figures import missing_figures
from learnsys.corpus.provenance import check_provenance
from learnsys.kg.records import ReferenceData

ID_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# Case studies must carry contact/evidence/setting/scale, guides evidence/setting/scale.
REQUIRE_PROVENANCE = False
# published not before the data it reports; every metric value stated in the body
CHECK_DATES_AND_FIGURES = False


@dataclass(frozen=True)
class CorpusProblem:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def known_codes(data: ReferenceData) -> set[str]:
    return set(data.providers) | set(data.icbs) | set(data.regions)


def check_document(doc: Document, codes: set[str], notations: dict[str, set[str]]) -> list[CorpusProblem]:
    """Checks that need only the document itself and the vocabularies."""
    problems: list[CorpusProblem] = []

    def add(key: str, message: str) -> None:
        problems.append(CorpusProblem(doc.path, doc.key_lines.get(key, 2), message))

    if not ID_PATTERN.match(doc.id):
        add("id", f"id {doc.id!r} must be a lowercase slug (letters, digits, hyphens)")
    if doc.path and Path(doc.path).stem != doc.id:
        add("id", f"id {doc.id!r} differs from the file name {Path(doc.path).name!r}")
    for code in doc.providers:
        if code not in codes:
            add("providers", f"unknown ODS code {code!r} (not a provider, ICB or region in the graph)")
    for field_name, scheme in CONCEPT_FIELDS.items():
        for notation in getattr(doc, field_name):
            if notation not in notations.get(scheme, set()):
                add(field_name, f"unknown {scheme} concept {notation!r}")
    if not doc.priority_areas:
        add("priority_areas", "at least one priority area is required")
    if not doc.sources:
        add("sources", "at least one source (url, title, publisher) is required")
    for source in doc.sources:
        if not isinstance(source, dict) or not str(source.get("url", "")).startswith(("http://", "https://")):
            add("sources", f"source needs an http(s) url, a title and a publisher: {source!r}")
        elif not source.get("title") or not source.get("publisher"):
            add("sources", f"source {source.get('url')} needs a title and a publisher")
    for key, message in check_provenance(doc, required=REQUIRE_PROVENANCE):
        add(key, message)
    if CHECK_DATES_AND_FIGURES:
        problems.extend(check_dates_and_figures(doc))
    for metric in doc.metrics:
        if not isinstance(metric, dict) or not metric.get("name") or (
                metric.get("result") is None and metric.get("baseline") is None):
            add("metrics", f"each metric needs a name and a baseline or result: {metric!r}")
    if not doc.summary:
        add("summary", "a summary is required")
    if doc.type == "guide":
        if not doc.steps:
            add("steps", "a guide needs ordered steps")
        if not doc.measures:
            add("measures", "a guide needs measures")
    return problems


def check_dates_and_figures(doc: Document) -> list[CorpusProblem]:
    """A ``published`` date earlier than the end of a period a metric reports, and metric values the body
    does not state; each problem names the metric's line."""
    problems: list[CorpusProblem] = []
    span = published_range(doc.published) if doc.published else None
    for number, metric in enumerate(doc.metrics):
        if not isinstance(metric, dict):
            continue
        line = doc.key_lines.get(f"metrics[{number}]", doc.key_lines.get("metrics", 2))
        end = period_end(str(metric.get("period") or ""))
        if span is not None and end is not None and span[1] < end:
            problems.append(CorpusProblem(doc.path, line, (
                f"published {doc.published} ({doc.published_precision or 'day'}) is earlier than the end of the "
                f"period {metric.get('period')!r} ({end.isoformat()}) that metric {metric.get('name')!r} reports")))
    for number, key, value in missing_figures(doc.metrics, doc.body):
        line = doc.key_lines.get(f"metrics[{number}]", doc.key_lines.get("metrics", 2))
        problems.append(CorpusProblem(doc.path, line, (
            f"metric {doc.metrics[number].get('name')!r}: {key} {value:g} does not appear in the body")))
    return problems


def check_links(documents: Iterable[Document]) -> list[CorpusProblem]:
    """Duplicate ids and exemplar links that do not name a case study in the corpus."""
    problems: list[CorpusProblem] = []
    documents = list(documents)
    seen: dict[str, Document] = {}
    for doc in documents:
        if doc.id in seen:
            problems.append(CorpusProblem(doc.path, doc.key_lines.get("id", 2),
                                          f"duplicate id {doc.id!r} (also in {seen[doc.id].path})"))
        seen.setdefault(doc.id, doc)
    for doc in documents:
        for exemplar in doc.exemplars:
            target = seen.get(exemplar)
            if target is None:
                problems.append(CorpusProblem(doc.path, doc.key_lines.get("exemplars", 2),
                                              f"exemplar {exemplar!r} is not a document in the corpus"))
            elif target.type != "case-study":
                problems.append(CorpusProblem(doc.path, doc.key_lines.get("exemplars", 2),
                                              f"exemplar {exemplar!r} is a {target.type}, not a case study"))
    return problems


def validate_corpus(paths: Iterable[Path], data: ReferenceData, notations: dict[str, set[str]],
                    extra: Iterable[Document] = ()) -> tuple[list[Document], list[CorpusProblem]]:
    """Parse and check documents; ``extra`` are already-accepted documents used for link checks."""
    codes = known_codes(data)
    documents: list[Document] = []
    problems: list[CorpusProblem] = []
    for path in paths:
        try:
            doc = load_document(path)
        except DocumentError as exc:
            problems.append(CorpusProblem(exc.path, exc.line, exc.message))
            continue
        documents.append(doc)
        problems.extend(check_document(doc, codes, notations))
    problems.extend(check_links([*documents, *extra]))
    return documents, problems


def validate_corpus_dir(corpus_dir: Path, data: ReferenceData,
                        notations: dict[str, set[str]]) -> tuple[list[Document], list[CorpusProblem]]:
    return validate_corpus(corpus_files(corpus_dir), data, notations)
