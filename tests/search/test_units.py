"""Chunking, expansion, fusion, snippets and metrics on small inputs."""

from __future__ import annotations

import pytest

from learnsys.config import REPO_ROOT
from learnsys.search.chunking import chunk_document, sections
from learnsys.search.evaluate import mrr_at, ndcg_at, recall_at, score_run
from learnsys.search.expansion import expand_query
from learnsys.search.fusion import FusionMethod, fuse
from learnsys.search.snippets import make_snippet
from learnsys.search.terminology import Terminology

TERMS = Terminology.load(REPO_ROOT / "ontology" / "terminology.ttl")


def test_terminology_has_the_required_concepts() -> None:
    assert len(TERMS.concepts) >= 110
    labels = {label.lower() for c in TERMS.concepts.values() for label in c.labels}
    for label in (
        "a&e",
        "sdec",
        "pifu",
        "dna",
        "rtt",
        "fds",
        "d2a",
        "ucr",
        "virtual ward",
        "cga",
        "a&g",
        "cdc",
        "girft",
        "npip",
        "lin",
        "nof",
        "msf",
        "spc",
        "pdsa",
        "qsir",
        "uec",
        "icb",
        "ics",
        "ods",
        "hvlc",
        "cqc",
        "shmi",
        "news2",
        "psirf",
        "utc",
        "111",
        "cat2",
        "trolley waits",
        "corridor care",
        "handover delays",
        "12-hour waits",
        "follow-up appointments",
        "length of stay",
        "delayed discharge",
        "no criteria to reside",
    ):
        assert label in labels, label


def test_chunks_carry_title_and_section() -> None:
    body = "## The problem\n\nLong waits.\n\n## What they changed\n\n" + " ".join(["word"] * 400)
    chunks = chunk_document("d", "A title", body, "A summary.", max_words=100, overlap=10)
    assert chunks[0].section == "Summary"
    assert [c.section for c in chunks[1:3]] == ["The problem", "What they changed"]
    assert len(chunks) >= 6  # the long section is windowed
    assert all(c.indexed_text.startswith("A title.") for c in chunks)
    assert "What they changed" in chunks[-1].indexed_text
    assert sections("intro\n## Sources\n- x")[-1][0] == "Sources"
    assert not any(c.section == "Sources" for c in chunk_document("d", "t", "## Sources\n\n- a link"))


def test_acronyms_expand_to_their_labels_at_lower_weight() -> None:
    query = expand_query("PIFU derm", TERMS)
    assert query.weighted_terms["pifu"] == 1.0
    assert 0 < query.weighted_terms["initi"] < 1.0
    assert "patient-initiated follow-up" in query.synonyms_used
    assert "patient-initiated follow-up" in query.dense_text
    assert query.priority_areas == ["elective"]
    reverse = expand_query("emergency department crowding", TERMS)
    assert "a&e" in reverse.weighted_terms and reverse.weighted_terms["a&e"] < 1.0
    plural = expand_query("stop patients waiting on trolleys", TERMS)
    assert "corridor care" in plural.synonyms_used
    assert expand_query("PIFU", TERMS, expand=False).synonyms_used == []


def test_fusion_methods() -> None:
    lexical, dense = {1: 10.0, 2: 5.0}, {2: 0.9, 3: 0.5}
    convex = fuse(lexical, dense, method=FusionMethod.CONVEX, dense_weight=0.7)
    # bm25 / best + raw cosine; a document outside the dense candidates gets the lowest candidate cosine
    assert convex == pytest.approx({1: 0.3 * 1.0 + 0.7 * 0.5, 2: 0.3 * 0.5 + 0.7 * 0.9, 3: 0.7 * 0.5})
    assert max(convex, key=convex.get) == 2
    rrf = fuse(lexical, dense, method=FusionMethod.RRF)
    assert set(rrf) == {1, 2, 3} and max(rrf, key=rrf.get) == 2


def test_snippet_marks_stems_and_escapes_html() -> None:
    text = "Crews <b>waited</b> at **handover** for hours; the handovers improved. " + "filler " * 80
    snippet = make_snippet(text, {"handov"})
    assert "<mark>handover</mark>" in snippet and "<mark>handovers</mark>" in snippet
    assert "&lt;b&gt;" in snippet and "**" not in snippet


def test_metrics() -> None:
    rels = {"a": 2, "b": 1}
    assert ndcg_at(["a", "b"], rels, 10) == 1.0
    assert 0 < ndcg_at(["x", "b", "a"], rels, 10) < 1
    assert recall_at(["a"], rels, 10) == 0.5 and mrr_at(["x", "b"], rels, 10) == 0.5
    scores = score_run({"q": ["a", "b"]}, {"q": rels})
    assert scores["ndcg@10"] == 1.0 and set(scores) == {"ndcg@10", "recall@10", "recall@100", "mrr@10"}


def test_fast_query_path_matches_sentence_transformers(encoder) -> None:  # noqa: ANN001
    import numpy as np

    assert encoder._fast_path() is not None
    for text in ("PIFU derm", "how do other trusts cut ambulance handover delays " * 3):
        assert float(np.dot(encoder.encode_query(text), encoder.encode([text])[0])) > 0.9999


def test_acronyms_match_on_case_and_phrases_come_first() -> None:
    from learnsys.search.terminology import CorpusWords, label_kind

    corpus = CorpusWords(lowercase=frozenset({"fit"}), common=frozenset({"peopl"}), capitals=frozenset({"pifu"}))
    assert [label_kind(x) for x in ("FIT", "A&E", "PCNs", "Core20PLUS5", "frailty", "hospital at home")] == [
        "acronym",
        "acronym",
        "acronym",
        "acronym",
        "word",
        "phrase",
    ]
    fit = expand_query("patients who are medically fit", TERMS, corpus_words=corpus)
    assert "faecal" not in " ".join(fit.weighted_terms) and not fit.concepts
    assert any(m.concept.notation == "fit-testing" and not m.used for m in fit.matches)
    capital = expand_query("FIT for bowel symptoms", TERMS, corpus_words=corpus)
    assert "fit-testing" in [c.notation for c in capital.concepts]
    supported = expand_query("fit results for bowel cancer faecal", TERMS, corpus_words=corpus)
    assert "fit-testing" in [c.notation for c in supported.concepts]
    phrase = expand_query("medically fit for discharge", TERMS, corpus_words=corpus)
    assert [c.notation for c in phrase.concepts][:1] != ["fit-testing"] and phrase.concepts
    assert all(m.concept.notation != "fit-testing" for m in phrase.matches)  # the phrase wins
    # an everyday one-word label needs support: "people" alone is not the workforce concept
    people = expand_query("support for people at home", TERMS, corpus_words=corpus)
    assert "workforce" not in people.priority_areas
    lower = expand_query("pifu derm", TERMS, corpus_words=corpus)
    assert [c.notation for c in lower.concepts] == ["pifu"]
    assert lower.weighted_terms["initi"] == pytest.approx(0.5)  # an acronym's expansion: exact equivalent


def test_question_framing_asks_for_case_studies_or_guides() -> None:
    from learnsys.search.intent import framing_words, question_intent

    assert question_intent("how did others clear 65 week waiters").wants == "case-study"
    assert question_intent("trusts that improved 4 hour performance").wants == "case-study"
    assert question_intent("nurse retention what works").wants == "case-study"
    assert question_intent("how to run a PDSA cycle").wants == "guide"
    assert question_intent("reducing MRI waiting times").wants is None
    assert {"others", "did"} <= framing_words("how did others clear 65 week waiters")


def test_blind_set_loads_the_dev_split_over_the_judged_documents() -> None:
    import json

    from learnsys.corpus.documents import load_corpus
    from learnsys.search.evaluate import load_blind_set

    corpus_dir = REPO_ROOT / "corpus"
    documents, _ = load_corpus(corpus_dir)
    dev = load_blind_set(corpus_dir, "dev", documents)
    split = json.loads((corpus_dir / "eval" / "blind" / "split.json").read_text(encoding="utf-8"))
    assert sorted(dev.queries) == sorted(split["dev"]) and not set(dev.queries) & set(split["test"])
    judged = {d.id for d in dev.documents}
    assert judged and all(doc in judged for rels in dev.qrels.values() for doc in rels)
    with pytest.raises(ValueError):
        load_blind_set(corpus_dir, "train", documents)


def test_whole_document_evidence_beats_one_repetitive_chunk() -> None:
    """A document that covers every query term across its sections outranks one whose single section
    repeats one term: at the chunk grain the repetitive chunk wins, at the field (BM25F) grain it must not."""
    from learnsys.search.fields import build_bm25f
    from learnsys.search.lexical import LexicalIndex
    from learnsys.search.text import terms

    filler = "the team met weekly and shared the figures with the board " * 3
    spread = {
        "title": "Getting frail patients home",
        "summary": "A frailty unit at the front door.",
        "body": f"## Discharge\nEarly discharge planning. {filler}\n## Wards\nBoard rounds on every ward. {filler}",
        "meta": "",
    }
    repetitive = {"title": "Weekend rotas", "summary": "Rotas.", "body": "discharge " * 15 + filler, "meta": ""}
    others = [{"title": f"Other {i}", "summary": "Estates.", "body": filler, "meta": ""} for i in range(6)]
    query = {t: 1.0 for t in terms("frailty discharge ward")}
    chunks = [spread["body"].split("## Wards")[0], "## Wards" + spread["body"].split("## Wards")[1]]
    chunk_scores = LexicalIndex.build([*chunks, repetitive["body"], *(o["body"] for o in others)]).score(query)
    assert chunk_scores[2] > max(chunk_scores[0], chunk_scores[1])  # the failure the grain fixes
    doc_scores = build_bm25f([spread, repetitive, *others]).score(query)
    assert doc_scores[0] > doc_scores[1] > 0


def test_an_area_the_results_contradict_drives_no_boost(built) -> None:  # noqa: ANN001
    """The terminology says "elective" for "PIFU derm", but if the best results are all urgent-care
    documents the area is not sure enough to drive the performance boost; when they agree it is."""
    from learnsys.search.index_store import load_index
    from learnsys.search.retriever import AREA_MIN_CONFIDENCE, area_confidence, confident_areas

    settings, _ = built
    index = load_index(settings.index_dir)
    query = expand_query("PIFU derm", TERMS)
    assert query.area_confidence.get("elective") == pytest.approx(1.0)
    uec = [i for i, d in enumerate(index.docs) if "elective" not in d.priority_areas]
    elective = [i for i, d in enumerate(index.docs) if "elective" in d.priority_areas]
    against = area_confidence(query, index, uec)
    assert "elective" not in confident_areas(against, AREA_MIN_CONFIDENCE)
    assert all(c < 1.0 for c in against.values())
    agreeing = area_confidence(query, index, elective)
    assert confident_areas(agreeing, AREA_MIN_CONFIDENCE)[0] == "elective"
