"""Accounts, roles and scopes, and API tokens (random; only a salted hash is stored, compared in constant time).

Roles: ``admin`` (everything), ``reviewer`` (publishes documents), ``regional`` (scoped to a region: its
plans, assignments and collaboratives), ``faculty`` (scoped to a collaborative), ``team`` (scoped to a
provider: writes its own team's data only). Readers without an account see only what is published.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from learnsys.store import audit
from learnsys.store.db import Database
from learnsys.store.errors import StoreError
from learnsys.store.tables import ApiToken, User, utcnow

ROLES = ("admin", "reviewer", "regional", "faculty", "team")
REVIEWERS = ("admin", "reviewer")
SCOPE_OF_ROLE = {"regional": "region", "faculty": "collaborative", "team": "provider"}
TOKEN_PREFIX = "ls"
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CODE = re.compile(r"^[A-Z0-9]{2,10}$")
SLUG = re.compile(r"^[a-z0-9]+(?:[-_.][a-z0-9]+)*$")


class AccountError(StoreError, ValueError):
    """An account request is invalid; ``field`` names the offending option."""

    def __init__(self, field: str, message: str):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class Account:
    """The signed-in caller: who, which role, which scope. Knows nothing of HTTP."""

    id: int
    email: str
    role: str
    provider: str | None = None
    region: str | None = None
    collaborative: str | None = None
    active: bool = True

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_reviewer(self) -> bool:
        return self.role in REVIEWERS

    @property
    def actor(self) -> str:
        return self.email

    def scope(self) -> dict[str, str]:
        return {k: v for k, v in (("provider", self.provider), ("region", self.region),
                                  ("collaborative", self.collaborative)) if v}

    def covers_region(self, region: str) -> bool:
        """May act for ``region`` (its plans, assignments and collaboratives)."""
        return self.is_admin or (self.role == "regional" and self.region == region)

    def covers_provider(self, provider: str, provider_region: str | None = None) -> bool:
        """May write ``provider``'s data: admin, that provider's team, or the region's team."""
        if self.is_admin:
            return True
        if self.role == "team":
            return self.provider == provider
        return self.role == "regional" and provider_region is not None and self.region == provider_region

    def covers_collaborative(self, collaborative: str, collaborative_region: str | None = None) -> bool:
        """May run ``collaborative``: admin, its faculty, or the regional team of its region."""
        if self.is_admin:
            return True
        if self.role == "faculty":
            return self.collaborative == collaborative
        return self.role == "regional" and collaborative_region is not None and self.region == collaborative_region

    def public(self) -> dict[str, Any]:
        return {"email": self.email, "role": self.role, "scope": self.scope(), "active": self.active}

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _account(user: User) -> Account:
    return Account(user.id, user.email, user.role, user.provider, user.region, user.collaborative, user.active)


def check_scope(role: str, provider: str | None, region: str | None, collaborative: str | None) -> None:
    """A role carries exactly the scope it needs (a team may also name its collaborative)."""
    if role not in ROLES:
        raise AccountError("role", f"role must be one of {', '.join(ROLES)}, got {role!r}")
    given = {k for k, v in (("provider", provider), ("region", region), ("collaborative", collaborative)) if v}
    needed = SCOPE_OF_ROLE.get(role)
    if needed and needed not in given:
        raise AccountError(needed, f"a {role} account needs --{needed}")
    allowed = {needed} if needed else set()
    if role == "team":
        allowed.add("collaborative")
    extra = given - allowed
    if extra:
        name = sorted(extra)[0]
        raise AccountError(name, f"a {role} account takes no --{name}")
    if provider and not CODE.match(provider):
        raise AccountError("provider", f"provider must be an ODS code such as RCB, got {provider!r}")
    if region and not CODE.match(region):
        raise AccountError("region", f"region must be a region code such as Y63, got {region!r}")
    if collaborative and not SLUG.match(collaborative):
        raise AccountError("collaborative",
                           f"collaborative must be an id (lowercase, digits, -), got {collaborative!r}")


def _hash(salt: str, secret: str) -> str:
    return hashlib.sha256(bytes.fromhex(salt) + secret.encode()).hexdigest()


def _new_token(session: Session, user: User) -> str:
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    salt = secrets.token_hex(16)
    session.add(ApiToken(user_id=user.id, prefix=prefix, salt=salt, hash=_hash(salt, secret)))
    return f"{TOKEN_PREFIX}_{prefix}_{secret}"


def create_user(database: Database, email: str, role: str, *, provider: str | None = None,
                region: str | None = None, collaborative: str | None = None,
                actor: str = "cli") -> tuple[Account, str]:
    """Create an account and its first token; the token is returned once and never stored."""
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise AccountError("email", f"not an email address: {email!r}")
    provider = provider.strip().upper() if provider else None
    region = region.strip().upper() if region else None
    collaborative = collaborative.strip() if collaborative else None
    check_scope(role, provider, region, collaborative)
    try:
        with database.write() as session:
            if session.execute(select(User.id).where(User.email == email)).first():
                raise AccountError("email", f"an account for {email} exists")
            user = User(email=email, role=role, provider=provider, region=region, collaborative=collaborative,
                        active=True)
            session.add(user)
            session.flush()
            token = _new_token(session, user)
            account = _account(user)
            audit.record(session, actor, "user.create", "user", email, None, account.public())
    except IntegrityError as exc:  # a concurrent create of the same email
        raise AccountError("email", f"an account for {email} exists") from exc
    return account, token


def issue_token(database: Database, email: str, actor: str = "cli") -> str:
    """A further token for an active account (e.g. to rotate: issue, switch, then revoke the account's old ones)."""
    with database.write() as session:
        user = _active_user(session, email)
        token = _new_token(session, user)
        audit.record(session, actor, "token.issue", "user", user.email, None, {"tokens": "+1"})
    return token


def revoke_user(database: Database, email: str, actor: str = "cli") -> Account:
    """Deactivate an account and revoke all its tokens (kept for the audit trail)."""
    with database.write() as session:
        user = _active_user(session, email)
        before = _account(user).public()
        now = utcnow()
        user.active = False
        user.revoked_at = now
        for token in session.execute(select(ApiToken).where(ApiToken.user_id == user.id,
                                                            ApiToken.revoked_at.is_(None))).scalars():
            token.revoked_at = now
        account = _account(user)
        audit.record(session, actor, "user.revoke", "user", user.email, before, account.public())
    return account


def _active_user(session: Session, email: str) -> User:
    user = session.execute(select(User).where(User.email == email.strip().lower())).scalar_one_or_none()
    if user is None:
        raise AccountError("email", f"no account for {email}")
    if not user.active:
        raise AccountError("email", f"the account {email} is revoked")
    return user


def list_users(database: Database) -> list[Account]:
    with database.read() as session:
        return [_account(u) for u in session.execute(select(User).order_by(User.email)).scalars()]


def find_user(database: Database, email: str) -> Account | None:
    with database.read() as session:
        user = session.execute(select(User).where(User.email == email.strip().lower())).scalar_one_or_none()
        return _account(user) if user else None


def authenticate(database: Database, token: str) -> Account | None:
    """The active account a token belongs to, or None (unknown, malformed, revoked)."""
    scheme, _, rest = token.strip().partition("_")
    prefix, _, secret = rest.partition("_")
    if scheme != TOKEN_PREFIX or not prefix or not secret or len(token) > 200:
        return None
    with database.read() as session:
        row = session.execute(select(ApiToken, User).join(User, User.id == ApiToken.user_id)
                              .where(ApiToken.prefix == prefix)).first()
        if row is None:
            hmac.compare_digest(_hash("00" * 16, secret), "0" * 64)  # same work for unknown prefixes
            return None
        stored, user = row
        if not hmac.compare_digest(_hash(stored.salt, secret), stored.hash):
            return None
        if stored.revoked_at is not None or not user.active:
            return None
        return _account(user)
