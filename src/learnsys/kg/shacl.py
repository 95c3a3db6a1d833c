"""SHACL validation of the whole graph against ``ontology/shapes``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import RDF, SH


@dataclass(frozen=True)
class Violation:
    node: str
    path: str
    message: str
    severity: str

    def __str__(self) -> str:
        return f"{self.node} {self.path}: {self.message}"


def load_shapes(ontology_dir: Path) -> Graph:
    shapes = Graph()
    for path in sorted((ontology_dir / "shapes").glob("*.ttl")):
        shapes.parse(path, format="turtle")
    return shapes


def validate_graph(graph: Graph, shapes: Graph) -> list[Violation]:
    """All SHACL results (empty when the graph conforms)."""
    _conforms, report, _text = validate(graph, shacl_graph=shapes, inference="none", advanced=False)
    out = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        out.append(Violation(
            node=str(report.value(result, SH.focusNode)),
            path=str(report.value(result, SH.resultPath) or ""),
            message=str(report.value(result, SH.resultMessage) or ""),
            severity=str(report.value(result, SH.resultSeverity) or "").rsplit("#", 1)[-1],
        ))
    return sorted(out, key=lambda v: (v.node, v.path))
