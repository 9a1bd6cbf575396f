"""Linked data: every IRI the project mints dereferences, in HTML, Turtle and JSON-LD, with
content negotiation, alternates, provenance and proxy-safe links (real app, real store)."""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser

import pytest
from fastapi.testclient import TestClient
from rdflib import RDF, Graph, URIRef
from rdflib.compare import isomorphic

from api.main import create_app
from api.routes import resources
from api.settings import Settings
from api.urls import _forwarded
from graph.vocab import BASE, GRAPH

ID = BASE + "id/"
FUNDING = ID + "financement/msa-mps-creche-lezat-sur-leze"
COMMUNE = ID + "commune/09167"
MEDIA = {"html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json",
         "nt": "application/n-triples", "rdf": "application/rdf+xml"}
PARSER = {"ttl": "turtle", "jsonld": "json-ld", "nt": "nt", "rdf": "xml"}
# one resource of each kind: a fixed IRI, or the first instance of a class
SAMPLES = {
    "commune": COMMUNE, "departement": ID + "departement/09", "region": ID + "region/76",
    "epci": ID + "epci/200066223",
    "convention": ID + "convention/convention-financement-msa-mps-arize-leze-2022",
    "funding": FUNDING, "amount": FUNDING + "/montant", "facility": ID + "equipement/creche-lezat-sur-leze",
    "ontology": BASE + "def/ontologie", "scheme": BASE + "def/type-equipement",
    "concept": BASE + "def/type-equipement/creche",
    "dataset": ID + "jeu-de-donnees/decoupage-administratif-6.0.0",
    "named graph": str(GRAPH["institutions"]),
    "signing event": "mlg:SigningEvent", "period": "dct:PeriodOfTime", "axis": "mlg:Axis",
    "objective": "mlg:Objective", "action": "mlg:Action", "governance body": "mlg:GovernanceBody",
    "seat": "mlg:Seat", "commitment": "mlg:Commitment", "phase": "mlg:Phase", "link": "mlg:Link",
    "document": "mlg:SourceDocument", "person": "foaf:Person", "membership": "org:Membership",
    "evidence": "mlg:Evidence", "inference": "mlg:Inference", "address": "schema:PostalAddress",
    "epci membership": "mlg:EpciMembership", "name version": "mlg:NameVersion",
    "commune deleguee": "igeo:CommuneDeleguee", "commune associee": "igeo:CommuneAssociee",
    "former commune": "mlg:FormerCommune", "former epci": "mlg:FormerEpci",
    "load activity": "prov:Activity",
}
PREFIXES = """PREFIX mlg: <https://maillage.fr/def/ontologie#> PREFIX dct: <http://purl.org/dc/terms/>
PREFIX foaf: <http://xmlns.com/foaf/0.1/> PREFIX org: <http://www.w3.org/ns/org#>
PREFIX schema: <https://schema.org/> PREFIX igeo: <http://rdf.insee.fr/def/geo#>
PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""


class Page(HTMLParser):
    """What the tests look at in a page: lang, title, h1s, embedded JSON-LD, links, text."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.lang, self.title, self.h1, self.jsonld, self.hrefs = None, [], [], [], []
        self._in: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "html":
            self.lang = a.get("lang")
        if tag in ("title", "h1") or (tag == "script" and a.get("type") == "application/ld+json"):
            self._in = tag
            {"title": self.title, "h1": self.h1, "script": self.jsonld}[tag].append("")
        if a.get("href"):
            self.hrefs.append(a["href"])

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            {"title": self.title, "h1": self.h1, "script": self.jsonld}[self._in][-1] += data


def build_app(store, settings: Settings | None = None):
    """The real app (create_app includes the linked-data and catalog routers)."""
    return create_app(settings or Settings(), store=store)


@pytest.fixture(scope="module")
def app(store):
    return build_app(store)


@pytest.fixture(scope="module")
def client(app) -> TestClient:
    return TestClient(app)


@pytest.fixture(scope="module")
def samples(store) -> dict[str, str]:
    """Each sample name → an IRI in the store."""
    out = {}
    for name, spec in SAMPLES.items():
        if spec.startswith("https://"):
            out[name] = spec
            continue
        rows = store.query(PREFIXES + f"SELECT (MIN(STR(?x)) AS ?x) WHERE {{ ?x a {spec} "
                           f"FILTER(STRSTARTS(STR(?x), '{BASE}')) }}").rows()
        assert rows, f"no {spec} in the store"
        assert "x" in rows[0], f"no {spec} in the store"
        out[name] = rows[0]["x"].value
    return out


def path_of(iri: str) -> str:
    return "/" + iri[len(BASE):]


def french_label(store, iri: str) -> str | None:
    rows = store.query(PREFIXES + f"SELECT ?l WHERE {{ <{iri}> skos:prefLabel|rdfs:label ?l "
                       "FILTER(LANG(?l) = 'fr') } ORDER BY ?l").rows()
    return rows[0]["l"].value if rows else None


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_every_kind_of_iri_dereferences_in_html_turtle_and_jsonld(client, store, samples, name) -> None:
    iri = samples[name]
    ttl = client.get(path_of(iri), headers={"Accept": "text/turtle"})
    assert ttl.status_code == 200, ttl.text
    assert ttl.headers["content-type"].startswith("text/turtle")
    graph = Graph().parse(data=ttl.text, format="turtle")
    assert (URIRef(iri), RDF.type, None) in graph
    jsonld = client.get(path_of(iri), headers={"Accept": "application/ld+json"})
    assert jsonld.headers["content-type"].startswith("application/ld+json")
    assert "mlg" in jsonld.json()["@context"]  # a stable context: the project's prefixes
    assert (URIRef(iri), RDF.type, None) in Graph().parse(data=jsonld.text, format="json-ld")
    page = client.get(path_of(iri), headers={"Accept": "text/html,application/xhtml+xml"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    parsed = Page(page.text)
    assert parsed.lang == "fr"
    assert len(parsed.title) == 1
    assert parsed.title[0].strip()
    assert len(parsed.h1) == 1
    label = french_label(store, iri)
    if label:
        assert " ".join(label.split()) in html.unescape(parsed.h1[0])
        assert " ".join(label.split()) in html.unescape(parsed.title[0])
    assert len(parsed.jsonld) == 1
    assert json.loads(parsed.jsonld[0])["@context"]
    embedded = Graph().parse(data=parsed.jsonld[0], format="json-ld")
    assert (URIRef(iri), None, None) in embedded


def test_each_kind_of_organisation_dereferences(client, store) -> None:
    rows = store.query(PREFIXES + "SELECT ?kind (MIN(STR(?o)) AS ?x) WHERE { ?o mlg:institutionKind ?kind }"
                       " GROUP BY ?kind").rows()
    assert len(rows) >= 10
    for row in rows:
        iri = row["x"].value
        page = client.get(path_of(iri), headers={"Accept": "text/html"})
        assert page.status_code == 200, iri
        assert len(Page(page.text).h1) == 1
        graph = Graph().parse(data=client.get(path_of(iri) + ".ttl").text, format="turtle")
        kind = URIRef(BASE + "def/ontologie#institutionKind")
        assert (URIRef(iri), kind, URIRef(row["kind"].value)) in graph


def test_funding_page_quotes_its_evidence_with_document_and_offsets(client) -> None:
    page = client.get(path_of(FUNDING), headers={"Accept": "text/html"})
    text = html.unescape(page.text)
    assert "« un premier prévu à Lézat-sur-Lèze qui sera accompagné à hauteur de 50.000€ par la MSA »" in text
    assert "50.000€" in text
    assert "La MSA Midi-Pyrénées Sud et la CC Arize-Lèze signent deux conventions" in text
    assert "caractères 2799 à 2884" in text
    assert "Valeurs inférées" in text
    assert "cofinanceur" in text
    assert "Lézat-sur-Lèze (09167) est en Ariège" in text
    # linked resources by their French labels, linked to their pages on this host
    assert "MSA Midi-Pyrénées Sud" in text
    assert "Crèche de Lézat-sur-Lèze" in text
    hrefs = Page(page.text).hrefs
    assert "http://testserver/id/organisation/msa-midi-pyrenees-sud" in hrefs
    assert "http://testserver/id/document/seed-000-msa-mps-arize-leze" in hrefs


def test_funding_rdf_carries_its_sub_nodes_and_linked_labels(client) -> None:
    graph = Graph().parse(data=client.get(path_of(FUNDING) + ".ttl").text, format="turtle")
    amount = URIRef(FUNDING + "/montant")
    assert (amount, URIRef("https://schema.org/value"), None) in graph
    excerpts = {str(o) for o in graph.objects(None, URIRef("http://www.w3.org/ns/prov#value"))}
    assert any("50.000€" in e for e in excerpts)
    funder = URIRef(ID + "organisation/msa-midi-pyrenees-sud")
    assert any(graph.objects(funder, None))  # its label, not its whole description
    assert not any(graph.objects(funder, URIRef(BASE + "def/ontologie#serves")))


def test_territory_pages_link_parents_and_members(client) -> None:
    commune = Page(client.get(path_of(COMMUNE), headers={"Accept": "text/html"}).text)
    assert "http://testserver/id/epci/200066223" in commune.hrefs
    assert "http://testserver/id/departement/09" in commune.hrefs
    epci = client.get("/id/epci/200066223", headers={"Accept": "text/html"}).text
    assert "Membres et subdivisions" in epci
    assert "http://testserver/id/commune/09167" in Page(epci).hrefs
    assert "sur 27" in epci
    assert "http://testserver/sparql?query=" in epci
    region = client.get("/id/region/76", headers={"Accept": "text/html"}).text
    assert "http://testserver/id/departement/09" in Page(region).hrefs


def test_ontology_page_documents_classes_properties_and_schemes(client, store) -> None:
    page = client.get("/def/ontologie", headers={"Accept": "text/html"})
    parsed, text = Page(page.text), html.unescape(page.text)
    assert len(parsed.h1) == 1
    assert "Ontologie maillage" in parsed.h1[0]
    for anchor in ('id="Convention"', 'id="evidence"', 'id="type-equipement"'):
        assert anchor in page.text
    assert "Extrait probant" in text
    assert "Evidence" in text
    assert "Convention territoriale globale" in text  # a concept of a scheme
    ttl = client.get("/def/ontologie.ttl")
    assert ttl.headers["content-type"].startswith("text/turtle")
    assert len(Graph().parse(data=ttl.text, format="turtle")) == store.count(str(GRAPH["ontologie"]))


def test_scheme_page_lists_its_concepts(client) -> None:
    page = Page(client.get("/def/type-equipement", headers={"Accept": "text/html"}).text)
    assert "http://testserver/def/type-equipement/creche" in page.hrefs


@pytest.mark.parametrize("fmt", ["ttl", "jsonld", "nt", "rdf"])
def test_suffix_accept_and_format_parameter_agree(client, fmt) -> None:
    by_suffix = client.get(f"{path_of(COMMUNE)}.{fmt}")
    by_accept = client.get(path_of(COMMUNE), headers={"Accept": MEDIA[fmt]})
    by_param = client.get(path_of(COMMUNE), params={"format": fmt}, headers={"Accept": "text/html"})
    graphs = []
    for r in (by_suffix, by_accept, by_param):
        assert r.status_code == 200
        assert r.headers["content-type"].startswith(MEDIA[fmt])
        graphs.append(Graph().parse(data=r.text, format=PARSER[fmt]))
    assert isomorphic(graphs[0], graphs[1])
    assert isomorphic(graphs[0], graphs[2])


def test_html_by_suffix_and_default_for_any(client) -> None:
    for r in (client.get(path_of(COMMUNE) + ".html"),
              client.get(path_of(COMMUNE), headers={"Accept": "*/*"})):
        assert r.headers["content-type"].startswith("text/html")


def test_vary_link_and_content_location_headers(client) -> None:
    r = client.get(path_of(COMMUNE), headers={"Accept": "text/turtle"})
    assert "Accept" in r.headers["vary"]
    assert r.headers["content-location"] == f"http://testserver{path_of(COMMUNE)}.ttl"
    link = r.headers["link"]
    for fmt in ("html", "jsonld", "nt", "rdf"):
        assert f'<http://testserver{path_of(COMMUNE)}.{fmt}>; rel="alternate"; type="{MEDIA[fmt]}"' in link
    assert 'type="text/turtle"' not in link


def test_unknown_iri_is_404_for_browsers_and_machines(client) -> None:
    page = client.get("/id/commune/99999", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert Page(page.text).lang == "fr"
    for r in (client.get("/id/commune/99999", headers={"Accept": "text/turtle"}),
              client.get("/id/commune/99999.jsonld"),
              client.get("/def/pas-un-schema", headers={"Accept": "application/ld+json"})):
        assert r.status_code == 404
        assert r.headers["content-type"].startswith("application/problem+json")
        assert r.json()["status"] == 404


@pytest.mark.parametrize("path", [
    "/id/commune/<script>alert(1)</script>", "/id/commune/" + "9" * 5000, "/id/commune/%2E%2E/%2E%2E/etc",
    "/id/commune/..%2F..%2Fetc%2Fpasswd", "/id/../../etc/passwd", "/id/commune/09167/", "/id/commune/a b",
    '/id/commune/09167">', "/id/commune/%00", "/def/ontologie/../../x", "/graph/%3C%3E",
])
def test_hostile_paths_are_refused_not_crashed(client, path) -> None:
    for accept in ("text/html", "text/turtle"):
        r = client.get(path, headers={"Accept": accept})
        assert r.status_code in (400, 404), (path, r.status_code)
        assert "<script>alert" not in r.text


def test_bad_format_and_unacceptable_accept(client) -> None:
    assert client.get(path_of(COMMUNE), params={"format": "pdf"}).status_code == 400
    r = client.get(path_of(COMMUNE), headers={"Accept": "image/png"})
    assert r.status_code == 406
    assert r.headers["content-type"].startswith("application/problem+json")


def test_head_answers_like_get(client) -> None:
    r = client.head(path_of(COMMUNE), headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")


def test_links_follow_the_serving_host(app) -> None:
    other = TestClient(app, base_url="http://data.example.org")
    page = Page(other.get(path_of(FUNDING), headers={"Accept": "text/html"}).text)
    ours = [h for h in page.hrefs if "/id/" in h]
    assert ours
    assert all(h.startswith("http://data.example.org/") for h in ours)
    assert not any("testserver" in h for h in page.hrefs)
    proxied = TestClient(app).get(path_of(FUNDING), headers={
        "Accept": "text/turtle", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "proxy.example.net"})
    assert proxied.headers["content-location"].startswith("https://proxy.example.net/id/")
    assert "https://proxy.example.net/id/financement/" in proxied.headers["link"]
    # the data keep their IRIs whatever the host
    assert f"<{FUNDING}>" in proxied.text or "financement/msa-mps-creche-lezat-sur-leze>" in proxied.text
    html_page = TestClient(app).get(path_of(FUNDING), headers={
        "Accept": "text/html", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "proxy.example.net"})
    hrefs = [h for h in Page(html_page.text).hrefs if "/id/" in h]
    assert hrefs
    assert all(h.startswith("https://proxy.example.net/") for h in hrefs)


def test_bad_forwarded_values_are_ignored(app) -> None:
    r = TestClient(app).get(path_of(COMMUNE), headers={
        "Accept": "text/turtle", "X-Forwarded-Host": "evil.example/<x>", "X-Forwarded-Proto": "javascript"})
    assert r.headers["content-location"].startswith("http://testserver/")


def test_public_base_setting_wins(store) -> None:
    pinned = TestClient(build_app(store, Settings(public_base="https://maillage.fr/")))
    r = pinned.get(path_of(COMMUNE), headers={"Accept": "text/turtle", "X-Forwarded-Host": "other.example"})
    assert r.headers["content-location"] == f"{COMMUNE}.ttl"


def test_rfc7239_forwarded_header() -> None:
    assert _forwarded('for=1.2.3.4;proto=https;host="a.example", for=5.6.7.8') == {
        "for": "1.2.3.4", "proto": "https", "host": "a.example"}


def test_embedded_json_cannot_close_the_script_element() -> None:
    assert "</script" not in resources.script_json(b'{"x": "</script><b>&"}')
    assert json.loads(resources.script_json(b'{"x": "</script><b>&"}')) == {"x": "</script><b>&"}
