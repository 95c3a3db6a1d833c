"""A collaborative projected into the RDF graph, so SPARQL sees its teams, measures, cycles and signals.

IRIs sit under the collaborative's own (``id:collaborative/run/<id>``), so a refresh replaces exactly its
statements. The collaborative is an ``ls:ImprovementCollaborative`` with ``ls:CollaborativeWave``s (as a
saved wave plan is, so the same SPARQL finds both); a demo one is ``ls:synthetic true``.
"""

from __future__ import annotations

from typing import Any

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDF, SKOS, XSD

from learnsys.collaboratives.dashboard import improving
from learnsys.kg.namespaces import ID, LS, concept_iri, document_iri, org_iri, slug


def collaborative_iri(cid: str) -> URIRef:
    return ID[f"collaborative/run/{slug(cid)}"]


def to_ntriples(inputs: dict[str, Any]) -> bytes:
    """N-Triples for ``CollaborativeService.graph_inputs(cid)``."""
    g = Graph()
    c = inputs["collaborative"]
    node = collaborative_iri(c["id"])
    g.add((node, RDF.type, LS.ImprovementCollaborative))
    g.add((node, SKOS.prefLabel, Literal(c["title"], lang="en")))
    g.add((node, DCTERMS.identifier, Literal(c["id"])))
    g.add((node, LS.topic, concept_iri("priority-area", c["priority_area"])))
    g.add((node, LS.synthetic, Literal(bool(c["demo"]))))
    if c.get("aim"):
        g.add((node, DCTERMS.description, Literal(c["aim"], lang="en")))
    if c["region"] != "national":
        g.add((node, LS.region, org_iri(c["region"])))
    for doc in c.get("change_package") or []:
        g.add((node, LS.changePackage, document_iri(doc)))
    waves = {w["number"]: w for w in inputs["waves"]}
    data = inputs["data"]
    for team in data.teams:  # every team's wave exists, even when waves were never entered
        waves.setdefault(team.wave or 1, {"number": team.wave or 1, "members": [], "faculty": []})
    if not waves:
        waves[1] = {"number": 1, "members": [], "faculty": []}
    for number, w in sorted(waves.items()):
        wnode = URIRef(f"{node}/wave/{number}")
        g.add((node, LS.wave, wnode))
        g.add((wnode, RDF.type, LS.CollaborativeWave))
        g.add((wnode, SKOS.prefLabel, Literal(f"Wave {number}", lang="en")))
        g.add((wnode, LS.waveNumber, Literal(number, datatype=XSD.integer)))
        g.add((wnode, ORG.subOrganizationOf, node))
        members = set(w["members"]) | {t.provider for t in data.teams if (t.wave or 1) == number}
        for ods in sorted(members):
            g.add((wnode, ORG.hasMember, org_iri(ods)))
        for ods in w["faculty"]:
            g.add((wnode, LS.faculty, org_iri(ods)))
    measures = {}
    for m in inputs["measures"]:
        mnode = URIRef(f"{node}/measure/{slug(m['id'])}")
        measures[m["id"]] = mnode
        g.add((node, LS.measure, mnode))
        g.add((mnode, RDF.type, LS.CollaborativeMeasure))
        g.add((mnode, DCTERMS.identifier, Literal(m["id"])))
        g.add((mnode, SKOS.prefLabel, Literal(m["name"], lang="en")))
        g.add((mnode, SKOS.definition, Literal(m["definition"], lang="en")))
        g.add((mnode, LS.measureType, Literal(m["type"])))
        g.add((mnode, LS.unit, Literal(m["unit"])))
        g.add((mnode, LS.direction, Literal(m["direction"])))
        if m.get("target") is not None:
            g.add((mnode, LS.target, Literal(float(m["target"]), datatype=XSD.double)))
        if m.get("source_document"):
            g.add((mnode, DCTERMS.source, document_iri(m["source_document"])))
    infos = {m.id: m for m in data.measures}
    for team in data.teams:
        tnode = URIRef(f"{node}/team/{slug(team.id)}")
        g.add((node, LS.team, tnode))
        g.add((tnode, RDF.type, LS.CollaborativeTeam))
        g.add((tnode, DCTERMS.identifier, Literal(team.id)))
        g.add((tnode, SKOS.prefLabel, Literal(team.name, lang="en")))
        g.add((tnode, ORG.subOrganizationOf, org_iri(team.provider)))
        g.add((tnode, LS.provider, org_iri(team.provider)))
        g.add((tnode, LS.collaborative, node))
        for month, score in sorted(team.scores.items())[-1:]:
            g.add((tnode, LS.progressScore, Literal(score, datatype=XSD.decimal)))
            g.add((tnode, LS.progressScoreMonth, Literal(month)))
        for measure_id, info in infos.items():
            chart = team.chart(info)
            if improving(chart.variation):
                g.add((tnode, LS.improvedMeasure, measures[measure_id]))
            if chart.variation:
                snode = URIRef(f"{tnode}/status/{slug(measure_id)}")
                g.add((tnode, LS.measureStatus, snode))
                g.add((snode, LS.measure, measures[measure_id]))
                g.add((snode, LS.variation, Literal(chart.variation)))
                if chart.assurance:
                    g.add((snode, LS.assurance, Literal(chart.assurance)))
                g.add((snode, LS.months, Literal(chart.months, datatype=XSD.integer)))
        for cycle in inputs["cycles"].get(team.id, []):
            cnode = URIRef(f"{tnode}/cycle/{cycle['number']}")
            g.add((cnode, RDF.type, LS.PdsaCycle))
            g.add((cnode, PROV.wasAssociatedWith, tnode))
            g.add((cnode, SKOS.prefLabel, Literal(cycle["change_idea"], lang="en")))
            g.add((cnode, PROV.startedAtTime, Literal(cycle["start"], datatype=XSD.date)))
            if cycle["decision"]:
                g.add((cnode, LS.decision, Literal(cycle["decision"])))
            if cycle["document_id"]:
                g.add((cnode, PROV.used, document_iri(cycle["document_id"])))
            for measure_id in cycle["measures"]:
                if measure_id in measures:
                    g.add((cnode, LS.targetsMeasure, measures[measure_id]))
    return g.serialize(format="nt", encoding="utf-8")


def graph_name(cid: str) -> str:
    """The named graph holding one collaborative's statements (replaced whole on every change)."""
    return str(collaborative_iri(cid))


def project(graph: Any, service: Any, cid: str) -> None:
    """Put collaborative ``cid``'s current statements into ``graph`` (or drop them if it is gone)."""
    inputs = service.graph_inputs(cid)
    graph.replace_graph(graph_name(cid), to_ntriples(inputs) if inputs is not None else None)


def project_all(graph: Any, service: Any) -> None:
    """Every collaborative in the store into ``graph`` (at start, and after the graph is rebuilt)."""
    for cid in service.collaborative_ids():
        project(graph, service, cid)
