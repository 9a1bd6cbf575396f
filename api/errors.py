"""The one place that maps maillage errors to HTTP: ``application/problem+json`` (RFC 9457).

Every problem has ``type`` (``about:blank``), ``title``, ``status`` and ``detail``; a problem
about one request parameter (422) also names it in ``parameter``. Statuses:

- 400: a SPARQL query that does not parse or run, a bad request of the SPARQL protocol;
- 404: an unknown resource, named query, graph or path;
- 405: a method the path does not take (with ``Allow``);
- 406: no representation matches ``Accept``;
- 422: a request parameter that is unknown, missing or does not fit its type — whether FastAPI
  finds it (``RequestValidationError``) or a named query does (:class:`ParameterError`).
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from graph.errors import BadQueryError, LoadError, MaillageError, NotFoundError
from graph.named_queries import ParameterError

PROBLEM = "application/problem+json"
# The JSON Schema of a problem document, for the OpenAPI description of every error response.
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "parameter": {"type": "string", "description": "the request parameter at fault (422)"},
    },
}
# Most specific first: the first class an error is an instance of gives the status.
STATUS = {ParameterError: 422, BadQueryError: 400, NotFoundError: 404, LoadError: 422}


def problem(status: int, title: str, detail: str,
            headers: dict[str, str] | None = None, **extensions: object) -> JSONResponse:
    """A problem document; ``extensions`` are extra members (RFC 9457 §3.2)."""
    return JSONResponse({"type": "about:blank", "title": title, "status": status,
                         "detail": detail, **extensions}, status_code=status,
                        media_type=PROBLEM, headers=headers)


def parameter_problem(name: str, detail: str) -> JSONResponse:
    """422: the request parameter ``name`` is unknown, missing or does not fit its type."""
    return problem(422, "Unprocessable content", detail, parameter=name)


class QueryRefusedError(MaillageError):
    """A query refused before it reaches the engine (too large, too deep, a SERVICE call…)."""


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    from api.executor import NotAcceptableError, QueryCrashedError, QueryTimeoutError

    statuses = {NotAcceptableError: 406, QueryTimeoutError: 503, QueryCrashedError: 400, **STATUS}

    @app.exception_handler(MaillageError)
    def _maillage(_: Request, exc: MaillageError) -> JSONResponse:
        if isinstance(exc, ParameterError):
            return parameter_problem(exc.param, str(exc))
        status = next((code for cls, code in statuses.items() if isinstance(exc, cls)), 400)
        headers = {"Retry-After": "5"} if status == 503 else None
        return problem(status, type(exc).__name__, str(exc), headers)

    @app.exception_handler(RequestValidationError)
    def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        first = exc.errors()[0]
        loc = [str(p) for p in first.get("loc", ())]
        where, name = (loc[0], ".".join(loc[1:])) if len(loc) > 1 else ("request", ".".join(loc))
        return parameter_problem(name, f"{where} parameter {name!r}: {first.get('msg')}")

    @app.exception_handler(StarletteHTTPException)
    def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        # Starlette's own 404 (no route) and 405 (with its Allow header), and any HTTPException.
        try:
            title = HTTPStatus(exc.status_code).phrase
        except ValueError:
            title = "Error"
        detail = str(exc.detail)
        if detail == title:  # Starlette's bare default: say what was asked
            detail = f"{request.method} {request.url.path}: {title.lower()}"
        return problem(exc.status_code, title, detail, dict(exc.headers or {}) or None)

    _document_problems(app)


def _document_problems(app: FastAPI) -> None:
    """Make the OpenAPI document say what the handlers do: FastAPI describes every 422 as its
    own ``HTTPValidationError`` in ``application/json``; here it is a problem document."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            for path in schema.get("paths", {}).values():
                for operation in path.values():
                    response = operation.get("responses", {}).get("422")
                    if response and "HTTPValidationError" in str(response.get("content")):
                        operation["responses"]["422"] = {
                            "description": "A request parameter is missing or does not fit its type",
                            "content": {PROBLEM: {"schema": PROBLEM_SCHEMA}}}
            components = schema.get("components", {}).get("schemas", {})
            if "HTTPValidationError" not in str(schema.get("paths")):
                components.pop("HTTPValidationError", None)
                components.pop("ValidationError", None)
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
