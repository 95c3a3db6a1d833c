"""The provenance fields (contact, evidence, setting, scale, published precision) are parsed and checked."""

from __future__ import annotations

from datetime import date

import pytest

from learnsys.corpus.dates import period_end, published_form, published_range
from learnsys.corpus.documents import parse_document
from learnsys.corpus.provenance import check_provenance, personal_details

HEAD = """---
id: x-case
title: "A case"
type: {type}
providers: [RXN]
priority_areas: [frailty]
metrics: []
{published}sources:
  - url: https://www.example.nhs.uk/news
    title: "News"
    publisher: Example NHS Trust
summary: "Two sentences."
{extra}---
Body.
"""
FIELDS = """contact:
  team: "Frailty team, Example Hospitals NHS Foundation Trust"
  url: https://www.example.nhs.uk/our-services/frailty/
evidence: trust-reported
setting: acute
scale: department
"""


def doc(extra: str = FIELDS, published: str = "published: 2023-06\npublished_precision: month\n",
        type: str = "case-study"):
    return parse_document(HEAD.format(type=type, published=published, extra=extra), "x-case.md")


def problems(d, required: bool = True) -> list[str]:
    return [f"{key}: {message}" for key, message in check_provenance(d, required=required)]


def test_fields_are_parsed_and_returned() -> None:
    d = doc()
    assert d.contact == {"team": "Frailty team, Example Hospitals NHS Foundation Trust",
                         "url": "https://www.example.nhs.uk/our-services/frailty/"}
    assert (d.evidence, d.setting, d.scale, d.published, d.published_precision) == (
        "trust-reported", "acute", "department", "2023-06", "month")
    data = d.to_dict()
    assert data["contact"]["team"].startswith("Frailty team") and data["published_precision"] == "month"
    assert problems(d) == []


@pytest.mark.parametrize(("published", "value", "precision"), [
    ("published: 2023\npublished_precision: year\n", "2023", "year"),  # YAML reads a bare year as a number
    ("published: 2023-06-14\npublished_precision: day\n", "2023-06-14", "day"),  # ... and a date as a date
    ("", "", ""),
])
def test_published_keeps_only_what_is_written(published: str, value: str, precision: str) -> None:
    d = doc(published=published)
    assert (d.published, d.published_precision) == (value, precision)
    assert problems(d) == []


def test_case_study_requires_fields_guide_does_not_require_contact() -> None:
    bare = doc(extra="")
    found = problems(bare)
    for key in ("contact", "evidence", "setting", "scale"):
        assert any(p.startswith(f"{key}: {key} is required") for p in found), key
    assert problems(bare, required=False) == []
    guide = doc(extra="evidence: peer-reviewed\nsetting: system\nscale: system\n", type="guide")
    assert problems(guide) == []


@pytest.mark.parametrize(("extra", "expected"), [
    (FIELDS.replace("trust-reported", "anecdote"), "evidence: evidence must be one of peer-reviewed"),
    (FIELDS.replace("setting: acute", "setting: hospital"), "setting: setting must be one of acute"),
    (FIELDS.replace("scale: department", "scale: ward"), "scale: scale must be one of ward-team"),
    (FIELDS.replace("https://www.example.nhs.uk/our-services/frailty/", "www.example.nhs.uk"),
     "contact: contact.url must be the organisation's http(s) page"),
    (FIELDS.replace('"Frailty team, Example Hospitals NHS Foundation Trust"', '"Dr Jane Smith, jane.smith@nhs.net"'),
     "contact: contact names personal details 'jane.smith@nhs.net'"),
    (FIELDS.replace('"Frailty team, Example Hospitals NHS Foundation Trust"', '"Frailty team, 07700 900123"'),
     "contact: contact names personal details '07700 900123'"),
    ("contact: frailty team\nevidence: trust-reported\nsetting: acute\nscale: trust\n",
     "contact: contact must be a mapping with 'team' and 'url' only"),
])
def test_bad_values_are_refused(extra: str, expected: str) -> None:
    assert any(p.startswith(expected) for p in problems(doc(extra=extra))), problems(doc(extra=extra))


@pytest.mark.parametrize(("published", "expected"), [
    ("published: 2023-06\npublished_precision: day\n", "published_precision: published_precision 'day' does not match"),
    ("published: 2023-06-01\npublished_precision: month\n", "published_precision: published_precision 'month'"),
    ("published: \"2023-02-30\"\npublished_precision: day\n", "published: published must be YYYY-MM-DD"),
    ("published: 2023-06\n", "published_precision: published_precision is required with published: month"),
    ("published_precision: year\n", "published_precision: published_precision is given but published is not"),
    ("published: 2023-06\npublished_precision: week\n", "published_precision: published_precision must be one of"),
])
def test_precision_must_match_the_date(published: str, expected: str) -> None:
    found = problems(doc(published=published))
    assert any(p.startswith(expected) for p in found), found


def test_shared_mailboxes_are_not_personal() -> None:
    assert personal_details("enquiries@example.nhs.uk, frailty.team@nhs.net") == []
    assert personal_details("write to j.bloggs@nhs.net") == ["j.bloggs@nhs.net"]


@pytest.mark.parametrize(("period", "end"), [
    ("2022/23", date(2023, 3, 31)),
    ("2013-14 (just under 7%)", date(2014, 3, 31)),
    ("Q1 2024/25", date(2024, 6, 30)),
    ("Q4 2024/25", date(2025, 3, 31)),
    ("January 2025", date(2025, 1, 31)),
    ("June 2024 vs January 2025 (result reported as over 80)", date(2025, 1, 31)),
    ("2020/21 vs 2023/24", date(2024, 3, 31)),
    ("before vs after the programme (2022/23–2024/25)", date(2025, 3, 31)),
    ("4 June 2025, 09:30 to midday", date(2025, 6, 4)),
    ("calendar year 2023", date(2023, 12, 31)),
    ("from May 2012", date(2012, 5, 1)),  # a period's opening date says when the data began
    ("since 2022", date(2022, 1, 1)),
    ("20 years from 2024", None),  # a projection, not data
    ("target set for December 2023", None),
    ("first 12 months", None),
])
def test_period_end(period: str, end: date | None) -> None:
    assert period_end(period) == end


def test_published_forms() -> None:
    assert [published_form(v) for v in ("2023", "2023-06", "2023-06-14", "2023-13", "23-06", "")] == [
        "year", "month", "day", None, None, None]
    assert published_range("2024-02") == (date(2024, 2, 1), date(2024, 2, 29))
    assert published_range("2024") == (date(2024, 1, 1), date(2024, 12, 31))
