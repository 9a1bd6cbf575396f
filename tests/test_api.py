"""The HTTP API over the real app and the real loaded store (TestClient)."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, URIRef

from api.main import create_app
from api.settings import Settings
from graph.named_queries import get_named_query

ID = "https://maillage.fr/id/"
FLAGSHIP = get_named_query("msa-creches").sparql
EXPECTED_FLAGSHIP = {
    (f"{ID}organisation/msa-midi-pyrenees-sud", f"{ID}equipement/creche-lezat-sur-leze",
     "09167", "Lézat-sur-Lèze", "200066223", "CC Arize Lèze", "50000"),
    (f"{ID}organisation/msa-midi-pyrenees-sud", f"{ID}equipement/creche-le-fossat",
     "09124", "Le Fossat", "200066223", "CC Arize Lèze", "27000"),
}


@pytest.fixture(scope="module")
def client(store) -> TestClient:
    return TestClient(create_app(Settings(), store=store))


def flagship_rows(bindings: list[dict]) -> set[tuple]:
    keys = ("funder", "facility", "communeCode", "communeLabel", "epciSiren", "epciLabel", "amount")
    return {tuple(b[k]["value"] for k in keys) for b in bindings}


def test_flagship_over_sparql_get(client: TestClient) -> None:
    r = client.get("/sparql", params={"query": FLAGSHIP},
                   headers={"Accept": "application/sparql-results+json"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/sparql-results+json")
    body = r.json()
    assert flagship_rows(body["results"]["bindings"]) == EXPECTED_FLAGSHIP
    docs = {b["document"]["value"] for b in body["results"]["bindings"]}
    assert docs == {f"{ID}document/seed-000-msa-mps-arize-leze"}
    conventions = {b["convention"]["value"] for b in body["results"]["bindings"]}
    assert conventions == {f"{ID}convention/convention-financement-msa-mps-arize-leze-2022"}


def test_flagship_over_post_form_and_direct(client: TestClient) -> None:
    form = client.post("/sparql", data={"query": FLAGSHIP})
    direct = client.post("/sparql", content=FLAGSHIP.encode(),
                         headers={"Content-Type": "application/sparql-query"})
    for r in (form, direct):
        assert r.status_code == 200, r.text
        assert flagship_rows(r.json()["results"]["bindings"]) == EXPECTED_FLAGSHIP


def test_sparql_results_in_csv_tsv_xml(client: TestClient) -> None:
    q = ("SELECT ?code WHERE { <https://maillage.fr/id/commune/09167> "
         "<http://rdf.insee.fr/def/geo#codeINSEE> ?code }")
    r = client.get("/sparql", params={"query": q}, headers={"Accept": "text/csv"})
    assert r.headers["content-type"].startswith("text/csv")
    assert list(csv.reader(io.StringIO(r.text))) == [["code"], ["09167"]]
    r = client.get("/sparql", params={"query": q, "format": "tsv"})
    assert r.text.splitlines()[1].startswith('"09167"')
    r = client.get("/sparql", params={"query": q}, headers={"Accept": "application/sparql-results+xml"})
    root = ET.fromstring(r.content)
    assert root.tag == "{http://www.w3.org/2005/sparql-results#}sparql"


def test_construct_negotiates_rdf(client: TestClient) -> None:
    q = ("CONSTRUCT { ?c ?p ?o } WHERE { BIND(<https://maillage.fr/id/commune/09124> AS ?c) "
         "?c ?p ?o }")
    r = client.get("/sparql", params={"query": q}, headers={"Accept": "text/turtle"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    label = g.value(URIRef(f"{ID}commune/09124"), URIRef("http://www.w3.org/2000/01/rdf-schema#label"))
    assert str(label) == "Le Fossat"
    r = client.get("/sparql", params={"query": q}, headers={"Accept": "application/ld+json"})
    assert r.status_code == 200
    assert isinstance(json.loads(r.text), (list, dict))


@pytest.mark.parametrize(
    ("request_kwargs", "status"),
    [
        ({"method": "GET", "url": "/sparql", "params": {"query": "SELEC nope"}}, 400),
        ({"method": "GET", "url": "/sparql?query=ASK{}&query=ASK{}"}, 400),
        ({"method": "POST", "url": "/sparql", "content": b"ASK {}",
          "headers": {"Content-Type": "text/plain"}}, 415),
        ({"method": "POST", "url": "/sparql", "content": "ASK {}".encode("utf-16"),
          "headers": {"Content-Type": "application/sparql-query"}}, 400),
        ({"method": "GET", "url": "/sparql",
          "params": {"query": "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"}},
         400),
        ({"method": "GET", "url": "/sparql",
          "params": {"query": "SELECT * WHERE " + "{" * 60 + " ?s ?p ?o " + "}" * 60}}, 400),
        ({"method": "GET", "url": "/sparql", "params": {"query": "ASK {}"},
          "headers": {"Accept": "image/png"}}, 406),
        ({"method": "POST", "url": "/sparql", "data": {"update": "CLEAR ALL"}}, 403),
        ({"method": "POST", "url": "/sparql", "content": b"CLEAR ALL",
          "headers": {"Content-Type": "application/sparql-query"}}, 400),
    ],
    ids=["syntax", "two-queries", "wrong-media-type", "not-utf8", "service", "too-deep",
         "not-acceptable", "update-without-token", "update-as-query"],
)
def test_sparql_errors_are_4xx_problems(client: TestClient, request_kwargs: dict, status: int) -> None:
    r = client.request(**request_kwargs)
    assert r.status_code == status, r.text
    assert r.headers["content-type"].startswith("application/problem+json")
    assert r.json()["detail"]


def test_updates_never_reach_the_store(client: TestClient, store) -> None:
    before = store.graph_sizes()
    client.post("/sparql", content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-query"})
    assert store.graph_sizes() == before


def test_bare_get_gives_the_service_description(client: TestClient) -> None:
    r = client.get("/sparql")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/turtle")
    g = Graph().parse(data=r.text, format="turtle")
    sd = "http://www.w3.org/ns/sparql-service-description#"
    assert (None, URIRef(sd + "endpoint"), URIRef("http://testserver/sparql")) in g


MSA_MPS = f"{ID}organisation/msa-midi-pyrenees-sud"
FINANCEMENT = f"{ID}convention/convention-financement-msa-mps-arize-leze-2022"
# data/records/000-msa-mps-arize-leze.yaml: the two crèches of the CC Arize Lèze the MSA
# Midi-Pyrénées Sud funds under the convention de financement signed on 1 July 2022 at Le Fossat.
COMMON = {
    "funder": MSA_MPS, "funderLabel": "MSA Midi-Pyrénées Sud",
    "funderKind": "https://maillage.fr/def/type-institution/msa",
    "kind": "https://maillage.fr/def/type-equipement/creche",
    "epciSiren": "200066223", "epciLabel": "CC Arize Lèze", "departementCode": "09",
    "regionCode": "76", "status": "https://maillage.fr/def/statut-financement/engage",
    "convention": FINANCEMENT,
    "conventionLabel": "Convention de financement 2022 entre la MSA Midi-Pyrénées Sud et la CC "
                       "Arize Lèze (offre « Grandir en milieu rural »)",
    "validFrom": None, "validUntil": None, "signingDate": "2022-07-01",
    "document": f"{ID}document/seed-000-msa-mps-arize-leze",
    "documentTitle": "La MSA Midi-Pyrénées Sud et la CC Arize-Lèze signent deux conventions",
}
GRANDIR = ("Celle-ci entre dans le cadre de l’offre territoriale « Grandir en milieu rural » et "
           "concerne deux crèches")
REJOINT = ("la MSA rejoint le conseil départemental, l’État, la région et d’autres entités dans le "
           "financement de deux espaces d’accueil du jeune enfant")
EXPECTED_CRECHES = [  # ordered by département, EPCI, commune code
    {"funding": f"{ID}financement/msa-mps-creche-le-fossat",
     "facility": f"{ID}equipement/creche-le-fossat", "facilityLabel": "Crèche du Fossat",
     "communeCode": "09124", "communeLabel": "Le Fossat", "amount": 27000, **COMMON,
     "excerpts": {GRANDIR, REJOINT, "un second au Fossat, soutenu à hauteur de 27.000€"}},
    {"funding": f"{ID}financement/msa-mps-creche-lezat-sur-leze",
     "facility": f"{ID}equipement/creche-lezat-sur-leze", "facilityLabel": "Crèche de Lézat-sur-Lèze",
     "communeCode": "09167", "communeLabel": "Lézat-sur-Lèze", "amount": 50000, **COMMON,
     "excerpts": {GRANDIR, REJOINT,
                  "un premier prévu à Lézat-sur-Lèze qui sera accompagné à hauteur de 50.000€ par la MSA"}},
]


def test_api_fundings_msa_creches_exact_rows(client: TestClient) -> None:
    r = client.get("/api/fundings", params={"funder_kind": "msa", "facility_kind": "creche"})
    assert r.status_code == 200
    body = r.json()
    assert (body["total"], body["page"], body["page_size"]) == (2, 1, 100)
    items = [{**i, "excerpts": set(i["excerpts"].split(" […] "))} for i in body["items"]]
    assert items == EXPECTED_CRECHES


def test_api_fundings_new_filters(client: TestClient) -> None:
    def facilities(**params: str) -> list[str]:
        r = client.get("/api/fundings", params=params)
        assert r.status_code == 200, r.text
        assert int(r.headers["x-total-count"]) == len(r.json()["items"])
        return [i["facility"].rsplit("/", 1)[1] for i in r.json()["items"]]

    creches = ["creche-le-fossat", "creche-lezat-sur-leze"]
    astarac = "batiment-accueil-enfants-cc-coeur-d-astarac-en-gascogne"
    assert facilities(commune="09167") == ["creche-lezat-sur-leze"]
    assert facilities(commune="32013") == []
    assert facilities(region="76") == [*creches, astarac]  # Ariège and Gers are in Occitanie
    assert facilities(region="11") == []
    # the convention has no period: its year is the year it was signed (2022); the EPCI's
    # funding is under no convention, so it has no year
    assert facilities(year="2022") == creches
    assert facilities(year="2023") == []
    assert facilities(convention="convention-financement-msa-mps-arize-leze-2022") == creches
    assert facilities(convention="pst-caese-2023-2026") == []
    assert facilities(funder="msa-midi-pyrenees-sud", departement="32") == [astarac]


@pytest.mark.parametrize(
    ("params", "facilities"),
    [
        ({"epci": "200066223"}, {"creche-lezat-sur-leze", "creche-le-fossat"}),
        ({"departement": "09"}, {"creche-lezat-sur-leze", "creche-le-fossat"}),
        ({"departement": "32"}, {"batiment-accueil-enfants-cc-coeur-d-astarac-en-gascogne"}),
        ({"facility_kind": "eaje"}, {"creche-lezat-sur-leze", "creche-le-fossat"}),
        ({"funder_kind": "caf"}, set()),
        ({"epci": "200066322"}, set()),
        # the question of the guide, in one EPCI (territory-fundings, funder kind a filter)
        ({"epci": "200066223", "funder_kind": "msa", "facility_kind": "creche"},
         {"creche-lezat-sur-leze", "creche-le-fossat"}),
        ({"epci": "200066223", "funder_kind": "caf", "facility_kind": "creche"}, set()),
    ],
)
def test_api_fundings_each_filter(client: TestClient, params: dict, facilities: set) -> None:
    r = client.get("/api/fundings", params=params)
    assert r.status_code == 200
    assert {i["facility"].rsplit("/", 1)[1] for i in r.json()["items"]} == facilities


@pytest.mark.parametrize("params", [{"funder_kind": "MSA!"}, {"epci": "2000 66223"},
                                    {"facility_kind": "crèche"}, {"year": "22"},
                                    {"convention": "Pst"}, {"funderKind": "msa"},
                                    # one place: territory-fundings (code and level)
                                    {"departement": "0 9"},
                                    {"facility_kind": "crèche", "commune": "09124"}])
def test_api_fundings_bad_filters_are_422(client: TestClient, params: dict) -> None:
    r = client.get("/api/fundings", params=params)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")
    name = next(iter(params))  # the one at fault comes first
    assert r.json()["parameter"] == name
    assert repr(name) in r.json()["detail"]


def test_named_query_route(client: TestClient) -> None:
    names = {q["name"] for q in client.get("/api/queries").json()}
    assert {"msa-creches", "fundings", "partners", "conventions-commune"} <= names
    r = client.get("/api/queries/convention-signatories",
                   params={"convention": "pst-caese-2023-2026"})
    assert r.status_code == 200
    assert {i["signatory"].rsplit("/", 1)[1] for i in r.json()["items"]} == {
        "epci-200017846", "caf-91", "msa-ile-de-france", "cd-91"}
    assert client.get("/api/queries/nope").status_code == 404
    missing = client.get("/api/queries/partners")  # required parameter
    assert missing.status_code == 422
    assert missing.json()["parameter"] == "organisation"
    csv_text = client.get("/api/queries/msa-creches", params={"format": "csv"}).text
    assert len(list(csv.reader(io.StringIO(csv_text)))) == 3


@pytest.mark.parametrize(
    ("params", "verdict", "identifier"),
    [
        ({"name": "communauté de communes Arize-Lèze"}, "resolved", "200066223"),
        ({"name": "Caf de Tarn et Garonne"}, "resolved", "caf-82"),
        ({"name": "MSA IDF"}, "resolved", "msa-ile-de-france"),
        ({"name": "Saint-Martin", "kind": "commune"}, "ambiguous", None),
        ({"name": "Saint-Martin", "kind": "commune", "departement": "65"}, "resolved", "65392"),
        ({"name": "Trifouillis-les-Oies"}, "unknown", None),
    ],
)
def test_resolve_route(client: TestClient, params: dict, verdict: str, identifier: str | None) -> None:
    r = client.get("/api/resolve", params=params)
    assert r.status_code == 200
    body = r.json()
    assert body["verdict"] == verdict
    assert (body["best"] or {}).get("identifier") == identifier
    if verdict == "ambiguous":
        assert len(body["candidates"]) > 1


@pytest.mark.parametrize("params", [{}, {"name": ""}, {"name": "x", "kind": "planet"},
                                    {"name": "x", "departement": "999"}, {"name": "x", "date": "hier"}])
def test_resolve_route_rejects_bad_input(client: TestClient, params: dict) -> None:
    r = client.get("/api/resolve", params=params)
    assert r.status_code == 422
    assert r.headers["content-type"].startswith("application/problem+json")


def test_browser_gets_the_query_page(client: TestClient) -> None:
    r = client.get("/sparql", headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    page = r.text
    assert '<html lang="fr">' in page
    assert "/static/yasgui/yasgui.min.js" in page
    assert "PREFIX igeo: <http://rdf.insee.fr/def/geo#>" in page
    assert 'data-query="msa-creches"' in page
    js = client.get("/static/yasgui/yasgui.min.js")
    assert js.status_code == 200
    assert len(js.content) > 500_000  # the vendored editor, served locally
