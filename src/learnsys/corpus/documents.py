"""Parse corpus documents (Markdown + YAML front matter) into ``Document`` records."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from learnsys.corpus.provenance import provenance_fields

DOCUMENT_TYPES = ("case-study", "guide")
LIST_FIELDS = ("providers", "priority_areas", "msf", "nof_domains", "methods")
# Front-matter field -> the SKOS concept scheme its values are notations of.
CONCEPT_FIELDS = {"priority_areas": "priority-area", "msf": "msf", "nof_domains": "nof-domain", "methods": "method"}


class DocumentError(ValueError):
    """A document could not be parsed; carries the file and line."""

    def __init__(self, path: Path | str, line: int, message: str):
        self.path, self.line, self.message = str(path), line, message
        super().__init__(f"{path}:{line}: {message}")


@dataclass
class Document:
    id: str
    title: str
    type: str
    body: str
    path: str = ""
    providers: list[str] = field(default_factory=list)
    priority_areas: list[str] = field(default_factory=list)
    msf: list[str] = field(default_factory=list)
    nof_domains: list[str] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)
    metrics: list[dict[str, Any]] = field(default_factory=list)
    published: str = ""  # YYYY-MM-DD, YYYY-MM or YYYY (only what the source shows), or "" when it shows none
    published_precision: str = ""  # day | month | year
    contact: dict[str, str] = field(default_factory=dict)  # team, url
    evidence: str = ""
    setting: str = ""
    scale: str = ""
    sources: list[dict[str, str]] = field(default_factory=list)
    summary: str = ""
    steps: list[str] = field(default_factory=list)
    measures: list[dict[str, str]] = field(default_factory=list)
    exemplars: list[str] = field(default_factory=list)
    key_lines: dict[str, int] = field(default_factory=dict)  # front-matter key -> line in the file
    body_line: int = 1  # line where the body starts

    @property
    def content_hash(self) -> str:
        return hashlib.sha256((self.title + "\n" + self.body).encode()).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """The document's public fields (as the API returns them)."""
        return {k: getattr(self, k) for k in (
            "id", "title", "type", "providers", "priority_areas", "msf", "nof_domains", "methods", "metrics",
            "published", "published_precision", "contact", "evidence", "setting", "scale", "sources", "summary",
            "steps", "measures", "exemplars", "body")}


def split_front_matter(text: str, path: Path | str) -> tuple[str, str, int]:
    """(yaml text, body, first body line). The file must open with a '---' line."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        raise DocumentError(path, 1, "missing YAML front matter: the file must start with a '---' line")
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            return "".join(lines[1:index]), "".join(lines[index + 1:]), index + 2
    raise DocumentError(path, 1, "front matter is not closed by a '---' line")


def item_lines(node: yaml.Node | None, key: str) -> dict[str, int]:
    """'key[i]' -> file line of each item of a top-level list (so a check can name the metric's line)."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    for k, value in node.value:
        if k.value == key and isinstance(value, yaml.SequenceNode):
            return {f"{key}[{i}]": item.start_mark.line + 2 for i, item in enumerate(value.value)}
    return {}


def parse_document(text: str, path: Path | str = "<text>") -> Document:
    """Parse one document; raises ``DocumentError`` (file and line) on malformed front matter."""
    front, body, body_line = split_front_matter(text, path)
    try:
        node = yaml.compose(front)
        meta = yaml.safe_load(front)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = (mark.line + 2) if mark is not None else 2
        raise DocumentError(path, line, f"front matter is not valid YAML: {getattr(exc, 'problem', exc)}") from exc
    if not isinstance(meta, dict):
        raise DocumentError(path, 2, "front matter must be a mapping of fields")
    key_lines = {k.value: k.start_mark.line + 2 for k, _ in node.value} if node is not None else {}
    key_lines.update(item_lines(node, "metrics"))
    for key in ("id", "title", "type"):
        if not meta.get(key) or not isinstance(meta[key], str):
            raise DocumentError(path, key_lines.get(key, 2), f"field '{key}' is required and must be text")
    if meta["type"] not in DOCUMENT_TYPES:
        raise DocumentError(path, key_lines["type"], f"type must be one of {', '.join(DOCUMENT_TYPES)}")
    for key in (*LIST_FIELDS, "metrics", "sources", "steps", "measures", "exemplars"):
        value = meta.get(key)
        if value is not None and not isinstance(value, list):
            raise DocumentError(path, key_lines.get(key, 2), f"field '{key}' must be a list")
    return Document(
        id=meta["id"].strip(),
        title=" ".join(meta["title"].split()),
        type=meta["type"],
        body=body.strip(),
        path=str(path),
        providers=[str(p).strip() for p in meta.get("providers") or []],
        priority_areas=[str(p).strip() for p in meta.get("priority_areas") or []],
        msf=[str(p).strip() for p in meta.get("msf") or []],
        nof_domains=[str(p).strip() for p in meta.get("nof_domains") or []],
        methods=[str(p).strip() for p in meta.get("methods") or []],
        metrics=list(meta.get("metrics") or []),
        sources=list(meta.get("sources") or []),
        summary=" ".join(str(meta.get("summary") or "").split()),
        steps=[str(s) for s in meta.get("steps") or []],
        measures=list(meta.get("measures") or []),
        exemplars=[str(e).strip() for e in meta.get("exemplars") or []],
        key_lines=key_lines,
        body_line=body_line,
        **provenance_fields(meta),
    )


def load_document(path: Path) -> Document:
    return parse_document(path.read_text(encoding="utf-8"), path)


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every document file under the corpus folder (case studies and guides), sorted."""
    return sorted(p for sub in ("case-studies", "guides") for p in (corpus_dir / sub).glob("*.md"))


def load_corpus(corpus_dir: Path) -> tuple[list[Document], list[DocumentError]]:
    """All documents that parse, and the errors of those that do not."""
    documents, errors = [], []
    for path in corpus_files(corpus_dir):
        try:
            documents.append(load_document(path))
        except DocumentError as exc:
            errors.append(exc)
    return documents, errors
