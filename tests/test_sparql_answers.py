"""How ``/sparql`` answers beyond the protocol: conditional requests (ETag, 304), the answer
cache (same bytes, never for volatile functions, dropped when the data changes), the row cap
flagged as truncated, and CORS on answers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from api.executor import STREAM_AFTER, cap_rows
from api.main import create_app
from api.settings import Settings
from graph.store import OxigraphStore

GRAPH = "https://maillage.fr/graph/test"
ROWS = "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?s"
JSON = {"Accept": "application/sparql-results+json"}


def _store(triples: int) -> OxigraphStore:
    store = OxigraphStore(None)
    data = "".join(f'<http://example.org/s{i:04d}> <http://example.org/p> "{i}" .\n'
                   for i in range(triples))
    store.replace_graph(GRAPH, data.encode())
    return store


@pytest.fixture
def store() -> OxigraphStore:
    return _store(50)


def _client(store: OxigraphStore, **settings: object) -> TestClient:
    return TestClient(create_app(Settings(**settings), store))


def test_etag_and_not_modified(store: OxigraphStore) -> None:
    client = _client(store)
    first = client.get("/sparql", params={"query": ROWS}, headers=JSON)
    assert first.status_code == 200
    tag = first.headers["etag"]
    assert first.headers["cache-control"].startswith("public")
    assert "Accept" in first.headers["vary"]
    again = client.get("/sparql", params={"query": ROWS},
                       headers={**JSON, "If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    other = client.get("/sparql", params={"query": ROWS},
                       headers={"Accept": "text/csv", "If-None-Match": tag})
    assert other.status_code == 200  # another representation, another tag
    assert other.headers["etag"] != tag


@pytest.mark.parametrize("cache_mb", [64, 0])
def test_answers_follow_the_data(store: OxigraphStore, cache_mb: int) -> None:
    """With or without the cache, a write is seen at once: new rows, new ETag."""
    client = _client(store, result_cache_mb=cache_mb)
    before = client.get("/sparql", params={"query": ROWS}, headers=JSON)
    assert client.get("/sparql", params={"query": ROWS}, headers=JSON).content == \
        before.content
    store.replace_graph(GRAPH, b'<http://example.org/x> <http://example.org/p> "x" .\n')
    after = client.get("/sparql", params={"query": ROWS}, headers=JSON)
    assert [b["o"]["value"] for b in after.json()["results"]["bindings"]] == ["x"]
    assert after.headers["etag"] != before.headers["etag"]


def test_volatile_queries_are_not_reused(store: OxigraphStore) -> None:
    client = _client(store)
    query = "SELECT (STRUUID() AS ?u) WHERE {}"
    values = {client.get("/sparql", params={"query": query}, headers=JSON)
              .json()["results"]["bindings"][0]["u"]["value"] for _ in range(3)}
    assert len(values) == 3


def test_post_answers_are_cached_by_body_and_type(store: OxigraphStore) -> None:
    client = _client(store)
    direct = client.post("/sparql", content=ROWS,
                         headers={**JSON, "Content-Type": "application/sparql-query"})
    form = client.post("/sparql", data={"query": ROWS}, headers=JSON)
    assert direct.json() == form.json()
    assert len(direct.json()["results"]["bindings"]) == 50
    bad = client.post("/sparql", content=ROWS, headers={**JSON, "Content-Type": "text/plain"})
    assert bad.status_code == 415  # the same body under another type is not a cache hit


def test_row_cap_truncates_and_says_so() -> None:
    client = _client(_store(30), max_result_rows=10)
    capped = client.get("/sparql", params={"query": ROWS}, headers=JSON)
    rows = capped.json()["results"]["bindings"]
    assert [r["s"]["value"][-4:] for r in rows] == [f"{i:04d}" for i in range(10)]
    assert capped.headers["x-result-truncated"] == "true"
    assert capped.headers["x-sparql-maxrows"] == "10"
    exact = client.get("/sparql", params={"query": ROWS + " LIMIT 10"}, headers=JSON)
    assert len(exact.json()["results"]["bindings"]) == 10
    assert "x-result-truncated" not in exact.headers
    ten = _client(_store(10), max_result_rows=10)
    full = ten.get("/sparql", params={"query": ROWS}, headers=JSON)
    assert len(full.json()["results"]["bindings"]) == 10
    assert "x-result-truncated" not in full.headers  # exactly the cap: nothing left out
    graph = client.get("/sparql", params={
        "query": "CONSTRUCT { ?s <http://example.org/q> ?o } WHERE { ?s ?p ?o }"},
        headers={"Accept": "application/n-triples"})
    assert len(graph.text.strip().splitlines()) == 10
    assert graph.headers["x-result-truncated"] == "true"


@pytest.mark.parametrize(("query", "rewritten"), [
    ("SELECT * WHERE { ?s ?p ?o }", "SELECT * WHERE { ?s ?p ?o } LIMIT 5"),
    ("SELECT ?limit WHERE { ?s ?p ?limit }", "SELECT ?limit WHERE { ?s ?p ?limit } LIMIT 5"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 3", None),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 50", "SELECT * WHERE { ?s ?p ?o } LIMIT 5"),
    ("SELECT * WHERE { ?s ?p ?o } OFFSET 3", "SELECT * WHERE { ?s ?p ?o } OFFSET 3 LIMIT 5"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 9 OFFSET 3",
     "SELECT * WHERE { ?s ?p ?o } OFFSET 3 LIMIT 5"),
    ("SELECT * WHERE { ?s ?p ?o } VALUES ?s { <urn:a> }",
     "SELECT * WHERE { ?s ?p ?o } LIMIT 5 VALUES ?s { <urn:a> }"),
    ("SELECT * WHERE { { SELECT * WHERE { ?s ?p ?o } LIMIT 50 } }",
     "SELECT * WHERE { { SELECT * WHERE { ?s ?p ?o } LIMIT 50 } } LIMIT 5"),
    ("SELECT * WHERE { ?s ?p ?o # LIMIT 3\n}", "SELECT * WHERE { ?s ?p ?o # LIMIT 3\n} LIMIT 5"),
    ('SELECT * WHERE { ?s ?p "LIMIT 3" }', 'SELECT * WHERE { ?s ?p "LIMIT 3" } LIMIT 5'),
    ("CONSTRUCT WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5"),
    ("ASK { ?s ?p ?o }", None),
])
def test_cap_rows_rewrites_only_the_top_level(query: str, rewritten: str | None) -> None:
    capped = cap_rows(query, 5)
    assert (capped[0] if capped else None) == rewritten


def test_a_large_limit_does_not_escape_the_cap() -> None:
    client = _client(_store(30), max_result_rows=10)
    for tail in (" LIMIT 1000", " OFFSET 5", " OFFSET 15 LIMIT 100"):
        r = client.get("/sparql", params={"query": ROWS + tail}, headers=JSON)
        assert len(r.json()["results"]["bindings"]) == 10, tail
        assert r.headers["x-result-truncated"] == "true", tail
    last = client.get("/sparql", params={"query": ROWS + " OFFSET 20 LIMIT 100"}, headers=JSON)
    assert [b["o"]["value"] for b in last.json()["results"]["bindings"]] == \
        [str(i) for i in range(20, 30)]
    assert "x-result-truncated" not in last.headers


def test_cors_on_answers(store: OxigraphStore) -> None:
    client = _client(store, cors_origins=["https://example.org"])
    allowed = client.get("/sparql", params={"query": ROWS},
                         headers={**JSON, "Origin": "https://example.org"})
    assert allowed.headers["access-control-allow-origin"] == "https://example.org"
    assert "Origin" in allowed.headers["vary"]
    assert "ETag" in allowed.headers["access-control-expose-headers"]
    other = client.get("/sparql", params={"query": ROWS},
                       headers={**JSON, "Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def _wide_store(rows: int) -> OxigraphStore:
    """``rows`` triples whose JSON answer is ~150 bytes a row: 10,000 rows pass 1 MiB."""
    store = OxigraphStore(None)
    data = "".join(f'<http://example.org/s{i:05d}> <http://example.org/p> "{"x" * 60} {i}" .\n'
                   for i in range(rows))
    store.replace_graph(GRAPH, data.encode())
    return store


def test_a_large_answer_is_streamed_as_the_store_writes_it() -> None:
    store = _wide_store(12_000)
    expected = store.query(ROWS).serialize("json")
    assert len(expected) > STREAM_AFTER
    client = _client(store)
    r = client.get("/sparql", params={"query": ROWS}, headers=JSON)
    assert r.status_code == 200
    assert "content-length" not in r.headers  # sent chunked, as produced
    assert r.content == expected
    assert "x-result-truncated" not in r.headers
    zipped = client.get("/sparql", params={"query": ROWS},
                        headers={**JSON, "Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert zipped.content == expected  # httpx decodes it
    csv = client.get("/sparql", params={"query": ROWS}, headers={"Accept": "text/csv"})
    assert csv.text.splitlines()[0] == "s,o"
    assert len(csv.text.splitlines()) == 12_001


def test_a_streamed_answer_past_the_cap_says_it_was_cut() -> None:
    client = _client(_wide_store(12_000), max_result_rows=11_000)
    r = client.get("/sparql", params={"query": ROWS}, headers=JSON)
    rows = r.json()["results"]["bindings"]
    assert len(rows) == 11_000
    assert rows[-1]["s"]["value"] == "http://example.org/s10999"
    assert r.headers["x-result-truncated"] == "true"
    assert "content-length" not in r.headers


def test_fewer_rows_than_the_cap_are_not_flagged() -> None:
    """The answer is read back to count its rows: under the cap, no second evaluation and
    no flag, however long the body."""
    client = _client(_wide_store(5), max_result_rows=10)
    r = client.get("/sparql", params={"query": ROWS}, headers=JSON)
    assert len(r.json()["results"]["bindings"]) == 5
    assert "x-result-truncated" not in r.headers
    for accept in ("application/sparql-results+xml", "text/csv", "text/tab-separated-values"):
        assert "x-result-truncated" not in client.get(
            "/sparql", params={"query": ROWS}, headers={"Accept": accept}).headers
