"""Shared fixtures: the real model (loaded once), real reference data, and a real index in a tmp dir."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from learnsys.config import REPO_ROOT, Settings
from learnsys.kg.records import ReferenceData
from learnsys.kg.reference import load_reference_data
from learnsys.search.build import build_search
from learnsys.search.dense import Encoder
from learnsys.search.service import SearchService

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def encoder() -> Encoder:
    return Encoder.shared()


@pytest.fixture(scope="session")
def reference() -> ReferenceData:
    return load_reference_data(REPO_ROOT / "data" / "reference")


def make_settings(root: Path) -> Settings:
    corpus = root / "corpus"
    if not corpus.exists():
        shutil.copytree(FIXTURES, corpus)
    return Settings(
        corpus_dir=corpus,
        index_dir=root / "indexes",
        ontology_dir=REPO_ROOT / "ontology",
        data_dir=REPO_ROOT / "data" / "reference",
        reload_poll_s=0.0,
    )


@pytest.fixture(scope="session")
def built(
    tmp_path_factory: pytest.TempPathFactory, encoder: Encoder, reference: ReferenceData
) -> tuple[Settings, dict]:
    """A read-only index shared by query tests (tests that write get their own, see ``fresh``)."""
    settings = make_settings(tmp_path_factory.mktemp("search-ro"))
    manifest = build_search(settings, reference=reference, encoder=encoder)
    return settings, manifest


@pytest.fixture(scope="session")
def service(built: tuple[Settings, dict], encoder: Encoder, reference: ReferenceData) -> SearchService:
    settings, _ = built
    svc = SearchService(settings, reference, encoder=encoder)
    svc.refresh(force=True)
    return svc


@pytest.fixture
def fresh(tmp_path: Path, encoder: Encoder, reference: ReferenceData) -> Iterator[SearchService]:
    """A writable corpus and index of its own, sharing the embedding cache of the session index."""
    settings = make_settings(tmp_path)
    build_search(settings, reference=reference, encoder=encoder)
    svc = SearchService(settings, reference, encoder=encoder)
    svc.refresh(force=True)
    yield svc
