"""Namespaces and IRI minting. Organisation IRIs are minted from ODS codes."""

from __future__ import annotations

import re

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD

LS = Namespace("https://w3id.org/learnsys/ontology#")
ID = Namespace("https://w3id.org/learnsys/id/")
SCHEMA = Namespace("https://schema.org/")
FHIR_ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"

PREFIXES = {"ls": LS, "id": ID, "schema": SCHEMA, "org": ORG, "skos": SKOS, "prov": PROV, "dct": DCTERMS,
            "rdf": RDF, "rdfs": RDFS, "xsd": XSD}
SPARQL_PREFIXES = "\n".join(f"PREFIX {p}: <{ns}>" for p, ns in PREFIXES.items()) + "\n"


def slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", text).strip("-").lower()


def org_iri(code: str) -> URIRef:
    """Providers, ICBs and regions: ``id:org/<ODS code>``."""
    return ID[f"org/{code}"]


def concept_iri(scheme: str, notation: str) -> URIRef:
    return ID[f"concept/{scheme}/{notation}"]


def scheme_iri(scheme: str) -> URIRef:
    return ID[f"scheme/{scheme}"]


def metric_iri(metric_id: str) -> URIRef:
    return ID[f"metric/{metric_id}"]


def source_iri(source_id: str) -> URIRef:
    return ID[f"source/{source_id}"]


def document_iri(doc_id: str) -> URIRef:
    return ID[f"document/{doc_id}"]


def lin_iri(lin_id: str) -> URIRef:
    return ID[f"lin/{lin_id}"]


def observation_iri(provider: str, metric: str, period: str) -> URIRef:
    return ID[f"observation/{provider}/{metric}/{slug(period)}"]


def assessment_iri(provider: str, period: str, official: bool) -> URIRef:
    return ID[f"assessment/{provider}/{slug(period)}/{'official' if official else 'indicative'}"]
