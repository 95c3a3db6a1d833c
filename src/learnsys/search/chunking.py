"""Heading-aware chunking: a document's body split at Markdown headings, then into word windows.

Every chunk carries the document title and its section heading, so a chunk read alone (by BM25, by the
embedding model, or as a snippet) still says what it is about.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

HEADING_RE = re.compile(r"^(#{1,6})\s+(.+?)\s*#*\s*$")
SKIP_SECTIONS = frozenset({"sources", "references"})


@dataclass(frozen=True)
class Chunk:
    doc_id: str
    ordinal: int
    section: str
    text: str  # the section text of this window (no title)
    title: str

    @property
    def indexed_text(self) -> str:
        """What the lexical and dense indexes see: title, section and text."""
        head = f"{self.title}. {self.section}." if self.section else f"{self.title}."
        return f"{head}\n{self.text}"

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(self.indexed_text.encode()).hexdigest()[:24]


def sections(body: str) -> list[tuple[str, str]]:
    """(heading path, text) pairs; text before the first heading has heading ''."""
    out: list[tuple[str, str]] = []
    stack: list[tuple[int, str]] = []
    current: list[str] = []

    def flush() -> None:
        text = "\n".join(current).strip()
        if text:
            out.append((" > ".join(h for _, h in stack), text))
        current.clear()

    for line in body.splitlines():
        match = HEADING_RE.match(line)
        if match:
            flush()
            level, heading = len(match.group(1)), match.group(2).strip()
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, heading))
        else:
            current.append(line)
    flush()
    return out


def windows(text: str, max_words: int, overlap: int) -> list[str]:
    """Split text into windows of at most ``max_words`` words, ``overlap`` words shared, at paragraph
    boundaries where possible."""
    tokens = text.split()
    if len(tokens) <= max_words:
        return [text]
    paragraphs = [p.split() for p in re.split(r"\n\s*\n", text) if p.strip()]
    out: list[list[str]] = []
    current: list[str] = []
    for para in paragraphs:
        while len(para) > max_words:  # a very long paragraph: cut it
            head, para = para[:max_words], para[max_words - overlap :]
            if current:
                out.append(current)
                current = []
            out.append(head)
        if current and len(current) + len(para) > max_words:
            out.append(current)
            current = current[-overlap:] if overlap else []
        current = current + para
    if current:
        out.append(current)
    return [" ".join(w) for w in out]


def chunk_document(
    doc_id: str, title: str, body: str, summary: str = "", *, max_words: int = 160, overlap: int = 30
) -> list[Chunk]:
    """Chunks of one document. The summary (if any) is the first chunk, under section 'Summary'."""
    parts: list[tuple[str, str]] = [("Summary", summary)] if summary else []
    parts += [
        (heading, text)
        for heading, text in sections(body)
        if heading.split(" > ")[-1].strip().lower() not in SKIP_SECTIONS
    ]
    chunks: list[Chunk] = []
    for heading, text in parts:
        for window in windows(text, max_words, overlap):
            chunks.append(Chunk(doc_id, len(chunks), heading, window, title))
    if not chunks:
        chunks.append(Chunk(doc_id, 0, "", title, title))
    return chunks
