"""ODS trust file (etr format) and the ICB name list -> regions, ICBs and providers."""

from __future__ import annotations

import csv
from pathlib import Path

from learnsys.kg.loaders.errors import RowErrors, read_table
from learnsys.kg.records import Icb, Provider, Region

# NHS England regions by ODS code (as used in the etr file's column 3).
REGIONS = {
    "Y56": "London",
    "Y58": "South West",
    "Y59": "South East",
    "Y60": "Midlands",
    "Y61": "East of England",
    "Y62": "North West",
    "Y63": "North East and Yorkshire",
}
REGION_BY_NAME = {name.lower(): code for code, name in REGIONS.items()}
ETR_COLUMNS = 27


def load_regions() -> dict[str, Region]:
    return {code: Region(code, name) for code, name in REGIONS.items()}


def load_icbs(path: Path) -> dict[str, Icb]:
    """ICB code -> name -> region (header: icb_code, ons_code, name, region_code, region_name)."""
    errors, fields, rows = read_table(path, {"icb_code", "name", "region_code"})
    icbs: dict[str, Icb] = {}
    for line, row in rows:
        code, region = row["icb_code"].strip(), row["region_code"].strip()
        if not code.startswith("Q"):
            errors.add(line, f"ICB code {code!r} does not start with Q")
        elif region not in REGIONS:
            errors.add(line, f"unknown region code {region!r}")
        else:
            icbs[code] = Icb(code, row["name"].strip(), region)
    errors.raise_if_any()
    return icbs


def load_trusts(path: Path, icbs: dict[str, Icb], *, header: bool = False) -> dict[str, Provider]:
    """Open English NHS trusts from an ODS etr-format file (no header, 27 columns).

    Closed trusts (column 12 set) and trusts outside the English regions are skipped.
    """
    errors = RowErrors(path)
    providers: dict[str, Provider] = {}
    with path.open(newline="", encoding="utf-8-sig") as handle:
        rows = csv.reader(handle)
        if header:
            next(rows, None)
        for line, row in enumerate(rows, start=2 if header else 1):
            if not row:
                continue
            if len(row) < 12:
                errors.add(line, f"expected {ETR_COLUMNS} columns (ODS etr format), found {len(row)}")
                continue
            code, name, region, icb = (value.strip() for value in row[:4])
            opened, closed = row[10].strip(), row[11].strip()
            if closed or not region.startswith("Y"):
                continue
            if not code or not name:
                errors.add(line, "empty ODS code or name")
            elif region not in REGIONS:
                errors.add(line, f"unknown region code {region!r}")
            elif icb not in icbs:
                errors.add(line, f"unknown ICB code {icb!r}")
            else:
                providers[code] = Provider(code, _title_case(name), region, icb, row[9].strip(), opened)
    errors.raise_if_any()
    return providers


def _title_case(name: str) -> str:
    small = {"and", "of", "the", "for", "in", "on"}
    words = [w.capitalize() if w.lower() not in small else w.lower() for w in name.split()]
    words = ["NHS" if w.lower() == "nhs" else w for w in words]
    return " ".join(words)[:1].upper() + " ".join(words)[1:]
