"""Query expansion from the terminology: acronyms <-> expansions and synonyms, weighted below the user's
own words, plus the words to highlight and the priority areas the query is about."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from learnsys.search.terminology import Concept, Terminology
from learnsys.search.text import STOPWORDS, label_key, stem, terms, words

EXPANSION_WEIGHT = 0.3  # weight of an expanded term relative to a term the user typed (tuned, docs/search.md)


@dataclass
class ExpandedQuery:
    text: str
    weighted_terms: dict[str, float]  # stemmed term -> weight
    user_terms: list[str]  # stemmed terms the user typed
    concepts: list[Concept] = field(default_factory=list)
    synonyms_used: list[str] = field(default_factory=list)  # labels added by expansion
    dense_text: str = ""  # the text embedded for dense retrieval

    @property
    def expanded_terms(self) -> list[str]:
        return [t for t in self.weighted_terms if t not in set(self.user_terms)]

    @property
    def priority_areas(self) -> list[str]:
        counts = Counter(a for c in self.concepts for a in c.priority_areas)
        return [a for a, _ in counts.most_common()]

    @property
    def highlight_stems(self) -> set[str]:
        return set(self.weighted_terms)


def match_concepts(query_words: tuple[str, ...], terminology: Terminology) -> list[tuple[int, int, list[Concept]]]:
    """Longest-first matches of label word sequences in the query: (start, end, concepts)."""
    found: list[tuple[int, int, list[Concept]]] = []
    i = 0
    while i < len(query_words):
        step = 1
        for length in range(min(terminology.max_label_words, len(query_words) - i), 0, -1):
            key = tuple(query_words[i : i + length])
            if length == 1 and (key[0] in STOPWORDS or len(key[0]) < 2):
                continue
            concepts = terminology.by_words.get(key)
            if concepts:
                found.append((i, i + length, concepts))
                step = length
                break
        i += step
    return found


def expand_query(
    text: str, terminology: Terminology, *, weight: float = EXPANSION_WEIGHT, expand: bool = True
) -> ExpandedQuery:
    """User terms at weight 1 (repeats count), expansion terms at ``weight`` (once each)."""
    user = terms(text)
    weighted: dict[str, float] = {}
    for t in user:
        weighted[t] = weighted.get(t, 0.0) + 1.0
    query = ExpandedQuery(text, weighted, user, dense_text=text)
    if not expand or weight <= 0 or not terminology.concepts:
        return query
    matches = match_concepts(label_key(text), terminology)
    added_labels: list[str] = []
    seen: set[str] = set()
    for _, _, concepts in matches:
        for concept in concepts:
            if concept.iri in seen:
                continue
            seen.add(concept.iri)
            query.concepts.append(concept)
            for label in concept.labels:
                label_terms = [stem(w) for w in words(label) if w not in STOPWORDS and len(w) > 1]
                new = [t for t in label_terms if t not in weighted or t not in user]
                if not label_terms or all(t in user for t in label_terms):
                    continue
                added_labels.append(label)
                for t in new:
                    if t not in user:
                        weighted[t] = max(weighted.get(t, 0.0), weight)
    query.synonyms_used = list(dict.fromkeys(added_labels))
    typed = {" ".join(words(text))}
    extra = [
        c.pref_label
        for c in query.concepts
        if " ".join(words(c.pref_label)) not in typed and not set(words(c.pref_label)) <= set(words(text))
    ]
    if extra:
        query.dense_text = f"{text} ({'; '.join(extra)})"
    return query
