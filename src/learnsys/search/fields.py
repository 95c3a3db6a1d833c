"""Whole-document lexical scoring with fields (BM25F) and the plain whole-document BM25 baseline.

BM25F (Robertson, Zaragoza & Taylor 2004): a term's frequency in each field is length-normalised within
that field, weighted, summed, and only then saturated, so a document that mentions the query's terms in
its title, summary and several sections beats one whose single passage repeats one term. The fields:

- ``title``; ``summary``; ``body`` (the Markdown body without its Sources section);
- ``meta``: metric names, measures, improvement methods, priority areas and the providers' names.

Scores are precomputed per (term, document) into the same sparse layout as the chunk index
(``LexicalIndex``), so weighted (expanded) queries are scored the same way.

The plain baseline (``PlainBM25``) is exactly what the issue measured against: bm25s over whole documents
with bm25s's own tokeniser, the English Snowball stemmer and English stop words, title + summary + body,
bm25s defaults (k1 1.5, b 0.75), nothing else.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

import bm25s
import numpy as np
import Stemmer
from scipy import sparse

from learnsys.corpus.documents import Document
from learnsys.kg.records import ReferenceData
from learnsys.search.chunking import SKIP_SECTIONS, sections
from learnsys.search.lexical import LexicalIndex
from learnsys.search.text import terms

if TYPE_CHECKING:
    from learnsys.search.index_store import SearchIndex

FIELDS = ("title", "summary", "body", "meta")
# Hand-set, not tuned: field weight and length normalisation b per field (BM25F).
FIELD_WEIGHTS = {"title": 2.0, "summary": 1.5, "body": 1.0, "meta": 1.0}
FIELD_B = {"title": 0.3, "summary": 0.5, "body": 0.6, "meta": 0.3}
BM25F_K1 = 1.2


def body_text(body: str) -> str:
    """The body without its Sources/References section (titles of cited pages are not the document)."""
    kept = [
        f"{heading.split(' > ')[-1]}\n{text}" if heading else text
        for heading, text in sections(body)
        if heading.split(" > ")[-1].strip().lower() not in SKIP_SECTIONS
    ]
    return "\n\n".join(kept)


def meta_text(doc: Document, reference: ReferenceData | None) -> str:
    """The structured front matter as words: metrics, measures, methods, priority areas, providers."""
    parts: list[str] = []
    for m in doc.metrics:
        if isinstance(m, dict) and m.get("name"):
            parts.append(str(m["name"]))
    for m in doc.measures:
        if isinstance(m, dict) and m.get("name"):
            parts.append(str(m["name"]))
    parts += [x.replace("-", " ") for x in (*doc.methods, *doc.priority_areas, *doc.msf)]
    for code in doc.providers:
        if reference is not None and code in reference.providers:
            parts.append(reference.providers[code].name)
        elif reference is not None and code in reference.icbs:
            parts.append(reference.icbs[code].name)
        elif reference is not None and code in reference.regions:
            parts.append(reference.regions[code].name)
    return ". ".join(parts)


def field_texts(doc: Document, reference: ReferenceData | None) -> dict[str, str]:
    return {
        "title": doc.title,
        "summary": doc.summary,
        "body": body_text(doc.body),
        "meta": meta_text(doc, reference),
    }


def build_bm25f(
    docs_fields: list[dict[str, str]],
    *,
    weights: dict[str, float] | None = None,
    bs: dict[str, float] | None = None,
    k1: float = BM25F_K1,
) -> LexicalIndex:
    """BM25F term scores per document: ``idf(t) * tf' / (k1 + tf')`` with
    ``tf' = sum_f w_f * tf_f / (1 - b_f + b_f * len_f / avglen_f)`` (Lucene idf, document frequency over
    any field)."""
    weights = weights or FIELD_WEIGHTS
    bs = bs or FIELD_B
    n = len(docs_fields)
    names = [f for f in weights if weights[f] > 0]
    vocab: dict[str, int] = {}
    field_counts: dict[str, list[Counter[str]]] = {f: [] for f in names}
    lengths: dict[str, np.ndarray] = {}
    for f in names:
        for fields in docs_fields:
            toks = terms(fields.get(f, ""))
            for t in toks:
                vocab.setdefault(t, len(vocab))
            field_counts[f].append(Counter(toks))
        lengths[f] = np.array([sum(c.values()) for c in field_counts[f]], dtype=np.float64)
    tf_prime: dict[tuple[int, int], float] = {}
    for f in names:
        avg = float(lengths[f].mean()) if n and lengths[f].mean() > 0 else 1.0
        w, b = weights.get(f, 0.0), bs.get(f, 0.75)
        if w <= 0:
            continue
        for d, counts in enumerate(field_counts[f]):
            norm = 1.0 - b + b * lengths[f][d] / avg
            for t, c in counts.items():
                key = (vocab[t], d)
                tf_prime[key] = tf_prime.get(key, 0.0) + w * c / norm
    df = np.zeros(len(vocab), dtype=np.float64)
    for tid, _ in tf_prime:
        df[tid] += 1
    idf = np.log(1.0 + (n - df + 0.5) / (df + 0.5))
    if tf_prime:
        keys = np.array(list(tf_prime.keys()), dtype=np.int64)
        tfp = np.fromiter(tf_prime.values(), dtype=np.float64, count=len(tf_prime))
        values = idf[keys[:, 0]] * tfp / (k1 + tfp)
        matrix = sparse.csc_matrix((values, (keys[:, 1], keys[:, 0])), shape=(n, len(vocab)))
    else:
        matrix = sparse.csc_matrix((n, len(vocab)))
    matrix.sort_indices()
    return LexicalIndex(
        vocab,
        np.asarray(matrix.data, np.float32),
        np.asarray(matrix.indices, np.int32),
        np.asarray(matrix.indptr, np.int64),
        n,
        k1,
        float(bs.get("body", next(iter(bs.values()), 0.75))),
    )


# ---- the plain baseline ----------------------------------------------------------------------------------
_PLAIN_STEMMER = Stemmer.Stemmer("english")


def plain_tokens(texts: list[str]) -> list[list[str]]:
    """bm25s's tokeniser: lower case, ``\\b\\w\\w+\\b``, English stop words, English Snowball stems."""
    return bm25s.tokenize(texts, stopwords="en", stemmer=_PLAIN_STEMMER, return_ids=False, show_progress=False)


def plain_text(doc: Document) -> str:
    return f"{doc.title}\n{doc.summary}\n{doc.body}"


def build_plain(documents: list[Document]) -> LexicalIndex:
    """bm25s with its defaults over title + summary + body of each whole document."""
    tokenized = [t or [""] for t in plain_tokens([plain_text(d) for d in documents])]
    model = bm25s.BM25()
    model.index(tokenized, show_progress=False)
    s = model.scores
    return LexicalIndex(
        dict(model.vocab_dict),
        np.asarray(s["data"], np.float32),
        np.asarray(s["indices"], np.int32),
        np.asarray(s["indptr"], np.int64),
        int(s["num_docs"]),
        model.k1,
        model.b,
    )


def plain_query(text: str) -> dict[str, float]:
    """The query as bm25s scores it: each token (repeats counted) at weight 1."""
    counts = Counter(plain_tokens([text])[0])
    return {t: float(c) for t, c in counts.items() if t}


@dataclass
class DocumentLexical:
    """The whole-document lexical indexes of a build: BM25F, one-field BM25 (our tokens) and the plain
    baseline."""

    fields: LexicalIndex
    single: LexicalIndex
    plain: LexicalIndex


def build_single(docs_fields: list[dict[str, str]], k1: float = BM25F_K1, b: float = 0.75) -> LexicalIndex:
    """Ordinary one-field BM25 over title + summary + body with the project's tokens (the "doc" grain)."""
    joined = [{"all": "\n".join(f.get(k, "") for k in ("title", "summary", "body"))} for f in docs_fields]
    return build_bm25f(joined, weights={"all": 1.0}, bs={"all": b}, k1=k1)


def build_document_lexical(documents: list[Document], reference: ReferenceData | None) -> DocumentLexical:
    fields = [field_texts(d, reference) for d in documents]
    return DocumentLexical(build_bm25f(fields), build_single(fields), build_plain(documents))


def document_lexical_from_chunks(index: SearchIndex) -> DocumentLexical:
    """For an index built without whole-document indexes: documents reassembled from their chunks (the
    summary chunk and the section windows; overlaps repeat a few words)."""
    documents = []
    for row, rec in enumerate(index.docs):
        parts = [index.chunks[c] for c in index.doc_chunks[row]]
        body = "\n\n".join(c.text for c in parts if c.section != "Summary")
        documents.append(
            Document(
                id=rec.id,
                title=rec.title,
                type=rec.type,
                body=body,
                providers=list(rec.providers),
                priority_areas=list(rec.priority_areas),
                msf=list(rec.msf),
                methods=list(rec.methods),
                metrics=list(rec.metrics),
                summary=rec.summary,
            )
        )
    return build_document_lexical(documents, None)
