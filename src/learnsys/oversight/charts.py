"""An XmR chart as a standalone SVG (no plotting library needed)."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from learnsys.oversight.spc import SpcChart, month_range

COLOURS = {
    "common": "#768692",
    "improvement": "#41B6E6",
    "concern": "#ED8B00",
    "neutral": "#330072",
    "mean": "#231f20",
    "limit": "#425563",
    "target": "#DA291C",
    "marker": "#005EB8",
}


@dataclass(frozen=True)
class ChartMarker:
    """A dated annotation drawn as a vertical line (e.g. a PDSA cycle starting in ``period``)."""

    period: str
    label: str


def _point_colour(chart: SpcChart, index: int) -> str:
    point = chart.points[index]
    if not point.special_cause:
        return COLOURS["common"]
    kinds = {s.direction for s in chart.signals if point.period in s.periods}
    for kind in ("concern", "improvement", "neutral"):
        if kind in kinds:
            return COLOURS[kind]
    return COLOURS["common"]


def render_svg(
    chart: SpcChart,
    title: str = "",
    width: int = 760,
    height: int = 360,
    markers: list[ChartMarker] | None = None,
) -> str:
    """Points, mean, process limits (per phase when rebased), target, special-cause colouring, gaps as breaks
    in the line, and optional dated markers."""
    left, right, top, bottom = 64, 20, 40, 56
    values = [p.value for p in chart.points]
    lows = [chart.lcl, *values] + ([chart.target] if chart.target is not None else [])
    highs = [chart.ucl, *values] + ([chart.target] if chart.target is not None else [])
    lo, hi = min(lows), max(highs)
    pad = (hi - lo) * 0.08 or 1.0
    lo, hi = lo - pad, hi + pad
    n = len(chart.points)
    plot_w, plot_h = width - left - right, height - top - bottom

    def x(i: int) -> float:
        return left + (plot_w * i / (n - 1) if n > 1 else plot_w / 2)

    def y(v: float) -> float:
        return top + plot_h * (hi - v) / (hi - lo)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{escape(title or chart.metric)}">',
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="22" font-family="Arial, sans-serif" font-size="14" font-weight="bold">'
        f"{escape(title or f'{chart.provider} {chart.metric}')}</text>",
    ]
    index = {p.period: i for i, p in enumerate(chart.points)}
    phases = [(p.start, p.end, p.ucl, p.mean, p.lcl) for p in chart.phases] or [
        (chart.points[0].period, chart.points[-1].period, chart.ucl, chart.mean, chart.lcl)
    ]
    for k, (start, end, ucl, mean, lcl) in enumerate(phases):
        x1 = left if k == 0 else (x(index[start] - 1) + x(index[start])) / 2
        x2 = width - right if k == len(phases) - 1 else (x(index[end]) + x(index[end] + 1)) / 2
        for label, value, colour, dash in (
            ("UCL", ucl, COLOURS["limit"], "6 4"),
            ("Mean", mean, COLOURS["mean"], ""),
            ("LCL", lcl, COLOURS["limit"], "6 4"),
        ):
            parts.append(
                f'<line x1="{x1:.1f}" x2="{x2:.1f}" y1="{y(value):.1f}" y2="{y(value):.1f}" '
                f'stroke="{colour}" stroke-width="1.2"' + (f' stroke-dasharray="{dash}"' if dash else "") + "/>"
            )
            parts.append(
                f'<text x="{x2:.1f}" y="{y(value) - 3:.1f}" font-family="Arial, sans-serif" '
                f'font-size="10" text-anchor="end" fill="{colour}">{label} {value:.2f}</text>'
            )
    for m in markers or []:
        if m.period not in index:
            continue
        mx = x(index[m.period])
        near_end = index[m.period] > len(index) * 0.8  # label left of the line, so it is not cut off
        label_at = f'x="{mx - 3:.1f}" text-anchor="end"' if near_end else f'x="{mx + 3:.1f}"'
        parts.append(
            f'<g class="marker"><line x1="{mx:.1f}" x2="{mx:.1f}" y1="{top}" y2="{height - bottom}" '
            f'stroke="{COLOURS["marker"]}" stroke-width="1" stroke-dasharray="3 3"/>'
            f'<text {label_at} y="{top + 10}" font-family="Arial, sans-serif" font-size="10" '
            f'fill="{COLOURS["marker"]}">{escape(m.label)}</text>'
            f"<title>{escape(m.period)}: {escape(m.label)}</title></g>"
        )
    if chart.target is not None:
        parts.append(
            f'<line x1="{left}" x2="{width - right}" y1="{y(chart.target):.1f}" y2="{y(chart.target):.1f}" '
            f'stroke="{COLOURS["target"]}" stroke-width="1.2" stroke-dasharray="2 3"/>'
        )
        parts.append(
            f'<text x="{left + 4}" y="{y(chart.target) - 3:.1f}" font-family="Arial, sans-serif" '
            f'font-size="10" fill="{COLOURS["target"]}">target {chart.target:g}</text>'
        )
    segment: list[str] = []
    for i, point in enumerate(chart.points):
        if i and month_range(chart.points[i - 1].period, point.period)[1:] != [point.period]:  # a gap: break
            parts.append(f'<polyline fill="none" stroke="{COLOURS["common"]}" points="{" ".join(segment)}"/>')
            segment = []
        segment.append(f"{x(i):.1f},{y(point.value):.1f}")
    parts.append(f'<polyline fill="none" stroke="{COLOURS["common"]}" points="{" ".join(segment)}"/>')
    for i, point in enumerate(chart.points):
        parts.append(
            f'<circle cx="{x(i):.1f}" cy="{y(point.value):.1f}" r="4" fill="{_point_colour(chart, i)}">'
            f"<title>{point.period}: {point.value:.2f}</title></circle>"
        )
        if i % max(1, n // 8) == 0 or i == n - 1:
            parts.append(
                f'<text x="{x(i):.1f}" y="{height - bottom + 16}" font-family="Arial, sans-serif" '
                f'font-size="10" text-anchor="middle">{point.period}</text>'
            )
    parts.append(
        f'<text x="{left}" y="{height - 12}" font-family="Arial, sans-serif" font-size="10">'
        f"{escape(chart.unit)}; variation: {chart.variation}; assurance: {chart.assurance or 'no target'}"
        f"{'; gaps: ' + str(len(chart.gaps)) + ' months' if chart.gaps else ''}</text>"
    )
    parts.append("</svg>")
    return "\n".join(parts)
