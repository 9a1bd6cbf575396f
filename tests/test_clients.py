"""Real SPARQL clients against a real server process: SPARQLWrapper, rdflib's SPARQLStore and
plain HTTP agree with the store."""

from __future__ import annotations

import httpx
import pytest
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import CSV, JSON, POST, TURTLE, XML, SPARQLWrapper

from tests.server import running_server, small_store

SELECT = ("SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?s LIMIT 5")
EXPECTED = ["http://example.org/s0", "http://example.org/s1", "http://example.org/s10",
            "http://example.org/s11", "http://example.org/s12"]


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    path = small_store(tmp_path_factory.mktemp("clients") / "store", triples=100)
    with running_server(path) as base:
        yield f"{base}/sparql"


@pytest.mark.parametrize("method", ["GET", POST])
def test_sparqlwrapper_json_and_xml(endpoint: str, method: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setMethod(method)
    client.setQuery(SELECT)
    client.setReturnFormat(JSON)
    rows = client.query().convert()["results"]["bindings"]
    assert [r["s"]["value"] for r in rows] == EXPECTED
    client.setReturnFormat(XML)
    document = client.query().convert()
    assert len(document.getElementsByTagName("result")) == 5


def test_sparqlwrapper_csv_and_construct(endpoint: str) -> None:
    client = SPARQLWrapper(endpoint)
    client.setQuery(SELECT)
    client.setReturnFormat(CSV)
    lines = client.query().convert().decode().splitlines()
    assert lines[0] == "s,o"
    assert len(lines) == 6
    client.setQuery("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 7")
    client.setReturnFormat(TURTLE)
    g = Graph().parse(data=client.query().convert(), format="turtle")
    assert len(g) == 7


def test_rdflib_sparqlstore(endpoint: str) -> None:
    graph = Graph(store=SPARQLStore(endpoint, returnFormat="json"))
    values = sorted(str(o) for o in graph.objects(URIRef("http://example.org/s3"),
                                                  URIRef("http://example.org/p")))
    assert values == ["3"]
    rows = list(graph.query(SELECT))
    assert [str(r.s) for r in rows] == EXPECTED
    assert bool(graph.query("ASK { ?s ?p \"42\" }").askAnswer)


def test_plain_http_tsv(endpoint: str) -> None:
    r = httpx.get(endpoint, params={"query": SELECT},
                  headers={"Accept": "text/tab-separated-values"})
    assert r.status_code == 200
    assert r.text.splitlines()[1].startswith("<http://example.org/s0>")
