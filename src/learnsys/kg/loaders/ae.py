"""Monthly A&E attendances and emergency admissions (NHS England sitrep CSV) -> observations."""

from __future__ import annotations

import re
from pathlib import Path

from learnsys.kg.loaders.errors import parse_float, read_table
from learnsys.kg.records import Observation

MONTHS = {m: i for i, m in enumerate(
    ["JANUARY", "FEBRUARY", "MARCH", "APRIL", "MAY", "JUNE", "JULY", "AUGUST", "SEPTEMBER", "OCTOBER",
     "NOVEMBER", "DECEMBER"], start=1)}
ATTENDANCES = ["A&E attendances Type 1", "A&E attendances Type 2", "A&E attendances Other A&E Department",
               "A&E attendances Booked Appointments Type 1", "A&E attendances Booked Appointments Type 2",
               "A&E attendances Booked Appointments Other Department"]
OVER_4H = ["Attendances over 4hrs Type 1", "Attendances over 4hrs Type 2", "Attendances over 4hrs Other Department",
           "Attendances over 4hrs Booked Appointments Type 1", "Attendances over 4hrs Booked Appointments Type 2",
           "Attendances over 4hrs Booked Appointments Other Department"]
DTA_12H = "Patients who have waited 12+ hrs from DTA to admission"
REQUIRED = {"Period", "Org Code", *ATTENDANCES, *OVER_4H, DTA_12H}


def period_of(text: str) -> str:
    """'MSitAE-JUNE-2025' -> '2025-06'."""
    match = re.fullmatch(r"MSITAE-([A-Z]+)-(\d{4})", text.strip().upper())
    if not match or match[1] not in MONTHS:
        raise ValueError(f"unrecognised period {text!r} (expected e.g. MSitAE-JUNE-2025)")
    return f"{match[2]}-{MONTHS[match[1]]:02d}"


def load_ae_month(path: Path, source_id: str) -> list[Observation]:
    """One month's provider file: 4-hour performance (all types, type 1) and 12-hour DTA waits.

    4-hour performance counts booked appointments in numerator and denominator, as NHS England
    publishes it. Providers with no attendances of a kind get no observation of that kind.
    """
    errors, fields, rows = read_table(path, REQUIRED, "not an A&E monthly file: ")
    out: list[Observation] = []
    for line, row in rows:
        if row["Period"].strip().upper() == "TOTAL":
            continue  # the England total row
        try:
            period = period_of(row["Period"])
            att = [parse_float(row[c]) or 0.0 for c in ATTENDANCES]
            over = [parse_float(row[c]) or 0.0 for c in OVER_4H]
            dta12 = parse_float(row[DTA_12H]) or 0.0
        except ValueError as exc:
            errors.add(line, str(exc))
            continue
        code = row["Org Code"].strip()
        total, total_over = sum(att), sum(over)
        type1, type1_over = att[0] + att[3], over[0] + over[3]
        if total > 0:
            out.append(Observation(code, "ae_4h_all", period, 100 * (1 - total_over / total), source_id))
            out.append(Observation(code, "ae_attendances", period, total, source_id))
        if type1 > 0:
            out.append(Observation(code, "ae_4h_type1", period, 100 * (1 - type1_over / type1), source_id))
            out.append(Observation(code, "ae_12h_dta", period, dta12, source_id))
            out.append(Observation(code, "ae_12h_dta_per_1000", period, 1000 * dta12 / type1, source_id))
    errors.raise_if_any()
    return out
