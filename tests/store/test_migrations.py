"""Migrations: from an empty database, from the previous revision, and a newer schema refused."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, text

from learnsys.store import accounts, migrate
from learnsys.store.db import Database


def test_upgrade_from_empty_creates_every_table_and_matches_the_models(empty_database) -> None:
    db = Database(empty_database.url)
    report = migrate.upgrade(db)
    assert report["before"] == [] and set(report["after"]) == migrate.code_heads()
    assert set(migrate.metadata().tables) <= set(inspect(db.engine).get_table_names())
    with db.engine.connect() as connection:  # the models and the migrations describe the same schema
        assert compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}),
                                migrate.metadata()) == []
    assert migrate.upgrade(db)["before"] == report["after"]  # a second upgrade is a no-op
    migrate.require_current(db)
    db.dispose()


def test_upgrade_from_the_previous_revision_keeps_the_data(empty_database) -> None:
    db = Database(empty_database.url)
    migrate.upgrade_to(db, "store_0001")
    with pytest.raises(migrate.SchemaOutOfDate, match="learnsys db upgrade"):
        migrate.require_current(db)
    account, token = accounts.create_user(db, "early@nhs.net", "reviewer")
    assert "documents" not in inspect(db.engine).get_table_names()
    migrate.upgrade(db)
    assert "documents" in inspect(db.engine).get_table_names()
    assert accounts.authenticate(db, token) == account
    migrate.downgrade(db, "store_0001")  # and back down, keeping the accounts
    assert accounts.authenticate(db, token) == account
    db.dispose()


def test_a_newer_schema_is_refused_with_a_clear_message(database: Database) -> None:
    with database.engine.begin() as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = 'store_9999' "
                                "WHERE version_num = 'store_0002'"))
    with pytest.raises(migrate.SchemaTooNew, match="newer version"):
        migrate.upgrade(database)
    with pytest.raises(migrate.SchemaTooNew):
        migrate.require_current(database)
