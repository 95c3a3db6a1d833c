"""Filters over document metadata and the facet counts that come with every response."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

import numpy as np

from learnsys.corpus.dates import published_range
from learnsys.corpus.documents import CONCEPT_FIELDS

if TYPE_CHECKING:
    from learnsys.search.index_store import DocRecord, SearchIndex

# The search filters, defined here once: filter name -> DocRecord attribute (a list of values, or the type).
FACET_FIELDS: dict[str, str] = {
    "priority_area": "priority_areas",
    "msf": "msf",
    "nof_domain": "nof_domains",
    "region": "regions",
    "icb": "icbs",
    "provider": "providers",
    "type": "type",
    "method": "methods",
    "evidence": "evidence",
    "setting": "setting",
    "scale": "scale",
}
FILTER_NAMES = tuple(FACET_FIELDS)
# filter name -> the concept scheme its values come from (for the fields that hold concept notations)
FILTER_SCHEMES = {name: CONCEPT_FIELDS[attr] for name, attr in FACET_FIELDS.items() if attr in CONCEPT_FIELDS}


@dataclass
class Filters:
    """Each field: accepted values (any of them matches); ``published_after`` is exclusive."""

    values: dict[str, list[str]] = field(default_factory=dict)
    published_after: date | None = None

    def is_empty(self) -> bool:
        return not any(self.values.values()) and self.published_after is None


def doc_values(doc: DocRecord, name: str) -> list[str]:
    value = getattr(doc, FACET_FIELDS[name])
    return ([value] if value else []) if isinstance(value, str) else list(value)


def value_masks(index: SearchIndex, name: str) -> dict[str, np.ndarray]:
    """Document mask per value of one field, computed once per loaded index."""
    cache: dict[str, dict[str, np.ndarray]] = index.__dict__.setdefault("_value_masks", {})
    if name not in cache:
        masks: dict[str, np.ndarray] = {}
        for row, doc in enumerate(index.docs):
            for value in doc_values(doc, name):
                masks.setdefault(value, np.zeros(len(index.docs), dtype=bool))[row] = True
        cache[name] = masks
    return cache[name]


def doc_mask(index: SearchIndex, filters: Filters) -> np.ndarray | None:
    """Boolean mask over documents, or None when nothing is filtered."""
    if filters.is_empty():
        return None
    mask = np.ones(len(index.docs), dtype=bool)
    for name, wanted in filters.values.items():
        if not wanted:
            continue
        masks = value_masks(index, name)
        any_of = np.zeros(len(index.docs), dtype=bool)
        for value in wanted:
            if value in masks:
                any_of |= masks[value]
        mask &= any_of
    if filters.published_after is not None:
        # a month or year ("2023-06", "2023") matches when its last day is after the date
        after = filters.published_after
        ends = [published_range(d.published) for d in index.docs]
        mask &= np.array([span is not None and span[1] > after for span in ends], dtype=bool)
    return mask


def facet_pairs(index: SearchIndex, name: str) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """(document row, value number) for every value a document has, and the values; cached per index."""
    cache: dict[str, tuple[np.ndarray, np.ndarray, list[str]]] = index.__dict__.setdefault("_facet_pairs", {})
    if name not in cache:
        values: dict[str, int] = {}
        rows: list[int] = []
        numbers: list[int] = []
        for row, doc in enumerate(index.docs):
            found = (
                [doc.published[:4]]
                if name == "published_year" and doc.published
                else ([] if name == "published_year" else doc_values(doc, name))
            )
            for value in found:
                rows.append(row)
                numbers.append(values.setdefault(value, len(values)))
        cache[name] = (np.array(rows, dtype=np.int64), np.array(numbers, dtype=np.int64), list(values))
    return cache[name]


def facets(index: SearchIndex, rows: list[int] | np.ndarray) -> dict[str, dict[str, int]]:
    """Counts per value of each filterable field over the given documents (most frequent first)."""
    member = np.zeros(len(index.docs), dtype=bool)
    member[np.asarray(rows, dtype=np.int64)] = True
    out: dict[str, dict[str, int]] = {}
    for name in (*FACET_FIELDS, "published_year"):
        doc_rows, numbers, values = facet_pairs(index, name)
        counts = np.bincount(numbers[member[doc_rows]], minlength=len(values)) if len(values) else numbers[:0]
        found = [(values[i], int(counts[i])) for i in np.flatnonzero(counts)]
        if name == "published_year":
            out[name] = dict(sorted(found, reverse=True))
        else:
            out[name] = dict(sorted(found, key=lambda kv: (-kv[1], kv[0])))
    return out
