"""A real index on disk: build, persistence, search, filters, boost, incremental writes and hot reload."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from learnsys.config import Settings
from learnsys.search.graph_boost import MAX_BOOST
from learnsys.search.index_store import current_build_id, load_index, search_root
from learnsys.search.service import InvalidSearch, SearchRequest, SearchService
from learnsys.search.validation import InvalidDocument

FIXTURES = Path(__file__).parent / "fixtures"


def test_build_writes_a_versioned_folder_with_manifest(built: tuple[Settings, dict]) -> None:
    settings, manifest = built
    root = search_root(settings.index_dir)
    build_id = (root / "CURRENT").read_text().strip()
    assert build_id == manifest["build_id"] == current_build_id(settings.index_dir)
    on_disk = json.loads((root / build_id / "manifest.json").read_text())
    assert on_disk["model"] and on_disk["corpus_hash"] and on_disk["built_at"]
    assert on_disk["counts"]["documents"] == 5 and on_disk["counts"]["chunks"] >= 15
    assert on_disk["dense_index"] == "flat"
    index = load_index(settings.index_dir)
    assert index.dense.vectors.shape == (on_disk["counts"]["chunks"], 384)
    assert any((settings.index_dir / "cache" / "embeddings").rglob("shard-*.npz"))


def test_acronym_query_finds_the_expansion(service: SearchService) -> None:
    response = service.search(SearchRequest("PIFU derm"))
    ids = [r["id"] for r in response["results"]]
    assert ids[0] in ("test-bolton-pifu", "test-guide-pifu") and "test-bolton-pifu" in ids[:2]
    top = response["results"][0]
    assert "patient-initiated follow-up" in response["expanded_terms"]
    assert "<mark>" in top["snippet"]
    expl = top["explanation"]
    assert set(expl) == {
        "lexical_rank",
        "lexical_score",
        "dense_rank",
        "dense_score",
        "fused_score",
        "graph_boost",
        "boost_reason",
        "type_prior",
        "type_reason",
        "synonyms_used",
        "concepts",
        "concept_reasons",
        "for_provider",
        "similar_to",
    }
    assert expl["concepts"] == ["pifu"]
    assert expl["concept_reasons"][0]["concept"] == "pifu" and "capitals" in expl["concept_reasons"][0]["why"]
    assert expl["for_provider"] == ""
    assert response["concepts"][0]["used"] and "capitals" in response["concepts"][0]["why"]
    assert expl["lexical_rank"] is not None and expl["dense_rank"] is not None
    assert top["sources"] == ["https://example.org/bolton-pifu"] or top["sources"]


def test_everyday_words_reach_the_jargon(service: SearchService) -> None:
    response = service.search(SearchRequest("stop patients waiting on trolleys"))
    assert response["results"][0]["id"] == "test-leicester-sdec"
    response = service.search(SearchRequest("A&E handover delays"))
    assert response["results"][0]["id"] == "test-nwas-handover"


def test_filters_and_facets(service: SearchService) -> None:
    everything = service.search(SearchRequest("patients", k=100))
    assert everything["facets"]["type"] == {"case-study": 4, "guide": 1} or everything["total"] <= 5
    uec = service.search(SearchRequest("patients", filters={"priority_area": ["uec"]}))
    assert {r["id"] for r in uec["results"]} <= {
        "test-leicester-sdec",
        "test-sheffield-d2a",
        "test-nwas-handover",
    }
    assert set(uec["facets"]["priority_area"]) >= {"uec"}
    assert uec["facets"]["type"] == {"case-study": uec["total"]}
    north_west = service.search(SearchRequest("patients", filters={"region": ["Y62"]}))
    assert {r["id"] for r in north_west["results"]} <= {"test-bolton-pifu", "test-nwas-handover"}
    recent = service.search(SearchRequest("patients", published_after=__import__("datetime").date(2023, 1, 1)))
    assert all(r["published"] > "2023-01-01" for r in recent["results"])
    page = service.search(SearchRequest("patients", k=2, offset=2))
    assert len(page["results"]) <= 2 and page["offset"] == 2


@pytest.mark.parametrize(
    ("request_", "field"),
    [
        (SearchRequest(""), "q"),
        (SearchRequest("x" * 10_000), "q"),
        (SearchRequest("x", k=0), "k"),
        (SearchRequest("x", k=100_000), "k"),
        (SearchRequest("x", filters={"priority_area": ["nonsense"]}), "priority_area"),
        (SearchRequest("x", filters={"region": ["Y99"]}), "region"),
        (SearchRequest("x", for_provider="ZZZ"), "for_provider"),
    ],
)
def test_bad_requests_name_the_field(service: SearchService, request_: SearchRequest, field: str) -> None:
    with pytest.raises(InvalidSearch) as info:
        service.search(request_)
    assert info.value.field == field


def test_graph_boost_is_bounded_and_explained(service: SearchService) -> None:
    response = service.search(SearchRequest("same day emergency care", k=5))
    for r in response["results"]:
        e = r["explanation"]
        assert 0 <= e["graph_boost"] <= MAX_BOOST
        assert abs(r["score"] - e["fused_score"] * (1 + e["graph_boost"])) < 1e-4
        if e["graph_boost"] > 0:
            assert e["boost_reason"]
    measured = next(r for r in response["results"] if r["id"] == "test-leicester-sdec")
    assert "measured impact" in measured["explanation"]["boost_reason"]
    personal = service.search(SearchRequest("same day emergency care", k=5, for_provider="RXN"))
    assert all(0 <= r["explanation"]["graph_boost"] <= MAX_BOOST for r in personal["results"])
    # every result says how it relates to the provider asked about (or why it was not compared)
    assert all("RXN" in r["explanation"]["for_provider"] for r in personal["results"])
    for r in personal["results"]:
        if "stronger on" in r["explanation"]["for_provider"] and "no provider" not in r["explanation"]["for_provider"]:
            assert r["explanation"]["for_provider"] in r["explanation"]["boost_reason"]
    unboosted = service.search(SearchRequest("same day emergency care", k=5, boost=False))
    assert all(r["explanation"]["graph_boost"] == 0 for r in unboosted["results"])


def test_ingest_embeds_only_the_new_document_and_reloads(fresh: SearchService) -> None:
    before = fresh.index().build_id
    text = (FIXTURES / "case-studies" / "test-bolton-pifu.md").read_text()
    text = text.replace("id: test-bolton-pifu", "id: test-virtual-ward").replace(
        "Patient-initiated follow-up frees dermatology clinic slots",
        "Virtual ward for frail patients at home",
    )
    text = text.replace(
        "Routine outpatient reviews",
        "Hospital at home monitoring of frail patients replaced admissions; routine outpatient reviews",
    )
    doc, manifest = fresh.put_document(text, create=True)
    assert doc.id == "test-virtual-ward"
    index = fresh.index()
    assert index.build_id == manifest["build_id"] != before
    new_chunks = len(index.doc_chunks[index.doc_pos["test-virtual-ward"]])
    assert manifest["counts"]["embedded_new"] == new_chunks  # only the new document's chunks were embedded
    assert (fresh.settings.corpus_dir / "case-studies" / "test-virtual-ward.md").exists()
    ids = [r["id"] for r in fresh.search(SearchRequest("virtual ward"))["results"]]
    assert ids[0] == "test-virtual-ward"
    removed = fresh.remove_document("test-virtual-ward")
    assert removed["counts"]["embedded_new"] == 0
    assert "test-virtual-ward" not in [r["id"] for r in fresh.search(SearchRequest("virtual ward"))["results"]]


def test_invalid_documents_are_refused_before_writing(fresh: SearchService) -> None:
    good = (FIXTURES / "case-studies" / "test-bolton-pifu.md").read_text()
    cases = {
        "providers": good.replace("providers: [RMC]", "providers: [XXX]").replace("id: test-bolton-pifu", "id: new-a"),
        "priority_areas": good.replace("priority_areas: [elective]", "priority_areas: [nope]").replace(
            "id: test-bolton-pifu", "id: new-b"
        ),
        "front_matter": "no front matter here",
    }
    for field, text in cases.items():
        with pytest.raises(InvalidDocument) as info:
            fresh.put_document(text, create=True)
        assert info.value.problems[0][0] == field
    guide = (
        (FIXTURES / "guides" / "test-guide-pifu.md")
        .read_text()
        .replace("exemplars: [test-bolton-pifu]", "exemplars: [missing-case]")
    )
    with pytest.raises(InvalidDocument) as info:
        fresh.put_document(guide, doc_id="test-guide-pifu")
    assert info.value.problems[0][0] == "exemplars"
    assert not list(fresh.settings.corpus_dir.rglob("new-*.md"))
    with pytest.raises(InvalidDocument):  # still an exemplar of the guide
        fresh.remove_document("test-bolton-pifu")


def test_server_never_sees_a_partial_build(fresh: SearchService) -> None:
    root = search_root(fresh.settings.index_dir)
    (root / ".tmp-20990101T000000-abcdef").mkdir()  # a build still being written
    fresh.refresh(force=True)
    assert fresh.index().build_id == current_build_id(fresh.settings.index_dir)


def test_another_server_picks_up_the_new_build(fresh: SearchService) -> None:
    reader = SearchService(fresh.settings, fresh.reference, encoder=fresh.encoder)
    before = reader.index().build_id
    assert "test-leicester-sdec" in [
        r["id"] for r in reader.search(SearchRequest("same day emergency care"))["results"]
    ]
    fresh.remove_document("test-leicester-sdec")  # another process's write: a new build and CURRENT
    after = reader.search(SearchRequest("same day emergency care"))
    assert reader.index().build_id != before
    assert "test-leicester-sdec" not in [r["id"] for r in after["results"]]


def test_similar_to_puts_the_peers_documents_first_and_says_why(service: SearchService) -> None:
    # RHQ (Sheffield) is one of RWE's (Leicester's) peers in the one peer model; RX7, RMC are not
    peers = service.reference.peer_model.peers("RWE")
    assert "RHQ" in [p.ods for p in peers]
    plain = service.search(SearchRequest("discharge and emergency care flow", k=5))
    mine = service.search(SearchRequest("discharge and emergency care flow", k=5, similar_to="RWE"))
    assert {r["id"] for r in mine["results"]} == {r["id"] for r in plain["results"]}  # re-ranked, not new
    top = mine["results"][0]
    assert top["id"] == "test-sheffield-d2a"
    assert "RHQ is peer" in top["explanation"]["similar_to"] and "RWE" in top["explanation"]["similar_to"]
    assert all("not" not in r["explanation"]["similar_to"] for r in mine["results"][:1])
    assert all("among RWE's peers" in r["explanation"]["similar_to"] for r in mine["results"][1:])
    assert all(r["explanation"]["similar_to"] == "" for r in plain["results"])
    assert mine["similar_to"]["ods"] == "RWE" and "RHQ" in mine["similar_to"]["peers"]
    with pytest.raises(InvalidSearch) as exc:
        service.search(SearchRequest("discharge", similar_to="XXXX"))
    assert exc.value.field == "similar_to"


def test_plain_baseline_mode_and_concept_explanations(service: SearchService) -> None:
    plain = service.search(SearchRequest("PIFU derm", mode="bm25-doc-plain"))
    assert plain["results"][0]["id"] in ("test-bolton-pifu", "test-guide-pifu")
    assert plain["expanded_terms"] == [] and plain["concepts"] == []
    assert all(r["explanation"]["dense_rank"] is None for r in plain["results"])
    # an everyday lower-case word never names an acronym concept unless the query supports that sense
    response = service.search(SearchRequest("patients who are medically fit stuck on wards"))
    used = {c["concept"] for c in response["concepts"] if c["used"]}
    assert "fit-testing" not in used and "cancer" not in response["priority_areas"]
