"""The SKOS terminology (ontology/terminology.ttl): concepts, their labels and their priority areas."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph, URIRef
from rdflib.namespace import DCTERMS, SKOS

from learnsys.search.text import label_key

SCHEME = URIRef("https://w3id.org/learnsys/id/scheme/terminology")
PRIORITY_AREA_NS = "https://w3id.org/learnsys/id/concept/priority-area/"


@dataclass
class Concept:
    iri: str
    notation: str
    pref_label: str
    alt_labels: list[str] = field(default_factory=list)
    priority_areas: list[str] = field(default_factory=list)  # notations, from dct:subject

    @property
    def labels(self) -> list[str]:
        return [self.pref_label, *self.alt_labels]


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
            concepts[notation] = Concept(str(iri), notation, str(pref), alts, areas)
        return cls(concepts)
