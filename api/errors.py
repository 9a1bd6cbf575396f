"""The one place that maps maillage errors to HTTP: ``application/problem+json`` (RFC 9457)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from graph.errors import BadQueryError, LoadError, MaillageError, NotFoundError

PROBLEM = "application/problem+json"
STATUS = {BadQueryError: 400, NotFoundError: 404, LoadError: 422}


def problem(status: int, title: str, detail: str,
            headers: dict[str, str] | None = None) -> JSONResponse:
    """A problem document."""
    return JSONResponse({"type": "about:blank", "title": title, "status": status,
                         "detail": detail}, status_code=status, media_type=PROBLEM,
                        headers=headers)


class QueryRefusedError(MaillageError):
    """A query refused before it reaches the engine (too large, too deep, a SERVICE call…)."""


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    from api.executor import NotAcceptableError, QueryCrashedError, QueryTimeoutError

    statuses = {**STATUS, NotAcceptableError: 406, QueryTimeoutError: 503, QueryCrashedError: 400}

    @app.exception_handler(MaillageError)
    def _maillage(_: Request, exc: MaillageError) -> JSONResponse:
        status = next((code for cls, code in statuses.items() if isinstance(exc, cls)), 400)
        headers = {"Retry-After": "5"} if status == 503 else None
        return problem(status, type(exc).__name__, str(exc), headers)

    @app.exception_handler(RequestValidationError)
    def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return problem(400, "Bad request", f"{where}: {first.get('msg')}")
