"""Dashboard, change-idea learning counts and case-study drafts, computed from constructed team data."""

from __future__ import annotations

from datetime import date

import pytest

from learnsys.collaboratives.case_study import AdoptedChange, NoSustainedImprovement, draft_case_study
from learnsys.collaboratives.dashboard import CollaborativeData, TeamData, dashboard, dashboard_csv, progress_csv
from learnsys.collaboratives.learning import change_idea_counts, provider_evidence
from learnsys.collaboratives.team_chart import CycleMark, MeasureInfo
from learnsys.corpus.documents import parse_document
from learnsys.corpus.validate import check_document
from learnsys.oversight.spc import month_range

MONTHS = month_range("2025-01", "2025-12")
FLAT = [70.0, 72.0, 71.0, 73.0, 70.0, 72.0, 71.0, 73.0, 70.0, 72.0, 71.0, 73.0]
STEP = [70.0, 72.0, 71.0, 73.0, 70.0, 79.0, 80.0, 81.0, 79.5, 80.5, 81.0, 80.0]  # shift up from June
AE = MeasureInfo("ae_4h", "Four-hour performance", "%", "higher", 78.0)
WAIT = MeasureInfo("wait_min", "Time to initial assessment", "minutes", "lower")


def team(tid: str, ods: str, ae: list[float], decision: str, scores: dict[str, float], reported: set[str]) -> TeamData:
    return TeamData(
        tid, ods, f"Team {tid}",
        values={"ae_4h": dict(zip(MONTHS, ae, strict=True)),
                "wait_min": dict(zip(MONTHS, [20.0 + (i % 2) for i in range(12)], strict=True))},
        cycles=[CycleMark(1, "Streaming at the front door", "2025-05-06", decision, ("ae_4h",), "guide-ed-streaming"),
                CycleMark(2, "SDEC direct referral", "2025-08-01", "abandon", ("wait_min",), "guide-sdec")],
        scores=scores, reported=reported)


def collab(demo: bool = False) -> CollaborativeData:
    return CollaborativeData("c1", "UEC collaborative", "uec", demo, [AE, WAIT], [
        team("a", "RXN", STEP, "adopt", {"2025-11": 2.5, "2025-12": 3.5}, {"2025-11", "2025-12"}),
        team("b", "RWA", FLAT, "adapt", {"2025-11": 2.0}, {"2025-11"}),
    ])


def test_dashboard_rows_categories_counts_and_missing_reports() -> None:
    board = dashboard(collab())
    assert board["month"] == "2025-12" and board["reports_missing"] == ["b"]
    a, b = board["teams"]
    assert (a["team_id"], a["provider"], a["progress_score"]) == ("a", "RXN", 3.5)
    ae_a, ae_b = a["measures"][0], b["measures"][0]
    assert ae_a["variation"] == "special_cause_improvement_high" and ae_b["variation"] == "common_cause"
    assert ae_a["latest"] == 80.0 and ae_a["months"] == 12 and ae_b["assurance"] == "consistently_fail"
    mean = sum(FLAT) / 12
    mr = sum(abs(y - x) for x, y in zip(FLAT, FLAT[1:], strict=False)) / 11
    assert ae_b["ucl"] == round(mean + 2.66 * mr, 4) and ae_b["lcl"] == round(mean - 2.66 * mr, 4)
    assert board["special_cause_improvement"][0] == {"measure_id": "ae_4h", "teams": 1, "of": 2}
    assert board["progress_scores"][0] == {"month": "2025-11", "teams": 2, "min": 2.0, "q1": 2.12, "median": 2.25,
                                           "q3": 2.38, "max": 2.5, "mean": 2.25}
    assert "synthetic" not in board
    rows = dashboard_csv(board).splitlines()
    assert len(rows) == 1 + 4 and rows[1].startswith("real,c1,2025-12,a,Team a,RXN")
    assert progress_csv(board).splitlines()[0] == "data,month,teams,min,q1,median,q3,max,mean"


def test_demo_dashboards_say_synthetic() -> None:
    board = dashboard(collab(demo=True))
    assert "SYNTHETIC" in board["synthetic"] and dashboard_csv(board).splitlines()[1].startswith("SYNTHETIC demo,c1,")


def test_change_idea_counts_and_provider_evidence_exclude_demo() -> None:
    counts = change_idea_counts([collab()])
    streaming = counts["guide-ed-streaming"].to_dict()
    assert (streaming["tested"], streaming["adopted"], streaming["adapted"], streaming["improvement_signal"]) == (
        2, 1, 1, 1)
    assert streaming["summary"] == "tested by 2 teams, adopted by 1, adapted by 1, improvement signal in 1"
    assert counts["guide-sdec"].to_dict()["abandoned"] == 2
    assert change_idea_counts([collab(demo=True)]) == {}
    evidence = provider_evidence([collab()])
    assert list(evidence) == ["RXN"] and evidence["RXN"][0]["topic"] == "uec"
    assert provider_evidence([collab(demo=True)]) == {}


def test_case_study_draft_takes_its_periods_from_the_data_and_passes_corpus_checks() -> None:
    data = collab()
    chart = data.teams[0].chart(AE)
    doc_id, text = draft_case_study(
        collaborative={"title": "UEC collaborative", "priority_area": "uec"},
        team={"id": "a", "name": "Team a", "provider": "RXN", "aim": "Reach 78% by March"},
        provider_name="Lancashire Teaching Hospitals NHS Foundation Trust", chart=chart,
        changes=[AdoptedChange("Streaming at the front door", "adopt", "2025-05-06", "Works", "guide-ed-streaming")],
        source_url="http://127.0.0.1/v1/teams/a/measures/ae_4h/spc", today=date(2026, 1, 5))
    doc = parse_document(text, f"{doc_id}.md")
    metric = doc.metrics[0]
    assert metric["baseline"] == round(sum(STEP[:5]) / 5, 2) and metric["result"] == round(sum(STEP[5:]) / 7, 2)
    assert metric["period"] == "2025-01 to 2025-05 vs 2025-06 to 2025-12"
    notations = {"priority-area": {"uec"}, "method": {"collaborative", "model-for-improvement", "spc"}}
    assert check_document(doc, {"RXN"}, notations) == []
    assert "Streaming at the front door" in doc.body and doc.type == "case-study"
    with pytest.raises(NoSustainedImprovement):
        draft_case_study(collaborative={"title": "C", "priority_area": "uec"},
                         team={"id": "b", "name": "b", "provider": "RWA"}, provider_name="RWA",
                         chart=data.teams[1].chart(AE), changes=[], source_url="http://x")
