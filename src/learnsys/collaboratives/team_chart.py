"""A team's XmR chart on one measure: ``oversight.spc`` (the one SPC implementation), PDSA cycles marked,
limits rebased at the change points the team declared, variation and assurance against the team's target.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from learnsys.oversight.charts import ChartMarker, render_svg
from learnsys.oversight.spc import SeriesTooShort, SpcChart, SpcRules, xmr_rebased


@dataclass(frozen=True)
class MeasureInfo:
    id: str
    name: str
    unit: str
    direction: str
    target: float | None = None


@dataclass(frozen=True)
class CycleMark:
    number: int
    change_idea: str
    start: str  # YYYY-MM-DD
    decision: str | None
    measures: tuple[str, ...] = ()
    document_id: str | None = None

    @property
    def month(self) -> str:
        return self.start[:7]


@dataclass
class TeamChart:
    team: str
    measure: MeasureInfo
    months: int
    target: float | None
    target_source: str | None
    chart: SpcChart | None
    cycles: list[CycleMark]
    change_points: list[dict[str, str]]
    reason: str | None = None  # why there is no chart (too few months)
    series: list[tuple[str, float]] = field(default_factory=list)

    @property
    def variation(self) -> str | None:
        return self.chart.variation if self.chart else None

    @property
    def assurance(self) -> str | None:
        return self.chart.assurance if self.chart else None

    def improvement_signals(self) -> list[Any]:
        return [s for s in self.chart.signals if s.direction == "improvement"] if self.chart else []

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "team_id": self.team,
            "measure": vars(self.measure).copy(),
            "months": self.months,
            "target": self.target,
            "target_source": self.target_source,
            "variation": self.variation,
            "assurance": self.assurance,
            "cycles": [
                {"number": c.number, "change_idea": c.change_idea, "start": c.start, "month": c.month,
                 "decision": c.decision, "document_id": c.document_id}
                for c in self.cycles
            ],
            "change_points": self.change_points,
            "series": [{"month": m, "value": v} for m, v in self.series],
        }
        if self.chart is None:
            out["chart"] = None
            out["reason"] = self.reason
        else:
            chart = self.chart.to_dict()
            chart.pop("provider", None)
            chart["rules"] = vars(self.chart.rules).copy()
            out["chart"] = chart
        return out

    def svg(self, title: str = "") -> str | None:
        if self.chart is None:
            return None
        markers = [ChartMarker(c.month, f"PDSA {c.number}") for c in self.cycles]
        markers += [ChartMarker(cp["month"], "rebased") for cp in self.change_points]
        return render_svg(self.chart, title or f"{self.team}: {self.measure.name}", markers=markers)


def team_chart(
    team: str,
    measure: MeasureInfo,
    values: dict[str, float],
    *,
    cycles: list[CycleMark] | None = None,
    change_points: list[dict[str, str]] | None = None,
    team_target: float | None = None,
    rules: SpcRules | None = None,
) -> TeamChart:
    """The chart, or a ``TeamChart`` with ``chart=None`` and the reason when the series is too short."""
    months = sorted(values)
    series = [(m, values[m]) for m in months]
    target, source = (team_target, "team aim") if team_target is not None else (
        (measure.target, "collaborative measure") if measure.target is not None else (None, None))
    cps = sorted(change_points or [], key=lambda c: c["month"])
    linked = [c for c in cycles or [] if not c.measures or measure.id in c.measures]
    base = TeamChart(team, measure, len(months), target, source, None, linked, cps, series=series)
    try:
        base.chart = xmr_rebased(
            months, [values[m] for m in months], [c["month"] for c in cps], target=target, rules=rules,
            provider=team, metric=measure.id, unit=measure.unit, direction=measure.direction,
            target_source=source,
        )
    except SeriesTooShort as exc:
        base.reason = str(exc)
    return base
