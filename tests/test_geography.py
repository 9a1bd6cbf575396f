"""Tests of the geography graph (/graph/geographie) as loaded by the real pipeline.

Expected values come from /work/shared/DOMAIN.md (counts of the COG 2026 package) and from the
vendored reference tables, read here directly (not through loaders.geography).
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import pyoxigraph as ox
import pytest
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDFS

from graph.store import OxigraphStore
from loaders.validate import shapes

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "data" / "reference" / "decoupage-administratif-6.0.0"
GEO = "https://maillage.fr/graph/geographie"
INSTITUTIONS = "https://maillage.fr/graph/institutions"
ID = "https://maillage.fr/id/"
TYPE_EPCI = "http://id.insee.fr/codes/geo/typeDEPCI/"
PREFIXES = """
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
PREFIX mlg: <https://maillage.fr/def/ontologie#>
PREFIX wdt: <http://www.wikidata.org/prop/direct/>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX owl: <http://www.w3.org/2002/07/owl#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

# The 27 member communes of CC Arize Lèze (SIREN 200066223), from epci.json of the package.
ARIZE_LEZE_MEMBERS = {
    "09019", "09038", "09061", "09073", "09075", "09079", "09083", "09084", "09105", "09109",
    "09123", "09124", "09127", "09151", "09167", "09172", "09181", "09186", "09195", "09205",
    "09224", "09253", "09277", "09294", "09310", "09338", "09342",
}
# Régions of metropolitan France and the DROM (COG 2026).
REGIONS = {"01", "02", "03", "04", "06", "11", "24", "27", "28", "32", "44", "52", "53", "75",
           "76", "84", "93", "94"}


def select(store: OxigraphStore, body: str) -> list[dict]:
    return store.query(PREFIXES + body).rows()


def count(store: OxigraphStore, body: str) -> int:
    return int(select(store, f"SELECT (COUNT(*) AS ?n) WHERE {{ {body} }}")[0]["n"].value)


def table(name: str) -> list[dict]:
    return json.loads(gzip.decompress((REFERENCE / f"{name}.json.gz").read_bytes()))


def test_counts_of_territories(store: OxigraphStore) -> None:
    def n(cls: str) -> int:
        return count(store, f"SELECT DISTINCT ?x WHERE {{ GRAPH <{GEO}> {{ ?x a igeo:{cls} }} }}")

    assert n("Commune") == 34_969
    assert n("Intercommunalite") == 1_255
    assert n("Departement") == 101
    assert n("Region") == 18


def test_regions_are_the_18(store: OxigraphStore) -> None:
    rows = select(store, f"SELECT ?code WHERE {{ GRAPH <{GEO}> {{ ?r a igeo:Region ; "
                         "igeo:codeINSEE ?code } }")
    assert {r["code"].value for r in rows} == REGIONS


def test_lezat_sur_leze(store: OxigraphStore) -> None:
    rows = select(store, f"""SELECT ?p ?o WHERE {{ GRAPH <{GEO}> {{
        <{ID}commune/09167> ?p ?o }} }}""")
    facts = {(r["p"].value.rsplit("#", 1)[-1].rsplit("/", 1)[-1], str(r["o"])) for r in rows}
    assert ("memberOf", f"<{ID}epci/200066223>") in facts
    assert ("subdivisionDirecteDe", f"<{ID}departement/09>") in facts
    assert ("region", f"<{ID}region/76>") in facts
    assert ("nom", '"Lézat-sur-Lèze"@fr') in facts
    assert ("codeINSEE", '"09167"^^<http://www.w3.org/2001/XMLSchema#token>') in facts
    # exactly one EPCI, one département, one région
    for prop in ("memberOf", "subdivisionDirecteDe", "region"):
        assert sum(1 for p, _ in facts if p == prop) == 1
    # the département is in Occitanie
    assert count(store, f"<{ID}departement/09> igeo:subdivisionDirecteDe <{ID}region/76>") == 1


def test_members_of_cc_arize_leze(store: OxigraphStore) -> None:
    rows = select(store, f"""SELECT ?code WHERE {{ GRAPH <{GEO}> {{
        ?c mlg:memberOf <{ID}epci/200066223> ; igeo:codeINSEE ?code }} }}""")
    codes = [r["code"].value for r in rows]
    assert len(codes) == 27
    assert set(codes) == ARIZE_LEZE_MEMBERS


def test_epci_spans_the_departements_and_regions_of_its_communes(store: OxigraphStore) -> None:
    # Stored on the EPCI, and equal to the path through its member communes, for every EPCI.
    def pairs(where: str) -> set[tuple[str, str]]:
        rows = select(store, f"""SELECT ?siren ?code WHERE {{ GRAPH <{GEO}> {{
            ?e a igeo:Intercommunalite ; mlg:siren ?siren . {where} ?t igeo:codeINSEE ?code }} }}""")
        return {(r["siren"].value, r["code"].value) for r in rows}

    stored = pairs("?e mlg:spansDepartement ?t .")
    assert stored == pairs("?c mlg:memberOf ?e ; igeo:subdivisionDirecteDe ?t .")
    assert pairs("?e mlg:spansRegion ?t .") == pairs("?c mlg:memberOf ?e ; mlg:region ?t .")
    # CC Arize-Lèze lies in the Ariège only; CC d'Aire-sur-l'Adour in the Gers and the Landes,
    # both in Occitanie (76) and Nouvelle-Aquitaine (75).
    assert {code for siren, code in stored if siren == "200066223"} == {"09"}
    assert {code for siren, code in stored if siren == "200030435"} == {"32", "40"}
    assert {code for siren, code in pairs("?e mlg:spansRegion ?t .")
            if siren == "200030435"} == {"75", "76"}
    assert len({siren for siren, _ in stored}) > 1200


def test_every_commune_of_a_departement_has_it(store: OxigraphStore) -> None:
    """Each current commune of a département of metropolitan France or the DROM is
    igeo:subdivisionDirecteDe exactly that département; the communes of the collectivités
    d'outre-mer (975, 977, 978, 98x) have none."""
    departements = {d["code"] for d in table("departements") if d["zone"] in ("metro", "drom")}
    assert len(departements) == 101
    communes = [c for c in table("communes") if c["type"] == "commune-actuelle"]
    expected = {(c["code"], c["departement"]) for c in communes if c["departement"] in departements}
    rows = select(store, f"""SELECT ?code ?dep WHERE {{ GRAPH <{GEO}> {{
        ?c a igeo:Commune ; igeo:codeINSEE ?code ; igeo:subdivisionDirecteDe ?d .
        ?d igeo:codeINSEE ?dep }} }}""")
    got = [(r["code"].value, r["dep"].value) for r in rows]
    assert len(got) == len(set(got)) == 34_875
    assert set(got) == expected
    without = count(store, f"""GRAPH <{GEO}> {{ ?c a igeo:Commune
        FILTER NOT EXISTS {{ ?c igeo:subdivisionDirecteDe ?d }} }}""")
    assert without == 34_969 - 34_875 == 94


def test_every_departement_is_in_its_region(store: OxigraphStore) -> None:
    expected = {(d["code"], d["region"]) for d in table("departements")
                if d["zone"] in ("metro", "drom")}
    rows = select(store, f"""SELECT ?dep ?reg WHERE {{ GRAPH <{GEO}> {{
        ?d a igeo:Departement ; igeo:codeINSEE ?dep ; igeo:subdivisionDirecteDe ?r .
        ?r a igeo:Region ; igeo:codeINSEE ?reg }} }}""")
    assert {(r["dep"].value, r["reg"].value) for r in rows} == expected
    assert len(rows) == 101


def test_epci_types_are_insee_codes(store: OxigraphStore) -> None:
    rows = select(store, f"""SELECT ?type (COUNT(?e) AS ?n) WHERE {{ GRAPH <{GEO}> {{
        ?e a igeo:Intercommunalite ; igeo:typeDEPCI ?type }} }} GROUP BY ?type""")
    counts = {r["type"].value: int(r["n"].value) for r in rows}
    # epci.json: 989 CC, 230 CA, 14 CU, 21 METRO + 1 MET69 (Métropole de Lyon)
    assert counts == {TYPE_EPCI + "CC": 989, TYPE_EPCI + "CA": 230, TYPE_EPCI + "CU": 14,
                      TYPE_EPCI + "Metro": 22}

    def type_of(siren: str) -> str:
        rows = select(store, f"SELECT ?t WHERE {{ <{ID}epci/{siren}> igeo:typeDEPCI ?t }}")
        assert len(rows) == 1
        return rows[0]["t"].value

    assert type_of("200066223") == TYPE_EPCI + "CC"  # CC Arize Lèze
    assert type_of("200033579") == TYPE_EPCI + "CU"  # CU d'Arras
    assert type_of("200046977") == TYPE_EPCI + "Metro"  # Métropole de Lyon (MET69)
    assert type_of("200039857") == TYPE_EPCI + "CA"  # CA du Pays de Grasse


def test_wikidata_join_keys(store: OxigraphStore) -> None:
    rows = select(store, f"SELECT ?v WHERE {{ <{ID}commune/09167> wdt:P374 ?v }}")
    assert [r["v"] for r in rows] == [ox.Literal("09167")]
    rows = select(store, f"SELECT ?v WHERE {{ <{ID}epci/200066223> wdt:P1616 ?v }}")
    assert [r["v"] for r in rows] == [ox.Literal("200066223")]
    rows = select(store, f"SELECT ?v WHERE {{ <{ID}departement/2A> wdt:P2586 ?v }}")
    assert [r["v"] for r in rows] == [ox.Literal("2A")]
    rows = select(store, f"SELECT ?v WHERE {{ <{ID}region/76> wdt:P2585 ?v }}")
    assert [r["v"] for r in rows] == [ox.Literal("76")]
    # every commune and every EPCI carries its key
    assert count(store, f"GRAPH <{GEO}> {{ ?c a igeo:Commune ; wdt:P374 ?k ; "
                        "igeo:codeINSEE ?code FILTER (STR(?k) = STR(?code)) }") == 34_969
    assert count(store, f"GRAPH <{GEO}> {{ ?e a igeo:Intercommunalite ; wdt:P1616 ?k ; "
                        "mlg:siren ?s FILTER (STR(?k) = STR(?s)) }") == 1_255


def test_geography_graph_describes_itself(store: OxigraphStore) -> None:
    dataset = f"{ID}jeu-de-donnees/decoupage-administratif-6.0.0"
    rows = select(store, f"SELECT ?src WHERE {{ GRAPH <{GEO}> {{ <{GEO}> a prov:Entity ; "
                         "prov:wasDerivedFrom ?src } }")
    assert [r["src"].value for r in rows] == [dataset]
    rows = select(store, f"SELECT ?v WHERE {{ GRAPH <{GEO}> {{ <{dataset}> a dcat:Dataset ; "
                         "owl:versionInfo ?v } }")
    assert [r["v"] for r in rows] == [ox.Literal("6.0.0")]


# ----------------------------------------------------------------------------------------------
# SHACL
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reference_graph(store: OxigraphStore) -> Graph:
    """Geography + institutions as loaded, with the ontology and concept schemes (so that the
    `sh:class skos:Concept` checks see the concepts), in one rdflib graph."""
    g = Graph()
    for graph in (GEO, INSTITUTIONS):
        g.parse(data=store.export("nt", graph=graph), format="nt")
    for name in ("maillage.ttl", "schemes.ttl"):
        g.parse(ROOT / "ontology" / name, format="turtle")
    return g


def test_geography_and_institutions_conform_to_the_shapes(reference_graph: Graph) -> None:
    """The whole geography and institution graphs (about 406,000 triples) are validated, not a
    sample: on this machine parsing takes about 10 s and pyshacl (inference none) about 25 s,
    under the 60 s budget set for this test."""
    conforms, _, report = validate(reference_graph, shacl_graph=shapes(), inference="none",
                                   allow_warnings=True, advanced=True)
    assert conforms, report
    assert "Conforms: True" in report


def test_shapes_catch_a_broken_commune(reference_graph: Graph) -> None:
    """Control for the test above: the same data with a commune given a second label fails."""
    lezat = URIRef(f"{ID}commune/09167")
    broken = Graph()
    for triple in reference_graph.triples((lezat, None, None)):
        broken.add(triple)
    for _, _, dep in reference_graph.triples((lezat, None, None)):
        for triple in reference_graph.triples((dep, None, None)):
            broken.add(triple)
    for name in ("maillage.ttl", "schemes.ttl"):
        broken.parse(ROOT / "ontology" / name, format="turtle")
    conforms, _, _ = validate(broken, shacl_graph=shapes(), inference="none",
                              focus_nodes=[lezat], advanced=True)
    assert conforms
    broken.add((lezat, RDFS.label, Literal("Lézat", lang="fr")))
    conforms, _, report = validate(broken, shacl_graph=shapes(), inference="none",
                                   focus_nodes=[lezat], advanced=True)
    assert not conforms
    assert str(lezat) in report
