"""SHACL shapes accept a correct graph and name node and property of a broken record."""

from __future__ import annotations

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from learnsys.config import REPO_ROOT
from learnsys.kg.graph_builder import build_graph
from learnsys.kg.namespaces import LS, observation_iri, org_iri
from learnsys.kg.records import ReferenceData
from learnsys.kg.reference import load_reference_data
from learnsys.kg.shacl import load_shapes, validate_graph

ONTOLOGY = REPO_ROOT / "ontology"


@pytest.fixture(scope="module")
def small_data() -> ReferenceData:
    """The real records of two trusts (all their observations and assessments)."""
    full = load_reference_data(REPO_ROOT / "data" / "reference")
    keep = {"R0A", "RXN"}
    return ReferenceData(
        regions=full.regions, icbs=full.icbs, metrics=full.metrics, sources=full.sources,
        providers={k: v for k, v in full.providers.items() if k in keep},
        observations=[o for o in full.observations if o.provider in keep],
        assessments=[a for a in full.assessments if a.provider in keep],
    )


@pytest.fixture(scope="module")
def shapes():
    return load_shapes(ONTOLOGY)


def test_real_records_conform(small_data, shapes) -> None:
    assert validate_graph(build_graph(small_data, [], ONTOLOGY), shapes) == []


def test_provider_without_icb_is_reported(small_data, shapes) -> None:
    graph = build_graph(small_data, [], ONTOLOGY)
    graph.remove((org_iri("RXN"), LS.icb, None))
    violations = validate_graph(graph, shapes)
    assert any(v.node == str(org_iri("RXN")) and v.path == str(LS.icb) and "ICB" in v.message for v in violations)


def test_observation_with_two_values_and_bad_period_is_reported(small_data, shapes) -> None:
    graph = build_graph(small_data, [], ONTOLOGY)
    node = observation_iri("R0A", "ae_4h_all", "2025-06")
    graph.add((node, LS.value, Literal(12.5, datatype=XSD.double)))
    graph.set((node, LS.period, Literal("June 2025")))
    violations = {(v.node, v.path) for v in validate_graph(graph, shapes)}
    assert (str(node), str(LS.value)) in violations
    assert (str(node), str(LS.period)) in violations


def test_assessment_score_out_of_range_is_reported(small_data, shapes) -> None:
    graph = build_graph(small_data, [], ONTOLOGY)
    assessment = next(s for s in graph.subjects(LS.provider, org_iri("R0A")) if "assessment" in str(s))
    graph.set((assessment, LS.averageScore, Literal(7.0, datatype=XSD.double)))
    assert any(v.node == str(assessment) and v.path == str(LS.averageScore)
               for v in validate_graph(graph, shapes))
