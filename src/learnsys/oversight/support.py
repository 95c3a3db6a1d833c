"""What a provider's NOF segment brings: support offers, its role and who drives improvement.

The NOF 1-5 support table of the founding paper is held in the graph (``ontology/concepts/nof-segments.ttl``);
it is read from the graph store when one is given, else from the ontology files with rdflib.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from learnsys.kg.profiles import assessment_dict, effective_segment, pick_current
from learnsys.kg.records import Assessment, ReferenceData
from learnsys.oversight.scoring import indicative_assessments

LS = "https://w3id.org/learnsys/ontology#"
SEGMENT = "https://w3id.org/learnsys/id/concept/nof-segment/"
SPARQL = f"""
PREFIX ls: <{LS}>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?segment ?p ?o ?offerLabel ?offerDefinition WHERE {{
  VALUES ?segment {{ <{SEGMENT}1> <{SEGMENT}2> <{SEGMENT}3> <{SEGMENT}4> <{SEGMENT}5> }}
  ?segment ?p ?o .
  FILTER(?p IN (skos:prefLabel, skos:definition, ls:nhseSupport, ls:organisationRole, ls:improvementDrivenBy,
                ls:supportOffer))
  OPTIONAL {{ ?o skos:prefLabel ?offerLabel . }}
  OPTIONAL {{ ?o skos:definition ?offerDefinition . }}
}}"""
FIELDS = {
    "http://www.w3.org/2004/02/skos/core#prefLabel": "label",
    "http://www.w3.org/2004/02/skos/core#definition": "description",
    LS + "nhseSupport": "nhse_support",
    LS + "organisationRole": "organisation_role",
    LS + "improvementDrivenBy": "improvement_driven_by",
    LS + "supportOffer": "offers",
}


class SupportTableMissing(LookupError):
    """The NOF segment concepts are in neither the graph nor the ontology folder."""


def _table_from_rows(rows: list[dict[str, Any]]) -> dict[int, dict[str, Any]]:
    table: dict[int, dict[str, Any]] = {}
    for row in rows:
        number = int(str(row["segment"]).rsplit("/", 1)[-1])
        entry = table.setdefault(
            number,
            {
                "segment": number,
                "concept": str(row["segment"]),
                "label": None,
                "description": None,
                "nhse_support": [],
                "organisation_role": [],
                "improvement_driven_by": [],
                "offers": [],
            },
        )
        field = FIELDS[str(row["p"])]
        value = str(row["o"])
        if field in ("label", "description"):
            entry[field] = value
        elif field == "offers":
            offer = {
                "id": value.rsplit("/", 1)[-1],
                "concept": value,
                "label": str(row["offerLabel"]) if row.get("offerLabel") else None,
                "description": str(row["offerDefinition"]) if row.get("offerDefinition") else None,
            }
            if offer not in entry["offers"]:
                entry["offers"].append(offer)
        elif value not in entry[field]:
            entry[field].append(value)
    for entry in table.values():  # RDF is unordered: sort for stable answers
        entry["offers"].sort(key=lambda o: o["id"])
        for field in ("nhse_support", "organisation_role", "improvement_driven_by"):
            entry[field].sort()
    return table


@lru_cache(maxsize=4)
def _table_from_files(ontology_dir: str) -> dict[int, dict[str, Any]]:
    import rdflib

    graph = rdflib.Graph()
    for path in sorted(Path(ontology_dir).rglob("*.ttl")):
        graph.parse(path, format="turtle")
    rows = [
        {
            "segment": r.segment,
            "p": r.p,
            "o": r.o,
            "offerLabel": r.offerLabel,
            "offerDefinition": r.offerDefinition,
        }
        for r in graph.query(SPARQL)
    ]
    return _table_from_rows(rows)


def support_table(ontology_dir: Path | None = None, graph: Any = None) -> dict[int, dict[str, Any]]:
    """Segment number -> the founding paper's support entry (label, offers, role, who drives improvement)."""
    if graph is not None and hasattr(graph, "select"):
        try:
            table = _table_from_rows(graph.select(SPARQL))
            if table:
                return table
        except Exception:  # noqa: BLE001 - fall back to the ontology files the graph is built from
            pass
    if ontology_dir is not None and Path(ontology_dir).is_dir():
        table = _table_from_files(str(ontology_dir))
        if table:
            return table
    raise SupportTableMissing("the NOF segment concepts (ontology/concepts/nof-segments.ttl) were not found")


_INDICATIVE: dict[int, tuple[ReferenceData, int, list[Assessment]]] = {}


def _indicative(data: ReferenceData) -> list[Assessment]:
    """Indicative assessments for ``data`` (computed once unless the observations change)."""
    hit = _INDICATIVE.get(id(data))
    if hit is None or hit[0] is not data or hit[1] != len(data.observations):
        hit = (data, len(data.observations), indicative_assessments(data))
        _INDICATIVE[id(data)] = hit
    return hit[2]


def current_assessment(data: ReferenceData, ods: str) -> tuple[Assessment | None, list[Assessment]]:
    """The assessment that applies now (latest official, else latest indicative) and all the provider's."""
    held = [a for a in data.assessments if a.provider == ods]
    if not any(not a.official for a in held):
        held += [a for a in _indicative(data) if a.provider == ods]
    return pick_current(held), held


def provider_support(
    data: ReferenceData, ods: str, ontology_dir: Path | None = None, graph: Any = None
) -> dict[str, Any]:
    """The support a provider's current segment brings, saying whether the segment is official."""
    current, held = current_assessment(data, ods)
    provider = data.providers[ods]
    out: dict[str, Any] = {"provider": ods, "name": provider.name, "trust_type": provider.trust_type}
    if current is None:
        out.update(
            segment=None,
            status=None,
            assessment=None,
            support=None,
            note="No official or indicative assessment is held for this provider.",
        )
        return out
    segment, rsp_note = effective_segment(current, held)
    entry = support_table(ontology_dir, graph).get(segment or 0)
    out.update(
        segment=segment,
        status="official" if current.official else "indicative",
        assessment=assessment_dict(current, data),
        support=entry,
        source="NHS England Board, Improvement in the NHS (2026), Annex A: NOF segment support table",
    )
    notes = [rsp_note] if rsp_note else []
    if not current.official:
        notes.append(
            "Indicative segment computed by learnsys with the NOF 2025/26 method; not an official segment."
        )
    elif "derived" in current.source:
        source = data.sources.get(current.source)
        notes.append(f"Official segment as kept second-hand: {source.title if source else current.source}.")
    if notes:
        out["note"] = " ".join(notes)
    return out
