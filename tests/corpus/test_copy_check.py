"""scripts/copy_check.py finds runs of 10+ words shared with a saved source, ignoring case and punctuation."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from learnsys.config import REPO_ROOT

SCRIPT = REPO_ROOT / "scripts" / "copy_check.py"
DOC = """---
id: copied
title: "A case"
type: case-study
priority_areas: [uec]
sources: []
summary: "Short."
---
The trust opened a Same-Day Emergency Care (SDEC) unit, which saw more patients than expected in its first year
of operation. Nothing else here matches the source at all, even though it mentions the same emergency care unit.
"""
SOURCE = ("In 2023 the trust opened a same day emergency care SDEC unit which saw more patients than expected in "
          "its first year. Staff said the emergency care unit was busy.")


def run(tmp_path: Path, *extra: str) -> subprocess.CompletedProcess[str]:
    (tmp_path / "copied.md").write_text(DOC, encoding="utf-8")
    (tmp_path / "sources").mkdir(exist_ok=True)
    (tmp_path / "sources" / "news.txt").write_text(SOURCE, encoding="utf-8")
    return subprocess.run([sys.executable, str(SCRIPT), "--sources", str(tmp_path / "sources"), *extra,
                           str(tmp_path / "copied.md")], capture_output=True, text=True, check=False)


def test_reports_the_shared_run(tmp_path: Path) -> None:
    result = run(tmp_path)
    assert result.returncode == 1
    lines = result.stdout.strip().splitlines()
    assert lines == ["copied\tnews.txt\t20\tthe trust opened a same day emergency care sdec unit which saw more "
                     "patients than expected in its first year"]


def test_shorter_runs_pass(tmp_path: Path) -> None:
    result = run(tmp_path, "--min", "21")
    assert result.returncode == 0 and result.stdout == ""
    assert "0 run(s) of 21+ shared words in 1 document(s) against 1 source text(s)" in result.stderr
