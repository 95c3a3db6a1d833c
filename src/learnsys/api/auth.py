"""Authorisation, written once as FastAPI dependencies.

``OptionalUser`` (anonymous is ``None``), ``CurrentUser`` (401 without a valid token), ``require_role(...)``
and the scope dependencies ``require_regional``/``require_team``/``require_faculty`` (403 outside the scope),
plus ``authorise_*`` functions for scopes that come in a request body. Tokens are checked by an
``Authenticator``: the store's API tokens now; an OIDC validator (issuer keys) can be set on
``app.state.authenticator`` later without touching a route.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Protocol

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from learnsys.api.deps import ServicesDep
from learnsys.api.problems import ProblemError
from learnsys.services import Services
from learnsys.store import accounts
from learnsys.store.accounts import Account

bearer = HTTPBearer(auto_error=False, description="An API token from `learnsys users add`")


class Authenticator(Protocol):
    """Turns a bearer token into an account, or None when the token is not valid."""

    def authenticate(self, token: str) -> Account | None: ...


class StoreTokenAuthenticator:
    """API tokens issued by ``learnsys users add``: salted hashes in the store, compared in constant time."""

    def __init__(self, database: Any):
        self.database = database

    def authenticate(self, token: str) -> Account | None:
        return accounts.authenticate(self.database, token)


class ChainAuthenticator:
    """The first authenticator that accepts the token wins (e.g. OIDC first, then store tokens)."""

    def __init__(self, *authenticators: Authenticator):
        self.authenticators = authenticators

    def authenticate(self, token: str) -> Account | None:
        for authenticator in self.authenticators:
            account = authenticator.authenticate(token)
            if account is not None:
                return account
        return None


def unauthorized(detail: str = "A valid bearer token is required.") -> ProblemError:
    return ProblemError(401, "Unauthorized", detail, field="Authorization")


def forbidden(detail: str) -> ProblemError:
    return ProblemError(403, "Forbidden", detail, field="Authorization")


def get_authenticator(request: Request, services: ServicesDep) -> Authenticator:
    custom = getattr(request.app.state, "authenticator", None)
    if custom is not None:
        return custom
    if services.store is None:
        raise ProblemError(503, "Store unavailable", "The store of record is not open.")
    return StoreTokenAuthenticator(services.store)


def optional_user(request: Request,
                  credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Account | None:
    """The caller, or None without a token. A token that is given but not valid is a 401, never anonymous."""
    if credentials is None:
        if request.headers.get("authorization"):
            raise unauthorized("The Authorization header must be 'Bearer <token>'.")
        return None
    services: Services = request.app.state.services
    account = get_authenticator(request, services).authenticate(credentials.credentials)
    if account is None:
        raise unauthorized("The bearer token is not valid (unknown, revoked or malformed).")
    return account


OptionalUser = Annotated[Account | None, Depends(optional_user)]


def current_user(user: OptionalUser) -> Account:
    if user is None:
        raise unauthorized()
    return user


CurrentUser = Annotated[Account, Depends(current_user)]


def require_role(*roles: str) -> Callable[[Account], Account]:
    """A dependency admitting only these roles (403 for any other signed-in caller)."""

    def dependency(user: CurrentUser) -> Account:
        if user.role not in roles:
            raise forbidden(f"This needs the role {' or '.join(roles)}; you are signed in as {user.role}.")
        return user

    dependency.__name__ = f"require_{'_'.join(roles)}"
    return dependency


AdminUser = Annotated[Account, Depends(require_role("admin"))]
ReviewerUser = Annotated[Account, Depends(require_role("admin", "reviewer"))]


def provider_region(services: Services, ods: str) -> str | None:
    provider = services.reference.providers.get(ods) if services.reference else None
    return provider.region_code if provider else None


def authorise_region(user: Account, region: str) -> None:
    if not user.covers_region(region):
        raise forbidden(f"Your account ({user.role}{_scope(user)}) does not cover region {region}.")


def authorise_provider(user: Account, services: Services, ods: str) -> None:
    if not user.covers_provider(ods, provider_region(services, ods)):
        raise forbidden(f"Your account ({user.role}{_scope(user)}) does not cover provider {ods}.")


def authorise_collaborative(user: Account, collaborative: str, region: str | None = None) -> None:
    if not user.covers_collaborative(collaborative, region):
        raise forbidden(f"Your account ({user.role}{_scope(user)}) does not cover collaborative {collaborative}.")


def _scope(user: Account) -> str:
    scope = user.scope()
    return (" for " + ", ".join(f"{k} {v}" for k, v in scope.items())) if scope else ""


def _param(request: Request, name: str) -> str:
    value = request.path_params.get(name) or request.query_params.get(name)
    if not value:
        raise ProblemError(422, "Invalid request", f"{name} is required", field=name)
    return str(value)


def require_regional(param: str = "region") -> Callable[..., Account]:
    """A dependency: the caller covers the region named by path or query parameter ``param`` (admin or its
    regional team)."""

    def dependency(request: Request, user: CurrentUser) -> Account:
        authorise_region(user, _param(request, param).upper())
        return user

    return dependency


def require_team(param: str = "ods") -> Callable[..., Account]:
    """A dependency: the caller may write the provider named by ``param`` (admin, its team, its region)."""

    def dependency(request: Request, user: CurrentUser, services: ServicesDep) -> Account:
        authorise_provider(user, services, _param(request, param).upper())
        return user

    return dependency


def require_faculty(param: str = "collaborative_id",
                    region_of: Callable[[Services, str], str | None] | None = None) -> Callable[..., Account]:
    """A dependency: the caller runs the collaborative named by ``param`` (admin, its faculty, or the regional
    team of the region ``region_of(services, id)`` returns)."""

    def dependency(request: Request, user: CurrentUser, services: ServicesDep) -> Account:
        collaborative = _param(request, param)
        authorise_collaborative(user, collaborative, region_of(services, collaborative) if region_of else None)
        return user

    return dependency
