"""``learnsys db backup FILE`` / ``restore FILE``.

SQLite: the online backup API (a consistent copy while servers keep writing; restore copies pages back the
same way, under the write lock). PostgreSQL: ``pg_dump --format=custom`` and ``pg_restore --clean``
(client binaries from Debian's ``postgresql`` package).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url

from learnsys.store.db import Database
from learnsys.store.errors import StoreError


class BackupError(StoreError, RuntimeError):
    """A backup or restore could not be made; nothing was changed."""


def _sqlite_path(database: Database) -> str:
    return make_url(database.url).database or ""


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"))
    if not candidates:
        raise BackupError(f"{name} not found: install Debian's postgresql-client")
    return str(candidates[-1])


def _libpq_url(database: Database) -> str:
    return make_url(database.url).set(drivername="postgresql").render_as_string(hide_password=False)


def backup(database: Database, target: Path) -> dict[str, Any]:
    """Write a consistent copy of the store to ``target`` (replaced atomically)."""
    started = time.perf_counter()
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(f".{target.name}.part")
    partial.unlink(missing_ok=True)
    if database.is_sqlite:
        source = sqlite3.connect(_sqlite_path(database))
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
    elif database.dialect == "postgresql":
        result = subprocess.run([_pg_tool("pg_dump"), "--format=custom", "--no-owner", "-f", str(partial),
                                 _libpq_url(database)], capture_output=True, text=True)
        if result.returncode != 0:
            partial.unlink(missing_ok=True)
            raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    else:
        raise BackupError(f"no backup method for {database.dialect}")
    os.replace(partial, target)
    return {"file": str(target), "bytes": target.stat().st_size, "seconds": round(time.perf_counter() - started, 3)}


def _backup_revision(path: Path) -> list[str]:
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
            return [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")]
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{path}: not a learnsys SQLite backup ({exc})") from exc


def restore(database: Database, source: Path) -> dict[str, Any]:
    """Replace the store's contents with the backup in ``source``. Refuses a file that is not a learnsys backup
    or whose schema is newer than this code."""
    from learnsys.store import migrate

    started = time.perf_counter()
    if not source.is_file():
        raise BackupError(f"{source}: no such file")
    if database.is_sqlite:
        revision = _backup_revision(source)
        if not revision or set(revision) - migrate.known_revisions():
            raise BackupError(f"{source}: schema revision {revision or 'none'} is not one this learnsys knows")
        database.engine.dispose()
        backup_db = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
        live = sqlite3.connect(_sqlite_path(database), timeout=30)
        try:
            backup_db.backup(live)
        finally:
            live.close()
            backup_db.close()
    elif database.dialect == "postgresql":
        result = subprocess.run([_pg_tool("pg_restore"), "--clean", "--if-exists", "--no-owner",
                                 "--single-transaction", "-d", _libpq_url(database), str(source)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise BackupError(f"pg_restore failed: {result.stderr.strip()}")
        database.engine.dispose()
    else:
        raise BackupError(f"no restore method for {database.dialect}")
    migrate.check_not_newer(database)
    return {"file": str(source), "revision": sorted(migrate.database_heads(database)),
            "seconds": round(time.perf_counter() - started, 3)}
