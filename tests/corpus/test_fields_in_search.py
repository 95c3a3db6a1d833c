"""The provenance fields reach the index: filters, facets, results, ``published_after`` at month/year precision
and the document API (a real index on disk, built with the real embedding model)."""

from __future__ import annotations

from datetime import date

import pytest

from learnsys.config import REPO_ROOT, Settings
from learnsys.kg.reference import load_reference_data
from learnsys.search.build import build_search
from learnsys.search.dense import Encoder
from learnsys.search.service import InvalidSearch, SearchRequest, SearchService

DOC = """---
id: {id}
title: "{title}"
type: case-study
providers: [RXN]
priority_areas: [frailty]
metrics: []
published: {published}
published_precision: {precision}
contact:
  team: "{team}"
  url: https://www.example.nhs.uk/frailty/
evidence: {evidence}
setting: {setting}
scale: {scale}
sources:
  - url: https://www.example.nhs.uk/news
    title: "News"
    publisher: Example NHS Trust
summary: "A frailty service at the hospital front door sends older people home the same day."
---
## The problem
Older people with frailty waited on trolleys in the emergency department.

## What they changed
A frailty team assessed them at the front door.
"""
DOCS = [
    dict(id="frailty-day", title="Front door frailty team, day date", published="2023-06-14", precision="day",
         team="Frailty team", evidence="peer-reviewed", setting="acute", scale="department"),
    dict(id="frailty-month", title="Front door frailty team, month only", published="2023-06", precision="month",
         team="Older people's service", evidence="trust-reported", setting="acute", scale="ward-team"),
    dict(id="frailty-year", title="Community frailty team, year only", published="2024", precision="year",
         team="Community frailty team", evidence="external-evaluation", setting="community", scale="system"),
]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> SearchService:
    root = tmp_path_factory.mktemp("provenance")
    corpus = root / "corpus"
    (corpus / "case-studies").mkdir(parents=True)
    (corpus / "guides").mkdir()
    for fields in DOCS:
        (corpus / "case-studies" / f"{fields['id']}.md").write_text(DOC.format(**fields), encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=root / "indexes", ontology_dir=REPO_ROOT / "ontology",
                        data_dir=REPO_ROOT / "data" / "reference", reload_poll_s=0.0)
    reference = load_reference_data(settings.data_dir)
    encoder = Encoder.shared()
    build_search(settings, reference=reference, encoder=encoder)
    svc = SearchService(settings, reference, encoder=encoder)
    svc.refresh(force=True)
    return svc


def ids(service: SearchService, **kwargs) -> set[str]:
    found = service.search(SearchRequest("frailty front door", k=10, **kwargs))
    return {r["id"] for r in found["results"]}


def test_filters_and_facets(service: SearchService) -> None:
    found = service.search(SearchRequest("frailty front door", k=10))
    assert found["facets"]["evidence"] == {"external-evaluation": 1, "peer-reviewed": 1, "trust-reported": 1}
    assert found["facets"]["setting"] == {"acute": 2, "community": 1}
    assert found["facets"]["scale"] == {"department": 1, "system": 1, "ward-team": 1}
    by_id = {r["id"]: r for r in found["results"]}
    assert (by_id["frailty-year"]["evidence"], by_id["frailty-year"]["setting"], by_id["frailty-year"]["scale"]) \
        == ("external-evaluation", "community", "system")
    assert ids(service, filters={"evidence": ["peer-reviewed", "external-evaluation"]}) == {"frailty-day",
                                                                                           "frailty-year"}
    assert ids(service, filters={"setting": ["acute"], "scale": ["ward-team"]}) == {"frailty-month"}


def test_unknown_filter_values_are_refused(service: SearchService) -> None:
    with pytest.raises(InvalidSearch) as err:
        service.search(SearchRequest("frailty", filters={"evidence": ["anecdote"]}))
    assert err.value.field == "evidence"


@pytest.mark.parametrize(("after", "expected"), [
    (date(2023, 6, 13), {"frailty-day", "frailty-month", "frailty-year"}),
    (date(2023, 6, 14), {"frailty-month", "frailty-year"}),  # June 2023 may be after 14 June
    (date(2023, 6, 30), {"frailty-year"}),                   # ... but not after 30 June
    (date(2024, 12, 30), {"frailty-year"}),
    (date(2024, 12, 31), set()),
])
def test_published_after_respects_precision(service: SearchService, after: date, expected: set[str]) -> None:
    assert ids(service, published_after=after) == expected


def test_document_api_returns_the_fields(service: SearchService) -> None:
    data = service.get_document("frailty-month")
    assert data["contact"] == {"team": "Older people's service", "url": "https://www.example.nhs.uk/frailty/"}
    assert (data["evidence"], data["setting"], data["scale"]) == ("trust-reported", "acute", "ward-team")
    assert (data["published"], data["published_precision"]) == ("2023-06", "month")


def test_facet_year_from_any_precision(service: SearchService) -> None:
    found = service.search(SearchRequest("frailty", k=10))
    assert found["facets"]["published_year"] == {"2024": 1, "2023": 2}
