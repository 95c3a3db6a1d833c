"""Checks a document must pass before ``ingest`` or ``POST/PUT /documents`` writes it into the corpus.

Uses the corpus checks of ``learnsys.corpus.validate`` (front matter, vocabularies, ODS/ICB/region codes,
sources, exemplar links) against the reference data and the ontology's concept schemes.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from learnsys.corpus.documents import Document, DocumentError, load_corpus, parse_document
from learnsys.corpus.validate import check_document, check_links, known_codes
from learnsys.kg.concepts import load_concept_schemes
from learnsys.kg.records import ReferenceData

SUBFOLDERS = {"case-study": "case-studies", "guide": "guides"}


class InvalidDocument(ValueError):
    """The document cannot be written; ``problems`` are (field, line, message)."""

    def __init__(self, problems: list[tuple[str, int, str]]):
        self.problems = problems
        super().__init__("; ".join(f"{f} (line {line}): {m}" for f, line, m in problems))


@dataclass
class Vocabularies:
    notations: dict[str, set[str]]

    @classmethod
    @lru_cache(maxsize=4)
    def load(cls, ontology_dir: Path) -> Vocabularies:
        schemes = load_concept_schemes(ontology_dir)
        return cls({name: set(concepts) for name, concepts in schemes.items()})


def document_path(corpus_dir: Path, doc: Document) -> Path:
    return corpus_dir / SUBFOLDERS[doc.type] / f"{doc.id}.md"


def find_document_file(corpus_dir: Path, doc_id: str) -> Path | None:
    for sub in SUBFOLDERS.values():
        path = corpus_dir / sub / f"{doc_id}.md"
        if path.exists():
            return path
    return None


def validate_text(
    text: str,
    *,
    corpus_dir: Path,
    reference: ReferenceData,
    ontology_dir: Path,
    expected_id: str | None = None,
    others: list[Document] | None = None,
) -> Document:
    """Parse and check one document's text; raises ``InvalidDocument`` naming each failing field.
    Links are checked against ``others`` (default: the documents in ``corpus_dir``)."""
    try:
        doc = parse_document(text, "<request>")
    except DocumentError as exc:
        field = "front_matter"
        raise InvalidDocument([(field, exc.line, exc.message)]) from exc
    if expected_id is not None and doc.id != expected_id:
        raise InvalidDocument(
            [
                (
                    "id",
                    doc.key_lines.get("id", 2),
                    f"id {doc.id!r} in the front matter differs from {expected_id!r} in the URL",
                )
            ]
        )
    doc.path = str(document_path(corpus_dir, doc))
    vocab = Vocabularies.load(ontology_dir)
    problems = check_document(doc, known_codes(reference), vocab.notations)
    if others is None:
        others, _ = load_corpus(corpus_dir)
    others = [d for d in others if d.id != doc.id]
    problems += [p for p in check_links([*others, doc]) if p.path == doc.path]
    if problems:
        raise InvalidDocument([(_field_at(doc, p.line), p.line, p.message) for p in problems])
    return doc


def _field_at(doc: Document, line: int) -> str:
    return next((key for key, at in doc.key_lines.items() if at == line), "document")
