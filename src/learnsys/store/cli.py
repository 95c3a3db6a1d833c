"""``learnsys db ...`` and ``learnsys users ...``: registered into the main CLI by ``register(subparsers)``."""

from __future__ import annotations

import argparse
import getpass
import json
import sys
from pathlib import Path
from typing import Any

from learnsys.config import get_settings


def _progress(message: str) -> None:
    print(f"[learnsys] {message}", file=sys.stderr, flush=True)


def _database(upgrade: bool = True) -> Any:
    from learnsys.pipeline import open_store

    return open_store(get_settings(), _progress, upgrade=upgrade)


def cli_actor() -> str:
    """Who the audit trail names for a command run at the console."""
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # noqa: BLE001 - no login name (containers)
        return "cli"


def cmd_db_upgrade(args: argparse.Namespace) -> int:
    from learnsys.store import migrate
    from learnsys.store.db import Database

    database = Database(get_settings().database_url)
    report = migrate.upgrade(database)
    print(f"{database.safe_url()}: {report['before'] or 'empty'} -> {report['after']} in {report['seconds']} s")
    return 0


def cmd_db_status(args: argparse.Namespace) -> int:
    from learnsys.store import migrate
    from learnsys.store.db import Database

    database = Database(get_settings().database_url)
    print(json.dumps({"database": database.safe_url(), "revision": sorted(migrate.database_heads(database)),
                      "code": sorted(migrate.code_heads())}, indent=2))
    return 0


def cmd_db_backup(args: argparse.Namespace) -> int:
    from learnsys.store.backup import backup

    database = _database(upgrade=False)
    report = backup(database, Path(args.file))
    print(f"backed up {database.safe_url()} to {report['file']} ({report['bytes']} bytes, {report['seconds']} s)")
    return 0


def cmd_db_restore(args: argparse.Namespace) -> int:
    from learnsys.store.backup import restore
    from learnsys.store.db import Database

    database = Database(get_settings().database_url)
    report = restore(database, Path(args.file))
    print(f"restored {database.safe_url()} from {report['file']} (revision {', '.join(report['revision'])}, "
          f"{report['seconds']} s); restart the servers so they reload")
    return 0


def cmd_users_add(args: argparse.Namespace) -> int:
    from learnsys.store.accounts import create_user

    account, token = create_user(_database(), args.email, args.role, provider=args.provider, region=args.region,
                                 collaborative=args.collaborative, actor=cli_actor())
    scope = ", ".join(f"{k} {v}" for k, v in account.scope().items())
    print(f"created {account.email} ({account.role}{'; ' + scope if scope else ''}); its API token (shown once):")
    print(token)
    return 0


def cmd_users_token(args: argparse.Namespace) -> int:
    from learnsys.store.accounts import issue_token

    token = issue_token(_database(), args.email, actor=cli_actor())
    print(f"a new API token for {args.email} (shown once):")
    print(token)
    return 0


def cmd_users_list(args: argparse.Namespace) -> int:
    from learnsys.store.accounts import list_users

    users = list_users(_database())
    if args.json:
        print(json.dumps([u.public() for u in users], indent=2))
        return 0
    for user in users:
        scope = ", ".join(f"{k}={v}" for k, v in user.scope().items())
        print(f"{user.email}\t{user.role}\t{scope or '-'}\t{'active' if user.active else 'revoked'}")
    return 0


def cmd_users_revoke(args: argparse.Namespace) -> int:
    from learnsys.store.accounts import revoke_user

    account = revoke_user(_database(), args.email, actor=cli_actor())
    print(f"revoked {account.email}: its tokens no longer work")
    return 0


def register(subparsers: Any) -> None:
    """Add the ``db`` and ``users`` commands to the ``learnsys`` parser."""
    from learnsys.store.accounts import ROLES

    db = subparsers.add_parser("db", help="the store of record: migrate, back up, restore").add_subparsers(
        dest="db_command", required=True)
    db.add_parser("upgrade", help="apply pending schema migrations").set_defaults(handler=cmd_db_upgrade)
    db.add_parser("status", help="the database's schema revision and this code's").set_defaults(
        handler=cmd_db_status)
    backup = db.add_parser("backup", help="copy the store to FILE (online; pg_dump for PostgreSQL)")
    backup.add_argument("file")
    backup.set_defaults(handler=cmd_db_backup)
    restore = db.add_parser("restore", help="replace the store with a backup FILE")
    restore.add_argument("file")
    restore.set_defaults(handler=cmd_db_restore)

    users = subparsers.add_parser("users", help="accounts and API tokens").add_subparsers(
        dest="users_command", required=True)
    add = users.add_parser("add", help="create an account; prints its API token once, on the last line")
    add.add_argument("email")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--provider", metavar="ODS", help="team: the provider it writes for")
    add.add_argument("--region", metavar="CODE", help="regional: the region it acts for")
    add.add_argument("--collaborative", metavar="ID", help="faculty: the collaborative it runs")
    add.set_defaults(handler=cmd_users_add)
    token = users.add_parser("token", help="issue a further API token for an account (printed once)")
    token.add_argument("email")
    token.set_defaults(handler=cmd_users_token)
    listing = users.add_parser("list", help="accounts with role, scope and status")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_users_list)
    revoke = users.add_parser("revoke", help="deactivate an account and revoke its tokens")
    revoke.add_argument("email")
    revoke.set_defaults(handler=cmd_users_revoke)
