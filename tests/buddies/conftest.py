"""Buddy-matching fixtures: the real reference data, corpus and concepts, loaded once per session."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from learnsys.buddies.cli import load_buddy_services
from learnsys.buddies.matcher import BuddyMatcher, matcher_for
from learnsys.config import Settings
from learnsys.kg.store import GraphStore
from learnsys.services import Services


@pytest.fixture(scope="session")
def buddy_services(tmp_path_factory: pytest.TempPathFactory) -> Services:
    """Services over the shipped data (indicative assessments added), with an empty in-memory graph store."""
    settings = Settings(index_dir=Path(tmp_path_factory.mktemp("buddy-indexes")))
    services = load_buddy_services(settings)
    services.graph = GraphStore(ox.Store())
    return services


@pytest.fixture(scope="session")
def matcher(buddy_services: Services) -> BuddyMatcher:
    return matcher_for(buddy_services)
