"""The search subcommands through the real ``learnsys`` command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from learnsys.cli import main
from learnsys.config import get_settings

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    import shutil

    shutil.copytree(FIXTURES, tmp_path / "corpus")
    monkeypatch.setenv("LEARNSYS_CORPUS_DIR", str(tmp_path / "corpus"))
    monkeypatch.setenv("LEARNSYS_INDEX_DIR", str(tmp_path / "indexes"))
    get_settings.cache_clear()
    yield tmp_path
    get_settings.cache_clear()


def write_beir(folder: Path) -> None:
    (folder / "qrels").mkdir(parents=True)
    docs = [
        {"_id": "d1", "title": "Ambulance handover", "text": "Crews handed patients over within fifteen minutes."},
        {"_id": "d2", "title": "Dermatology follow-up", "text": "Patients book their own review when skin flares."},
        {"_id": "d3", "title": "Theatre lists", "text": "Surgeons planned operating lists six weeks ahead."},
    ]
    (folder / "corpus.jsonl").write_text("\n".join(json.dumps(d) for d in docs) + "\n")
    queries = [
        {"_id": "q1", "text": "ambulance crews waiting at hospital"},
        {"_id": "q2", "text": "skin condition follow-up appointments"},
    ]
    (folder / "queries.jsonl").write_text("\n".join(json.dumps(q) for q in queries) + "\n")
    (folder / "qrels" / "dev.tsv").write_text("query-id\tcorpus-id\tscore\nq1\td1\t1\nq2\td2\t1\n")


def test_eval_beir_json(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write_beir(env / "beir")
    assert main(["eval", "--beir", str(env / "beir"), "--split", "dev", "--mode", "hybrid", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["ndcg@10"] == 1.0 and {"recall@10", "recall@100", "mrr@10"} <= set(result)
    assert main(["eval", "--beir", str(env / "beir"), "--mode", "all"]) == 0  # the only split is picked
    out = capsys.readouterr().out
    assert "bm25" in out and "dense" in out and "hybrid" in out


def test_ingest_search_remove(env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from learnsys.search.build import build_search

    build_search(get_settings())
    source = (FIXTURES / "case-studies" / "test-nwas-handover.md").read_text()
    new = env / "new.md"
    new.write_text(
        source.replace("id: test-nwas-handover", "id: test-cli-doc").replace(
            "Ambulance crews released faster", "Hospital ambulance liaison officers speed release"
        )
    )
    assert main(["ingest", str(new)]) == 0
    assert "ingested test-cli-doc" in capsys.readouterr().out
    assert main(["search", "ambulance liaison officers", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["results"][0]["id"] == "test-cli-doc"
    assert main(["search", "x", "--filter", "region=Y99"]) == 2
    assert main(["remove", "test-cli-doc"]) == 0
    assert main(["remove", "test-cli-doc"]) == 1
    bad = env / "bad.md"
    bad.write_text(source.replace("id: test-nwas-handover", "id: test-bad").replace("[RX7]", "[ZZZ]"))
    assert main(["ingest", str(bad)]) == 1
    assert "providers" in capsys.readouterr().err
