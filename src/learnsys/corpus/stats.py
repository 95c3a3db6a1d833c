"""Corpus statistics: counts by type, priority area, region and provider; lengths; publishers."""

from __future__ import annotations

from collections import Counter
from statistics import median
from typing import Any

from learnsys.corpus.documents import Document
from learnsys.kg.records import ReferenceData


def corpus_stats(documents: list[Document], data: ReferenceData) -> dict[str, Any]:
    by_region: Counter[str] = Counter()
    for doc in documents:
        regions = set()
        for code in doc.providers:
            if code in data.providers:
                regions.add(data.regions[data.providers[code].region_code].name)
            elif code in data.icbs:
                regions.add(data.regions[data.icbs[code].region_code].name)
            elif code in data.regions:
                regions.add(data.regions[code].name)
        by_region.update(regions or {"national / none"})
    words = [len(doc.body.split()) for doc in documents]
    providers = Counter(code for doc in documents for code in doc.providers if code in data.providers)
    return {
        "documents": len(documents),
        "by_type": dict(Counter(doc.type for doc in documents)),
        "by_priority_area": dict(Counter(p for doc in documents for p in doc.priority_areas).most_common()),
        "by_region": dict(by_region.most_common()),
        "distinct_providers": len(providers),
        "by_provider": dict(providers.most_common()),
        "median_words": median(words) if words else 0,
        "by_publisher": dict(Counter(str(s.get("publisher", "?")) for doc in documents
                                     for s in doc.sources if isinstance(s, dict)).most_common()),
    }


def format_stats(stats: dict[str, Any]) -> str:
    lines = [f"documents: {stats['documents']}  median length: {stats['median_words']} words  "
             f"distinct providers: {stats['distinct_providers']}"]
    for key in ("by_type", "by_priority_area", "by_region", "by_publisher"):
        lines.append(f"\n{key.replace('_', ' ')}:")
        lines += [f"  {name:<45} {count:>4}" for name, count in stats[key].items()]
    lines.append("\nby provider (top 15):")
    lines += [f"  {name:<45} {count:>4}" for name, count in list(stats["by_provider"].items())[:15]]
    return "\n".join(lines)
