"""The three commands through ``learnsys.cli.main`` on the shipped data."""

from __future__ import annotations

import csv
import io
import json

from learnsys.cli import main


def test_buddies_assign_plan(capsys, tmp_path):
    assert main(["buddies", "rwa", "--topic", "UEC", "--k", "2", "--json"]) == 0
    ranked = json.loads(capsys.readouterr().out)
    assert ranked["provider"]["ods"] == "RWA" and len(ranked["buddies"]) == 2

    assert main(["assign", "--scope", "Y62", "--topic", "elective", "--capacity", "2", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and {r["status"] for r in rows} <= {"paired", "unmatched"}

    triples = tmp_path / "plan.nt"
    assert main(["plan", "--topic", "uec", "--wave-size", "33", "--waves", "3", "--ntriples", str(triples)]) == 0
    out = capsys.readouterr().out
    assert "wave 1: 33 trusts" in out and triples.read_bytes().count(b"CollaborativeWave") == 3

    assert main(["buddies", "ZZZ", "--topic", "uec"]) == 2
    assert "no provider" in capsys.readouterr().err
