"""The refusals the collaborative service reports; the API maps each to a problem+json status."""

from __future__ import annotations

from typing import Any


class CollaborativeError(Exception):
    status = 400
    title = "Refused"

    def __init__(self, detail: str, field: str | None = None, **extra: Any):
        super().__init__(detail)
        self.detail, self.field, self.extra = detail, field, extra


class NotFound(CollaborativeError):
    status, title = 404, "Not found"

    def __init__(self, what: str, value: str, field: str):
        super().__init__(f"No {what} {value!r}.", field)


class Unauthorized(CollaborativeError):
    status, title = 401, "Unauthorized"

    def __init__(self, detail: str = "Sign in with a bearer token to see this collaborative."):
        super().__init__(detail, "Authorization")


class Forbidden(CollaborativeError):
    status, title = 403, "Forbidden"

    def __init__(self, detail: str):
        super().__init__(detail, "Authorization")


class Invalid(CollaborativeError):
    status, title = 422, "Invalid request"


class Conflict(CollaborativeError):
    status, title = 409, "Conflict"


class PreconditionFailed(CollaborativeError):
    status, title = 412, "Precondition failed"

    def __init__(self, current: str):
        super().__init__(f"The record changed since you read it (it is now {current}); reload and edit again.",
                         "If-Match", current_etag=current)


class PreconditionRequired(CollaborativeError):
    status, title = 428, "Precondition required"

    def __init__(self, current: str):
        super().__init__(f"This record exists; send If-Match: {current} (from your last read) to change it.",
                         "If-Match", current_etag=current)
