"""Geography through time and inferred coverage: named queries on the real loaded store."""

from __future__ import annotations

import pytest

from graph.errors import BadQueryError
from graph.named_queries import get_named_query
from graph.store import OxigraphStore

ID = "https://maillage.fr/id/"
MLG = "https://maillage.fr/def/ontologie#"


def rows(store: OxigraphStore, name: str, **params: str) -> list[dict[str, str]]:
    return [{k: v.value for k, v in r.items()} for r in get_named_query(name).run(store, params).rows()]


def test_members_of_an_epci_change_with_the_millesime(store: OxigraphStore) -> None:
    # CC Vexin Centre (200035970): 34 members in the COG 2021-2023, 33 since 2024, when
    # Gouzangrez (95282) left the COG.
    for year, count in (("2021", 34), ("2023", 34), ("2024", 33), ("2026", 33)):
        assert len(rows(store, "epci-members", epci="200035970", year=year)) == count, year
    old = {r["communeCode"]: r for r in rows(store, "epci-members", epci="200035970", year="2022")}
    assert old["95282"]["communeLabel"] == "Gouzangrez"
    assert old["95282"]["current"] == "false"


def test_members_of_arize_leze_in_2022(store: OxigraphStore) -> None:
    codes = {r["communeCode"] for r in rows(store, "epci-members", epci="200066223", year="2022")}
    assert len(codes) == 27
    assert {"09167", "09124"} <= codes


def test_no_members_outside_the_known_millesimes(store: OxigraphStore) -> None:
    assert rows(store, "epci-members", epci="200066223", year="2019") == []
    with pytest.raises(BadQueryError):
        rows(store, "epci-members", epci="200066223", year="22")


def test_former_commune_is_kept_with_its_end(store: OxigraphStore) -> None:
    q = f"""SELECT ?until ?label WHERE {{ <{ID}commune/95282> a <{MLG}FormerCommune> ;
              <{MLG}validUntil> ?until ; <http://www.w3.org/2000/01/rdf-schema#label> ?label }}"""
    assert [(r["until"].value, r["label"].value) for r in store.query(q).rows()] == [
        ("2023-12-31", "Gouzangrez")]
    # A former commune is not a current igeo:Commune.
    ask = f"ASK {{ <{ID}commune/95282> a <http://rdf.insee.fr/def/geo#Commune> }}"
    assert store.query(ask).raw.__bool__() is False


def test_commune_deleguee_points_to_its_commune_nouvelle(store: OxigraphStore) -> None:
    igeo = "http://rdf.insee.fr/def/geo#"
    q = f"""SELECT ?parent WHERE {{ <{ID}commune-deleguee/01015> a <{igeo}CommuneDeleguee> ;
              <{igeo}subdivisionDirecteDe> ?parent }}"""
    assert [r["parent"].value for r in store.query(q).rows()] == [f"{ID}commune/01015"]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("09167", {("caf-09", "09"), ("msa-midi-pyrenees-sud", "09")}),
        ("200066223", {("caf-09", "09"), ("msa-midi-pyrenees-sud", "09")}),
        # CA Beaune, Côte et Sud straddles Côte-d'Or (21) and Saône-et-Loire (71): both Caf,
        # and MSA de Bourgogne (which covers both) once per département.
        ("200006682", {("caf-21", "21"), ("caf-71", "71"), ("msa-bourgogne", "21"),
                       ("msa-bourgogne", "71")}),
        # CC du Seignanx (Landes): the Caf des Landes by département, and the Caf du Pays Basque
        # et du Seignanx, which the registry says serves it.
        ("244000659", {("caf-40", "40"), ("caf-pays-basque-seignanx", None),
                       ("msa-sud-aquitaine", "40")}),
        ("97611", {("cssm", "976")}),  # Mamoudzou: no Caf in Mayotte, the CSSM
    ],
)
def test_which_caf_and_msa_serve_a_territory(store: OxigraphStore, code: str, expected: set) -> None:
    got = rows(store, "coverage", code=code)
    assert {(r["organisation"].rsplit("/", 1)[1], r.get("departementCode")) for r in got} == expected
    for r in got:
        assert r["basis"]  # every row says how it is known
        if r.get("departementCode"):
            assert r["basis"].startswith("inféré")


def test_coverage_of_an_unknown_code_is_empty(store: OxigraphStore) -> None:
    assert rows(store, "coverage", code="99999") == []
