"""Monthly and annual series in tidy CSV form (RTT, cancer, diagnostics, ambulance, staff survey)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path

from learnsys.kg.loaders.errors import RowErrors, parse_float, read_table
from learnsys.kg.records import Observation

_MONTH = re.compile(r"\d{4}-\d{2}")


def _read(path: Path, required: Iterable[str]) -> tuple[RowErrors, list[tuple[int, dict[str, str]]]]:
    errors, _fields, rows = read_table(path, set(required))
    return errors, rows


def _series(path: Path, source_id: str, code_col: str, columns: dict[str, str],
            scale: dict[str, float] | None = None,
            keep: Callable[[dict[str, str]], str | None] | None = None) -> list[Observation]:
    """Rows of (period, code, value columns) -> observations; ``columns`` maps column -> metric id."""
    errors, rows = _read(path, ["period", code_col, *columns])
    scale = scale or {}
    out: list[Observation] = []
    for line, row in rows:
        period = row["period"].strip()
        if not _MONTH.fullmatch(period):
            errors.add(line, f"period {period!r} is not YYYY-MM")
            continue
        suffix = keep(row) if keep else ""
        if suffix is None:
            continue
        for column, metric in columns.items():
            try:
                value = parse_float(row[column])
            except ValueError:
                errors.add(line, f"column {column!r}: {row[column]!r} is not a number")
                continue
            if value is not None:
                factor = scale.get(column, 1.0)
                out.append(Observation(row[code_col].strip(), metric + suffix, period,
                                       round(value * factor, 4), source_id))
    errors.raise_if_any()
    return out


def load_rtt(path: Path, source_id: str) -> list[Observation]:
    return _series(path, source_id, "trust_code", {
        "pct_within_18_weeks": "rtt_18w_pct",
        "over_52_weeks": "rtt_52w_count",
        "pct_over_52_weeks": "rtt_52w_pct",
        "incomplete_pathways": "rtt_waiting_list",
        "median_wait_weeks": "rtt_median_wait",
    })


CANCER_STANDARDS = {"28-day FDS": "cancer_fds_28d", "31-day Combined": "cancer_31d", "62-day Combined": "cancer_62d"}


def load_cancer(path: Path, source_id: str) -> list[Observation]:
    errors, rows = _read(path, ["period", "org_code", "standard", "pct_within_standard", "total"])
    out: list[Observation] = []
    for line, row in rows:
        metric = CANCER_STANDARDS.get(row["standard"].strip())
        if metric is None:
            errors.add(line, f"unknown cancer standard {row['standard']!r}")
            continue
        try:
            value, total = parse_float(row["pct_within_standard"]), parse_float(row["total"])
        except ValueError as exc:
            errors.add(line, str(exc))
            continue
        if value is not None and total:
            out.append(Observation(row["org_code"].strip(), metric, row["period"].strip(), value, source_id))
    errors.raise_if_any()
    return out


def load_diagnostics(path: Path, source_id: str) -> list[Observation]:
    return _series(path, source_id, "provider_code", {
        "pct_waiting_6plus_weeks": "dm01_6wk_pct",
        "total_waiting_list": "dm01_waiting_list",
    })


def load_ambulance(path: Path, source_id: str) -> list[Observation]:
    """AmbSYS response times (seconds -> minutes) and handover delays; months with no incidents skipped."""
    columns = {
        "c1_mean_seconds": "amb_c1_mean", "c1_90th_seconds": "amb_c1_p90",
        "c2_mean_seconds": "amb_c2_mean", "c2_90th_seconds": "amb_c2_p90",
        "handover_mean_seconds": "amb_handover_mean", "handovers_over_60min": "amb_handovers_over_60min",
    }
    minutes = {c: 1 / 60 for c in columns if c.endswith("seconds")}
    observations = _series(path, source_id, "org_code", columns, scale=minutes,
                           keep=lambda row: "" if (parse_float(row["c1_incidents"]) or 0) > 0 else None)
    return observations


def load_staff_survey(path: Path, source_id: str, year: str = "2024") -> list[Observation]:
    errors, rows = _read(path, ["ods_code", "staff_engagement_score", "morale_score"])
    out: list[Observation] = []
    for line, row in rows:
        for column, metric in (("staff_engagement_score", "nss_engagement"), ("morale_score", "nss_morale")):
            try:
                value = parse_float(row[column])
            except ValueError:
                errors.add(line, f"column {column!r}: {row[column]!r} is not a number")
                continue
            if value is not None:
                out.append(Observation(row["ods_code"].strip(), metric, year, round(value, 4), source_id))
    errors.raise_if_any()
    return out
