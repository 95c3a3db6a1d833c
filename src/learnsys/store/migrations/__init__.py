"""Alembic migrations of the store, shipped in the package and run by ``learnsys.store.migrate``."""
