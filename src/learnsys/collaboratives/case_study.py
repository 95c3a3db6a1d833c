"""A team's sustained improvement drafted as a corpus case study (Markdown with front matter).

Everything in the draft comes from the team's own records: its aim, the changes it adopted (PDSA cycles with
decision *adopt* or *adapt*), the measured impact with the periods taken from its chart (the mean before the
sustained shift against the mean during it), and the method. The draft goes to the review queue; a reviewer
publishes it, never this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import yaml

from learnsys.collaboratives.learning import sustained
from learnsys.collaboratives.team_chart import TeamChart
from learnsys.kg.namespaces import slug


class NoSustainedImprovement(ValueError):
    def __init__(self, team: str, measure: str, reason: str):
        super().__init__(f"team {team} has no sustained special-cause improvement on {measure}: {reason}")
        self.team, self.measure = team, measure


@dataclass(frozen=True)
class AdoptedChange:
    change_idea: str
    decision: str
    start: str
    learned: str
    document_id: str | None


def measured_impact(chart: TeamChart) -> dict[str, Any]:
    """Mean before the first sustained shift and mean over the shift, with their periods."""
    if chart.chart is None:
        raise NoSustainedImprovement(chart.team, chart.measure.id, chart.reason or "no chart")
    shifts = sustained(chart)
    if not shifts:
        raise NoSustainedImprovement(chart.team, chart.measure.id,
                                     f"no run of 7 or more months on the good side of the mean ({chart.variation})")
    shift = shifts[-1]
    before = [(m, v) for m, v in chart.series if m < shift.start]
    during = [(m, v) for m, v in chart.series if shift.start <= m <= shift.end]
    if not before:
        raise NoSustainedImprovement(chart.team, chart.measure.id, "the shift starts at the first month")
    mean_before = sum(v for _, v in before) / len(before)
    mean_during = sum(v for _, v in during) / len(during)
    return {
        "baseline": round(mean_before, 2),
        "result": round(mean_during, 2),
        "baseline_period": f"{before[0][0]} to {before[-1][0]}",
        "result_period": f"{shift.start} to {shift.end}",
        "months_sustained": len(during),
    }


def draft_case_study(
    *,
    collaborative: dict[str, Any],
    team: dict[str, Any],
    provider_name: str,
    chart: TeamChart,
    changes: list[AdoptedChange],
    source_url: str,
    today: date | None = None,
    title: str | None = None,
) -> tuple[str, str]:
    """``(document id, Markdown text)`` of the draft, valid for the corpus checks."""
    impact = measured_impact(chart)
    measure = chart.measure
    today = today or date.today()
    doc_id = slug(f"{team['id']}-{measure.id}-collaborative-{today.isoformat()}")
    better = "rose" if measure.direction == "higher" else "fell"
    title = title or (f"{provider_name}: {measure.name.lower()} {better} from {impact['baseline']:g} to "
                      f"{impact['result']:g} {measure.unit} in the {collaborative['title']}")
    adopted = [c for c in changes if c.decision in ("adopt", "adapt")]
    front = {
        "id": doc_id,
        "title": title,
        "type": "case-study",
        "providers": [team["provider"]],
        "priority_areas": [collaborative["priority_area"]],
        "methods": ["collaborative", "model-for-improvement", "spc"],
        "metrics": [{
            "name": measure.name,
            "baseline": impact["baseline"],
            "result": impact["result"],
            "unit": measure.unit,
            "period": f"{impact['baseline_period']} vs {impact['result_period']}",
        }],
        "published": today.isoformat(),
        "sources": [{
            "url": source_url,
            "title": f"{team['name']}: monthly {measure.name} (XmR chart) in learnsys",
            "publisher": f"{provider_name} team, {collaborative['title']} (team-submitted data)",
        }],
        "summary": (
            f"In the {collaborative['title']}, the {team['name']} team at {provider_name} tested "
            f"{len(changes)} change idea{'s' if len(changes) != 1 else ''} in PDSA cycles and kept {len(adopted)}. "
            f"Its monthly {measure.name.lower()} showed sustained special-cause improvement: a mean of "
            f"{impact['baseline']:g} {measure.unit} over {impact['baseline_period']} against "
            f"{impact['result']:g} {measure.unit} over {impact['result_period']}."
        ),
    }
    lines = [
        "## Aim", "", team.get("aim") or f"Improve {measure.name.lower()}.", "",
        "## Changes adopted", "",
        *([f"- **{c.change_idea}** ({c.decision}, from {c.start})"
           + (f": {c.learned}" if c.learned else "")
           + (f" Change idea from `{c.document_id}`." if c.document_id else "") for c in adopted]
          or ["- None recorded as adopted."]),
        "",
        "## Measured impact", "",
        f"{measure.name} ({measure.unit}; {'higher' if measure.direction == 'higher' else 'lower'} is better): "
        f"mean {impact['baseline']:g} over {impact['baseline_period']}, then {impact['result']:g} over "
        f"{impact['result_period']} ({impact['months_sustained']} months on the improving side of the mean, a "
        f"Making Data Count shift). Process limits now {chart.chart.lcl:.2f} to {chart.chart.ucl:.2f}"
        + (f"; target {chart.target:g} ({chart.assurance})." if chart.target is not None else "."),
        "",
        "## Methods", "",
        "Monthly data on an XmR chart (Making Data Count rules), structured PDSA cycles with a recorded "
        "prediction and decision, and monthly reports with an IHI progress score, within a structured "
        "improvement collaborative. Drafted by learnsys from the team's own records; checked by a reviewer "
        "before publication.",
    ]
    text = "---\n" + yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=110) + "---\n\n" + \
        "\n".join(lines) + "\n"
    return doc_id, text
