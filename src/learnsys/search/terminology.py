"""The SKOS terminology (ontology/terminology.ttl): concepts, their labels and their priority areas."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from learnsys.search.text import label_key, stem, words

SCHEME = URIRef("https://w3id.org/learnsys/id/scheme/terminology")
PRIORITY_AREA_NS = "https://w3id.org/learnsys/id/concept/priority-area/"


@dataclass
class Concept:
    iri: str
    notation: str
    pref_label: str
    alt_labels: list[str] = field(default_factory=list)
    priority_areas: list[str] = field(default_factory=list)  # notations, from dct:subject

    definition: str = ""

    @property
    def labels(self) -> list[str]:
        return [self.pref_label, *self.alt_labels]

    @property
    def sense_text(self) -> str:
        """What the sense check embeds: the labels and the definition."""
        return f"{self.pref_label} ({', '.join(self.alt_labels)}): {self.definition}"


def label_kind(label: str) -> str:
    """The kind of a label: "acronym" (one token, mostly capitals: FIT, A&E, PCNs, Core20PLUS5), "phrase"
    (several words) or "word"."""
    if len(words(label)) > 1 and " " in label.strip():
        return "phrase"
    letters = [c for c in label if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    if upper >= 2 and upper >= len(letters) - upper:
        return "acronym"
    return "word" if len(words(label)) == 1 else "phrase"


@dataclass(frozen=True)
class CorpusWords:
    """How a corpus uses the terminology's words (computed per index).

    ``lowercase``: lower-case forms of acronym labels that the corpus writes in lower case as ordinary
    words ("fit" in "medically fit"), so typing them in lower case does not name the acronym;
    ``common``: stems of one-word labels used by at least ``COMMON_SHARE`` of the documents ("people",
    "staff"), which name a concept only when the rest of the query agrees; ``capitals``: acronym labels
    the corpus writes in capitals (so "pifu" typed in lower case is known to mean PIFU)."""

    lowercase: frozenset[str] = frozenset()
    common: frozenset[str] = frozenset()
    capitals: frozenset[str] = frozenset()  # acronym labels (lower-cased) the corpus writes in capitals


COMMON_SHARE = 0.2
LOWERCASE_MIN = 2


def corpus_words(terminology: Terminology, texts: list[str], doc_share: Callable[[str], float]) -> CorpusWords:
    """``texts``: the corpus text as written (case kept); ``doc_share``: stem -> share of documents."""
    acronyms = {lab.lower() for c in terminology.concepts.values() for lab in c.labels if label_kind(lab) == "acronym"}
    singles = {
        stem(words(lab)[0]) for c in terminology.concepts.values() for lab in c.labels if label_kind(lab) == "word"
    }
    lowercase: Counter[str] = Counter()
    capitals: set[str] = set()
    pattern = re.compile(r"(?<![A-Za-z0-9&@])[A-Za-z0-9][A-Za-z0-9&@']*(?![A-Za-z0-9&@])")
    for text in texts:
        for token in pattern.findall(text):
            low = token.lower()
            if low not in acronyms:
                continue
            if token == low:
                lowercase[low] += 1
            elif sum(c.isupper() for c in token) >= 2:
                capitals.add(low)
    return CorpusWords(
        frozenset(t for t, n in lowercase.items() if n >= LOWERCASE_MIN),
        frozenset(s for s in singles if doc_share(s) >= COMMON_SHARE),
        frozenset(capitals),
    )


@dataclass
class Terminology:
    concepts: dict[str, Concept]

    def __post_init__(self) -> None:
        # label word sequence -> concepts carrying that label
        self.by_words: dict[tuple[str, ...], list[Concept]] = {}
        for concept in self.concepts.values():
            for label in concept.labels:
                key = label_key(label)
                if key and concept not in self.by_words.setdefault(key, []):
                    self.by_words[key].append(concept)
        self.max_label_words = max((len(k) for k in self.by_words), default=0)

    @classmethod
    def empty(cls) -> Terminology:
        return cls({})

    @classmethod
    def load(cls, path: Path) -> Terminology:
        """Concepts of the terminology scheme in a Turtle file (empty if the file does not exist)."""
        if not path.exists():
            return cls.empty()
        graph = Graph()
        graph.parse(path, format="turtle")
        concepts: dict[str, Concept] = {}
        for iri in graph.subjects(SKOS.inScheme, SCHEME):
            pref = graph.value(iri, SKOS.prefLabel)
            if pref is None:
                continue
            notation = str(graph.value(iri, SKOS.notation) or str(iri).rsplit("/", 1)[-1])
            alts = sorted(str(a) for a in graph.objects(iri, SKOS.altLabel))
            areas = sorted(
                str(s).removeprefix(PRIORITY_AREA_NS)
                for s in graph.objects(iri, DCTERMS.subject)
                if str(s).startswith(PRIORITY_AREA_NS)
            )
            definition = str(graph.value(iri, SKOS.definition) or "")
            concepts[notation] = Concept(str(iri), notation, str(pref), alts, areas, definition)
        return cls(concepts)
