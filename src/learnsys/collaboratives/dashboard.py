"""The faculty dashboard: every team x measure with its latest value, variation and assurance, the latest
progress score, reports missing for the month, teams in special-cause improvement per measure, and the
spread of progress scores over time. Computed from a ``CollaborativeData`` snapshot (no database here).
"""

from __future__ import annotations

import csv
import io
import statistics
from dataclasses import dataclass, field
from typing import Any

from learnsys.collaboratives.model import SYNTHETIC_NOTE
from learnsys.collaboratives.team_chart import CycleMark, MeasureInfo, TeamChart, team_chart
from learnsys.oversight.spc import SpcRules


@dataclass
class TeamData:
    id: str
    provider: str
    name: str
    provider_name: str = ""
    wave: int | None = None
    targets: dict[str, float] = field(default_factory=dict)
    values: dict[str, dict[str, float]] = field(default_factory=dict)  # measure -> month -> value
    cycles: list[CycleMark] = field(default_factory=list)
    change_points: dict[str, list[dict[str, str]]] = field(default_factory=dict)  # measure -> [{month, reason}]
    scores: dict[str, float] = field(default_factory=dict)  # month -> progress score (faculty's if agreed)
    reported: set[str] = field(default_factory=set)  # months with a submitted report

    def chart(self, measure: MeasureInfo, rules: SpcRules | None = None) -> TeamChart:
        return team_chart(self.id, measure, self.values.get(measure.id, {}), cycles=self.cycles,
                          change_points=self.change_points.get(measure.id), team_target=self.targets.get(measure.id),
                          rules=rules)


@dataclass
class CollaborativeData:
    id: str
    title: str
    priority_area: str
    demo: bool
    measures: list[MeasureInfo]
    teams: list[TeamData]

    def measure(self, measure_id: str) -> MeasureInfo:
        for m in self.measures:
            if m.id == measure_id:
                return m
        raise KeyError(measure_id)


def improving(variation: str | None) -> bool:
    return bool(variation and variation.startswith("special_cause_improvement"))


def reporting_month(data: CollaborativeData) -> str | None:
    """The latest month any team has a value or a report for (the month the dashboard is about)."""
    months = [m for t in data.teams for v in t.values.values() for m in v] + [m for t in data.teams for m in t.reported]
    return max(months) if months else None


def _spread(scores: list[float]) -> dict[str, Any]:
    scores = sorted(scores)
    q = statistics.quantiles(scores, n=4, method="inclusive") if len(scores) > 1 else [scores[0]] * 3
    return {"teams": len(scores), "min": scores[0], "q1": round(q[0], 2), "median": statistics.median(scores),
            "q3": round(q[2], 2), "max": scores[-1], "mean": round(statistics.fmean(scores), 2)}


def dashboard(data: CollaborativeData, month: str | None = None, rules: SpcRules | None = None) -> dict[str, Any]:
    """The ``GET /v1/collaboratives/{id}/dashboard`` body."""
    month = month or reporting_month(data)
    teams, improving_count = [], {m.id: 0 for m in data.measures}
    for team in sorted(data.teams, key=lambda t: (t.wave or 0, t.id)):
        rows = []
        for measure in data.measures:
            tc = team.chart(measure, rules)
            latest = tc.series[-1] if tc.series else None
            row = {
                "measure_id": measure.id,
                "latest": latest[1] if latest else None,
                "latest_month": latest[0] if latest else None,
                "variation": tc.variation,
                "assurance": tc.assurance,
                "months": tc.months,
                "target": tc.target,
            }
            if tc.chart is not None:
                row.update(mean=round(tc.chart.mean, 4), ucl=round(tc.chart.ucl, 4), lcl=round(tc.chart.lcl, 4))
            else:
                row["reason"] = tc.reason
            if improving(tc.variation):
                improving_count[measure.id] += 1
            rows.append(row)
        scored = sorted(team.scores)
        teams.append({
            "team_id": team.id,
            "name": team.name,
            "provider": team.provider,
            "provider_name": team.provider_name,
            "wave": team.wave,
            "progress_score": team.scores[scored[-1]] if scored else None,
            "progress_score_month": scored[-1] if scored else None,
            "report_submitted": month in team.reported if month else False,
            "cycles": len(team.cycles),
            "measures": rows,
        })
    by_month: dict[str, list[float]] = {}
    for team in data.teams:
        for m, score in team.scores.items():
            by_month.setdefault(m, []).append(score)
    out: dict[str, Any] = {
        "collaborative": {"id": data.id, "title": data.title, "priority_area": data.priority_area, "demo": data.demo},
        "month": month,
        "measures": [vars(m).copy() for m in data.measures],
        "teams": teams,
        "special_cause_improvement": [
            {"measure_id": m.id, "teams": improving_count[m.id], "of": len(data.teams)} for m in data.measures
        ],
        "progress_scores": [{"month": m, **_spread(s)} for m, s in sorted(by_month.items())],
        "reports_missing": [t["team_id"] for t in teams if month and not t["report_submitted"]],
    }
    if data.demo:
        out["synthetic"] = SYNTHETIC_NOTE
    return out


def dashboard_csv(board: dict[str, Any]) -> str:
    """One row per team x measure, for the programme office."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    data = "SYNTHETIC demo" if board.get("synthetic") else "real"
    writer.writerow(["data", "collaborative", "month", "team_id", "team", "provider", "wave", "progress_score",
                     "report_submitted", "measure_id", "latest", "latest_month", "months", "variation", "assurance",
                     "mean", "ucl", "lcl", "target"])
    for team in board["teams"]:
        for m in team["measures"]:
            writer.writerow([data, board["collaborative"]["id"], board["month"] or "", team["team_id"], team["name"],
                             team["provider"], team["wave"] or "", _cell(team["progress_score"]),
                             "yes" if team["report_submitted"] else "no", m["measure_id"], _cell(m["latest"]),
                             m["latest_month"] or "", m["months"], m["variation"] or "", m["assurance"] or "",
                             _cell(m.get("mean")), _cell(m.get("ucl")), _cell(m.get("lcl")), _cell(m["target"])])
    return buffer.getvalue()


def progress_csv(board: dict[str, Any]) -> str:
    """The spread of progress scores per month."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    data = "SYNTHETIC demo" if board.get("synthetic") else "real"
    keys = ["month", "teams", "min", "q1", "median", "q3", "max", "mean"]
    writer.writerow(["data", *keys])
    for row in board["progress_scores"]:
        writer.writerow([data, *(row[k] for k in keys)])
    return buffer.getvalue()


def _cell(value: Any) -> str:
    return "" if value is None else f"{value:.10g}" if isinstance(value, float) else str(value)
