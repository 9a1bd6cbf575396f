"""The REST routes run their queries on the query threads, under the same time limit as
``/sparql``: past it, 503 with ``Retry-After``."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from graph.store import OxigraphStore


def test_rest_queries_obey_the_time_limit(store: OxigraphStore) -> None:
    client = TestClient(create_app(Settings(query_timeout=1e-6), store))
    r = client.get("/api/fundings", params={"funder_kind": "msa"})
    assert r.status_code == 503
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.headers["retry-after"] == "5"
    assert "limit" in r.json()["detail"] or "no query thread free" in r.json()["detail"]
    relaxed = TestClient(create_app(Settings(query_timeout=30), store))
    assert relaxed.get("/api/fundings", params={"funder_kind": "msa"}).status_code == 200
