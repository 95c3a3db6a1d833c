"""What the collaboratives learned, fed back: per change idea (the corpus document a PDSA cycle came from),
how many teams tested it, adopted, adapted or abandoned it, and in how many teams a measure the cycle should
move then showed special-cause improvement; and per provider, sustained improvement on a topic.

These are the small, separate hooks search and buddy matching call for ranking evidence. Demonstration
collaboratives never count.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from learnsys.collaboratives.dashboard import CollaborativeData, TeamData
from learnsys.collaboratives.team_chart import TeamChart
from learnsys.oversight.spc import SpcRules


@dataclass
class ChangeIdeaCounts:
    document_id: str
    tested: set[str] = field(default_factory=set)  # team ids
    adopted: set[str] = field(default_factory=set)
    adapted: set[str] = field(default_factory=set)
    abandoned: set[str] = field(default_factory=set)
    improved: set[str] = field(default_factory=set)
    collaboratives: set[str] = field(default_factory=set)

    def to_dict(self) -> dict[str, Any]:
        return {
            "document_id": self.document_id,
            "tested": len(self.tested),
            "adopted": len(self.adopted),
            "adapted": len(self.adapted),
            "abandoned": len(self.abandoned),
            "improvement_signal": len(self.improved),
            "collaboratives": sorted(self.collaboratives),
            "summary": summary_sentence(self),
        }


def summary_sentence(c: ChangeIdeaCounts) -> str:
    parts = [f"tested by {len(c.tested)} team{'s' if len(c.tested) != 1 else ''}", f"adopted by {len(c.adopted)}"]
    if c.adapted:
        parts.append(f"adapted by {len(c.adapted)}")
    if c.abandoned:
        parts.append(f"abandoned by {len(c.abandoned)}")
    parts.append(f"improvement signal in {len(c.improved)}")
    return ", ".join(parts)


def improved_after(chart: TeamChart, month: str) -> bool:
    """A special-cause improvement signal on the chart that is still running at or after ``month``."""
    return any(s.end >= month for s in chart.improvement_signals())


def sustained(chart: TeamChart) -> list[Any]:
    """Sustained special-cause improvement: a ``shift`` (7+ months on the good side of the mean)."""
    return [s for s in chart.improvement_signals() if s.rule == "shift"]


def _charts(collab: CollaborativeData, team: TeamData, rules: SpcRules | None) -> dict[str, TeamChart]:
    return {m.id: team.chart(m, rules) for m in collab.measures}


def change_idea_counts(
    collaboratives: Iterable[CollaborativeData], rules: SpcRules | None = None
) -> dict[str, ChangeIdeaCounts]:
    """Counts per corpus document id over every non-demo collaborative."""
    out: dict[str, ChangeIdeaCounts] = {}
    for collab in collaboratives:
        if collab.demo:
            continue
        for team in collab.teams:
            linked = [c for c in team.cycles if getattr(c, "document_id", None)]
            if not linked:
                continue
            charts = _charts(collab, team, rules)
            for cycle in linked:
                counts = out.setdefault(cycle.document_id, ChangeIdeaCounts(cycle.document_id))
                counts.tested.add(team.id)
                counts.collaboratives.add(collab.id)
                if cycle.decision == "adopt":
                    counts.adopted.add(team.id)
                elif cycle.decision == "adapt":
                    counts.adapted.add(team.id)
                elif cycle.decision == "abandon":
                    counts.abandoned.add(team.id)
                for measure in cycle.measures or tuple(charts):
                    if measure in charts and improved_after(charts[measure], cycle.month):
                        counts.improved.add(team.id)
    return out


def provider_evidence(
    collaboratives: Iterable[CollaborativeData], rules: SpcRules | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Per provider ODS code: the topics (priority areas) on which its team sustained special-cause
    improvement, with the measure and the months. Strong evidence for search and buddy ranking."""
    out: dict[str, list[dict[str, Any]]] = {}
    for collab in collaboratives:
        if collab.demo:
            continue
        for team in collab.teams:
            for measure_id, chart in _charts(collab, team, rules).items():
                for signal in sustained(chart):
                    out.setdefault(team.provider, []).append({
                        "topic": collab.priority_area, "collaborative": collab.id, "team_id": team.id,
                        "measure_id": measure_id, "start": signal.start, "end": signal.end,
                    })
    return out
