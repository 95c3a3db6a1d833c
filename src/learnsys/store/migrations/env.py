"""Alembic environment: runs on the connection ``learnsys.store.migrate`` passes in (never from alembic.ini)."""

from __future__ import annotations

from alembic import context

from learnsys.store.migrate import metadata

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=metadata(),
    render_as_batch=connection.dialect.name == "sqlite",  # SQLite alters tables by copy
    transactional_ddl=True,
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
