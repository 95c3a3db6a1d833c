"""RFC 9457 problem details: one exception type and the handlers that render every error."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_JSON = "application/problem+json"


class ProblemError(Exception):
    """Raise from a route or service to answer with an ``application/problem+json`` body."""

    def __init__(self, status: int, title: str, detail: str = "", *, field: str | None = None,
                 type_: str = "about:blank", **extra: Any):
        super().__init__(detail or title)
        self.status, self.title, self.detail, self.field, self.type = status, title, detail, field, type_
        self.extra = extra

    def body(self, instance: str = "") -> dict[str, Any]:
        body: dict[str, Any] = {"type": self.type, "title": self.title, "status": self.status}
        if self.detail:
            body["detail"] = self.detail
        if instance:
            body["instance"] = instance
        if self.field:
            body["field"] = self.field
        body.update(self.extra)
        return body


def not_found(what: str, value: str, field: str) -> ProblemError:
    return ProblemError(404, f"Unknown {what}", f"No {what} {value!r}.", field=field)


def problem_response(problem: ProblemError, request: Request) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if problem.status == 401 else None
    return JSONResponse(problem.body(str(request.url.path)), status_code=problem.status,
                        media_type=PROBLEM_JSON, headers=headers)


def install_problem_handlers(app: FastAPI) -> None:
    """Every error the app can return becomes a problem body naming the offending field."""

    @app.exception_handler(ProblemError)
    async def _problem(request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(exc, request)

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [
            {"field": ".".join(str(p) for p in err.get("loc", ()) if p not in ("query", "body", "path")),
             "location": str(err.get("loc", ("",))[0]), "message": err.get("msg", "")}
            for err in exc.errors()
        ]
        first = errors[0] if errors else {"field": "", "message": "invalid request"}
        problem = ProblemError(422, "Invalid request", f"{first['field'] or 'request'}: {first['message']}",
                               field=first["field"] or None, errors=errors)
        return problem_response(problem, request)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        titles = {404: "Not found", 405: "Method not allowed", 401: "Unauthorized", 403: "Forbidden"}
        problem = ProblemError(exc.status_code, titles.get(exc.status_code, "HTTP error"), str(exc.detail or ""))
        return problem_response(problem, request)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        problem = ProblemError(500, "Internal server error", "The server could not complete the request.")
        return problem_response(problem, request)
