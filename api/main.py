"""The FastAPI application."""

from __future__ import annotations

from fastapi import FastAPI

from api import errors
from api.routes import fundings, queries, resolve, sparql
from api.settings import Settings
from graph.errors import NotFoundError
from graph.store import OxigraphStore


def open_service_store(settings: Settings) -> OxigraphStore:
    """The store the service reads: the on-disk store at ``settings.store``, read-only.

    :raises NotFoundError: if there is no store there (run ``maillage load`` first).
    """
    if not settings.store.is_dir():
        raise NotFoundError(f"no store at {settings.store}: run `maillage load` first")
    return OxigraphStore(settings.store, read_only=True)


def create_app(settings: Settings | None = None, store: OxigraphStore | None = None) -> FastAPI:
    """Build the app over ``store`` (default: the on-disk store named by ``settings``)."""
    settings = settings or Settings()
    app = FastAPI(title="maillage", version="0.1.0",
                  description="Linked data on the partnerships of Caf, MSA, départements, "
                              "EPCI and communes: SPARQL endpoint and REST lookups.")
    app.state.settings = settings
    app.state.store = store if store is not None else open_service_store(settings)
    errors.install(app)
    app.include_router(sparql.router)
    app.include_router(fundings.router)
    app.include_router(queries.router)
    app.include_router(resolve.router)
    return app
