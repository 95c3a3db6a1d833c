"""Documents in the store of record: seeding, review, audit, export (core, on every engine)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from learnsys.config import REPO_ROOT, Settings
from learnsys.corpus.documents import load_corpus
from learnsys.published import export_corpus, seed_store, validate_submission
from learnsys.search.validation import InvalidDocument
from learnsys.store import accounts, audit
from learnsys.store import documents as doc_store
from learnsys.store.db import Database

FIXTURES = REPO_ROOT / "tests" / "search" / "fixtures"


def fixture_settings(root: Path, database: Database) -> Settings:
    corpus = root / "corpus"
    if not corpus.exists():
        shutil.copytree(FIXTURES, corpus)
    return Settings(corpus_dir=corpus, index_dir=root / "indexes", database_url=database.url,
                    ontology_dir=REPO_ROOT / "ontology", data_dir=REPO_ROOT / "data" / "reference")


def new_case(doc_id: str = "test-rcb-frailty", title: str = "Frailty unit sends older people home sooner") -> str:
    text = (FIXTURES / "case-studies" / "test-nwas-handover.md").read_text()
    return text.replace("id: test-nwas-handover", f"id: {doc_id}").replace(
        "Ambulance crews released faster", title)


def count_versions(database: Database) -> int:
    return sum(len(doc_store.versions(database, d, None)) for d in doc_store.published_texts(database))


def test_seeding_is_idempotent_and_a_changed_file_is_a_new_version(database: Database, tmp_path: Path) -> None:
    settings = fixture_settings(tmp_path, database)
    documents, _ = load_corpus(settings.corpus_dir)
    first = seed_store(database, settings, documents)
    assert sorted(first.added) == sorted(d.id for d in documents) and not first.updated
    with database.read() as session:
        events = len(audit.events(session))
    again = seed_store(database, settings, documents)
    assert (again.added, again.updated, again.unchanged) == ([], [], len(documents))
    with database.read() as session:
        assert len(audit.events(session)) == events  # a second start writes nothing at all
    path = settings.corpus_dir / "case-studies" / "test-bolton-pifu.md"
    path.write_text(path.read_text().replace("dermatology clinic slots", "dermatology clinic slots each week"))
    changed = seed_store(database, settings, load_corpus(settings.corpus_dir)[0])
    assert changed.updated == ["test-bolton-pifu"] and not changed.added
    versions = doc_store.versions(database, "test-bolton-pifu")
    assert [(v.number, v.status) for v in versions] == [(1, "superseded"), (2, "published")]
    assert "each week" in doc_store.get(database, "test-bolton-pifu").content


def test_export_equals_the_seed_input(database: Database, tmp_path: Path) -> None:
    settings = fixture_settings(tmp_path, database)
    seed_store(database, settings, load_corpus(settings.corpus_dir)[0])
    out = tmp_path / "exported"
    written = export_corpus(database, out)
    originals = sorted(p.relative_to(settings.corpus_dir) for p in settings.corpus_dir.rglob("*.md"))
    assert sorted(p.relative_to(out) for p in written) == originals
    for rel in originals:
        assert (out / rel).read_bytes() == (settings.corpus_dir / rel).read_bytes()
    # written back as corpus/, the export is seen as unchanged: no new versions
    before = count_versions(database)
    report = seed_store(database, settings, load_corpus(out)[0])
    assert not report.added and not report.updated and count_versions(database) == before


def test_review_flow_versions_and_audit(database: Database, tokens: dict[str, str], tmp_path: Path,
                                        reference) -> None:
    settings = fixture_settings(tmp_path, database)
    seed_store(database, settings, load_corpus(settings.corpus_dir)[0])
    team = accounts.authenticate(database, tokens["team"])
    other = accounts.authenticate(database, tokens["other_team"])
    reviewer = accounts.authenticate(database, tokens["reviewer"])
    assert team and other and reviewer
    text = new_case()
    doc = validate_submission(text, database, settings, reference)
    version = doc_store.submit(database, team, doc.id, doc.type, text)
    assert (version.number, version.status) == (1, "submitted")
    assert doc.id not in doc_store.published_texts(database)
    with pytest.raises(doc_store.DocumentExists):
        doc_store.submit(database, team, doc.id, doc.type, text)
    with pytest.raises(doc_store.DocumentMissing):  # not published: hidden from readers and other teams
        doc_store.get(database, doc.id, None)
    with pytest.raises(doc_store.DocumentMissing):
        doc_store.get(database, doc.id, other)
    assert doc_store.get(database, doc.id, team).version.status == "submitted"
    assert [v.document_id for v in doc_store.review_queue(database)] == [doc.id]
    with pytest.raises(doc_store.NotPermitted):
        doc_store.publish(database, team, doc.id)
    doc_store.publish(database, reviewer, doc.id)
    assert doc.id in doc_store.published_texts(database) and not doc_store.review_queue(database)
    with pytest.raises(doc_store.NothingToReview):
        doc_store.publish(database, reviewer, doc.id)

    revised = text.replace("Frailty unit sends older people home sooner", "Frailty unit, second edition")
    doc_store.revise(database, other, doc.id, doc.type, revised)  # anyone signed in may propose a version
    assert "second edition" not in doc_store.published_texts(database)[doc.id]  # version 1 stays live
    doc_store.reject(database, reviewer, doc.id, "the figures need a source")
    assert doc_store.get(database, doc.id).document_status == "published"
    doc_store.withdraw(database, reviewer, doc.id)
    assert doc.id not in doc_store.published_texts(database)
    history = doc_store.versions(database, doc.id, reviewer)
    assert [(v.number, v.status, v.author) for v in history] == [
        (1, "withdrawn", "team@example.nhs.uk"), (2, "rejected", "other_team@example.nhs.uk")]
    assert history[1].note == "the figures need a source" and history[1].reviewer == "reviewer@example.nhs.uk"
    with database.read() as session:
        trail = audit.events(session, entity=f"document:{doc.id}")
    assert [e.action for e in trail] == ["document.submit", "document.publish", "document.revise",
                                         "document.reject", "document.withdraw"]
    assert trail[1].before["status"] == "submitted" and trail[1].after["status"] == "published"
    assert trail[4].after == {"status": "withdrawn", "type": "case-study", "published_version": None,
                              "version": 1}


def test_invalid_submissions_name_the_field_and_store_nothing(database: Database, tmp_path: Path,
                                                              reference) -> None:
    settings = fixture_settings(tmp_path, database)
    seed_store(database, settings, load_corpus(settings.corpus_dir)[0])
    bad_code = new_case("test-bad").replace("providers: [RX7]", "providers: [NOPE]")
    with pytest.raises(InvalidDocument) as info:
        validate_submission(bad_code, database, settings, reference)
    assert info.value.problems[0][0] == "providers"
    guide = (FIXTURES / "guides" / "test-guide-pifu.md").read_text().replace(
        "exemplars: [test-bolton-pifu]", "exemplars: [not-published]")
    with pytest.raises(InvalidDocument) as info:
        validate_submission(guide, database, settings, reference, expected_id="test-guide-pifu")
    assert info.value.problems[0][0] == "exemplars"
    assert doc_store.review_queue(database) == []
