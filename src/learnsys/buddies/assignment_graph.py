"""A saved buddy assignment as RDF: an ``ls:BuddyAssignment`` with one ``ls:BuddyPairing`` per pair."""

from __future__ import annotations

import hashlib
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SKOS, XSD

from learnsys.kg.namespaces import ID, LS, org_iri, slug


def assignment_iri(result: dict[str, Any]) -> URIRef:
    """Deterministic: topic, scope and a hash of the pairs."""
    content = ",".join(f"{p['mentee']}>{p['mentor']}" for p in sorted(result["pairs"], key=lambda p: p["mentee"]))
    digest = hashlib.sha256(content.encode()).hexdigest()[:10]
    return ID[f"assignment/{slug(result['topic']['notation'])}/{slug(result['scope'])}-{digest}"]


def assignment_to_ntriples(result: dict[str, Any]) -> bytes:
    graph = Graph()
    node = assignment_iri(result)
    topic = result["topic"]
    graph.add((node, RDF.type, LS.BuddyAssignment))
    graph.add((node, SKOS.prefLabel, Literal(
        f"{topic['label']} buddy assignment ({result['scope']}, {len(result['pairs'])} pairs)", lang="en")))
    if topic.get("iri"):
        graph.add((node, LS.topic, URIRef(topic["iri"])))
    for pair in result["pairs"]:
        pairing = URIRef(f"{node}/{pair['mentee']}")
        graph.add((node, LS.pairing, pairing))
        graph.add((pairing, RDF.type, LS.BuddyPairing))
        graph.add((pairing, LS.mentee, org_iri(pair["mentee"])))
        graph.add((pairing, LS.mentor, org_iri(pair["mentor"])))
        graph.add((pairing, LS.matchScore, Literal(round(float(pair["score"]), 4), datatype=XSD.decimal)))
    return graph.serialize(format="nt", encoding="utf-8")
