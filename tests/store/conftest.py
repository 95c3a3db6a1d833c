"""A real, migrated database per test: SQLite always, PostgreSQL too when LEARNSYS_TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from learnsys.store import migrate
from learnsys.store.db import Database

PG_URL = os.environ.get("LEARNSYS_TEST_DATABASE_URL")
ENGINES = ["sqlite", pytest.param("postgresql", marks=pytest.mark.skipif(
    not PG_URL, reason="set LEARNSYS_TEST_DATABASE_URL to run on PostgreSQL (.ci/run does)"))]


class ThrowawayDatabase:
    """A fresh, empty database on one engine: a SQLite file, or a new PostgreSQL database dropped afterwards."""

    def __init__(self, engine: str, tmp_path: Path):
        self.engine_name = engine
        if engine == "sqlite":
            self.url = f"sqlite:///{tmp_path / 'learnsys.db'}"
            self.name = None
        else:
            assert PG_URL
            self.name = f"learnsys_t_{secrets.token_hex(5)}"
            admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{self.name}"'))
            admin.dispose()
            self.url = make_url(PG_URL).set(database=self.name).render_as_string(hide_password=False)

    def drop(self) -> None:
        if self.name:
            admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")  # type: ignore[arg-type]
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            admin.dispose()


@pytest.fixture(params=ENGINES)
def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ThrowawayDatabase]:
    """An empty database URL on each engine (not migrated)."""
    throwaway = ThrowawayDatabase(request.param, tmp_path)
    yield throwaway
    throwaway.drop()


@pytest.fixture
def database(empty_database: ThrowawayDatabase) -> Iterator[Database]:
    """A migrated database on each engine."""
    db = Database(empty_database.url)
    migrate.upgrade(db)
    yield db
    db.dispose()


@pytest.fixture(scope="session")
def reference():
    from learnsys.config import REPO_ROOT
    from learnsys.kg.reference import load_reference_data

    return load_reference_data(REPO_ROOT / "data" / "reference")


@pytest.fixture
def tokens(database: Database) -> dict[str, str]:
    """One account of every role (team for RCB, regional for RCB's region Y63, faculty for uec-y63)."""
    from learnsys.store import accounts

    made = {}
    for role, scope in (("admin", {}), ("reviewer", {}), ("regional", {"region": "Y63"}),
                        ("faculty", {"collaborative": "uec-y63"}), ("team", {"provider": "RCB"}),
                        ("other_team", {"provider": "RXN"}), ("other_regional", {"region": "Y62"})):
        _, made[role] = accounts.create_user(database, f"{role}@example.nhs.uk", role.removeprefix("other_"), **scope)
    return made
