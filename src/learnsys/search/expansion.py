"""Query expansion from the terminology, precise about case, phrases and sense.

1. Labels are matched on stemmed word sequences, longest phrases first over the whole query (a phrase
   always wins over a single word inside it: "medically fit for discharge" is one concept).
2. An acronym label ("FIT", "ED", "DNA") matches a word typed in capitals, or typed in lower case only
   when the corpus never uses that lower-case word as an ordinary word ("pifu" yes, "fit" no).
3. A match that is still ambiguous (a lower-case everyday word equal to an acronym, a one-word label that
   is an everyday word such as "people" or "falls", a label shared by several concepts) is kept only if
   the rest of the query supports that sense: the query mentions another label of the concept, or an
   unambiguous concept of the query shares one of its priority areas, or the query is close to the
   concept's labels and definition in the embedding space.
4. Added terms are weighted by what was typed and what is added: an acronym's expansion (and a phrase's
   acronym) is an exact equivalent, other synonyms are near equivalents, a concept reached through an
   everyday word adds least.

``ExpandedQuery.matches`` records every candidate concept with whether it was used and why.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from learnsys.search.terminology import Concept, CorpusWords, Terminology, label_kind
from learnsys.search.text import STOPWORDS, stem, terms, words

# Weights of added terms relative to a typed term (1.0), by kind. Swept on the blind dev split
# (scripts/tune_search.py): no value moved nDCG@10 by 0.005, so these hand-set values stay.
EXPANSION_WEIGHT = 0.3  # a synonym phrase of a concept the query named
ACRONYM_WEIGHT = 0.5  # an acronym's spelled-out form, or a phrase's acronym: exact equivalents
EVERYDAY_WEIGHT = 0.15  # anything added for a concept reached through an everyday word
SENSE_THRESHOLD = 0.40  # cosine of query and concept text that confirms an ambiguous match

SURFACE_RE = re.compile(r"[A-Za-z0-9]+(?:[&'’@][A-Za-z0-9]+)*")


@dataclass
class ConceptMatch:
    """One candidate concept of the query and the decision about it."""

    concept: Concept
    surface: str  # the words as typed
    label: str  # the terminology label they matched
    kind: str  # "acronym", "phrase" or "word"
    used: bool = True
    reason: str = ""
    check: str = ""  # "" (sure), "sense" (needs support) or "strict" (an everyday word: a shared area is not enough)
    similarity: float | None = None
    added: list[str] = field(default_factory=list)  # labels added to the query
    weight: float = 0.0  # weight of the added terms

    def explain(self) -> dict[str, object]:
        out: dict[str, object] = {
            "concept": self.concept.notation,
            "label": self.concept.pref_label,
            "matched": self.surface,
            "used": self.used,
            "why": self.reason,
        }
        if self.used:
            out["weight"] = self.weight
            out["added"] = self.added
        if self.similarity is not None:
            out["similarity"] = round(self.similarity, 3)
        return out


@dataclass
class ExpandedQuery:
    text: str
    weighted_terms: dict[str, float]  # stemmed term -> weight
    user_terms: list[str]  # stemmed terms the user typed
    concepts: list[Concept] = field(default_factory=list)  # the concepts used
    synonyms_used: list[str] = field(default_factory=list)  # labels added by expansion
    dense_text: str = ""  # the text embedded for dense retrieval
    matches: list[ConceptMatch] = field(default_factory=list)  # every candidate, used or not

    @property
    def expanded_terms(self) -> list[str]:
        return [t for t in self.weighted_terms if t not in set(self.user_terms)]

    @property
    def priority_areas(self) -> list[str]:
        counts = Counter(a for c in self.concepts for a in c.priority_areas)
        return [a for a, _ in counts.most_common()]

    @property
    def area_confidence(self) -> dict[str, float]:
        """Share of the used concepts that are about each priority area (1.0 = every one of them)."""
        if not self.concepts:
            return {}
        counts = Counter(a for c in self.concepts for a in c.priority_areas)
        return {a: n / len(self.concepts) for a, n in counts.most_common()}

    @property
    def highlight_stems(self) -> set[str]:
        return set(self.weighted_terms)


def surface_words(text: str) -> list[tuple[str, str]]:
    """(lower-case word as ``words`` gives it, the word as typed) for every word of ``text``."""
    out = []
    for raw in SURFACE_RE.findall(text.replace("’", "'")):
        low = raw.lower().removesuffix("'s")
        out.append((low, raw.removesuffix("'s").removesuffix("'S")))
    return out


def in_capitals(raw: str) -> bool:
    letters = [c for c in raw if c.isalpha()]
    return bool(letters) and sum(c.isupper() for c in letters) >= max(2, (len(letters) + 1) // 2)


def find_spans(keys: list[str], terminology: Terminology) -> list[tuple[int, int, tuple[str, ...]]]:
    """Non-overlapping label matches, longest first over the whole query (ties: leftmost)."""
    candidates = []
    n = len(keys)
    for i in range(n):
        for length in range(min(terminology.max_label_words, n - i), 0, -1):
            key = tuple(keys[i : i + length])
            if length == 1 and (key[0] in STOPWORDS or len(key[0]) < 2):
                continue
            if key in terminology.by_words:
                candidates.append((length, i, key))
    taken = [False] * n
    spans = []
    for length, i, key in sorted(candidates, key=lambda c: (-c[0], c[1])):
        if any(taken[i : i + length]):
            continue
        taken[i : i + length] = [True] * length
        spans.append((i, i + length, key))
    return sorted(spans)


def label_terms(label: str) -> list[str]:
    return [stem(w) for w in words(label) if w not in STOPWORDS and len(w) > 1]


def expand_query(
    text: str,
    terminology: Terminology,
    *,
    weight: float = EXPANSION_WEIGHT,
    acronym_weight: float = ACRONYM_WEIGHT,
    everyday_weight: float = EVERYDAY_WEIGHT,
    expand: bool = True,
    corpus_words: CorpusWords | None = None,
    similarity: Callable[[Concept], float | None] | None = None,
    sense_threshold: float = SENSE_THRESHOLD,
) -> ExpandedQuery:
    """User terms at weight 1 (repeats count), expansion terms at their kind's weight (once each).

    ``corpus_words``: how the corpus uses words (an acronym's lower-case form as an ordinary word; one-word
    labels that most documents use);
    ``similarity``: cosine of the query and a concept's text (the sense check; None = not available)."""
    user = terms(text)
    weighted: dict[str, float] = {}
    for t in user:
        weighted[t] = weighted.get(t, 0.0) + 1.0
    query = ExpandedQuery(text, weighted, user, dense_text=text)
    if not expand or weight <= 0 or not terminology.concepts:
        return query
    cw = corpus_words or CorpusWords()
    typed = surface_words(text)
    keys = [stem(low) for low, _ in typed]
    user_set = set(user)
    matches: list[ConceptMatch] = []
    for start, end, key in find_spans(keys, terminology):
        surface = " ".join(raw for _, raw in typed[start:end])
        concepts = terminology.by_words[key]
        for concept in concepts:
            if any(m.concept.iri == concept.iri for m in matches):
                continue  # named twice ("staff sickness absence"): the first (longest) match stands
            label = next(lab for lab in concept.labels if tuple(stem(w) for w in words(lab)) == key)
            kind = label_kind(label)
            m = ConceptMatch(concept, surface, label, kind)
            if kind == "acronym":
                lower_form = typed[start][0] if end - start == 1 else surface.lower()
                if in_capitals(surface):
                    m.reason = f"acronym {label} typed in capitals"
                elif corpus_words is None or (lower_form in cw.capitals and lower_form not in cw.lowercase):
                    m.reason = f"{surface!r}: the corpus writes it only as the acronym {label}"
                elif lower_form in cw.lowercase or lower_form in STOPWORDS:
                    m.used, m.check = False, "strict"
                    m.reason = f"{surface!r} is an everyday word in the corpus, not necessarily the acronym {label}"
                else:
                    m.used, m.check = False, "sense"
                    m.reason = f"{surface!r} typed in lower case; the corpus does not show it as the acronym {label}"
            elif kind == "phrase":
                m.reason = f"phrase {label!r}"
            else:
                m.reason = f"word {label!r}"
            if len(concepts) > 1:
                m.reason += f" (shared by {len(concepts)} concepts)"
            if m.used and ambiguous(m, terminology, cw):
                m.check = "sense"
            matches.append(m)
    # the sense check for ambiguous matches
    sure_areas = {a for m in matches if m.used and not m.check for a in m.concept.priority_areas}
    for m in matches:
        if not m.check:
            continue
        other_labels = {t for lab in m.concept.labels if lab != m.label for t in label_terms(lab)}
        support = sorted((other_labels & user_set) - set(label_terms(m.label)))
        shared_area = sorted(set(m.concept.priority_areas) & sure_areas)
        m.similarity = similarity(m.concept) if similarity is not None else None
        if support:
            m.used, m.reason = True, f"{m.reason}; the query also says {', '.join(support)}"
        elif shared_area and m.check != "strict":
            m.used, m.reason = True, f"{m.reason}; the query's other concepts are about {', '.join(shared_area)}"
        elif m.similarity is not None and m.similarity >= sense_threshold:
            m.used, m.reason = True, f"{m.reason}; the query is close to {m.concept.pref_label!r}"
        else:
            m.used = False
            m.reason = f"{m.reason}; nothing else in the query supports {m.concept.pref_label!r}"
    # weights per kind, and the terms added
    added_labels: list[str] = []
    seen: set[str] = set()
    for m in matches:
        if not m.used or m.concept.iri in seen:
            continue
        seen.add(m.concept.iri)
        query.concepts.append(m.concept)
        everyday_match = bool(m.check)
        for label in m.concept.labels:
            lt = label_terms(label)
            if not lt or all(t in user_set for t in lt):
                continue
            if everyday_match:
                w = everyday_weight
            elif m.kind == "acronym" or label_kind(label) == "acronym":
                w = acronym_weight
            else:
                w = weight
            if w <= 0:
                continue
            m.added.append(label)
            m.weight = max(m.weight, w)
            added_labels.append(label)
            for t in lt:
                if t not in user_set:
                    weighted[t] = max(weighted.get(t, 0.0), w)
    query.matches = matches
    query.synonyms_used = list(dict.fromkeys(added_labels))
    typed_text = {" ".join(words(text))}
    extra = [
        c.pref_label
        for c in query.concepts
        if " ".join(words(c.pref_label)) not in typed_text and not set(words(c.pref_label)) <= set(words(text))
    ]
    if extra:
        query.dense_text = f"{text} ({'; '.join(extra)})"
    return query


def ambiguous(m: ConceptMatch, terminology: Terminology, cw: CorpusWords) -> bool:
    """Whether a match needs the sense check: a one-word label most documents use, or a label of several
    concepts."""
    if len(terminology.by_words.get(tuple(stem(w) for w in words(m.label)), [])) > 1:
        return True
    return m.kind == "word" and stem(m.surface.lower()) in cw.common
