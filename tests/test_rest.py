"""The REST layer (api/rest.py) through real HTTP on the real store: formats, paging, caching,
errors and the JSON-LD context. Expected rows come from data/records/000-msa-mps-arize-leze.yaml
(the only record with fundings: two crèches of the CC Arize Lèze and a building in the CC Cœur
d'Astarac en Gascogne)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from api.main import create_app
from api.rest import CONTEXT_FILE
from api.settings import Settings

ID = "https://maillage.fr/id/"
ROOT = Path(__file__).resolve().parents[1]
FOSSAT, LEZAT = f"{ID}financement/msa-mps-creche-le-fossat", f"{ID}financement/msa-mps-creche-lezat-sur-leze"
ASTARAC = f"{ID}financement/msa-mps-batiment-accueil-enfants-cc-coeur-d-astarac-en-gascogne"
ALL = [FOSSAT, LEZAT, ASTARAC]  # ORDER BY département (09, 09, 32), EPCI, commune
SCHEMA = "https://schema.org/"


@pytest.fixture(scope="module")
def client(store) -> TestClient:
    return TestClient(create_app(Settings(), store=store))


def links(response) -> dict[str, str]:
    """``rel`` → URL of the paging links of a ``Link`` header (RFC 8288)."""
    return {rel: url for url, rel in re.findall(r'<([^>]*)>; rel="(first|prev|next|last)"',
                                                response.headers["link"])}


def fundings(response) -> list[str]:
    return [i["funding"] for i in response.json()["items"]]


# -- formats -----------------------------------------------------------------------------------

def test_json_is_the_default(client: TestClient) -> None:
    r = client.get("/api/fundings")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    body = r.json()
    assert (body["total"], body["page"], body["page_size"]) == (3, 1, 100)
    assert fundings(r) == ALL


@pytest.mark.parametrize(("kwargs", "media"), [
    ({"params": {"format": "csv"}}, "text/csv; charset=utf-8"),
    ({"headers": {"Accept": "text/csv"}}, "text/csv; charset=utf-8"),
    ({"headers": {"Accept": "text/*"}}, "text/csv; charset=utf-8"),
    ({"params": {"format": "jsonld"}}, "application/ld+json"),
    ({"headers": {"Accept": "application/ld+json"}}, "application/ld+json"),
    ({"headers": {"Accept": "application/ld+json;q=0.5, text/csv"}}, "text/csv; charset=utf-8"),
    ({"headers": {"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}}, "application/json"),
    ({"params": {"format": "json"}, "headers": {"Accept": "text/csv"}}, "application/json"),
])
def test_format_by_parameter_then_accept(client: TestClient, kwargs: dict, media: str) -> None:
    r = client.get("/api/fundings", **kwargs)
    assert r.status_code == 200
    assert r.headers["content-type"] == media
    assert "Accept" in r.headers["vary"]


def test_csv_is_rfc_4180_and_has_the_same_rows_as_json(client: TestClient) -> None:
    params = {"organisation": "msa-midi-pyrenees-sud"}
    as_json = client.get("/api/queries/partners", params=params).json()["items"]
    r = client.get("/api/queries/partners", params={**params, "format": "csv"})
    assert r.content.decode("utf-8").startswith("partner,")  # UTF-8, no BOM
    assert r.text.count("\r\n") == len(as_json) + 1  # CRLF line ends
    rows = list(csv.DictReader(io.StringIO(r.text, newline="")))
    assert [{k: v or None for k, v in row.items()} for row in rows] == [
        {k: None if v is None else str(v) for k, v in item.items()} for item in as_json]
    assert {row["partner"] for row in rows} == {f"{ID}organisation/epci-200066223"}
    # fields with commas or quotes are quoted, and read back as written
    r = client.get("/api/fundings", params={"format": "csv"})
    rows = list(csv.DictReader(io.StringIO(r.text, newline="")))
    assert [row["funding"] for row in rows] == ALL
    assert rows[0]["conventionLabel"].endswith("(offre « Grandir en milieu rural »)")
    assert rows[2]["amount"] == ""  # the text gives no amount
    assert '"' in r.text
    assert "€" in rows[0]["excerpts"]


def test_csv_of_an_empty_list_has_its_header(client: TestClient) -> None:
    r = client.get("/api/fundings", params={"format": "csv", "region": "11"})
    assert r.status_code == 200
    assert r.text.startswith("funding,funder,funderLabel,")
    assert r.text.count("\r\n") == 1
    assert r.headers["x-total-count"] == "0"


def test_jsonld_uses_the_published_context(client: TestClient) -> None:
    r = client.get("/api/fundings", params={"format": "jsonld", "facility_kind": "creche"})
    doc = r.json()
    assert doc["@context"] == "http://testserver/api/context.jsonld"
    assert [n["@id"] for n in doc["@graph"]] == [FOSSAT, LEZAT]
    # parsed as RDF with the context file: the statements are about the right subjects
    doc["@context"] = json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))["@context"]
    g = Graph().parse(data=json.dumps(doc), format="json-ld")
    funder = URIRef(f"{ID}organisation/msa-midi-pyrenees-sud")
    assert (URIRef(FOSSAT), URIRef(SCHEMA + "funder"), funder) in g
    assert (URIRef(FOSSAT), URIRef(SCHEMA + "fundedItem"), URIRef(f"{ID}equipement/creche-le-fossat")) in g
    assert (funder, RDFS.label, Literal("MSA Midi-Pyrénées Sud")) in g
    assert (URIRef(f"{ID}equipement/creche-le-fossat"), RDFS.label, Literal("Crèche du Fossat")) in g
    assert g.value(URIRef(LEZAT), URIRef(SCHEMA + "amount")).toPython() == 50000
    assert (URIRef(FOSSAT), URIRef("https://maillage.fr/def/ontologie#underConvention"),
            URIRef(f"{ID}convention/convention-financement-msa-mps-arize-leze-2022")) in g
    assert not list(g.triples((URIRef(FOSSAT), RDFS.label, None)))  # funderLabel is the funder's


def test_the_context_is_served_and_names_real_terms(client: TestClient) -> None:
    r = client.get("/api/context.jsonld")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/ld+json"
    assert r.json() == json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))
    assert client.get("/api/context.jsonld", headers={"If-None-Match": r.headers["etag"]}).status_code == 304
    context = r.json()["@context"]
    prefixes = {k: v for k, v in context.items() if isinstance(v, str) and v.endswith(("#", "/"))}
    ontology = Graph().parse(ROOT / "ontology" / "maillage.ttl")
    # RDFS itself, and schema:funding (https://schema.org/funding, inverse of schema:fundedItem,
    # the property the ontology uses) are not redeclared there
    declared = set(ontology.subjects(RDF.type, None)) | {RDFS.label, URIRef(SCHEMA + "funding")}
    for term, definition in context.items():
        if term.startswith("@") or term in prefixes:
            continue
        curie = definition if isinstance(definition, str) else definition["@id"]
        prefix, local = curie.split(":", 1)
        iri = URIRef(prefixes[prefix] + local)
        # every term is declared by the ontology (ours, or the reused terms it declares)
        assert iri in declared, f"{term} → {iri} is not declared in ontology/maillage.ttl"
        if isinstance(definition, dict) and definition.get("@type") == "@id":
            assert (iri, RDF.type, URIRef("http://www.w3.org/2002/07/owl#DatatypeProperty")) not in ontology


# -- paging ------------------------------------------------------------------------------------

def test_pages_and_links(client: TestClient) -> None:
    first = client.get("/api/fundings", params={"page_size": 2, "funder": "msa-midi-pyrenees-sud"})
    assert fundings(first) == [FOSSAT, LEZAT]
    assert first.headers["x-total-count"] == "3"
    base = "http://testserver/api/fundings?page_size=2&funder=msa-midi-pyrenees-sud"
    assert links(first) == {"first": f"{base}&page=1", "next": f"{base}&page=2",
                            "last": f"{base}&page=2"}
    last = client.get(links(first)["next"])
    assert fundings(last) == [ASTARAC]
    assert (last.json()["page"], last.json()["page_size"], last.json()["total"]) == (2, 2, 3)
    assert links(last) == {"first": f"{base}&page=1", "prev": f"{base}&page=1",
                           "last": f"{base}&page=2"}


def test_a_single_page_and_an_empty_list(client: TestClient) -> None:
    one = client.get("/api/fundings", params={"page_size": 3})
    assert set(links(one)) == {"first", "last"}
    assert links(one)["first"] == links(one)["last"]
    empty = client.get("/api/fundings", params={"region": "11"})
    assert empty.status_code == 200
    assert empty.json() == {"total": 0, "page": 1, "page_size": 100, "items": []}
    assert links(empty) == {"first": "http://testserver/api/fundings?region=11&page=1",
                            "last": "http://testserver/api/fundings?region=11&page=1"}


def test_a_page_past_the_end_is_empty_not_missing(client: TestClient) -> None:
    r = client.get("/api/fundings", params={"page": 7, "page_size": 2})
    assert r.status_code == 200
    assert r.json()["items"] == []
    assert r.json()["total"] == 3
    assert links(r)["prev"].endswith("page=2")  # back to the last page
    assert "next" not in links(r)


def test_other_formats_are_linked_as_alternates(client: TestClient) -> None:
    r = client.get("/api/fundings", params={"epci": "200066223"})
    assert ('<http://testserver/api/fundings?epci=200066223&format=csv>; rel="alternate"; '
            'type="text/csv"') in r.headers["link"]


@pytest.mark.parametrize("path", ["/api/fundings", "/api/queries/fundings"])
@pytest.mark.parametrize("params", [{"page": 0}, {"page_size": 0}, {"page_size": 1001},
                                    {"page": "two"}, {"page": 10**7}, {"page_size": "-3"},
                                    {"page_size": "1e3"}, {"page": "²"}])
def test_bad_paging_is_422(client: TestClient, path: str, params: dict) -> None:
    # (a resource route's paging is read by FastAPI, a named query's by api.rest.page_from)
    r = client.get(path, params=params)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["parameter"] == next(iter(params))


def test_paging_of_a_named_query(client: TestClient) -> None:
    r = client.get("/api/queries/fundings", params={"page": 2, "page_size": "2"})
    assert r.status_code == 200
    assert (r.json()["page"], r.json()["page_size"]) == (2, 2)
    assert r.json()["total"] > 2


# -- caching -----------------------------------------------------------------------------------

def test_etag_and_304(client: TestClient, store) -> None:
    r = client.get("/api/fundings", params={"departement": "09"})
    tag = r.headers["etag"]
    assert re.fullmatch(rf'W/"{store.version}-[0-9a-f]{{16}}"', tag)
    assert r.headers["cache-control"] == "public, max-age=300"
    again = client.get("/api/fundings", params={"departement": "09"}, headers={"If-None-Match": tag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == tag
    assert "Accept" in again.headers["vary"]
    for header in (f'"x", {tag}', tag.removeprefix("W/"), "*"):  # weak comparison, lists, *
        assert client.get("/api/fundings", params={"departement": "09"},
                          headers={"If-None-Match": header}).status_code == 304
    assert client.get("/api/fundings", params={"departement": "09"},
                      headers={"If-None-Match": 'W/"other"'}).status_code == 200


def test_etag_depends_on_query_and_format(client: TestClient) -> None:
    tags = {client.get("/api/fundings", **kwargs).headers["etag"] for kwargs in (
        {}, {"params": {"departement": "09"}}, {"params": {"format": "csv"}},
        {"headers": {"Accept": "text/csv"}}, {"params": {"page_size": 2}})}
    assert len(tags) == 5
    assert client.get("/api/fundings").headers["etag"] == client.get("/api/fundings").headers["etag"]


def test_cors_exposes_the_paging_headers(client: TestClient) -> None:
    r = client.get("/api/fundings", headers={"Origin": "https://example.org"})
    exposed = {h.strip().lower() for h in r.headers["access-control-expose-headers"].split(",")}
    assert {"link", "etag"} <= exposed


# -- errors ------------------------------------------------------------------------------------

def problem(r, status: int) -> dict:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    body = r.json()
    assert {"type", "title", "status", "detail"} <= set(body)
    assert body["status"] == status
    return body


@pytest.mark.parametrize(("params", "parameter"), [
    ({"format": "xml"}, "format"), ({"nope": "1"}, "nope"), ({"funderKind": "msa"}, "funderKind"),
    ({"epci": "200066223", "page": "1&page=2"}, "page"),
])
def test_parameter_problems_are_422_and_name_the_parameter(client: TestClient, params: dict,
                                                           parameter: str) -> None:
    body = problem(client.get("/api/fundings", params=params), 422)
    assert body["parameter"] == parameter
    assert parameter in body["detail"]


def test_a_repeated_parameter_is_422(client: TestClient) -> None:
    body = problem(client.get("/api/fundings?epci=200066223&epci=243200425"), 422)
    assert body["parameter"] == "epci"


def test_unacceptable_accept_is_406(client: TestClient) -> None:
    body = problem(client.get("/api/fundings", headers={"Accept": "image/png"}), 406)
    assert "text/csv" in body["detail"]


def test_unknown_paths_and_methods(client: TestClient) -> None:
    assert "/api/nope" in problem(client.get("/api/nope"), 404)["detail"]
    problem(client.get("/api/queries/nope"), 404)
    r = client.delete("/api/fundings")
    problem(r, 405)
    assert r.headers["allow"] == "GET"


def test_linked_data_errors_stay_pages_for_browsers(client: TestClient) -> None:
    page = client.get("/id/commune/99999", headers={"Accept": "text/html"})
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")


@pytest.mark.parametrize("module", ["api.rest", "graph.named_queries"])
def test_docstring_examples(module: str) -> None:
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(module))
    assert result.attempted > 0
    assert result.failed == 0
