"""The resource routes of issue 6 (``/api/territories``, ``/api/institutions``,
``/api/conventions``, ``/api/facilities``, ``/api/coverage``) over the real app and the real
loaded store. Expected content comes from the seed records (data/records/*.yaml) and the 2026
geography: the CC Terres des Confluences (SIREN 200066322) has 22 member communes, Moissac
(82112) among them, and one convention, its CTG 2023-2027 (record 001); the MSA Midi-Pyrénées
Sud co-signs two conventions with the CC Arize Lèze (record 000). The fundings of the crèches
by a MSA caisse (``/api/fundings?facility_kind=creche&funder_kind=msa``) are tested in
tests/test_api.py::test_api_fundings_msa_creches_exact_rows."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient

from api.main import create_app
from api.settings import Settings

ID = "https://maillage.fr/id/"
API = "http://testserver/api"
CTG = f"{ID}convention/ctg-cc-terres-des-confluences-2023-2027"
TDC = "200066322"  # CC Terres des Confluences


@pytest.fixture(scope="module")
def client(store) -> TestClient:
    return TestClient(create_app(Settings(), store=store))


def links(response) -> dict[str, str]:
    """``rel`` → URL of the paging links of a ``Link`` header (RFC 8288)."""
    return {rel: url for url, rel in re.findall(r'<([^>]*)>; rel="(first|prev|next|last)"',
                                                response.headers["link"])}


def ok(client: TestClient, path: str, **params: object) -> dict:
    r = client.get(path, params=params)
    assert r.status_code == 200, r.text
    return r.json()


def keys(items: list[dict], field: str) -> list[str]:
    return [i[field].rsplit("/", 1)[1] for i in items]


# -- territories -------------------------------------------------------------------------------

def test_an_epci_page_gives_its_members_and_conventions(client: TestClient) -> None:
    body = ok(client, f"/api/territories/{TDC}", date="2024-06-01")
    assert (body["territory"], body["level"], body["code"], body["label"]) == (
        f"{ID}epci/{TDC}", "epci", TDC, "CC Terres des Confluences")
    assert (body["membersTotal"], body["communeCount"], body["epciTypeCode"]) == (22, 22, "CC")
    assert [c["convention"] for c in body["conventions"]] == [CTG]
    assert body["conventionsTotal"] == 1
    [ctg] = body["conventions"]
    assert (ctg["coverage"], ctg["via"], ctg["validFrom"], ctg["validUntil"]) == (
        "full", "epci", "2023-01-01", "2027-12-31")
    assert [(p["parentLevel"], p["parentCode"], p["epciCommuneCount"]) for p in body["parents"]] == [
        ("departement", "82", 22), ("region", "76", 22)]
    assert {(s["organisation"], s["relations"]) for s in body["servedBy"]} == {
        (f"{ID}organisation/caf-82", "parent"), (f"{ID}organisation/msa-midi-pyrenees-nord", "parent")}
    assert body["membersUrl"] == f"{API}/territories/{TDC}/members?level=epci"
    assert body["conventionsUrl"] == f"{API}/territories/{TDC}/conventions?level=epci&date=2024-06-01"
    members = ok(client, f"/api/territories/{TDC}/members", level="epci")
    assert members["total"] == 22
    assert "82112" in [m["communeCode"] for m in members["items"]]


def test_the_conventions_covering_moissac(client: TestClient) -> None:
    body = ok(client, "/api/territories/82112/conventions", date="2024-06-01")
    assert [c["convention"] for c in body["items"]] == [CTG]
    assert body["items"][0]["viaLabel"] == "CC Terres des Confluences"
    page = ok(client, "/api/territories/82112", date="2024-06-01")
    assert (page["level"], page["label"], page["postalCodes"]) == ("commune", "Moissac", "82200")
    assert [c["convention"] for c in page["conventions"]] == [CTG]
    # in force on the date only: the CTG runs 2023-2027
    assert ok(client, "/api/territories/82112/conventions", date="2028-01-01")["items"] == []


def test_the_date_defaults_to_today_and_is_named(client: TestClient) -> None:
    today = dt.date.today().isoformat()
    r = client.get(f"/api/territories/{TDC}")
    assert r.json()["date"] == today
    assert f"date={today}" in r.json()["conventionsUrl"]
    assert f"date={today}&format=csv" in r.headers["link"]  # the ETag and links carry it


def test_an_ambiguous_code_is_300_with_the_choices(client: TestClient) -> None:
    r = client.get("/api/territories/84")
    assert r.status_code == 300
    assert [(c["level"], c["label"], c["url"]) for c in r.json()["choices"]] == [
        ("departement", "Vaucluse", f"{API}/territories/84?level=departement"),
        ("region", "Auvergne-Rhône-Alpes", f"{API}/territories/84?level=region")]
    assert r.headers["link"].count('rel="alternate"') == 2
    assert client.get("/api/territories/84/members", params={"level": "region"}).status_code == 200
    assert ok(client, "/api/territories/84", level="departement")["label"] == "Vaucluse"
    assert ok(client, "/api/territories/09")["level"] == "departement"  # no région 09
    assert ok(client, "/api/territories/2a004")["label"] == "Ajaccio"


def test_the_fundings_in_a_territory(client: TestClient) -> None:
    body = ok(client, "/api/territories/200066223/fundings")
    assert keys(body["items"], "facility") == ["creche-le-fossat", "creche-lezat-sur-leze"]
    page = ok(client, "/api/territories/200066223")
    assert (page["fundingsTotal"], page["facilitiesTotal"]) == (2, 3)  # and the tiers-lieu


@pytest.mark.parametrize("path", [
    "/api/territories/99999", "/api/territories/82112?level=epci", "/api/territories/1234",
    "/api/territories/00/members", "/api/territories/999999999/fundings",
])
def test_an_unknown_territory_is_404(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"


@pytest.mark.parametrize(("path", "params", "parameter"), [
    (f"/api/territories/{TDC}", {"level": "canton"}, "level"),
    (f"/api/territories/{TDC}", {"date": "2024-13-01"}, "date"),
    (f"/api/territories/{TDC}", {"levle": "epci"}, "levle"),
    (f"/api/territories/{TDC}/members", {"page_size": 0}, "page_size"),
])
def test_bad_territory_parameters_are_422(client: TestClient, path: str, params: dict,
                                          parameter: str) -> None:
    r = client.get(path, params=params)
    assert r.status_code == 422
    assert r.json()["parameter"] == parameter


def test_members_are_paged_with_link_headers(client: TestClient) -> None:
    r = client.get(f"/api/territories/{TDC}/members", params={"page_size": 10, "page": 2})
    assert r.headers["x-total-count"] == "22"
    base = f"{API}/territories/{TDC}/members?page_size=10"
    assert links(r) == {"first": f"{base}&page=1", "prev": f"{base}&page=1",
                        "next": f"{base}&page=3", "last": f"{base}&page=3"}
    assert r.json()["items"][0]["communeCode"] == "82063"


def test_a_territory_in_csv_is_one_row_without_the_lists(client: TestClient) -> None:
    r = client.get(f"/api/territories/{TDC}", params={"format": "csv", "date": "2024-06-01"})
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    [row] = list(csv.DictReader(io.StringIO(r.text, newline="")))
    assert (row["label"], row["membersTotal"], row["conventionsTotal"]) == (
        "CC Terres des Confluences", "22", "1")
    assert "parents" not in row


# -- institutions ------------------------------------------------------------------------------

MPS = "msa-midi-pyrenees-sud"
ARIZE_LEZE = f"{ID}organisation/epci-200066223"


def test_the_partners_of_the_msa_midi_pyrenees_sud(client: TestClient) -> None:
    body = ok(client, f"/api/institutions/{MPS}/partners")
    assert {(i["partner"], i["partnerLabel"]) for i in body["items"]} == {(ARIZE_LEZE, "CC Arize Lèze")}
    assert sorted(keys(body["items"], "convention")) == [
        "convention-actions-concertees-msa-mps-arize-leze-2022-2024",
        "convention-financement-msa-mps-arize-leze-2022"]


def test_an_institution_page(client: TestClient) -> None:
    body = ok(client, f"/api/institutions/{MPS}")
    assert (body["organisation"], body["organisationLabel"], body["kind"]) == (
        f"{ID}organisation/{MPS}", "MSA Midi-Pyrénées Sud",
        "https://maillage.fr/def/type-institution/msa")
    assert [t["territoryCode"] for t in body["territories"]] == ["09", "31", "32", "65"]
    assert (body["partnersTotal"], body["conventionsTotal"], body["fundingsTotal"]) == (2, 2, 3)
    assert body["partnersUrl"] == f"{API}/institutions/{MPS}/partners"
    fundings = ok(client, f"/api/institutions/{MPS}/fundings")
    assert keys(fundings["items"], "facility") == [
        "creche-le-fossat", "creche-lezat-sur-leze",
        "batiment-accueil-enfants-cc-coeur-d-astarac-en-gascogne"]
    conventions = ok(client, f"/api/institutions/{MPS}/conventions")
    assert {c["convention"].rsplit("/", 1)[1]: set(c["roles"].split()) for c in conventions["items"]} == {
        "convention-actions-concertees-msa-mps-arize-leze-2022-2024": {"signatory", "commitment"},
        "convention-financement-msa-mps-arize-leze-2022": {"signatory", "funder"}}


def test_institutions_by_kind_and_departement(client: TestClient) -> None:
    assert ok(client, "/api/institutions", kind="msa")["total"] == 35
    body = ok(client, "/api/institutions", kind="caf", departement="82")
    assert keys(body["items"], "organisation") == ["caf-82"]
    assert keys(ok(client, "/api/institutions", departement="09", kind="msa")["items"],
                "organisation") == [MPS]


# -- conventions -------------------------------------------------------------------------------

GRASSE = "ctg-charte-ca-pays-de-grasse-2020-2023"
RECORDS = Path(__file__).resolve().parents[1] / "data" / "records"


def excerpts(node: object) -> Iterator[str]:
    """Every ``excerpt`` of a part of a record, at any depth."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "excerpt":
                yield from [value] if isinstance(value, str) else value
            else:
                yield from excerpts(value)
    elif isinstance(node, list):
        for value in node:
            yield from excerpts(value)


def test_a_convention_gives_exactly_its_signatories_period_axes_and_sources(client: TestClient) -> None:
    record = yaml.safe_load((RECORDS / "002-ctg-charte-pays-de-grasse.yaml").read_text(encoding="utf-8"))
    [written] = [c for c in record["conventions"] if c["key"] == GRASSE]
    body = ok(client, f"/api/conventions/{GRASSE}")
    assert set(body["kinds"].split()) == {"ctg", "charte-avec-les-familles"}
    assert (body["startDate"], body["endDate"], body["validFrom"], body["validUntil"],
            body["signingDate"]) == ("2020", "2023", "2020-01-01", "2023-12-31", "2020-11-27")
    assert {(s["signatory"], s["personName"]) for s in body["signatories"]} == {
        (f"{ID}organisation/epci-200039857", "Jérôme Viaud"),
        (f"{ID}organisation/caf-06", None), (f"{ID}organisation/msa-provence-azur", None)}
    assert body["signatoriesTotal"] == 3
    # the objectives outside any axis first, then the axes (none has objectives here)
    assert [(a["axisRank"], a["axisLabel"], a["objectiveRank"], a["objectiveLabel"])
            for a in body["axes"]] == [
        *[(None, None, o["rank"], o["label"]) for o in written["objectives"]],
        *[(a["rank"], a["label"], None, None) for a in written["axes"]]]
    # every excerpt of the record's convention, and nothing else
    assert {s["excerpt"] for s in body["sources"]} == set(excerpts(written))
    # the excerpts of the convention itself (its planned number of actions is stated on it)
    assert set(body["excerpts"].split(" […] ")) == {*written["excerpt"],
                                                    written["planned_action_count"]["excerpt"]}
    assert body["sourcesUrl"] == f"{API}/conventions/{GRASSE}/sources"


def test_a_convention_with_its_predecessor_governance_and_communes(client: TestClient) -> None:
    body = ok(client, "/api/conventions/pst-caese-2023-2026")
    assert (body["predecessor"], body["amendments"]) == (f"{ID}convention/pst-caese-2018-2022", None)
    assert ok(client, "/api/conventions/pst-caese-2018-2022")["successors"] == \
        f"{ID}convention/pst-caese-2023-2026"
    assert [g["bodyLabel"] for g in body["governance"]] == [
        "Comité de pilotage opérationnel", "Comité de pilotage stratégique", "Comité technique"]
    assert "communes" not in body  # a sub-resource only
    assert body["communesTotal"] == ok(client, "/api/territories/200017846")["membersTotal"]


def test_conventions_by_filter(client: TestClient) -> None:
    def listed(**params: str) -> list[str]:
        return keys(ok(client, "/api/conventions", **params)["items"], "convention")

    assert listed(kind="ctg") == [GRASSE, CTG.rsplit("/", 1)[1]]
    assert listed(signatory="caf-82") == [CTG.rsplit("/", 1)[1]]
    assert listed(territory="82112") == [CTG.rsplit("/", 1)[1]]  # Moissac, through its EPCI
    assert listed(territory="82112", date="2028-01-01") == []
    assert listed(territory="82", level="departement", kind="pst") == []
    assert client.get("/api/conventions", params={"territory": "84"}).status_code == 300
    assert client.get("/api/conventions", params={"level": "epci"}).status_code == 422


# -- facilities --------------------------------------------------------------------------------

def test_facilities_by_kind_place_and_convention(client: TestClient) -> None:
    def listed(**params: str) -> list[str]:
        return keys(ok(client, "/api/facilities", **params)["items"], "facility")

    creches = ["creche-le-fossat", "creche-lezat-sur-leze", "creche-pole-petite-enfance-castelsarrasin"]
    assert listed(kind="creche") == creches
    assert listed(kind="eaje") == creches  # a narrower kind matches
    assert listed(kind="laep", commune="82033") == ["laep-castelsarrasin",
                                                    "laep-pole-petite-enfance-castelsarrasin"]
    assert listed(epci="200066223", kind="creche") == creches[:2]
    assert listed(convention="convention-financement-msa-mps-arize-leze-2022") == creches[:2]
    assert "laep-itinerant-cc-terres-des-confluences" in listed(departement="82")  # by its EPCI


# -- coverage ----------------------------------------------------------------------------------

def coverage_of(body: dict) -> dict[str, str]:
    return {e["epciSiren"]: e["coverage"] for e in body["epcis"]}


def test_coverage_of_a_departement_inside_and_after_the_period(client: TestClient) -> None:
    inside = ok(client, "/api/coverage", departement="82", date="2024-06-01")
    assert (inside["departementLabel"], inside["epciTotal"], inside["epciFull"]) == (
        "Tarn-et-Garonne", 10, 1)
    assert {k for k, v in coverage_of(inside).items() if v != "none"} == {TDC}
    [tdc] = [e for e in inside["epcis"] if e["epciSiren"] == TDC]
    assert (tdc["conventions"], tdc["communeCount"], tdc["population"]) == (CTG, 22, 43182)
    assert inside["populationFull"] == 43182
    assert inside["population"] == sum(e["population"] for e in inside["epcis"])
    after = ok(client, "/api/coverage", departement="82", date="2028-01-01")  # the CTG ended
    assert set(coverage_of(after).values()) == {"none"}
    assert (after["epciFull"], after["populationFull"], after["coveredShare"]) == (0, 0, 0)
    # the convention of the CC Arize Lèze, 2022-2024, in the Ariège
    assert coverage_of(ok(client, "/api/coverage", departement="09", date="2023-06-01"))[
        "200066223"] == "full"


def test_coverage_names_the_conventions_expiring(client: TestClient) -> None:
    soon = ok(client, "/api/coverage", departement="82", date="2024-06-01", months=48)
    assert soon["until"] == "2028-06-01"
    assert [c["convention"] for c in soon["expiring"]] == [CTG]
    later = ok(client, "/api/coverage", departement="82", date="2024-06-01", months=6)
    assert (later["until"], later["expiring"]) == ("2024-12-01", [])
    assert ok(client, "/api/coverage", departement="82")["date"] == dt.date.today().isoformat()


def test_the_epci_of_a_coverage_are_paged(client: TestClient) -> None:
    r = client.get("/api/coverage/epcis", params={"departement": "82", "date": "2024-06-01",
                                                  "page_size": 4, "format": "csv"})
    assert r.headers["x-total-count"] == "10"
    assert links(r)["last"].endswith("page=3")
    rows = list(csv.DictReader(io.StringIO(r.text, newline="")))
    assert [row["epciSiren"] for row in rows][1] == TDC
    assert rows[1]["coverage"] == "full"


# -- common to every route ---------------------------------------------------------------------

@pytest.mark.parametrize("path", [
    "/api/institutions/nope", "/api/institutions/nope/partners", "/api/institutions/nope/fundings",
    "/api/conventions/nope", "/api/conventions/nope/axes", "/api/conventions?territory=99999",
    "/api/coverage?departement=99", "/api/coverage/epcis?departement=2C",
])
def test_an_unknown_key_is_404(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["status"] == 404


@pytest.mark.parametrize(("path", "params", "parameter"), [
    ("/api/institutions", {"kind": "mutuelle"}, "kind"),
    ("/api/institutions", {"departement": "0 9"}, "departement"),
    ("/api/conventions", {"date": "demain"}, "date"),
    ("/api/conventions", {"signatory": "Caf 82"}, "signatory"),
    ("/api/facilities", {"kind": "crèche"}, "kind"),
    ("/api/facilities", {"facilityKind": "creche"}, "facilityKind"),
    # one place: territory-facilities, whose parameters are code and level
    ("/api/facilities", {"epci": "200066223", "kind": "crèche"}, "kind"),
    ("/api/facilities", {"departement": "0 9"}, "departement"),
    ("/api/institutions/MSA", {}, "key"),
    ("/api/coverage", {}, "departement"),
    ("/api/coverage", {"departement": "82", "months": -1}, "months"),
    ("/api/coverage", {"departement": "82", "date": "2024-02-30"}, "date"),
])
def test_bad_parameters_are_422(client: TestClient, path: str, params: dict, parameter: str) -> None:
    r = client.get(path, params=params)
    assert r.status_code == 422, r.text
    assert r.json()["parameter"] == parameter


def test_a_list_in_csv_and_json_ld(client: TestClient) -> None:
    r = client.get("/api/facilities", params={"kind": "creche", "format": "csv"})
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(r.text, newline="")))
    assert [row["facilityLabel"] for row in rows] == [
        "Crèche du Fossat", "Crèche de Lézat-sur-Lèze", "Crèche du pôle petite enfance de Castelsarrasin"]
    assert (rows[0]["communeCode"], rows[0]["fundingCount"]) == ("09124", "1")
    r = client.get("/api/facilities", params={"kind": "creche"}, headers={"Accept": "application/ld+json"})
    doc = r.json()
    assert r.headers["content-type"] == "application/ld+json"
    assert doc["@context"] == f"{API}/context.jsonld"
    assert [n["@id"] for n in doc["@graph"]] == [f"{ID}equipement/{k}" for k in (
        "creche-le-fossat", "creche-lezat-sur-leze", "creche-pole-petite-enfance-castelsarrasin")]
    assert doc["@graph"][0]["epci"]["siren"] == "200066223"  # epciSiren, nested in its entity


def test_etag_and_304_on_a_resource(client: TestClient) -> None:
    r = client.get(f"/api/institutions/{MPS}")
    again = client.get(f"/api/institutions/{MPS}", headers={"If-None-Match": r.headers["etag"]})
    assert (again.status_code, again.content) == (304, b"")


@pytest.mark.parametrize("path", ["/api/coverage", "/api/coverage/epcis", "/api/territories/09"])
def test_an_impossible_date_is_a_422_naming_it(client: TestClient, path: str) -> None:
    r = client.get(path, params={"departement": "09", "date": "2024-02-30"} if "coverage" in path
                   else {"date": "2024-02-30"})
    assert r.status_code == 422, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json()["parameter"] == "date"
