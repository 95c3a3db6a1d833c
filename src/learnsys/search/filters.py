"""Filters over document metadata and the facet counts that come with every response."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from learnsys.search.index_store import DocRecord, SearchIndex

# filter name -> DocRecord attribute (a list of values)
FACET_FIELDS: dict[str, str] = {
    "priority_area": "priority_areas",
    "msf": "msf",
    "nof_domain": "nof_domains",
    "region": "regions",
    "icb": "icbs",
    "provider": "providers",
    "type": "type",
    "method": "methods",
}


@dataclass
class Filters:
    """Each field: accepted values (any of them matches); ``published_after`` is exclusive."""

    values: dict[str, list[str]] = field(default_factory=dict)
    published_after: date | None = None

    def is_empty(self) -> bool:
        return not any(self.values.values()) and self.published_after is None


def doc_values(doc: DocRecord, name: str) -> list[str]:
    value = getattr(doc, FACET_FIELDS[name])
    return [value] if isinstance(value, str) else list(value)


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
        after = filters.published_after.isoformat()
        mask &= np.array([bool(d.published) and d.published > after for d in index.docs], dtype=bool)
    return mask


def facets(docs: list[DocRecord]) -> dict[str, dict[str, int]]:
    """Counts per value of each filterable field over the given documents (most frequent first)."""
    out: dict[str, dict[str, int]] = {}
    for name in FACET_FIELDS:
        counts = Counter(v for d in docs for v in doc_values(d, name))
        out[name] = dict(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))
    years = Counter(d.published[:4] for d in docs if d.published)
    out["published_year"] = dict(sorted(years.items(), reverse=True))
    return out
