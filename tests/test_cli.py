"""The CLI commands as a user runs them (real subprocesses)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from learnsys.config import REPO_ROOT
from learnsys.corpus.documents import load_corpus


def run(args: list[str], index_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "LEARNSYS_INDEX_DIR": str(index_dir), **env}
    return subprocess.run([sys.executable, "-m", "learnsys.cli", *args], capture_output=True, text=True,
                          env=environment, cwd=REPO_ROOT, timeout=600)


def test_sparql_command(services, index_dir: Path) -> None:
    out = run(["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?r a ls:Region }", "--format", "json"], index_dir)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout)["results"]["bindings"][0]["n"]["value"] == "7"


def test_sparql_command_rejects_bad_query(services, index_dir: Path) -> None:
    out = run(["sparql", "SELECT WHERE"], index_dir)
    assert out.returncode == 2 and "syntax" in out.stderr.lower()


def test_validate_conforms_on_shipped_data(services, index_dir: Path) -> None:
    out = run(["validate"], index_dir)
    assert out.returncode == 0, out.stdout[-3000:] + out.stderr[-3000:]
    assert out.stdout.strip().splitlines()[-1].startswith("conforms")


def test_validate_reports_bad_corpus_file_with_line(tmp_path: Path, index_dir: Path) -> None:
    corpus = tmp_path / "corpus"
    (corpus / "case-studies").mkdir(parents=True)
    (corpus / "guides").mkdir()
    (corpus / "case-studies" / "bad-doc.md").write_text(
        "---\nid: bad-doc\ntitle: Bad\ntype: case-study\nproviders: [ZZZ]\npriority_areas: [uec]\n"
        "published: 2024-01-01\nsummary: x\nsources: []\n---\nbody\n")
    out = run(["validate", "--corpus-only"], index_dir, LEARNSYS_CORPUS_DIR=str(corpus))
    assert out.returncode == 1
    assert f"{corpus / 'case-studies' / 'bad-doc.md'}:5: unknown ODS code 'ZZZ'" in out.stdout
    assert "bad-doc.md:9: at least one source" in out.stdout


def test_corpus_stats(services, index_dir: Path) -> None:
    out = run(["corpus", "stats", "--json"], index_dir)
    stats = json.loads(out.stdout)
    # the corpus folder's documents (the served set may also hold documents published through the store)
    assert stats["documents"] == len(load_corpus(services.settings.corpus_dir)[0])
    assert set(stats["by_type"]) == {"case-study", "guide"}


def test_nof_import_adds_a_new_quarter_in_one_command(tmp_path: Path) -> None:
    """A later quarter's NOF file in the published format becomes official assessments in the graph."""
    import shutil

    data_dir = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data" / "reference", data_dir)
    new = tmp_path / "nhs-oversight-framework-acute-trust-data-q2-2026-27.csv"
    shutil.copy(data_dir / "nof" / "nhs-oversight-framework-acute-trust-data-q1-2025-26.csv", new)
    index_dir = tmp_path / "indexes"
    out = run(["nof-import", str(new)], index_dir, LEARNSYS_DATA_DIR=str(data_dir))
    assert out.returncode == 0, out.stderr[-2000:]
    assert (data_dir / "nof" / new.name).exists()
    query = ("SELECT (COUNT(*) AS ?n) WHERE { ?a a ls:OversightAssessment ; ls:official true ; "
             "ls:period \"2026/27 Q2\" }")
    counted = run(["sparql", query, "--format", "json"], index_dir, LEARNSYS_DATA_DIR=str(data_dir))
    assert json.loads(counted.stdout)["results"]["bindings"][0]["n"]["value"] == "134"


def test_nof_import_refuses_a_bad_file_and_changes_nothing(tmp_path: Path) -> None:
    import shutil

    data_dir = tmp_path / "data"
    shutil.copytree(REPO_ROOT / "data" / "reference", data_dir)
    before = sorted(p.name for p in (data_dir / "nof").iterdir())
    bad = tmp_path / "nof-q3-2026-27.csv"
    lines = (data_dir / "nof" / "nhs-oversight-framework-acute-trust-data-q1-2025-26.csv").read_text(
        encoding="utf-8-sig").splitlines()
    bad.write_text("\n".join([lines[0], lines[1].replace("percent,", "percent,not-a-number,", 1)]) + "\n")
    out = run(["nof-import", str(bad)], tmp_path / "indexes", LEARNSYS_DATA_DIR=str(data_dir))
    assert out.returncode == 1 and f"{bad}:2:" in out.stderr
    assert sorted(p.name for p in (data_dir / "nof").iterdir()) == before
