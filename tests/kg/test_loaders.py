"""Loaders on the real published files and on malformed copies of them."""

from __future__ import annotations

import shutil
from collections import Counter
from pathlib import Path

import pytest

from learnsys.config import REPO_ROOT
from learnsys.kg.loaders import ae, nof, ods, series
from learnsys.kg.loaders.errors import LoadError
from learnsys.kg.reference import load_reference_data

DATA = REPO_ROOT / "data" / "reference"


@pytest.fixture(scope="module")
def data():
    return load_reference_data(DATA)


def test_real_reference_data_counts(data) -> None:
    assert len(data.regions) == 7
    assert len(data.icbs) == 42
    assert len(data.providers) >= 190
    assert all(p.region_code in data.regions and p.icb_code in data.icbs for p in data.providers.values())
    assert not any(p.region_code.startswith("W") for p in data.providers.values())  # Welsh trusts excluded
    types = Counter(p.trust_type for p in data.providers.values())
    assert types["acute"] + types["specialist-acute"] == 134
    assert types["mental-health"] + types["community"] == 61
    assert types["ambulance"] == 10


def test_official_assessments_cover_acute_and_mental_health(data) -> None:
    official = {(a.provider, a.period): a for a in data.assessments if a.official}
    assessed = {code for code, _ in official}
    assert len(assessed) >= 190
    # R0A (Manchester) was published in Q1 2025/26 with an adjusted segment and domain scores.
    q1 = official[("R0A", "2025/26 Q1")]
    assert q1.segment in (1, 2, 3, 4, 5) and q1.average_score is not None
    assert set(q1.domain_scores) >= {"access", "finance-productivity"}
    # League table rank merged into the MH Q4 assessment (RYY ranked 1st, segment 1).
    ryy = official[("RYY", "2025/26 Q4")]
    assert (ryy.rank, ryy.segment) == (1, 1)


def test_ae_four_hour_matches_independent_computation(data) -> None:
    # Manchester (R0A), June 2025, from the raw file: 1 - sum(over 4h) / sum(attendances), booked included.
    import csv

    with (DATA / "ae" / "Monthly-AE-June-2025.csv").open() as handle:
        row = next(r for r in csv.DictReader(handle) if r["Org Code"] == "R0A")
    att = sum(float(v) for k, v in row.items() if k.startswith("A&E attendances"))
    over = sum(float(v) for k, v in row.items() if k.startswith("Attendances over 4hrs"))
    value = next(o.value for o in data.observations
                 if o.provider == "R0A" and o.metric == "ae_4h_all" and o.period == "2025-06")
    assert value == pytest.approx(100 * (1 - over / att), abs=1e-3)


def test_monthly_series_cover_many_trusts_over_twelve_months(data) -> None:
    for metric in ("ae_4h_all", "rtt_18w_pct", "cancer_62d"):
        months = Counter(o.provider for o in data.observations if o.metric == metric)
        assert sum(1 for n in months.values() if n >= 12) >= 100, metric


def test_nof_directions_are_inferred_from_ranks(data) -> None:
    assert data.metrics["OF0013"].direction == "higher"  # 4-hour performance
    assert data.metrics["OF0014"].direction == "lower"  # 12-hour stays
    assert data.metrics["OF0017"].direction == "lower"  # category 2 response time


def test_malformed_etr_row_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "etr.csv"
    lines = (DATA / "ods" / "etr.csv").read_text().splitlines()
    lines[4] = '"RXX","BROKEN TRUST","Y62"'
    bad.write_text("\n".join(lines) + "\n")
    icbs = ods.load_icbs(DATA / "ods" / "icb_names.csv")
    with pytest.raises(LoadError) as err:
        ods.load_trusts(bad, icbs)
    assert f"{bad}:5:" in str(err.value) and "27 columns" in str(err.value)


def test_unknown_icb_in_trust_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "etr.csv"
    lines = (DATA / "ods" / "etr.csv").read_text().splitlines()
    lines[1] = lines[1].replace('"QOP"', '"QZZ"')
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(LoadError, match=r"etr.csv:2: unknown ICB code 'QZZ'"):
        ods.load_trusts(bad, ods.load_icbs(DATA / "ods" / "icb_names.csv"))


def test_bad_number_in_ae_file_refuses_the_whole_file(tmp_path: Path) -> None:
    bad = tmp_path / "Monthly-AE-June-2025.csv"
    lines = (DATA / "ae" / "Monthly-AE-June-2025.csv").read_text().splitlines()
    fields = lines[3].split(",")
    fields[4] = "lots"
    lines[3] = ",".join(fields)
    bad.write_text("\n".join(lines) + "\n")
    with pytest.raises(LoadError) as err:
        ae.load_ae_month(bad, "ae-monthly")
    assert f"{bad}:4:" in str(err.value)


def test_wrong_file_for_loader_is_named(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match="missing columns"):
        series.load_rtt(DATA / "cancer" / "cancer_cwt_provider_monthly_2024-04_to_2025-07.csv", "rtt")


def test_a_new_quarter_is_one_file(tmp_path: Path) -> None:
    """A NOF data file for a later quarter in the published format loads without code changes."""
    source = DATA / "nof" / "nhs-oversight-framework-acute-trust-data-q1-2025-26.csv"
    new = tmp_path / "nhs-oversight-framework-acute-trust-data-q2-2026-27.csv"
    shutil.copy(source, new)
    load = nof.load_nof_data(new, "nof-new")
    assert {a.period for a in load.assessments} == {"2026/27 Q2"}
    assert len(load.assessments) == 134


def test_nof_file_with_bad_value_names_line(tmp_path: Path) -> None:
    import csv

    source = DATA / "nof" / "nhs-oversight-framework-acute-trust-data-q1-2025-26.csv"
    with source.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    rows[10][rows[0].index("Value")] = "abc"
    bad = tmp_path / "nof-q1-2025-26.csv"
    with bad.open("w", newline="") as handle:
        csv.writer(handle).writerows(rows)
    with pytest.raises(LoadError, match=r":11: bad number"):
        nof.load_nof_data(bad, "nof")
