"""Tests of the institution registry (/graph/institutions) as loaded by the real pipeline.

Expected sets come from /work/shared/DOMAIN.md (one Caf per département, two in the
Pyrénées-Atlantiques, none in Mayotte; 35 MSA caisses covering the 96 metropolitan départements
once each) and from data/reference/msa-caisses.csv, written out here.
"""

from __future__ import annotations

import re

import pytest

from graph.store import OxigraphStore
from loaders.institutions import institutions_keys, msa_key

INSTITUTIONS = "https://maillage.fr/graph/institutions"
ID = "https://maillage.fr/id/"
ORG = ID + "organisation/"
KIND = "https://maillage.fr/def/type-institution/"
PREFIXES = """
PREFIX mlg: <https://maillage.fr/def/ontologie#>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
"""

METRO = [f"{i:02d}" for i in range(1, 96) if i != 20] + ["2A", "2B"]
DROM = ["971", "972", "973", "974", "976"]
DEPARTEMENTS = METRO + DROM
REGIONS = ["01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75",
           "76", "84", "93", "94"]

# The 35 caisses of msa-caisses.csv, keyed by the rule of docs/records.md (written by hand).
MSA = {
    "msa-ain-rhone": ["01", "69"],
    "msa-alpes-du-nord": ["38", "73", "74"],
    "msa-alpes-vaucluse": ["04", "05", "84"],
    "msa-alsace": ["67", "68"],
    "msa-ardeche-drome-loire": ["07", "26", "42"],
    "msa-armorique": ["22", "29"],
    "msa-auvergne": ["03", "15", "43", "63"],
    "msa-beauce-coeur-de-loire": ["18", "28", "45"],
    "msa-berry-touraine": ["36", "37", "41"],
    "msa-bourgogne": ["21", "58", "71", "89"],
    "msa-charentes": ["16", "17"],
    "msa-corse": ["2A", "2B"],
    "msa-cotes-normandes": ["14", "50"],
    "msa-dordogne-lot-et-garonne": ["24", "47"],
    "msa-franche-comte": ["25", "39", "70", "90"],
    "msa-gironde": ["33"],
    "msa-grand-sud": ["11", "66"],
    "msa-haute-normandie": ["27", "76"],
    "msa-ile-de-france": ["75", "77", "78", "91", "92", "93", "94", "95"],
    "msa-languedoc": ["30", "34", "48"],
    "msa-limousin": ["19", "23", "87"],
    "msa-loire-atlantique-vendee": ["44", "85"],
    "msa-lorraine": ["54", "57", "88"],
    "msa-maine-et-loire": ["49"],
    "msa-marne-ardennes-meuse": ["08", "51", "55"],
    "msa-mayenne-orne-sarthe": ["53", "61", "72"],
    "msa-midi-pyrenees-nord": ["12", "46", "81", "82"],
    "msa-midi-pyrenees-sud": ["09", "31", "32", "65"],
    "msa-nord-pas-de-calais": ["59", "62"],
    "msa-picardie": ["02", "60", "80"],
    "msa-portes-de-bretagne": ["35", "56"],
    "msa-provence-azur": ["06", "13", "83"],
    "msa-poitou": ["79", "86"],
    "msa-sud-aquitaine": ["40", "64"],
    "msa-sud-champagne": ["10", "52"],
}


def select(store: OxigraphStore, body: str) -> list[dict]:
    return store.query(PREFIXES + body).rows()


def keys_of_kind(store: OxigraphStore, kind: str) -> list[str]:
    rows = select(store, f"SELECT ?o WHERE {{ GRAPH <{INSTITUTIONS}> {{ "
                         f"?o mlg:institutionKind <{KIND}{kind}> }} }}")
    return [r["o"].value.removeprefix(ORG) for r in rows]


def served(store: OxigraphStore, key: str) -> set[str]:
    rows = select(store, f"SELECT ?t WHERE {{ GRAPH <{INSTITUTIONS}> {{ <{ORG}{key}> mlg:serves ?t }} }}")
    return {r["t"].value.removeprefix(ID) for r in rows}


# ----------------------------------------------------------------------------------------------
# Caf
# ----------------------------------------------------------------------------------------------


def test_caf_keys(store: OxigraphStore) -> None:
    keys = keys_of_kind(store, "caf")
    # 101 départements − Mayotte = 100, and the Pyrénées-Atlantiques have two: 101 Caf
    expected = {f"caf-{d.lower()}" for d in DEPARTEMENTS if d not in ("64", "976")} | {
        "caf-bearn-soule", "caf-pays-basque-seignanx"}
    assert len(expected) == 101
    assert len(keys) == 101
    assert set(keys) == expected


def test_no_caf_in_mayotte_nor_a_single_caf_64(store: OxigraphStore) -> None:
    for key in ("caf-976", "caf-64"):
        assert not store.query(f"ASK {{ {{ <{ORG}{key}> ?p ?o }} UNION {{ ?s ?p <{ORG}{key}> }} }}"
                               ).raw, key
    assert served(store, "cssm") == {"departement/976"}
    rows = select(store, f"SELECT ?k WHERE {{ <{ORG}cssm> mlg:institutionKind ?k }}")
    assert [r["k"].value for r in rows] == [KIND + "caisse-securite-sociale"]
    # Mayotte is served by no Caf
    rows = select(store, f"SELECT ?o WHERE {{ ?o mlg:serves <{ID}departement/976> ; "
                         f"mlg:institutionKind <{KIND}caf> }}")
    assert rows == []


def test_each_departement_but_mayotte_has_caf(store: OxigraphStore) -> None:
    rows = select(store, f"""SELECT ?code (COUNT(?o) AS ?n) WHERE {{ GRAPH <{INSTITUTIONS}> {{
        ?o mlg:institutionKind <{KIND}caf> ; mlg:serves ?d }}
        ?d a igeo:Departement ; igeo:codeINSEE ?code }} GROUP BY ?code""")
    counts = {r["code"].value: int(r["n"].value) for r in rows}
    assert counts == {d: (2 if d == "64" else 1) for d in DEPARTEMENTS if d != "976"}


def test_caf_pays_basque_seignanx(store: OxigraphStore) -> None:
    assert served(store, "caf-pays-basque-seignanx") == {"departement/64", "epci/244000659"}
    assert served(store, "caf-bearn-soule") == {"departement/64"}
    rows = select(store, f"SELECT ?n WHERE {{ <{ID}epci/244000659> igeo:nom ?n }}")
    assert [r["n"].value for r in rows] == ["CC du Seignanx"]
    assert served(store, "caf-82") == {"departement/82"}
    # Corsica: the key lowercases the code (docs/records.md), the territory keeps it
    assert served(store, "caf-2a") == {"departement/2A"}
    assert served(store, "cd-2b") == {"departement/2B"}


# ----------------------------------------------------------------------------------------------
# MSA
# ----------------------------------------------------------------------------------------------


def test_35_msa_caisses(store: OxigraphStore) -> None:
    keys = keys_of_kind(store, "msa")
    assert len(MSA) == 35
    assert len(keys) == 35
    assert set(keys) == set(MSA)
    for key, deps in MSA.items():
        assert served(store, key) == {f"departement/{d}" for d in deps}, key


def test_each_metropolitan_departement_has_exactly_one_msa(store: OxigraphStore) -> None:
    rows = select(store, f"""SELECT ?code (COUNT(?o) AS ?n) WHERE {{ GRAPH <{INSTITUTIONS}> {{
        ?o mlg:institutionKind <{KIND}msa> ; mlg:serves ?d }}
        ?d igeo:codeINSEE ?code }} GROUP BY ?code""")
    counts = {r["code"].value: int(r["n"].value) for r in rows}
    assert len(METRO) == 96
    assert counts == dict.fromkeys(METRO, 1)  # and no DROM


def test_msa_midi_pyrenees_sud(store: OxigraphStore) -> None:
    assert served(store, "msa-midi-pyrenees-sud") == {
        "departement/09", "departement/31", "departement/32", "departement/65"}
    rows = select(store, f"SELECT ?l WHERE {{ <{ORG}msa-midi-pyrenees-sud> skos:prefLabel ?l }}")
    assert [r["l"].value for r in rows] == ["MSA Midi-Pyrénées Sud"]


@pytest.mark.parametrize(("name", "key"), [
    ("MSA d'Ile-de-France", "msa-ile-de-france"),
    ("MSA Midi-Pyrénées Sud", "msa-midi-pyrenees-sud"),
    ("MSA Provence Azur", "msa-provence-azur"),
    ("MSA Marne Ardennes Meuse", "msa-marne-ardennes-meuse"),
    ("MSA du Languedoc", "msa-languedoc"),
    ("MSA de la Corse", "msa-corse"),
    ("MSA Côtes Normandes", "msa-cotes-normandes"),
    ("MSA Beauce Cœur de Loire", "msa-beauce-coeur-de-loire"),
    ("MSA des Charentes", "msa-charentes"),
    ("MSA d’Alsace", "msa-alsace"),
    ("MSA Ain-Rhône", "msa-ain-rhone"),
    ("MSA de Bourgogne", "msa-bourgogne"),
    ("MSA Nord-Pas de Calais", "msa-nord-pas-de-calais"),
    ("MSA Dordogne Lot-et-Garonne", "msa-dordogne-lot-et-garonne"),
    ("MSA de l'Ain", "msa-ain"),
])
def test_msa_key(name: str, key: str) -> None:
    assert msa_key(name) == key


# ----------------------------------------------------------------------------------------------
# Conseils départementaux and régionaux, État, EPCI
# ----------------------------------------------------------------------------------------------


def test_101_conseils_departementaux(store: OxigraphStore) -> None:
    keys = keys_of_kind(store, "conseil-departemental")
    assert len(keys) == 101
    assert set(keys) == {f"cd-{d.lower()}" for d in DEPARTEMENTS}
    assert served(store, "cd-09") == {"departement/09"}
    assert served(store, "cd-976") == {"departement/976"}


def test_18_conseils_regionaux(store: OxigraphStore) -> None:
    keys = keys_of_kind(store, "conseil-regional")
    assert len(keys) == 18
    assert set(keys) == {f"conseil-regional-{r}" for r in REGIONS}
    assert served(store, "conseil-regional-76") == {"region/76"}


def test_etat_and_epci_authorities(store: OxigraphStore) -> None:
    assert keys_of_kind(store, "etat") == ["etat"]
    keys = keys_of_kind(store, "epci")
    assert len(keys) == 1_255
    assert served(store, "epci-200066223") == {"epci/200066223"}
    rows = select(store, f"""SELECT (COUNT(?o) AS ?n) WHERE {{ GRAPH <{INSTITUTIONS}> {{
        ?o mlg:institutionKind <{KIND}epci> ; mlg:serves ?e ; mlg:siren ?s }}
        ?e mlg:siren ?s2 FILTER (?s = ?s2) }}""")
    assert int(rows[0]["n"].value) == 1_255


def test_caf_and_cd_coverage_is_stated_as_inferred(store: OxigraphStore) -> None:
    """Each Caf (and the CSSM) and each conseil départemental carries an mlg:Inference on
    mlg:serves with a basis; MSA coverage comes from the CSV and is not inferred."""
    rows = select(store, f"""SELECT ?o ?kind ?basis ?src WHERE {{ GRAPH <{INSTITUTIONS}> {{
        ?o mlg:institutionKind ?kind ; mlg:evidence ?i .
        ?i a mlg:Inference ; mlg:inferredProperty mlg:serves ; mlg:basis ?basis ;
           prov:wasDerivedFrom ?src }} }}""")
    by_kind: dict[str, set[str]] = {}
    for r in rows:
        assert r["basis"].value.strip()
        assert r["basis"].language == "fr"
        assert r["src"].value == f"{ID}jeu-de-donnees/decoupage-administratif-6.0.0"
        by_kind.setdefault(r["kind"].value.removeprefix(KIND), set()).add(
            r["o"].value.removeprefix(ORG))
    assert set(by_kind) == {"caf", "caisse-securite-sociale", "conseil-departemental"}
    assert len(by_kind["caf"]) == 101
    assert by_kind["caisse-securite-sociale"] == {"cssm"}
    assert len(by_kind["conseil-departemental"]) == 101
    caf_basis = select(store, f"SELECT ?b WHERE {{ <{ORG}caf-82> mlg:evidence/mlg:basis ?b }}")
    assert "Une Caf par département" in caf_basis[0]["b"].value
    assert "Mayotte" in caf_basis[0]["b"].value



def test_every_registry_key_is_a_lowercase_slug(geography) -> None:
    """Keys become URIs and are referred to by records and query parameters, which accept
    lowercase slugs only (docs/records.md): Corsica's keys are caf-2a, cd-2a…"""
    keys = institutions_keys(geography)
    assert len(keys) == len(set(keys))
    assert [k for k in keys if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", k)] == []
    assert {"caf-2a", "caf-2b", "cd-2a", "cd-2b"} <= set(keys)
