"""Learning and Improvement Networks: one per region by default, or from a membership file."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from learnsys.kg.loaders.errors import read_table
from learnsys.kg.records import Lin, Provider, Region


def default_lins(regions: dict[str, Region], providers: dict[str, Provider]) -> dict[str, Lin]:
    """Each region hosts one LIN whose members are the region's trusts (the founding paper's model)."""
    members: dict[str, list[str]] = defaultdict(list)
    for provider in providers.values():
        members[provider.region_code].append(provider.ods)
    return {
        f"lin-{code.lower()}": Lin(f"lin-{code.lower()}", f"{region.name} Learning and Improvement Network",
                                   code, tuple(sorted(members[code])))
        for code, region in regions.items()
    }


def load_lin_memberships(path: Path, regions: dict[str, Region], providers: dict[str, Provider]) -> dict[str, Lin]:
    """CSV with columns lin_id, lin_name, region_code, ods (one row per member)."""
    errors, fields, rows = read_table(path, {"lin_id", "lin_name", "region_code", "ods"})
    names: dict[str, tuple[str, str]] = {}
    members: dict[str, list[str]] = defaultdict(list)
    for line, row in rows:
        lin_id, region, ods = row["lin_id"].strip(), row["region_code"].strip(), row["ods"].strip()
        if region not in regions:
            errors.add(line, f"unknown region code {region!r}")
        elif ods not in providers:
            errors.add(line, f"unknown ODS code {ods!r}")
        else:
            names[lin_id] = (row["lin_name"].strip(), region)
            members[lin_id].append(ods)
    errors.raise_if_any()
    return {i: Lin(i, n, r, tuple(sorted(members[i]))) for i, (n, r) in names.items()}
