"""Shared fixtures: settings on a temporary index folder, the built services, a real HTTP server."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

from learnsys.config import REPO_ROOT, Settings  # noqa: E402

ARTIFACTS = REPO_ROOT / "test-artifacts"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LiveServer:
    """A real uvicorn server in a background thread."""

    def __init__(self, app: object):
        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.time() + 30
        while not self.server.started:
            if time.time() > deadline:
                raise RuntimeError("server did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("indexes")


@pytest.fixture(scope="session")
def settings(index_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    store = tmp_path_factory.mktemp("store") / "learnsys.db"
    return Settings(index_dir=index_dir, database_url=f"sqlite:///{store}")


@pytest.fixture(scope="session")
def services(settings: Settings):
    """The whole application built from the shipped data into a temporary index folder."""
    from learnsys.pipeline import load_services

    return load_services(settings, progress=lambda m: None)


@pytest.fixture(scope="session")
def live_server(services) -> Iterator[LiveServer]:
    from learnsys.api.app import create_app

    with LiveServer(create_app(services)) as server:
        yield server


@pytest.fixture(scope="session")
def reference_data(services):
    return services.reference
