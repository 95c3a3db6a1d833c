"""The oversight subcommands of ``learnsys``."""

from __future__ import annotations

import json

from learnsys.cli import main


def test_score_validate(capsys) -> None:
    assert main(["score", "--validate"]) == 0
    body = json.loads(capsys.readouterr().out)
    assert body["n"] == 134 and body["spearman"] >= 0.9 and body["exact_segment_share"] >= 0.8


def test_signals_and_spc(capsys, tmp_path) -> None:
    assert main(["signals", "--start", "2024-06", "--end", "2025-07", "--current-only"]) == 0
    assert "RHU" in capsys.readouterr().out
    svg = tmp_path / "chart.svg"
    assert main(["spc", "RHU", "ae_4h_all", "--start", "2024-06", "--end", "2025-07", "--svg", str(svg)]) == 0
    assert json.loads(capsys.readouterr().out)["metric"] == "ae_4h_all" and svg.read_text().startswith("<svg")
    assert main(["spc", "RHU", "ae_4h_all", "--start", "2025-01"]) == 2
    assert "too short" in capsys.readouterr().err


def test_variation_csv(capsys) -> None:
    assert main(["variation", "ae_4h_all", "--period", "2025-07"]) == 0
    assert capsys.readouterr().out.startswith("provider,name,")
