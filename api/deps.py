"""Typed dependencies handed to routes (``async``: FastAPI runs a plain ``def`` dependency
through the thread pool, a hop that costs more than the dependency)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Depends, Request

from api.executor import QueryRunner
from api.settings import Settings
from graph.store import OxigraphStore, QueryResult, Solutions, Term


class GuardedStore:
    """The store as the REST routes see it: each query runs on a query thread of the
    :class:`~api.executor.QueryRunner` — at most ``query_threads`` at once per worker, within
    the time limit (503 past it) — and SELECT solutions are read there too (pyoxigraph
    evaluates lazily, so reading them is where the work is). Everything else is the store's."""

    def __init__(self, store: OxigraphStore, runner: QueryRunner) -> None:
        self._store, self._runner = store, runner

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)

    @property
    def unguarded(self) -> OxigraphStore:
        """The store itself, for code already running on a query thread."""
        return self._store

    @property
    def runner(self) -> QueryRunner:
        return self._runner

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None,
              **options: object) -> QueryResult:
        def work() -> QueryResult:
            result = self._store.query(sparql, bindings, **options)  # type: ignore[arg-type]
            if result.kind != "select":
                return result
            return QueryResult("select", Solutions(result.raw.variables, list(result.raw)))

        return self._runner.run_blocking(work, sparql)


def guarded_store(request: Request) -> GuardedStore:
    """The app's store behind its query threads, for ``request``."""
    state = request.app.state
    return GuardedStore(state.store, state.runner)


async def get_store(request: Request) -> GuardedStore:
    return guarded_store(request)


async def get_settings(request: Request) -> Settings:
    return request.app.state.settings


StoreDep = Annotated[OxigraphStore, Depends(get_store)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
