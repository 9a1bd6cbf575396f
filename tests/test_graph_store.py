"""SPARQL 1.1 Update and the Graph Store HTTP Protocol, with the bearer token, over the real app
and a real (in-memory) store of their own."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph

from api.main import create_app
from api.settings import Settings
from graph.store import OxigraphStore

TOKEN = "s3cret"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
G = "https://maillage.fr/graph/essai"
TTL = b"<https://maillage.fr/id/x> <http://www.w3.org/2000/01/rdf-schema#label> \"x\"@fr ."


@pytest.fixture
def client() -> TestClient:
    store = OxigraphStore(None)
    return TestClient(create_app(Settings(update_token=TOKEN), store=store))


def test_graph_lifecycle(client: TestClient) -> None:
    assert client.get("/store", params={"graph": G}).status_code == 404
    assert client.head("/store", params={"graph": G}).status_code == 404
    r = client.put("/store", params={"graph": G}, content=TTL,
                   headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code == 201
    r = client.put("/store", params={"graph": G}, content=TTL,
                   headers={**AUTH, "Content-Type": "text/turtle"})
    assert r.status_code == 204
    more = b"<https://maillage.fr/id/y> <http://www.w3.org/2000/01/rdf-schema#label> \"y\"@fr ."
    assert client.post("/store", params={"graph": G}, content=more,
                       headers={**AUTH, "Content-Type": "application/n-triples"}).status_code == 204
    got = client.get("/store", params={"graph": G}, headers={"Accept": "text/turtle"})
    assert got.status_code == 200
    assert len(Graph().parse(data=got.text, format="turtle")) == 2
    assert client.head("/store", params={"graph": G}).status_code == 200
    assert client.delete("/store", params={"graph": G}, headers=AUTH).status_code == 204
    assert client.get("/store", params={"graph": G}).status_code == 404
    assert client.delete("/store", params={"graph": G}, headers=AUTH).status_code == 404


@pytest.mark.parametrize(
    ("method", "kwargs", "status"),
    [
        ("put", {"params": {"graph": G}, "content": TTL,
                 "headers": {"Content-Type": "text/turtle"}}, 401),
        ("put", {"params": {"graph": G}, "content": TTL,
                 "headers": {"Content-Type": "text/turtle", "Authorization": "Bearer nope"}}, 401),
        ("put", {"params": {"graph": G}, "content": TTL,
                 "headers": {**AUTH, "Content-Type": "image/png"}}, 415),
        ("put", {"params": {"graph": G}, "content": b"<not turtle",
                 "headers": {**AUTH, "Content-Type": "text/turtle"}}, 400),
        ("put", {"params": {"graph": G, "default": ""}, "content": TTL,
                 "headers": {**AUTH, "Content-Type": "text/turtle"}}, 400),
        ("get", {"params": {}}, 400),
        ("delete", {"params": {"graph": G}}, 401),
    ],
    ids=["no-token", "wrong-token", "wrong-media", "bad-syntax", "graph-and-default", "no-target",
         "delete-no-token"],
)
def test_graph_store_errors(client: TestClient, method: str, kwargs: dict, status: int) -> None:
    r = getattr(client, method)("/store", **kwargs)
    assert r.status_code == status
    assert r.headers["content-type"].startswith("application/problem+json")


def test_update_with_token(client: TestClient) -> None:
    update = f'INSERT DATA {{ GRAPH <{G}> {{ <https://maillage.fr/id/z> <http://e/p> "z" }} }}'
    assert client.post("/sparql", content=update.encode(),
                       headers={"Content-Type": "application/sparql-update"}).status_code == 401
    assert client.post("/sparql", content=update.encode(), headers={
        **AUTH, "Content-Type": "application/sparql-update"}).status_code == 204
    ask = client.get("/sparql", params={"query": "ASK { ?s <http://e/p> \"z\" }"})
    assert ask.json()["boolean"] is True
    assert client.post("/sparql", data={"update": "LOAD <http://example.org/x>"},
                       headers=AUTH).status_code == 400  # LOAD is refused
    assert client.post("/sparql", data={"update": "INSERT DATA { oops"},
                       headers=AUTH).status_code == 400
