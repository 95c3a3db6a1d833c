"""Validation of the collaborative's shapes: the field is named in every refusal."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from learnsys.collaboratives.model import CollaborativeSpec, CycleSpec, FeedbackSpec, MeasureSpec, ReportSpec

MEASURE = {"id": "ae_4h", "name": "Four hours", "type": "outcome", "unit": "%", "direction": "higher",
           "definition": "Attendances within four hours"}


@pytest.mark.parametrize("score", [1, 1.5, 3.0, 4.5, 5])
def test_progress_scores_in_half_steps_are_accepted(score: float) -> None:
    assert ReportSpec(month="2025-04", progress_score=score, narrative="ok").progress_score == score


@pytest.mark.parametrize("score", [0.5, 5.5, 2.25, 3.1])
def test_other_progress_scores_are_refused_naming_the_field(score: float) -> None:
    with pytest.raises(ValidationError) as err:
        ReportSpec(month="2025-04", progress_score=score, narrative="ok")
    assert err.value.errors()[0]["loc"] == ("progress_score",)
    with pytest.raises(ValidationError):
        FeedbackSpec(text="good", progress_score=score)


def test_report_month_must_be_yyyy_mm() -> None:
    with pytest.raises(ValidationError) as err:
        ReportSpec(month="April 2025", progress_score=2, narrative="ok")
    assert err.value.errors()[0]["loc"] == ("month",)


def test_cycle_decision_is_adopt_adapt_or_abandon() -> None:
    base = {"change_idea": "Streaming", "plan": "Try it", "start": "2025-03-01"}
    assert CycleSpec(**base, decision="adapt").decision == "adapt"
    assert CycleSpec(**base).decision is None
    with pytest.raises(ValidationError) as err:
        CycleSpec(**base, decision="keep")
    assert err.value.errors()[0]["loc"] == ("decision",)
    with pytest.raises(ValidationError):
        CycleSpec(**base, end="2025-02-01")


def test_measures_need_an_operational_definition_and_unique_ids() -> None:
    with pytest.raises(ValidationError) as err:
        MeasureSpec(**{**MEASURE, "definition": ""})
    assert err.value.errors()[0]["loc"] == ("definition",)
    with pytest.raises(ValidationError):
        MeasureSpec(**{**MEASURE, "target": 120})
    with pytest.raises(ValidationError, match="duplicate measure id ae_4h"):
        CollaborativeSpec(id="c1", title="C", priority_area="uec", start="2025-01-01", measures=[MEASURE, MEASURE])
