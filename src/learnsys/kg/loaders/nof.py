"""NHS Oversight Framework data files and league tables -> observations and official assessments.

Accepts any quarter's file in the published long format (one row per trust x metric). Files that
hold several quarters carry a ``Quarter`` column; single-quarter files (the acute Q1 2025/26 file)
take the quarter from the file name (``...-q1-2025-26.csv``) or the ``quarter`` argument.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from learnsys.kg.loaders.errors import parse_float, read_table
from learnsys.kg.records import Assessment, Metric, Observation

DOMAINS = {
    "access to services": "access",
    "effectiveness and experience": "effectiveness-experience",
    "patient safety": "patient-safety",
    "people and workforce": "people-workforce",
    "finance and productivity": "finance-productivity",
}
# Domain score / segment metric ids -> domain notation.
DOMAIN_SCORE_IDS = {"OF4000": "access", "OF4002": "patient-safety", "OF4003": "finance-productivity",
                    "OF4004": "people-workforce", "OF4005": "effectiveness-experience"}
DOMAIN_SEGMENT_IDS = {"OF41" + k[4:]: v for k, v in DOMAIN_SCORE_IDS.items()}
DATA_COLUMNS = {"Region", "Trust_type", "Trust_subtype", "Trust_code", "Trust_name", "Domain",
                "Metric_ID", "Metric_description", "Units", "Value"}
DERIVED_LEAGUE_COLUMNS = {"quarter", "trust_code", "segment", "rank", "average_score", "in_financial_deficit_flag"}
LEAGUE_COLUMNS = {"Trust_code", "Average_score", "Segment", "Trust_in_financial_deficit", "Rank"}
_QUARTER_IN_NAME = re.compile(r"q([1-4])-(\d{4})-(\d{2})", re.IGNORECASE)
_QUARTER_TEXT = re.compile(r"Q([1-4])\s+(\d{4})/(\d{2})")


@dataclass
class NofLoad:
    observations: list[Observation] = field(default_factory=list)
    assessments: list[Assessment] = field(default_factory=list)
    metrics: dict[str, Metric] = field(default_factory=dict)
    trust_types: dict[str, tuple[str, str]] = field(default_factory=dict)  # ods -> (type, subtype)
    trust_regions: dict[str, str] = field(default_factory=dict)  # ods -> region name


def discover(folder: Path) -> tuple[list[Path], list[Path]]:
    """NOF data files and league tables in a folder (not its subfolders), told apart by their header."""
    data_files: list[Path] = []
    league_tables: list[Path] = []
    for path in sorted(folder.glob("*.csv")):
        found_data, found_league = discover_file(path)
        data_files += found_data
        league_tables += found_league
    return data_files, league_tables


def discover_file(path: Path) -> tuple[list[Path], list[Path]]:
    """([path], []) for a NOF data file, ([], [path]) for a league table, ([], []) for anything else."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        header = set(next(csv.reader(handle), []))
    if "Metric_ID" in header:
        return [path], []
    if "Average_score" in header:
        return [], [path]
    return [], []


def quarter_label(text: str) -> str:
    """'Q1 2025/26' -> '2025/26 Q1'."""
    match = _QUARTER_TEXT.search(text)
    if not match:
        raise ValueError(f"not a quarter: {text!r}")
    return f"{match[2]}/{match[3]} Q{match[1]}"


def _quarter_from_name(path: Path) -> str | None:
    match = _QUARTER_IN_NAME.search(path.name)
    return f"{match[2]}/{match[3]} Q{match[1]}" if match else None


def classify_trust(trust_type: str, subtype: str) -> str:
    """Map NHS England's published trust type and subtype to a learnsys trust type."""
    kind, sub = trust_type.lower(), subtype.lower()
    if "acute" in kind:
        return "specialist-acute" if "specialist" in sub else "acute"
    if "ambulance" in kind:
        return "ambulance"
    return "community" if sub.strip() == "community" else "mental-health"


def load_nof_data(path: Path, source_id: str, quarter: str | None = None) -> NofLoad:
    """Read a NOF data file (long format) into observations, metrics and official assessments."""
    errors, fields, rows = read_table(path, DATA_COLUMNS, "not a NOF data file: ")
    result = NofLoad()
    default_quarter = quarter or _quarter_from_name(path)
    summary: dict[tuple[str, str], dict[str, float]] = defaultdict(dict)
    has_quarter = "Quarter" in fields
    if not has_quarter and default_quarter is None:
        errors.add(1, "no Quarter column and no quarter in the file name (e.g. '-q1-2025-26')")
        errors.raise_if_any()
    for line, row in rows:
        try:
            period = quarter_label(row["Quarter"]) if has_quarter else default_quarter
            value = parse_float(row["Value"])
            median = parse_float(row.get("Median_value"))
            lower = parse_float(row.get("Lower_quartile"))
            upper = parse_float(row.get("Upper_quartile"))
            rank = parse_float(row.get("Rank"))
        except (ValueError, TypeError) as exc:
            errors.add(line, f"bad number or quarter: {exc}")
            continue
        code, metric_id = row["Trust_code"].strip(), row["Metric_ID"].strip()
        if not code or not re.fullmatch(r"OF\d{4}", metric_id):
            errors.add(line, f"bad trust code {code!r} or metric id {metric_id!r}")
            continue
        result.trust_types[code] = (row["Trust_type"].strip(), row["Trust_subtype"].strip())
        result.trust_regions[code] = row["Region"].strip()
        if metric_id not in result.metrics:
            result.metrics[metric_id] = _nof_metric(row, source_id)
        if value is None:
            continue
        result.observations.append(
            Observation(code, metric_id, period, value, source_id, median, lower, upper, rank)
        )
        if metric_id.startswith(("OF4", "OF5")):
            summary[(code, period)][metric_id] = value
    errors.raise_if_any()
    result.assessments = [_assessment(code, period, values, source_id)
                          for (code, period), values in summary.items() if "OF5000" in values]
    return result


def _nof_metric(row: dict[str, str], source_id: str) -> Metric:
    metric_id, unit = row["Metric_ID"].strip(), row["Units"].strip().lower()
    unit = {"%": "percent", "mins": "minutes", "out of 10": "score-out-of-10"}.get(unit, unit)
    # NOF scores and segments: 1 is best; raw metrics: inferred from published ranks once all rows are read
    direction = "lower" if metric_id.startswith(("OF1", "OF4", "OF5")) else "unknown"
    return Metric(
        id=metric_id,
        label=" ".join(row["Metric_description"].split()),
        unit=unit,
        direction=direction,
        source=source_id,
        granularity="quarter",
        domain=DOMAINS.get(row["Domain"].strip().lower()),
        description=f"NHS Oversight Framework 2025/26 metric {metric_id} ({row.get('Sub-domain', '').strip()})",
    )


def _assessment(code: str, period: str, values: dict[str, float], source_id: str) -> Assessment:
    def flag(metric_id: str) -> bool | None:
        return None if metric_id not in values else bool(values[metric_id])

    def segment(metric_id: str) -> int | None:
        return None if metric_id not in values else int(values[metric_id])

    return Assessment(
        provider=code,
        period=period,
        segment=segment("OF5000"),
        average_score=values.get("OF5002"),
        official=True,
        source=source_id,
        unadjusted_segment=segment("OF5003"),
        financial_deficit=flag("OF5004"),
        recovery_support=flag("OF5007"),
        domain_scores={d: values[m] for m, d in DOMAIN_SCORE_IDS.items() if m in values},
        domain_segments={d: int(values[m]) for m, d in DOMAIN_SEGMENT_IDS.items() if m in values},
        method="NHS England NOF 2025/26 publication",
    )


def load_league_table(path: Path, source_id: str, quarter: str | None = None) -> list[Assessment]:
    """A published NOF league table (Trust_code, Average_score, Segment, deficit, Rank, ...)."""
    errors, fields, rows = read_table(path, LEAGUE_COLUMNS, "not a NOF league table: ")
    out: list[Assessment] = []
    default_quarter = quarter or _quarter_from_name(path)
    for line, row in rows:
        try:
            period = quarter_label(row["Quarter"]) if row.get("Quarter") else default_quarter
            if period is None:
                raise ValueError("no quarter")
            segment = parse_float(row["Segment"])
            rank = parse_float(row["Rank"])
            out.append(Assessment(
                provider=row["Trust_code"].strip(),
                period=period,
                segment=None if segment is None else int(segment),
                average_score=parse_float(row["Average_score"]),
                official=True,
                source=source_id,
                financial_deficit=row["Trust_in_financial_deficit"].strip().lower() in ("yes", "1", "1.0"),
                rank=None if rank is None else int(rank),
                method="NHS England NOF 2025/26 league table",
            ))
        except (ValueError, TypeError) as exc:
            errors.add(line, f"bad league-table row: {exc}")
    errors.raise_if_any()
    return out


def load_derived_acute_league(path: Path, source_id: str) -> list[Assessment]:
    """The second-hand acute league table subset (lower-case columns, 0/1 deficit flag)."""
    errors, _fields, rows = read_table(path, DERIVED_LEAGUE_COLUMNS, "not the derived acute league table: ")
    out: list[Assessment] = []
    for line, row in rows:
        try:
            out.append(Assessment(
                provider=row["trust_code"].strip(),
                period=quarter_label(row["quarter"]),
                segment=int(float(row["segment"])),
                average_score=parse_float(row["average_score"]),
                official=True,
                source=source_id,
                financial_deficit=bool(float(row["in_financial_deficit_flag"])),
                rank=int(float(row["rank"])),
                method="NHS England NOF 2025/26 acute league table, kept second-hand by a third party",
            ))
        except (ValueError, TypeError) as exc:
            errors.add(line, f"bad row: {exc}")
    errors.raise_if_any()
    return out


def merge_assessments(assessments: list[Assessment]) -> list[Assessment]:
    """One assessment per (provider, period): league-table rank fills in the data file's record."""
    merged: dict[tuple[str, str], Assessment] = {}
    for item in assessments:
        key = (item.provider, item.period)
        if key not in merged:
            merged[key] = item
            continue
        base = merged[key]
        base.rank = base.rank if base.rank is not None else item.rank
        base.segment = base.segment if base.segment is not None else item.segment
        base.average_score = base.average_score if base.average_score is not None else item.average_score
    return list(merged.values())
