"""Limits that hold, through a real server process: a runaway query is answered 503 at the time
limit while other queries are answered, and its worker is replaced; a memory bomb kills only its
worker; bodies are bounded; CORS, gzip."""

from __future__ import annotations

import threading
import time

import httpx
import pytest

from tests.server import running_server, small_store

RUNAWAY = ("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l . "
           "?m ?n2 ?o }")
QUICK = "ASK { <http://example.org/s0> ?p ?o }"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = small_store(tmp_path_factory.mktemp("limits") / "store")
    with running_server(path, query_timeout="1.5", workers="2", worker_memory_mb="400",
                        max_body_bytes="10000") as base:
        yield base


def test_a_runaway_query_is_stopped_and_others_are_answered(server: str) -> None:
    outcome: dict[str, object] = {}

    def runaway() -> None:
        started = time.monotonic()
        r = httpx.get(f"{server}/sparql", params={"query": RUNAWAY}, timeout=30)
        outcome["runaway"] = (r.status_code, time.monotonic() - started, r.json()["detail"])

    thread = threading.Thread(target=runaway)
    thread.start()
    time.sleep(0.3)
    quick = httpx.get(f"{server}/sparql", params={"query": QUICK},
                      headers={"Accept": "application/sparql-results+json"}, timeout=5)
    assert quick.status_code == 200
    assert quick.json()["boolean"] is True
    thread.join(30)
    status, seconds, detail = outcome["runaway"]
    assert status == 503
    assert seconds < 6
    assert "limit" in detail
    # The stopped worker was replaced: both workers answer again.
    for _ in range(4):
        assert httpx.get(f"{server}/sparql", params={"query": QUICK}, timeout=5).status_code == 200


def test_a_memory_bomb_kills_its_worker_only(server: str) -> None:
    """Sorting 8·10⁹ rows blows the 400 MB heap cap: the engine aborts its worker (the client
    loses its connection, or gets 503 if the time limit comes first); the server answers on.
    A request sent while a worker is being replaced may be lost with it (the pre-fork model;
    one CI run in three of session 4 saw one request time out then, cause not pinned down), so
    what is asserted is that the service answers again within the time a worker takes to be
    replaced, and goes on answering."""
    bomb = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?a ?d ?g"
    try:
        status = httpx.get(f"{server}/sparql", params={"query": bomb}, timeout=30).status_code
    except httpx.RemoteProtocolError:
        status = None
    assert status in (None, 503)
    deadline, answered, lost = time.monotonic() + 30, 0, 0
    while answered < 6:
        assert time.monotonic() < deadline, f"not answering again within 30 s ({lost} lost)"
        try:
            ok = httpx.get(f"{server}/sparql", params={"query": QUICK}, timeout=5).status_code == 200
        except httpx.TransportError:
            ok = False
        answered, lost = (answered + 1, lost) if ok else (0, lost + 1)
    assert lost <= 2  # at most the requests the dying worker had taken


def test_body_limit_cors_and_gzip(server: str) -> None:
    big = httpx.post(f"{server}/sparql", content=b"#" * 20000,
                     headers={"Content-Type": "application/sparql-query"})
    assert big.status_code == 413
    pre = httpx.options(f"{server}/sparql", headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "Authorization, Content-Type"})
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] in ("*", "https://example.org")
    q = "SELECT ?s ?o WHERE { ?s ?p ?o }"
    r = httpx.get(f"{server}/sparql", params={"query": q},
                  headers={"Accept-Encoding": "gzip", "Origin": "https://example.org"})
    assert r.headers["content-encoding"] == "gzip"
    assert len(r.json()["results"]["bindings"]) == 2000
    assert "Link" in r.headers.get("access-control-expose-headers", "")


def test_protocol_errors_through_the_server(server: str) -> None:
    assert httpx.get(f"{server}/sparql", params={"update": "CLEAR ALL"}).status_code == 405
    twice = httpx.get(f"{server}/sparql", params={
        "query": "SELECT * FROM <https://maillage.fr/graph/test> WHERE { ?s ?p ?o }",
        "default-graph-uri": "https://maillage.fr/graph/test"})
    assert twice.status_code == 400
    assert "twice" in twice.json()["detail"]
    assert httpx.post(f"{server}/sparql", data={"update": "CLEAR ALL"}).status_code == 403
    assert httpx.put(f"{server}/store", params={"graph": "https://e/g"}, content=b"",
                     headers={"Content-Type": "text/turtle"}).status_code == 403
