"""The signed-in caller: ``GET /me``."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from learnsys.api.auth import CurrentUser

router = APIRouter(tags=["accounts"])


class Me(BaseModel):
    email: str
    role: str
    scope: dict[str, str]


@router.get("/me", response_model=Me, summary="The caller's email, role and scope",
            responses={200: {"content": {"application/json": {"example": {
                "email": "team@rcb.nhs.uk", "role": "team", "scope": {"provider": "RCB"}}}}},
                401: {"description": "No or invalid token (problem+json)"}})
def me(user: CurrentUser) -> Me:
    return Me(email=user.email, role=user.role, scope=user.scope())
