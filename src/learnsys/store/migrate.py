"""Run the store's Alembic migrations from code (``learnsys db upgrade``; ``learnsys serve`` at start).

Every subsystem's revisions live in ``migrations/versions``; each subsystem keeps its own branch (a branch
label, ``depends_on`` the revisions it needs), and ``upgrade`` applies all heads. A database carrying a
revision this code does not know is refused: it was migrated by a newer learnsys.
"""

from __future__ import annotations

import importlib
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import Connection, MetaData, text

from learnsys.store.db import Database
from learnsys.store.errors import StoreError

MIGRATIONS = Path(__file__).parent / "migrations"
# Modules that declare tables on learnsys.store.tables.Base: a subsystem adds its own here.
TABLE_MODULES = ["learnsys.store.tables", "learnsys.collaboratives.tables"]
PG_MIGRATION_LOCK = 7_319_402_118  # pg_advisory_lock key: one migrator at a time


class SchemaTooNew(StoreError, RuntimeError):
    """The database was migrated by a newer learnsys than this one."""


class SchemaOutOfDate(StoreError, RuntimeError):
    """The database lacks revisions this code needs (run ``learnsys db upgrade``)."""


def metadata() -> MetaData:
    """The metadata of every store table (imports the modules that declare them)."""
    for module in TABLE_MODULES:
        importlib.import_module(module)
    from learnsys.store.tables import Base

    return Base.metadata


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("path_separator", "os")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def code_heads() -> set[str]:
    return set(ScriptDirectory.from_config(alembic_config()).get_heads())


def known_revisions() -> set[str]:
    return {rev.revision for rev in ScriptDirectory.from_config(alembic_config()).walk_revisions()}


def database_heads(database: Database) -> set[str]:
    with database.engine.connect() as connection:
        return set(MigrationContext.configure(connection).get_current_heads())


def check_not_newer(database: Database) -> None:
    unknown = sorted(database_heads(database) - known_revisions())
    if unknown:
        raise SchemaTooNew(
            f"the database {database.safe_url()} has schema revision(s) {', '.join(unknown)} that this learnsys "
            "does not know: it was migrated by a newer version. Run that version (or restore a backup made "
            "before the upgrade); refusing to start.")


def upgrade(database: Database) -> dict[str, object]:
    """Apply every pending revision (all heads); returns the revisions before and after and the seconds taken."""
    started = time.perf_counter()
    check_not_newer(database)
    before = database_heads(database)
    engine = database.engine.execution_options(learnsys_write=True)  # SQLite: BEGIN IMMEDIATE, one migrator
    with engine.connect() as connection:
        if database.dialect == "postgresql":
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": PG_MIGRATION_LOCK})
            connection.commit()
        try:
            command.upgrade(alembic_config(connection), "heads")
            connection.commit()
        except CommandError as exc:
            raise SchemaTooNew(str(exc)) from exc
        finally:
            if database.dialect == "postgresql":
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": PG_MIGRATION_LOCK})
                connection.commit()
    after = database_heads(database)
    return {"before": sorted(before), "after": sorted(after), "seconds": round(time.perf_counter() - started, 3)}


def downgrade(database: Database, revision: str) -> None:
    """Step back to ``revision`` (tests and emergencies; back up first)."""
    with database.engine.execution_options(learnsys_write=True).connect() as connection:
        command.downgrade(alembic_config(connection), revision)
        connection.commit()


def upgrade_to(database: Database, revision: str) -> None:
    """Migrate to one named revision (tests: start from the previous revision)."""
    with database.engine.execution_options(learnsys_write=True).connect() as connection:
        command.upgrade(alembic_config(connection), revision)
        connection.commit()


def require_current(database: Database) -> None:
    """Refuse a database that is newer than the code, or older (pending revisions)."""
    check_not_newer(database)
    missing = code_heads() - database_heads(database)
    if missing:
        raise SchemaOutOfDate(f"the database {database.safe_url()} needs migrating (missing "
                              f"{', '.join(sorted(missing))}): run `learnsys db upgrade`")
