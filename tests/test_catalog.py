"""Dataset metadata (VoID, DCAT-AP) and dumps, over the real app and the real loaded store;
versions and draft graphs over small stores of their own."""

from __future__ import annotations

import gzip

import pyoxigraph as ox
import pytest
from fastapi.testclient import TestClient
from pyshacl import validate
from rdflib import RDF, Graph, Literal, Namespace, URIRef

from api.main import create_app
from api.settings import Settings
from graph.store import DRAFT_GRAPHS, OxigraphStore
from graph.vocab import BASE

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCTERMS = Namespace("http://purl.org/dc/terms/")
LICENCE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
MIT = URIRef("https://opensource.org/license/mit")
DATASET = URIRef(BASE + "catalog#maillage")
# Essential shapes: what a harvester (data.gouv.fr, data.europa.eu) cannot do without.
SHAPES = """
@prefix sh: <http://www.w3.org/ns/shacl#> . @prefix dcat: <http://www.w3.org/ns/dcat#> .
@prefix dct: <http://purl.org/dc/terms/> . @prefix void: <http://rdfs.org/ns/void#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> . @prefix ex: <urn:maillage:shapes:> .

ex:Catalog a sh:NodeShape ; sh:targetClass dcat:Catalog ;
  sh:property [ sh:path dct:title ; sh:minCount 1 ; sh:languageIn ("fr" "en") ] ,
    [ sh:path dct:description ; sh:minCount 1 ] , [ sh:path dct:publisher ; sh:minCount 1 ] ,
    [ sh:path dcat:dataset ; sh:minCount 1 ; sh:class dcat:Dataset ] ;
  sh:or ( [ sh:path dct:license ; sh:minCount 1 ]
          [ sh:path dcat:dataset ; sh:qualifiedValueShape [ sh:path dct:license ; sh:minCount 1 ] ;
            sh:qualifiedMinCount 1 ] ) .
ex:Dataset a sh:NodeShape ; sh:targetObjectsOf dcat:dataset ;
  sh:property [ sh:path dct:title ; sh:minCount 1 ] , [ sh:path dct:description ; sh:minCount 1 ] ,
    [ sh:path dct:license ; sh:minCount 1 ; sh:nodeKind sh:IRI ] ,
    [ sh:path dcat:distribution ; sh:minCount 1 ; sh:class dcat:Distribution ] .
ex:Distribution a sh:NodeShape ; sh:targetClass dcat:Distribution ;
  sh:property [ sh:path dcat:accessURL ; sh:minCount 1 ; sh:nodeKind sh:IRI ] .
ex:DataService a sh:NodeShape ; sh:targetClass dcat:DataService ;
  sh:property [ sh:path dcat:endpointURL ; sh:minCount 1 ; sh:nodeKind sh:IRI ] ,
    [ sh:path dct:title ; sh:minCount 1 ] .
ex:Void a sh:NodeShape ; sh:targetClass void:Dataset ;
  sh:property [ sh:path void:triples ; sh:minCount 1 ; sh:maxCount 1 ; sh:datatype xsd:integer ] .
ex:VoidRoot a sh:NodeShape ; sh:targetSubjectsOf void:subset ;
  sh:property [ sh:path void:sparqlEndpoint ; sh:minCount 1 ; sh:nodeKind sh:IRI ] ,
    [ sh:path void:uriSpace ; sh:minCount 1 ] , [ sh:path void:exampleResource ; sh:minCount 3 ] ,
    [ sh:path void:dataDump ; sh:minCount 1 ] .
"""


def build_app(store, settings: Settings | None = None):
    """The real app (create_app includes the linked-data and catalog routers)."""
    return create_app(settings or Settings(), store=store)


@pytest.fixture(scope="module")
def client(store) -> TestClient:
    return TestClient(build_app(store))


@pytest.fixture(scope="module")
def described(client) -> Graph:
    r = client.get("/catalog")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    return Graph().parse(data=r.text, format="turtle")


def conforms(graph: Graph) -> tuple[bool, str]:
    ok, _, report = validate(graph, shacl_graph=Graph().parse(data=SHAPES, format="turtle"))
    return ok, report


def test_catalog_and_void_validate_against_the_shapes(client, described) -> None:
    ok, report = conforms(described)
    assert ok, report
    void = client.get("/.well-known/void", headers={"Accept": "application/ld+json"})
    assert void.headers["content-type"].startswith("application/ld+json")
    ok, report = conforms(Graph().parse(data=void.text, format="json-ld"))
    assert ok, report


def test_the_shapes_catch_what_they_should(described) -> None:
    broken = Graph()
    for t in described:
        if t[1] not in (DCAT.accessURL, DCAT.endpointURL):
            broken.add(t)
    assert not conforms(broken)[0]


def test_counts_are_the_stores(described, store) -> None:
    sizes = store.graph_sizes()
    assert described.value(DATASET, VOID.triples).toPython() == sum(sizes.values())
    subsets = set(described.objects(DATASET, VOID.subset))
    assert {str(s) for s in subsets} == set(sizes)
    for subset in subsets:
        assert described.value(subset, VOID.triples).toPython() == sizes[str(subset)]


def test_licences_coverage_and_version(described, store) -> None:
    assert (DATASET, DCTERMS.license, LICENCE) in described
    sources = set(described.objects(DATASET, DCTERMS.source))
    geography = URIRef(BASE + "id/jeu-de-donnees/decoupage-administratif-6.0.0")
    assert geography in sources
    assert (geography, DCTERMS.license, MIT) in described
    france = URIRef("http://publications.europa.eu/resource/authority/country/FRA")
    assert (DATASET, DCTERMS.spatial, france) in described
    period = described.value(DATASET, DCTERMS.temporal)
    assert str(described.value(period, DCAT.startDate)) == "2021-01-01"
    assert str(described.value(period, DCAT.endDate)) == "2026-12-31"
    version = described.value(DATASET, DCAT.version)
    assert version is not None
    assert len(str(version)) == 16
    for example in described.objects(DATASET, VOID.exampleResource):
        assert store.query(f"ASK {{ <{example}> a ?k }}").raw


def test_services_and_dumps_are_described_on_the_serving_host(store) -> None:
    other = TestClient(build_app(store, Settings()), base_url="https://data.example.org")
    graph = Graph().parse(data=other.get("/catalog").text, format="turtle")
    sparql = URIRef("https://data.example.org/sparql")
    assert (DATASET, VOID.sparqlEndpoint, sparql) in graph
    assert (None, DCAT.endpointURL, sparql) in graph
    dumps = {str(u) for u in graph.objects(DATASET, VOID.dataDump)}
    assert dumps == {"https://data.example.org/dumps/maillage.nq.gz", "https://data.example.org/dumps/maillage.trig"}
    assert (None, RDF.type, DCAT.DataService) in graph


def test_catalog_in_html_and_by_format(client) -> None:
    page = client.get("/catalog", headers={"Accept": "text/html"})
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="fr">' in page.text
    assert page.text.count("<h1>") == 1
    assert "Licence Ouverte 2.0" in page.text
    assert "opensource.org/license/mit" in page.text
    for fmt, media in (("jsonld", "application/ld+json"), ("nt", "application/n-triples"),
                       ("rdf", "application/rdf+xml"), ("ttl", "text/turtle")):
        r = client.get("/catalog", params={"format": fmt})
        assert r.headers["content-type"].startswith(media)
        assert "Accept" in r.headers["vary"]
        assert 'rel="alternate"' in r.headers["link"]


def test_nquads_dump_is_the_whole_store_with_a_stable_etag(client, store) -> None:
    first = client.get("/dumps/maillage.nq.gz")
    assert first.status_code == 200
    assert first.headers["content-type"] == "application/gzip"
    etag = first.headers["etag"]
    assert etag.startswith('"')
    assert len(etag) == 66
    quads = list(ox.parse(gzip.decompress(first.content), format=ox.RdfFormat.N_QUADS))
    assert len(quads) == sum(store.graph_sizes().values())
    again = client.get("/dumps/maillage.nq.gz")
    assert again.headers["etag"] == etag
    assert again.content == first.content
    unchanged = client.get("/dumps/maillage.nq.gz", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304
    assert not unchanged.content
    assert client.get("/dumps/maillage.nq.gz", headers={"If-None-Match": '"other"'}).status_code == 200
    head = client.head("/dumps/maillage.nq.gz")
    assert head.status_code == 200
    assert head.headers["etag"] == etag


def test_trig_dump_parses_back_to_the_same_quads(client, store) -> None:
    r = client.get("/dumps/maillage.trig")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/trig")
    quads = list(ox.parse(r.content, format=ox.RdfFormat.TRIG))
    assert len(quads) == sum(store.graph_sizes().values())
    assert client.get("/dumps/maillage.trig", headers={"If-None-Match": r.headers["etag"]}).status_code == 304


def small_store(*graphs: str) -> OxigraphStore:
    store = OxigraphStore(None)
    for graph in graphs:
        store.replace_graph(graph, f"<{graph}> <{DCTERMS.title}> {Literal('g').n3()} .\n".encode())
    return store


def test_version_and_etag_follow_the_data() -> None:
    store = small_store(BASE + "graph/a")
    client = TestClient(build_app(store, Settings()))
    version = Graph().parse(data=client.get("/catalog").text).value(DATASET, DCAT.version)
    etag = client.get("/dumps/maillage.nq.gz").headers["etag"]
    store.replace_graph(BASE + "graph/b", b"<urn:x> <urn:p> <urn:y> .\n")
    changed = Graph().parse(data=client.get("/catalog").text).value(DATASET, DCAT.version)
    assert changed != version
    assert client.get("/dumps/maillage.nq.gz").headers["etag"] != etag
    assert client.get("/dumps/maillage.nq.gz", headers={"If-None-Match": etag}).status_code == 200


def test_draft_graphs_stay_out_of_the_description_and_dumps() -> None:
    store = small_store(BASE + "graph/a", DRAFT_GRAPHS + "x")
    client = TestClient(build_app(store, Settings()))
    graph = Graph().parse(data=client.get("/catalog").text)
    assert graph.value(DATASET, VOID.triples).toPython() == 1
    quads = list(ox.parse(gzip.decompress(client.get("/dumps/maillage.nq.gz").content),
                          format=ox.RdfFormat.N_QUADS))
    assert [q.graph_name.value for q in quads] == [BASE + "graph/a"]
    trig = list(ox.parse(client.get("/dumps/maillage.trig").content, format=ox.RdfFormat.TRIG))
    assert len(trig) == 1
