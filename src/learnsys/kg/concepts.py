"""SKOS concept schemes read from the ontology folder (notations, labels, definitions)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Graph
from rdflib.namespace import SKOS

from learnsys.kg.namespaces import ID, LS

SCHEME_PREFIX = str(ID) + "scheme/"


@dataclass
class Concept:
    scheme: str
    notation: str
    iri: str
    pref_label: str
    alt_labels: list[str] = field(default_factory=list)
    definition: str = ""
    properties: dict[str, list[str]] = field(default_factory=dict)  # ls: property local name -> values

    def to_dict(self) -> dict[str, object]:
        return {"notation": self.notation, "iri": self.iri, "prefLabel": self.pref_label,
                "altLabels": self.alt_labels, "definition": self.definition, **self.properties}


def read_ontology(ontology_dir: Path) -> Graph:
    graph = Graph()
    for path in sorted(ontology_dir.rglob("*.ttl")):
        if "shapes" not in path.parts:
            graph.parse(path, format="turtle")
    return graph


def concept_schemes(graph: Graph) -> dict[str, dict[str, Concept]]:
    """{scheme slug: {notation: Concept}} for every skos:ConceptScheme under id:scheme/."""
    schemes: dict[str, dict[str, Concept]] = {}
    for concept, scheme in graph.subject_objects(SKOS.inScheme):
        scheme_id = str(scheme)
        if not scheme_id.startswith(SCHEME_PREFIX):
            continue
        name = scheme_id[len(SCHEME_PREFIX):]
        notation = graph.value(concept, SKOS.notation)
        label = graph.value(concept, SKOS.prefLabel)
        if notation is None:
            continue
        props: dict[str, list[str]] = {}
        for predicate, value in graph.predicate_objects(concept):
            if str(predicate).startswith(str(LS)):
                props.setdefault(str(predicate)[len(str(LS)):], []).append(str(value))
        schemes.setdefault(name, {})[str(notation)] = Concept(
            scheme=name, notation=str(notation), iri=str(concept), pref_label=str(label or notation),
            alt_labels=sorted(str(a) for a in graph.objects(concept, SKOS.altLabel)),
            definition=str(graph.value(concept, SKOS.definition) or ""),
            properties={k: sorted(v) for k, v in props.items()},
        )
    return schemes


def load_concept_schemes(ontology_dir: Path) -> dict[str, dict[str, Concept]]:
    return concept_schemes(read_ontology(ontology_dir))
