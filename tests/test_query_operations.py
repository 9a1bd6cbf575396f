"""Every named query (queries/*.rq) is its own OpenAPI operation ``GET /api/queries/{name}``,
documented from its ``#+`` header, and its parameters are bound as typed terms — never pasted:
SPARQL injected through any kind of parameter is refused (422) or inert."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from fastapi import APIRouter, FastAPI
from fastapi.testclient import TestClient

from api import errors
from api.executor import QueryRunner
from api.main import create_app
from api.routes.queries import add_operation
from api.settings import Settings
from graph.named_queries import (
    DATE,
    SLUG,
    TOKEN,
    YEAR,
    NamedQuery,
    Param,
    get_named_query,
    named_queries,
    parse_named_query,
    scheme_notations,
)
from graph.store import OxigraphStore

ROOT = Path(__file__).resolve().parents[1]
NAMES = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
ID = "https://maillage.fr/id/"
XSD = "http://www.w3.org/2001/XMLSchema#"
PAYLOADS = ['x" } ; DROP ALL ; #', "<http://evil> } UNION { ?s ?p ?o", "') } UNION { ?s ?p ?o } #",
            '1"^^<http://www.w3.org/2001/XMLSchema#integer> } UNION { ?s ?p ?o', "?s", "\\u0022",
            "1 } UNION { ?s ?p ?o }", "2022 ; CLEAR ALL"]
SAMPLE = {"organisation": "msa-midi-pyrenees-sud", "convention": "pst-caese-2023-2026",
          "token": "200066223", "date": "2024-06-01", "year": "2024", "integer": "3"}


@pytest.fixture(scope="module")
def client(store) -> TestClient:
    return TestClient(create_app(Settings(), store=store))


@pytest.fixture(scope="module")
def spec(client: TestClient) -> dict:
    return client.get("/openapi.json").json()


def value_for(param: Param) -> str:
    """The header's example, else a value of the right type."""
    if param.example is not None:
        return param.example
    if param.type.startswith("concept:"):
        return sorted(scheme_notations()[param.type.split(":", 1)[1]])[0]
    if param.type == "integer" and param.minimum is not None:
        return str(param.minimum)
    return SAMPLE[param.type]


def plain_schema(schema: dict) -> dict:
    """The schema of an optional parameter without its ``null`` branch."""
    branches = [s for s in schema.get("anyOf", [schema]) if s.get("type") != "null"]
    assert len(branches) == 1
    return {**schema, **branches[0]}


# -- the operations ----------------------------------------------------------------------------

def test_one_operation_per_query_file(spec: dict) -> None:
    operations = {p for p in spec["paths"] if p.startswith("/api/queries/")}
    assert operations == {f"/api/queries/{n}" for n in NAMES}
    assert "/api/queries" in spec["paths"]  # the list stays


@pytest.mark.parametrize("name", NAMES)
def test_operation_is_documented_from_the_header(name: str, spec: dict) -> None:
    query = get_named_query(name)
    operation = spec["paths"][f"/api/queries/{name}"]["get"]
    assert set(spec["paths"][f"/api/queries/{name}"]) == {"get"}
    assert operation["summary"] == query.summary
    assert operation["description"].startswith(query.description.strip())
    assert set(query.tags) <= set(operation["tags"])
    params = {p["name"]: p for p in operation["parameters"]}
    common = {"format"} | ({"page", "page_size"} if query.paged else set())
    assert set(params) == {p.name for p in query.params} | common
    for p in query.params:
        documented = params[p.name]
        assert documented["in"] == "query"
        assert documented["required"] == (p.required and p.default is None)
        assert documented["description"] == p.description
        schema = plain_schema(documented["schema"])
        if p.type.startswith("concept:"):
            assert set(schema["enum"]) == scheme_notations()[p.type.split(":", 1)[1]]
        elif p.type == "integer":
            assert schema["type"] == "integer"
            assert (schema.get("minimum"), schema.get("maximum")) == (p.minimum, p.maximum)
        else:
            assert schema["type"] == "string"
            assert schema["pattern"] == {"organisation": SLUG, "convention": SLUG, "token": TOKEN,
                                         "year": YEAR, "date": DATE}[p.type]
            assert (schema.get("format") == "date") == (p.type == "date")
        if p.example is not None:
            assert schema["examples"] == [p.example]
        if p.default is not None:
            assert str(schema["default"]) == p.default
    if query.paged:
        assert plain_schema(params["page_size"]["schema"])["maximum"] == 1000
        assert {"200", "304", "406", "422"} <= set(operation["responses"])
        ok = operation["responses"]["200"]["content"]
        assert {"application/json", "text/csv", "application/ld+json"} <= set(ok)
        assert "application/problem+json" in operation["responses"]["422"]["content"]


@pytest.mark.parametrize("name", NAMES)
def test_operation_answers_with_its_examples(name: str, client: TestClient) -> None:
    query = get_named_query(name)
    values = {p.name: value_for(p) for p in query.params if p.required or p.example}
    r = client.get(f"/api/queries/{name}", params=values)
    assert r.status_code == 200, r.text
    if query.paged:
        body = r.json()
        assert body["total"] == int(r.headers["x-total-count"]) >= len(body["items"])
        assert all(list(item) == list(query.columns) for item in body["items"])


@pytest.mark.parametrize("name", [n for n in NAMES if any(
    p.required and p.default is None for p in get_named_query(n).params)])
def test_missing_required_parameter_is_422(name: str, client: TestClient) -> None:
    query = get_named_query(name)
    required = [p for p in query.params if p.required and p.default is None]
    values = {p.name: value_for(p) for p in required[1:]}
    r = client.get(f"/api/queries/{name}", params=values)
    assert r.status_code == 422
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["parameter"] == required[0].name


def test_the_list_names_each_operation(client: TestClient) -> None:
    listed = {q["name"]: q for q in client.get("/api/queries").json()}
    assert set(listed) == set(named_queries())
    fundings = listed["fundings"]
    assert fundings["path"] == "/api/queries/fundings"
    assert fundings["paginate"] is True
    assert {"name": "year", "type": "year", "required": False, "example": "2022", "default": None,
            "description": get_named_query("fundings").params[7].description} in fundings["params"]


def test_named_query_and_route_give_the_same_fundings(client: TestClient) -> None:
    a = client.get("/api/queries/fundings", params={"funderKind": "msa", "facilityKind": "creche"})
    b = client.get("/api/fundings", params={"funder_kind": "msa", "facility_kind": "creche"})
    assert a.json() == b.json()
    assert [i["facility"] for i in a.json()["items"]] == [
        f"{ID}equipement/creche-le-fossat", f"{ID}equipement/creche-lezat-sur-leze"]


# -- injection ---------------------------------------------------------------------------------

# (operation, parameter, honest value, other parameters) — one per kind of parameter
KINDS = {
    "concept": ("fundings", "facilityKind", "creche", {}),
    "organisation": ("partners", "organisation", "msa-midi-pyrenees-sud", {}),
    "convention": ("convention-signatories", "convention", "pst-caese-2023-2026", {}),
    "token": ("conventions-commune", "communeCode", "82112", {}),
    "date": ("conventions-in-force", "date", "2024-06-01", {"departementCode": "91"}),
    "year": ("epci-members", "year", "2024", {"epci": "200066223"}),
}
POPULATION = """#+ summary: Communes of a département from a population on
#+ params:
#+   - name: departement
#+     type: token
#+     required: true
#+     description: INSEE code of the département
#+   - name: smallest
#+     type: integer
#+     default: 0
#+     minimum: 0
#+     maximum: 100000000
#+     description: smallest population
PREFIX mlg: <https://maillage.fr/def/ontologie#>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
SELECT ?commune ?population WHERE {
  ?commune a igeo:Commune ; igeo:subdivisionDirecteDe/igeo:codeINSEE ?departement ;
    mlg:population ?population .
  FILTER (?population >= ?smallest)
}
ORDER BY DESC(?population) ?commune
"""


@pytest.fixture(scope="module")
def integer_query(tmp_path_factory: pytest.TempPathFactory) -> NamedQuery:
    """No shipped query takes an integer: one that does, for the same checks."""
    path = tmp_path_factory.mktemp("queries") / "population.rq"
    path.write_text(POPULATION, encoding="utf-8")
    return parse_named_query(path)


@pytest.fixture(scope="module")
def integer_client(store: OxigraphStore, integer_query: NamedQuery) -> TestClient:
    app = FastAPI()
    errors.install(app)
    router = APIRouter(prefix="/api/queries")
    add_operation(router, integer_query)
    app.include_router(router)
    app.state.store, app.state.settings = store, Settings()
    app.state.runner = QueryRunner(store)
    return TestClient(app)


def test_every_kind_of_parameter_is_covered() -> None:
    kinds = {("concept" if p.type.startswith("concept:") else p.type)
             for q in named_queries().values() for p in q.params}
    assert kinds <= {*KINDS, "integer"}
    assert set(KINDS) | {"integer"} == {"concept", "organisation", "convention", "token", "date",
                                        "year", "integer"}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_injection_is_refused(kind: str, client: TestClient, store: OxigraphStore) -> None:
    name, param, honest, others = KINDS[kind]
    before = store.graph_sizes()
    r = client.get(f"/api/queries/{name}", params={**others, param: honest})
    assert r.status_code == 200
    assert r.json()["total"] > 0  # the honest value finds rows
    for payload in PAYLOADS + [f"{honest}{p}" for p in PAYLOADS]:
        r = client.get(f"/api/queries/{name}", params={**others, param: payload})
        assert r.status_code == 422, (kind, payload, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["parameter"] == param
    assert store.graph_sizes() == before


def test_injection_through_an_integer_is_refused(integer_client: TestClient, store: OxigraphStore) -> None:
    before = store.graph_sizes()
    honest = integer_client.get("/api/queries/population", params={"departement": "09", "smallest": 2321})
    assert honest.status_code == 200
    populations = [i["population"] for i in honest.json()["items"]]
    assert populations
    assert min(populations) >= 2321
    assert populations == sorted(populations, reverse=True)
    for payload in [*PAYLOADS, "2321 } UNION { ?s ?p ?o", "2321.5", "-1", "100000001"]:
        r = integer_client.get("/api/queries/population", params={"departement": "09", "smallest": payload})
        assert r.status_code == 422, (payload, r.text)
        assert r.json()["parameter"] == "smallest"
    assert store.graph_sizes() == before


def test_bound_terms_are_inert_even_past_validation(store: OxigraphStore) -> None:
    """Below the checks, values are RDF terms serialized by pyoxigraph in a VALUES block: a
    literal full of SPARQL is one literal (no rows), and an IRI cannot hold the characters
    SPARQL syntax needs (it is refused), or is just an IRI nothing has (no rows)."""
    query, partners = get_named_query("conventions-commune"), get_named_query("partners")
    honest = query.run(store, {"communeCode": "82112"}).rows()
    assert honest
    before = store.graph_sizes()
    for payload in PAYLOADS:
        for datatype in ("token", "string", "date", "gYear", "integer"):
            term = ox.Literal(payload, datatype=ox.NamedNode(XSD + datatype))
            assert store.query(query.sparql, {"communeCode": term}).rows() == []
        iri = f"{ID}organisation/msa-midi-pyrenees-sud{payload}"
        if set(payload) & set('<>"{}| \\^`'):
            with pytest.raises(ValueError, match="Invalid IRI"):
                ox.NamedNode(iri)
        else:
            assert store.query(partners.sparql, {"organisation": ox.NamedNode(iri)}).rows() == []
    assert query.run(store, {"communeCode": "82112"}).rows() == honest
    assert store.graph_sizes() == before


def test_integer_operation_is_documented(integer_client: TestClient) -> None:
    operation = integer_client.get("/openapi.json").json()["paths"]["/api/queries/population"]["get"]
    params = {p["name"]: p for p in operation["parameters"]}
    schema = plain_schema(params["smallest"]["schema"])
    # (the default is a number, as the schema's type says, not the header's text)
    assert (schema["type"], schema["minimum"], schema["maximum"], schema["default"]) == (
        "integer", 0, 100000000, 0)
    assert params["smallest"]["required"] is False
    assert params["departement"]["required"] is True
