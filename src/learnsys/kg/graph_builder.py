"""Turn reference records and corpus documents into one RDF graph (ontology + concepts + data)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, RDFS, SKOS, XSD

from learnsys.corpus.documents import CONCEPT_FIELDS, Document
from learnsys.kg.namespaces import (
    FHIR_ODS_SYSTEM,
    ID,
    LS,
    PREFIXES,
    SCHEMA,
    assessment_iri,
    concept_iri,
    document_iri,
    lin_iri,
    metric_iri,
    observation_iri,
    org_iri,
    source_iri,
)
from learnsys.kg.records import Assessment, ReferenceData

TRUST_CLASSES = {
    "acute": LS.AcuteTrust, "specialist-acute": LS.SpecialistAcuteTrust, "mental-health": LS.MentalHealthTrust,
    "community": LS.CommunityTrust, "ambulance": LS.AmbulanceTrust,
}


def new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in PREFIXES.items():
        graph.bind(prefix, namespace)
    return graph


def load_ontology(graph: Graph, ontology_dir: Path) -> list[Path]:
    """Parse every Turtle file of the ontology folder (classes, concept schemes, terminology)."""
    files = sorted(p for p in ontology_dir.rglob("*.ttl") if "shapes" not in p.parts)
    for path in files:
        graph.parse(path, format="turtle")
    return files


def _identify(graph: Graph, node: URIRef, code: str) -> None:
    """skos:notation plus a schema.org identifier in the NHS FHIR ODS code system."""
    identifier = ID[f"identifier/ods/{code}"]
    graph.add((node, SKOS.notation, Literal(code)))
    graph.add((node, SCHEMA.identifier, identifier))
    graph.add((identifier, RDF.type, SCHEMA.PropertyValue))
    graph.add((identifier, SCHEMA.propertyID, Literal(FHIR_ODS_SYSTEM, datatype=XSD.anyURI)))
    graph.add((identifier, SCHEMA.value, Literal(code)))


def add_organisations(graph: Graph, data: ReferenceData) -> None:
    for region in data.regions.values():
        node = org_iri(region.code)
        graph.add((node, RDF.type, LS.Region))
        graph.add((node, SKOS.prefLabel, Literal(region.name, lang="en")))
        _identify(graph, node, region.code)
    for icb in data.icbs.values():
        node = org_iri(icb.code)
        graph.add((node, RDF.type, LS.IntegratedCareBoard))
        graph.add((node, SKOS.prefLabel, Literal(icb.name, lang="en")))
        graph.add((node, LS.region, org_iri(icb.region_code)))
        _identify(graph, node, icb.code)
    for provider in data.providers.values():
        node = org_iri(provider.ods)
        graph.add((node, RDF.type, TRUST_CLASSES.get(provider.trust_type or "", LS.Provider)))
        graph.add((node, SKOS.prefLabel, Literal(provider.name, lang="en")))
        graph.add((node, LS.region, org_iri(provider.region_code)))
        graph.add((node, LS.icb, org_iri(provider.icb_code)))
        if provider.trust_type:
            graph.add((node, LS.trustType, concept_iri("trust-type", provider.trust_type)))
        if provider.trust_subtype:
            graph.add((node, LS.trustSubtype, Literal(provider.trust_subtype)))
        if provider.postcode:
            graph.add((node, SCHEMA.postalCode, Literal(provider.postcode)))
        _identify(graph, node, provider.ods)
    for lin in data.lins.values():
        node = lin_iri(lin.id)
        graph.add((node, RDF.type, LS.LearningAndImprovementNetwork))
        graph.add((node, SKOS.prefLabel, Literal(lin.name, lang="en")))
        graph.add((node, LS.hostedBy, org_iri(lin.region_code)))
        for member in lin.members:
            membership = ID[f"membership/{lin.id}/{member}"]
            graph.add((membership, RDF.type, ORG.Membership))
            graph.add((membership, ORG.member, org_iri(member)))
            graph.add((membership, ORG.organization, node))
            graph.add((node, ORG.hasMember, org_iri(member)))


def add_sources_and_metrics(graph: Graph, data: ReferenceData) -> None:
    for source in data.sources.values():
        node = source_iri(source.id)
        graph.add((node, RDF.type, LS.DataSource))
        graph.add((node, DCTERMS.title, Literal(source.title)))
        graph.add((node, DCTERMS.publisher, Literal(source.publisher)))
        graph.add((node, DCTERMS.license, Literal(source.licence)))
        graph.add((node, SCHEMA.url, Literal(source.url, datatype=XSD.anyURI)))
    for metric in data.metrics.values():
        node = metric_iri(metric.id)
        graph.add((node, RDF.type, LS.Metric))
        graph.add((node, SKOS.notation, Literal(metric.id)))
        graph.add((node, RDFS.label, Literal(metric.label, lang="en")))
        graph.add((node, LS.unit, Literal(metric.unit)))
        graph.add((node, LS.directionOfGood, Literal(metric.direction)))
        graph.add((node, LS.granularity, Literal(metric.granularity)))
        graph.add((node, DCTERMS.source, source_iri(metric.source)))
        if metric.description:
            graph.add((node, DCTERMS.description, Literal(metric.description, lang="en")))
        if metric.domain:
            graph.add((node, LS.domain, concept_iri("nof-domain", metric.domain)))


def _number(value: float) -> Literal:
    return Literal(float(value), datatype=XSD.double)


def add_observations(graph: Graph, data: ReferenceData) -> None:
    for obs in data.observations:
        node = observation_iri(obs.provider, obs.metric, obs.period)
        graph.add((node, RDF.type, LS.MetricObservation))
        graph.add((node, LS.provider, org_iri(obs.provider)))
        graph.add((node, LS.metric, metric_iri(obs.metric)))
        graph.add((node, LS.period, Literal(obs.period)))
        graph.add((node, LS.value, _number(obs.value)))
        graph.add((node, PROV.wasDerivedFrom, source_iri(obs.source)))
        for prop, value in ((LS.nationalMedian, obs.median), (LS.lowerQuartile, obs.lower_quartile),
                            (LS.upperQuartile, obs.upper_quartile), (LS.rank, obs.rank)):
            if value is not None:
                graph.add((node, prop, _number(value)))


def add_assessments(graph: Graph, assessments: Iterable[Assessment]) -> None:
    for item in assessments:
        node = assessment_iri(item.provider, item.period, item.official)
        graph.add((node, RDF.type, LS.OversightAssessment))
        graph.add((node, LS.provider, org_iri(item.provider)))
        graph.add((node, LS.period, Literal(item.period)))
        graph.add((node, LS.official, Literal(item.official)))
        graph.add((node, PROV.wasDerivedFrom, source_iri(item.source)))
        if item.method:
            graph.add((node, LS.method, Literal(item.method)))
        if item.segment is not None:
            graph.add((node, LS.segment, concept_iri("nof-segment", str(item.segment))))
        if item.unadjusted_segment is not None:
            graph.add((node, LS.unadjustedSegment, concept_iri("nof-segment", str(item.unadjusted_segment))))
        if item.average_score is not None:
            graph.add((node, LS.averageScore, _number(item.average_score)))
        if item.rank is not None:
            graph.add((node, LS.rank, Literal(item.rank, datatype=XSD.integer)))
        for prop, flag in ((LS.financialDeficit, item.financial_deficit), (LS.recoverySupport, item.recovery_support)):
            if flag is not None:
                graph.add((node, prop, Literal(flag)))
        for domain, score in item.domain_scores.items():
            part = URIRef(f"{node}/domain/{domain}")
            graph.add((node, LS.domainScore, part))
            graph.add((part, RDF.type, LS.DomainScore))
            graph.add((part, LS.domain, concept_iri("nof-domain", domain)))
            graph.add((part, LS.score, _number(score)))
            if domain in item.domain_segments:
                graph.add((part, LS.domainSegment, Literal(item.domain_segments[domain], datatype=XSD.integer)))


def add_documents(graph: Graph, documents: Iterable[Document]) -> None:
    """Case studies and guides, attributed (PROV-O) to providers and about (dct:subject) their concepts."""
    for doc in documents:
        node = document_iri(doc.id)
        graph.add((node, RDF.type, LS.CaseStudy if doc.type == "case-study" else LS.HowToGuide))
        graph.add((node, DCTERMS.identifier, Literal(doc.id)))
        graph.add((node, DCTERMS.title, Literal(doc.title, lang="en")))
        if doc.summary:
            graph.add((node, DCTERMS.abstract, Literal(doc.summary, lang="en")))
        if doc.published:
            graph.add((node, DCTERMS.issued, Literal(doc.published, datatype=XSD.date)))
        for code in doc.providers:
            graph.add((node, PROV.wasAttributedTo, org_iri(code)))
        for field_name, scheme in CONCEPT_FIELDS.items():
            for notation in getattr(doc, field_name):
                graph.add((node, DCTERMS.subject, concept_iri(scheme, notation)))
        for source in doc.sources:
            if isinstance(source, dict) and source.get("url"):
                graph.add((node, DCTERMS.source, URIRef(str(source["url"]).strip())))
        for exemplar in doc.exemplars:
            graph.add((node, LS.exemplar, document_iri(exemplar)))
        for index, metric in enumerate(doc.metrics):
            if isinstance(metric, dict):
                _add_reported_metric(graph, node, index, metric)


def _add_reported_metric(graph: Graph, node: URIRef, index: int, metric: dict[str, Any]) -> None:
    part = URIRef(f"{node}/metric/{index + 1}")
    graph.add((node, LS.reportedMetric, part))
    graph.add((part, RDFS.label, Literal(str(metric.get("name", "")))))
    for key, prop in (("baseline", LS.baseline), ("result", LS.result)):
        value = metric.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            graph.add((part, prop, _number(value)))
        elif value is not None:
            graph.add((part, prop, Literal(str(value))))
    for key, prop in (("unit", LS.unit), ("period", LS.period)):
        if metric.get(key) is not None:
            graph.add((part, prop, Literal(str(metric[key]))))


def add_signals(graph: Graph, signals: Iterable[Any]) -> None:
    """SPC special-cause signals as dated records (provider, metric, rule, improvement/concern, periods)."""
    for signal in signals:
        node = ID[f"signal/{signal.provider}/{signal.metric}/{signal.rule}/{signal.start}"]
        graph.add((node, RDF.type, LS.SpecialCauseSignal))
        graph.add((node, LS.provider, org_iri(signal.provider)))
        graph.add((node, LS.metric, metric_iri(signal.metric)))
        graph.add((node, LS.rule, Literal(signal.rule)))
        graph.add((node, LS.signalDirection, Literal(signal.direction)))
        graph.add((node, LS.startPeriod, Literal(signal.start)))
        graph.add((node, LS.endPeriod, Literal(signal.end)))
        graph.add((node, PROV.wasDerivedFrom, metric_iri(signal.metric)))


def build_graph(data: ReferenceData, documents: Iterable[Document], ontology_dir: Path,
                extra_assessments: Iterable[Assessment] = (), signals: Iterable[Any] = ()) -> Graph:
    """The whole knowledge graph."""
    graph = new_graph()
    load_ontology(graph, ontology_dir)
    add_organisations(graph, data)
    add_sources_and_metrics(graph, data)
    add_observations(graph, data)
    add_assessments(graph, [*data.assessments, *extra_assessments])
    add_signals(graph, signals)
    add_documents(graph, documents)
    return graph


