"""Shared fixtures: one real in-memory store loaded with everything the project ships."""

from __future__ import annotations

import pytest

from graph.store import OxigraphStore
from loaders.geography import Geography, read_geography
from loaders.pipeline import GraphLoad, load_all


@pytest.fixture(scope="session")
def geography() -> Geography:
    """The vendored 2026 geography tables."""
    return read_geography()


@pytest.fixture(scope="session")
def loaded() -> tuple[OxigraphStore, list[GraphLoad]]:
    """A real pyoxigraph store (in memory) with the ontology, geography, institutions and
    every seed record loaded by the real pipeline. Tests must not write to it."""
    store = OxigraphStore(None)
    steps = load_all(store)
    return store, steps


@pytest.fixture(scope="session")
def store(loaded: tuple[OxigraphStore, list[GraphLoad]]) -> OxigraphStore:
    return loaded[0]
