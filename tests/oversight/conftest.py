"""Oversight fixtures: the reference data loaded once, and a small live API over the oversight router."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from learnsys.config import REPO_ROOT, Settings
from learnsys.kg.records import ReferenceData
from tests.conftest import LiveServer


@pytest.fixture(scope="session")
def ref() -> ReferenceData:
    from learnsys.kg.reference import load_reference_data

    return load_reference_data(REPO_ROOT / "data" / "reference")


@pytest.fixture(scope="session")
def oversight_server(ref: ReferenceData) -> Iterator[LiveServer]:
    """A FastAPI app with only the oversight router (at / and /v1), served by uvicorn on a free port."""
    from fastapi import FastAPI

    from learnsys.api.problems import install_problem_handlers
    from learnsys.api.routes.oversight import router
    from learnsys.services import Services

    app = FastAPI()
    install_problem_handlers(app)
    app.state.services = Services(settings=Settings(), reference=ref, graph=None, ready=True)
    app.include_router(router)
    app.include_router(router, prefix="/v1")
    with LiveServer(app) as server:
        yield server
