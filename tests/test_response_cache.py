"""Repeated ``GET /api/…`` requests are answered from the worker's cache: the same bytes and
headers, ``304`` to a matching ``If-None-Match``, nothing stale after a write, nothing kept
for authorised requests or with the cache off."""

from __future__ import annotations

from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings
from graph.store import OxigraphStore

GRAPH = "https://maillage.fr/graph/test"


def _member(code: str) -> bytes:
    """One commune member of EPCI 200000001 in 2025 (what epci-members.rq reads)."""
    m, c = "https://maillage.fr/def/ontologie#", f"<http://example.org/commune/{code}>"
    return (f'<http://example.org/epci> <{m}siren> "200000001"^^<http://www.w3.org/2001/XMLSchema#token> .\n'
            f"<http://example.org/m{code}> a <{m}EpciMembership> ; <{m}epci> <http://example.org/epci> ;"
            f' <{m}member> {c} ; <{m}millesime> "2025"^^<http://www.w3.org/2001/XMLSchema#gYear> .\n'
            f'{c} <http://rdf.insee.fr/def/geo#codeINSEE> "{code}" ;'
            f' <http://www.w3.org/2000/01/rdf-schema#label> "Commune {code}" .\n').encode()


def _cached(client: TestClient) -> int:
    cache = client.app.state.answers
    return 0 if cache is None else len(cache._entries)


def test_a_repeat_is_the_same_answer_from_the_cache(store: OxigraphStore) -> None:
    client = TestClient(create_app(Settings(), store))
    url = "/api/fundings?funder_kind=msa&facility_kind=creche"
    first = client.get(url)
    assert first.status_code == 200
    kept = _cached(client)
    assert kept >= 1
    again = client.get(url)
    assert again.content == first.content
    assert again.headers == first.headers
    assert _cached(client) == kept  # served, not computed again and added
    not_modified = client.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert not_modified.status_code == 304
    assert not_modified.content == b""
    assert not_modified.headers["etag"] == first.headers["etag"]
    csv = client.get(url, headers={"Accept": "text/csv"})
    assert csv.headers["content-type"].startswith("text/csv")  # Accept is part of the key


def test_a_write_is_seen_at_once() -> None:
    store = OxigraphStore(None)
    store.replace_graph(GRAPH, _member("01001"), "ttl")
    client = TestClient(create_app(Settings(), store))
    url = "/api/queries/epci-members?epci=200000001&year=2025"
    before = client.get(url)
    assert [i["communeCode"] for i in before.json()["items"]] == ["01001"]
    assert client.get(url).content == before.content
    store.replace_graph(GRAPH, _member("01002"), "ttl")
    after = client.get(url, headers={"If-None-Match": before.headers["etag"]})
    assert after.status_code == 200
    assert [i["communeCode"] for i in after.json()["items"]] == ["01002"]
    assert after.headers["etag"] != before.headers["etag"]


def test_authorised_requests_and_a_cache_off_keep_nothing(store: OxigraphStore) -> None:
    client = TestClient(create_app(Settings(), store))
    client.get("/api/fundings", params={"funder_kind": "msa"},
               headers={"Authorization": "Bearer x"})
    assert _cached(client) == 0
    off = TestClient(create_app(Settings(result_cache_mb=0), store))
    assert off.get("/api/fundings", params={"funder_kind": "msa"}).status_code == 200
    assert off.app.state.answers is None
