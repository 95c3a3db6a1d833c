"""The synthetic UEC demonstration collaborative, so a newcomer sees a working dashboard.

The trusts are real (wave 1 of learnsys's own UEC wave plan, real ODS codes), the measures and change ideas
are taken from the UEC how-to guides in ``corpus/guides``, and every value, cycle and report is generated
here from a fixed seed. The collaborative is flagged ``demo`` and labelled SYNTHETIC in its title, its
team names and every response that uses it; demo collaboratives never count as ranking evidence.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from learnsys.collaboratives.model import (
    SYNTHETIC_NOTE,
    CollaborativeSpec,
    CycleSpec,
    MeasureSpec,
    ReportSpec,
    TeamSpec,
)
from learnsys.oversight.metrics import PLANNING_2025_26
from learnsys.oversight.spc import month_range

DEMO_ID = "demo-uec-wave-1"
FIRST_MONTH, LAST_MONTH = "2025-06", "2026-05"

MEASURES = [
    MeasureSpec(id="ae_4h_all", name="A&E attendances within four hours (all types)", type="outcome", unit="%",
                direction="higher", target=78.0, source_document="guide-ed-streaming-initial-assessment",
                definition="Attendances admitted, transferred or discharged within four hours of arrival, all "
                           "A&E types, as in the monthly A&E return. Target from " + PLANNING_2025_26 + ".",
                numerator="attendances with a total time in A&E of four hours or less",
                denominator="all A&E attendances in the month"),
    MeasureSpec(id="handover_30min", name="Ambulance handovers within 30 minutes", type="process", unit="%",
                direction="higher", source_document="guide-ambulance-handover",
                definition="Conveyances handed over from arrival to clinical handover in 30 minutes or less.",
                numerator="handovers within 30 minutes", denominator="all ambulance conveyances with a handover time"),
    MeasureSpec(id="initial_assessment_min", name="Time from arrival to initial assessment", type="process",
                unit="minutes", direction="lower", source_document="guide-ed-streaming-initial-assessment",
                definition="Median minutes from arrival to initial assessment (streaming or triage), type 1 ED."),
    MeasureSpec(id="stay_12h_pct", name="Type 1 attendances staying 12 hours or more", type="outcome", unit="%",
                direction="lower", source_document="guide-reducing-12-hour-waits-corridor-care",
                definition="Type 1 attendances whose time in the department from arrival was 12 hours or more.",
                numerator="type 1 attendances with a stay of 12 hours or more from arrival",
                denominator="all type 1 attendances"),
    MeasureSpec(id="sdec_share_pct", name="Emergency admissions managed as same day emergency care", type="process",
                unit="%", direction="higher", source_document="guide-same-day-emergency-care",
                definition="Adult emergency admissions with a zero-day stay managed on an SDEC pathway.",
                numerator="zero-day SDEC episodes", denominator="adult emergency admissions"),
    MeasureSpec(id="reattend_72h_pct", name="Re-attendance within 72 hours after redirection", type="balancing",
                unit="%", direction="lower", source_document="guide-ed-streaming-initial-assessment",
                definition="Patients redirected at the front door who re-attend the ED within 72 hours.",
                numerator="redirected patients re-attending within 72 hours", denominator="redirected patients"),
]

# (change idea, guide it comes from, measures it should move)
CHANGE_IDEAS = [
    ("Senior decision-maker at the front door for rapid assessment", "guide-ambulance-handover",
     ("handover_30min", "initial_assessment_min")),
    ("Clinician streaming within minutes of arrival with written criteria", "guide-ed-streaming-initial-assessment",
     ("initial_assessment_min", "ae_4h_all")),
    ("Direct referral routes into SDEC from ED streaming, GPs and ambulance clinicians",
     "guide-same-day-emergency-care", ("sdec_share_pct", "ae_4h_all")),
    ("Keep SDEC trolleys and chairs free of inpatients when the hospital is full", "guide-same-day-emergency-care",
     ("sdec_share_pct",)),
    ("Red and green days at every board round", "guide-patient-flow-safer-red-to-green", ("stay_12h_pct",)),
    ("Hospital-wide full capacity protocol", "guide-reducing-12-hour-waits-corridor-care",
     ("stay_12h_pct", "ae_4h_all")),
]

# baseline range and month-to-month noise of each measure (synthetic but plausible)
SHAPES = {
    "ae_4h_all": ((66.0, 76.0), 1.4),
    "handover_30min": ((55.0, 80.0), 3.0),
    "initial_assessment_min": ((14.0, 32.0), 2.0),
    "stay_12h_pct": ((6.0, 14.0), 0.9),
    "sdec_share_pct": ((22.0, 38.0), 1.8),
    "reattend_72h_pct": ((3.0, 6.0), 0.45),
}


@dataclass
class DemoTeam:
    spec: TeamSpec
    values: dict[str, dict[str, float]]
    cycles: list[CycleSpec]
    reports: list[ReportSpec]


@dataclass
class DemoCollaborative:
    spec: CollaborativeSpec
    teams: list[DemoTeam] = field(default_factory=list)


def _rng(ods: str) -> random.Random:
    return random.Random(int(hashlib.sha256(f"learnsys-demo:{ods}".encode()).hexdigest()[:12], 16))


def _clip(measure: MeasureSpec, value: float) -> float:
    return round(min(100.0, max(0.0, value)) if measure.unit == "%" else max(0.0, value), 1)


def demo_collaborative(wave: dict[str, Any], region: str = "national") -> DemoCollaborative:
    """A demo collaborative for one planned wave (``plan_waves(...)["waves"][0]``)."""
    months = month_range(FIRST_MONTH, LAST_MONTH)
    spec = CollaborativeSpec(
        id=DEMO_ID,
        title=f"[SYNTHETIC DEMO] Urgent and emergency care collaborative, wave {wave['number']}",
        priority_area="uec",
        region=region,
        aim=f"{SYNTHETIC_NOTE} Illustrative aim: 78% of A&E patients within four hours by March 2026.",
        start=date(2025, 6, 1),
        end=date(2026, 5, 31),
        change_package=sorted({doc for _, doc, _ in CHANGE_IDEAS}),
        measures=MEASURES,
        faculty=[f"{f['name']} ({f['ods']})" for f in wave.get("faculty", [])],
        demo=True,
    )
    out = DemoCollaborative(spec)
    for member in wave["members"]:
        out.teams.append(_team(member, wave["number"], months))
    return out


def _team(member: dict[str, Any], wave: int, months: list[str]) -> DemoTeam:
    rng = _rng(member["ods"])
    ods = member["ods"]
    responder = rng.random() < 0.6  # about six teams in ten see a sustained effect from an adopted change
    ideas = rng.sample(CHANGE_IDEAS, 2)
    starts = [rng.randint(2, 4), rng.randint(5, 7)]
    decisions = ["adopt" if responder else rng.choice(["adapt", "abandon"]), rng.choice(["adopt", "adapt", "abandon"])]
    effects: dict[str, int] = {}  # measure -> month index the effect starts
    cycles = []
    for (idea, doc, measures), start, decision in zip(ideas, starts, decisions, strict=True):
        cycles.append(CycleSpec(
            change_idea=idea, document_id=doc, start=date.fromisoformat(f"{months[start]}-05"),
            end=date.fromisoformat(f"{months[start]}-26"),
            plan=f"Test '{idea.lower()}' on weekday day shifts for three weeks (synthetic demo cycle).",
            prediction="The linked measures move in the good direction within a month (synthetic).",
            did="Ran as planned on most days (synthetic).",
            learned="Worked best with a named lead each shift (synthetic)." if decision != "abandon"
            else "Could not staff it reliably (synthetic).",
            decision=decision, measures=list(measures)))
        if decision in ("adopt", "adapt") and (responder or decision == "adopt"):
            for m in measures:
                effects.setdefault(m, start + 1)
    values: dict[str, dict[str, float]] = {}
    for measure in MEASURES:
        (lo, hi), noise = SHAPES[measure.id]
        base = rng.uniform(lo, hi)
        sign = 1 if measure.direction == "higher" else -1
        size = rng.uniform(2.5, 4.0) * noise * sign
        series = {}
        for i, month in enumerate(months):
            step = size if measure.id in effects and i >= effects[measure.id] else 0.0
            series[month] = _clip(measure, base + step + rng.gauss(0, noise))
        values[measure.id] = series
    score = 1.5
    reports = []
    for i, month in enumerate(months):
        if i and rng.random() < 0.35:
            score = min(4.5 if responder else 3.0, score + 0.5)
        if month == months[-1] and rng.random() < 0.2:
            continue  # a few teams have not reported this month yet
        reports.append(ReportSpec(month=month, progress_score=score,
                                  narrative=f"Synthetic demo report for {month}: cycles on "
                                            f"{ideas[0][0].lower()} and {ideas[1][0].lower()}."))
    team = TeamSpec(
        id=f"demo-{ods.lower()}", provider=ods, name=f"{member['name']} UEC team (synthetic demo)",
        sponsor=None, members=[], aim="Synthetic demo aim: reach 78% within four hours.", wave=wave)
    return DemoTeam(team, values, cycles, reports)
