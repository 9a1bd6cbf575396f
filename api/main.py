"""The FastAPI application."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware
from fastapi.middleware.gzip import GZipMiddleware
from fastapi.staticfiles import StaticFiles

from api import errors
from api.endpoint import SparqlEndpoint
from api.executor import AnswerCache, QueryRunner
from api.response_cache import ResponseCache
from api.routes import ROUTERS
from api.settings import Settings
from api.shared_answers import SharedAnswers
from graph.errors import NotFoundError
from graph.store import OxigraphStore

STATIC = Path(__file__).parent / "static"


class BodyLimit:
    """Refuse a request whose declared body is over ``limit`` bytes (413), as plain ASGI: an
    ``@app.middleware`` costs ~0.2 ms per request. Bodies without a length are bounded where
    they are read."""

    def __init__(self, app, limit: int) -> None:  # type: ignore[no-untyped-def]
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name == b"content-length" and value.isdigit() and int(value) > self.limit:
                    response = errors.problem(413, "Content too large",
                                              f"the body is over {self.limit} bytes")
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)


def open_service_store(settings: Settings) -> OxigraphStore:
    """The store the service reads: the on-disk store at ``settings.store`` — read-only, unless
    an update token is set (then writable, and queries run in-process).

    :raises NotFoundError: if there is no store there (run ``maillage load`` first).
    """
    if not settings.store.is_dir():
        raise NotFoundError(f"no store at {settings.store}: run `maillage load` first")
    return OxigraphStore(settings.store, read_only=not settings.update_token)


def create_app(settings: Settings | None = None, store: OxigraphStore | None = None) -> FastAPI:
    """Build the app over ``store`` (default: the on-disk store named by ``settings``).

    SPARQL queries run on this process's query threads with the time limit, row cap and answer
    cache of ``settings`` (:class:`~api.executor.QueryRunner`); ``maillage serve`` runs several
    such processes under a supervisor (:mod:`api.serve`).
    """
    settings = settings or Settings()
    store = store if store is not None else open_service_store(settings)
    runner = QueryRunner(store, timeout=settings.query_timeout, threads=settings.query_threads,
                         max_rows=settings.max_result_rows)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        store.version  # noqa: B018 -- computed once at start, not on the first request
        runner.loop = asyncio.get_running_loop()
        yield
        runner.close()

    app = FastAPI(title="maillage", version="0.1.0", lifespan=lifespan,
                  telemetry={"tracing": False, "metrics": False, "logs": False},
                  description="Linked data on the partnerships of Caf, MSA, départements, "
                              "EPCI and communes: SPARQL endpoint and REST lookups.")
    app.state.settings = settings
    app.state.store = store
    app.state.runner = runner
    app.state.answers = AnswerCache(settings.result_cache_mb << 20) \
        if settings.result_cache_mb > 0 else None
    app.state.shared_answers = SharedAnswers(settings.shared_answers_dir, settings.result_cache_mb << 20) \
        if settings.result_cache_mb > 0 and settings.shared_answers_dir else None
    errors.install(app)

    app.add_middleware(GZipMiddleware, minimum_size=1000, compresslevel=6)
    app.add_middleware(CORSMiddleware, allow_origins=settings.cors_origins,
                       allow_methods=["GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS"],
                       allow_headers=["Authorization", "Content-Type", "Accept",
                                      "If-None-Match"],
                       expose_headers=["Link", "ETag", "Location", "X-Total-Count",
                                       "X-SPARQL-MaxRows", "X-Result-Truncated"])
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)
    app.add_middleware(ResponseCache)  # repeated GET /api/… answered from memory
    app.add_middleware(SparqlEndpoint)  # outermost: SPARQL queries skip the rest
    for name in ROUTERS:
        app.include_router(importlib.import_module(f"api.routes.{name}").router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
