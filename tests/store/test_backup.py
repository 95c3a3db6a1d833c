"""db backup / restore round trip on each engine (SQLite online backup; PostgreSQL pg_dump/pg_restore)."""

from __future__ import annotations

from pathlib import Path

import pytest

from learnsys.store import accounts, backup
from learnsys.store.db import Database


def _pg_tools_missing(database: Database) -> bool:
    if database.is_sqlite:
        return False
    try:
        backup._pg_tool("pg_dump"), backup._pg_tool("pg_restore")
    except backup.BackupError:
        return True
    return False


def test_backup_then_restore_brings_back_exactly_the_backed_up_accounts(database: Database, tmp_path: Path) -> None:
    if _pg_tools_missing(database):
        pytest.skip("pg_dump/pg_restore not installed")
    kept, kept_token = accounts.create_user(database, "kept@nhs.net", "reviewer")
    report = backup.backup(database, tmp_path / "store.backup")
    assert report["bytes"] > 0 and Path(report["file"]).is_file()
    accounts.create_user(database, "later@nhs.net", "admin")
    accounts.revoke_user(database, "kept@nhs.net")
    assert accounts.authenticate(database, kept_token) is None

    restored = backup.restore(database, tmp_path / "store.backup")
    assert restored["revision"]
    assert accounts.authenticate(database, kept_token) == kept
    assert [u.email for u in accounts.list_users(database)] == ["kept@nhs.net"]
    accounts.create_user(database, "after@nhs.net", "admin")  # the restored store takes writes again


def test_restore_refuses_a_file_that_is_not_a_backup(database: Database, tmp_path: Path) -> None:
    if not database.is_sqlite:
        pytest.skip("the SQLite check; pg_restore reports its own errors")
    bogus = tmp_path / "not-a-backup.db"
    bogus.write_text("hello")
    accounts.create_user(database, "stays@nhs.net", "admin")
    with pytest.raises(backup.BackupError, match="not a learnsys SQLite backup"):
        backup.restore(database, bogus)
    assert [u.email for u in accounts.list_users(database)] == ["stays@nhs.net"]
