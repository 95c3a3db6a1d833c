"""Accounts and tokens: salted hashes only, constant-time checks, revocation, scopes, audit in the same commit."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select

from learnsys.store import accounts, audit
from learnsys.store.accounts import Account, AccountError
from learnsys.store.changes import latest_sequence
from learnsys.store.db import Database
from learnsys.store.tables import ApiToken, AuditEvent, User


def test_token_is_random_and_only_its_salted_hash_is_stored(database: Database) -> None:
    account, token = accounts.create_user(database, "Team@RCB.nhs.uk", "team", provider="rcb")
    assert account.email == "team@rcb.nhs.uk" and account.provider == "RCB"
    _, other = accounts.create_user(database, "b@rcb.nhs.uk", "team", provider="RCB")
    assert token != other and len(token) > 40
    with database.read() as session:
        stored = session.execute(select(ApiToken)).scalars().all()
    secret = token.split("_", 2)[2]
    assert all(secret not in (t.hash, t.salt, t.prefix) for t in stored)
    assert len({t.salt for t in stored}) == 2  # a salt per token
    assert accounts.authenticate(database, token) == account
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), token + "x", "ls_nope_nope", "", "Bearer x",
                other.replace(other.split("_")[1], token.split("_")[1])):
        assert accounts.authenticate(database, bad) is None, bad


def test_revoke_stops_every_token_and_is_audited(database: Database) -> None:
    account, token = accounts.create_user(database, "r@nhs.net", "reviewer")
    second = accounts.issue_token(database, "r@nhs.net")
    assert accounts.authenticate(database, second) == account
    revoked = accounts.revoke_user(database, "r@nhs.net", actor="admin@nhs.net")
    assert not revoked.active
    assert accounts.authenticate(database, token) is None and accounts.authenticate(database, second) is None
    with pytest.raises(AccountError, match="revoked"):
        accounts.revoke_user(database, "r@nhs.net")
    with database.read() as session:
        rows = audit.events(session, entity="user:r@nhs.net")
    assert [r.action for r in rows] == ["user.create", "token.issue", "user.revoke"]
    assert rows[-1].actor == "admin@nhs.net" and rows[-1].before["active"] and not rows[-1].after["active"]
    assert [r.seq for r in rows] == sorted(r.seq for r in rows)


@pytest.mark.parametrize(("role", "scope", "field"), [
    ("team", {}, "provider"),
    ("regional", {}, "region"),
    ("faculty", {}, "collaborative"),
    ("reviewer", {"provider": "RCB"}, "provider"),
    ("admin", {"region": "Y63"}, "region"),
    ("team", {"provider": "not a code"}, "provider"),
    ("owner", {}, "role"),
])
def test_role_and_scope_are_checked(database: Database, role: str, scope: dict, field: str) -> None:
    with pytest.raises(AccountError) as info:
        accounts.create_user(database, "x@nhs.net", role, **scope)
    assert info.value.field == field
    assert accounts.list_users(database) == []


def test_duplicate_email_refused(database: Database) -> None:
    accounts.create_user(database, "a@nhs.net", "admin")
    with pytest.raises(AccountError, match="exists"):
        accounts.create_user(database, "A@nhs.net", "reviewer")


def test_scope_rules() -> None:
    team = Account(1, "t@x.nhs.uk", "team", provider="RCB")
    regional = Account(2, "r@x.nhs.uk", "regional", region="Y63")
    faculty = Account(3, "f@x.nhs.uk", "faculty", collaborative="uec-1")
    admin = Account(4, "a@x.nhs.uk", "admin")
    assert team.covers_provider("RCB") and not team.covers_provider("RXN", "Y63")
    assert regional.covers_provider("RCB", "Y63") and not regional.covers_provider("RXN", "Y62")
    assert regional.covers_region("Y63") and not regional.covers_region("Y62") and not team.covers_region("Y63")
    assert faculty.covers_collaborative("uec-1") and not faculty.covers_collaborative("uec-2")
    assert regional.covers_collaborative("uec-2", "Y63") and not regional.covers_collaborative("uec-2", "Y62")
    assert all((admin.covers_region("Y62"), admin.covers_provider("RXN"), admin.covers_collaborative("x")))


def test_an_interrupted_write_leaves_nothing(database: Database) -> None:
    with database.read() as session:
        before = latest_sequence(session)
    with pytest.raises(RuntimeError), database.write() as session:
        session.add(User(email="half@nhs.net", role="admin", active=True))
        session.flush()
        audit.record(session, "test", "user.create", "user", "half@nhs.net", None, {"email": "half@nhs.net"})
        session.flush()
        raise RuntimeError("killed before commit")
    with database.read() as session:
        assert session.execute(select(func.count()).select_from(User)).scalar() == 0
        assert session.execute(select(func.count()).select_from(AuditEvent)).scalar() == 0
        assert latest_sequence(session) == before


def test_32_concurrent_writers_lose_nothing(database: Database) -> None:
    errors: list[BaseException] = []

    def create(i: int) -> None:
        try:
            accounts.create_user(database, f"user{i}@nhs.net", "team", provider="RCB")
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(i,)) for i in range(32)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    users = accounts.list_users(database)
    assert sorted(u.email for u in users) == sorted(f"user{i}@nhs.net" for i in range(32))
    with database.read() as session:
        seqs = [e.seq for e in audit.events(session, entity="user")]
    assert sorted(seqs) == list(range(1, 33))  # one change number each, none shared, none skipped
