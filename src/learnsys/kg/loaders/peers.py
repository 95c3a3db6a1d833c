"""The Health Foundation's trust reference file (NHS Trust Peer Finder variables) -> context per trust."""

from __future__ import annotations

from pathlib import Path

from learnsys.kg.loaders.errors import parse_float, read_table

# Peer Finder variables used for similarity of context (size, activity, deprivation, setting, mix).
CONTEXT_VARIABLES = (
    "deprivation_peers", "patients_peers", "attendances_peers", "fte_staff_peers", "night_beds_peers",
    "day_beds_peers", "age_0_15_peers", "age_60_74_peers", "operating_expenses_peers", "urban_peers",
    "sites_peers", "degree_of_specialisation_peers", "student_staff_peers", "non_type_1_ae_department_peers",
)


def load_context(path: Path) -> tuple[dict[str, dict[str, float]], dict[str, int]]:
    """Latest year with data for each trust: ({ods: {variable: value}}, {ods: year})."""
    errors, fields, rows = read_table(path, {"year", "procode", *CONTEXT_VARIABLES})
    context: dict[str, dict[str, float]] = {}
    years: dict[str, int] = {}
    for line, row in rows:
        try:
            year = int(row["year"])
            values = {v.removesuffix("_peers"): parse_float(row[v]) for v in CONTEXT_VARIABLES}
        except ValueError as exc:
            errors.add(line, str(exc))
            continue
        present = {k: v for k, v in values.items() if v is not None}
        code = row["procode"].strip()
        if len(present) >= len(CONTEXT_VARIABLES) // 2 and year >= years.get(code, 0):
            context[code], years[code] = present, year
    errors.raise_if_any()
    return context, years
