"""The named queries (queries/*.rq) on the store loaded with everything shipped.

Expected rows are written out from the seed documents (data/documents/) and /work/shared/DOMAIN.md:
« un premier prévu à Lézat-sur-Lèze qui sera accompagné à hauteur de 50.000€ par la MSA », « un
second au Fossat, soutenu à hauteur de 27.000€ », the 22 communes listed by seed 001, the four
parties of seed 003…
"""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox
import pytest

from graph.named_queries import get_named_query
from graph.store import OxigraphStore

ID = "https://maillage.fr/id/"
ORG = ID + "organisation/"
CONV = ID + "convention/"
FAC = ID + "equipement/"
FUND = ID + "financement/"
DOC = ID + "document/"

ACTIONS_CONCERTEES = "convention-actions-concertees-msa-mps-arize-leze-2022-2024"
FINANCEMENT = "convention-financement-msa-mps-arize-leze-2022"
CTG_TDC = "ctg-cc-terres-des-confluences-2023-2027"
# The 22 communes the text of seed 001 lists (« Angeville, Boudou, … Saint-Porquier »), by INSEE code.
TERRES_DES_CONFLUENCES = [
    "82003", "82019", "82030", "82031", "82033", "82035", "82045", "82046", "82051", "82058",
    "82063", "82081", "82086", "82096", "82099", "82112", "82118", "82127", "82152", "82156",
    "82169", "82171",
]


def run(store: OxigraphStore, name: str, **params: str) -> list[dict[str, str]]:
    """Rows of a named query, each term given by its lexical value."""
    return [{k: v.value for k, v in row.items()}
            for row in get_named_query(name).run(store, params).rows()]


def keys(value: str, prefix: str) -> str:
    assert value.startswith(prefix), value
    return value.removeprefix(prefix)


# ----------------------------------------------------------------------------------------------
# msa-creches: the flagship question
# ----------------------------------------------------------------------------------------------


def test_msa_creches(store: OxigraphStore) -> None:
    rows = run(store, "msa-creches")
    assert len(rows) == 2
    got = {(keys(r["funder"], ORG), r["funderLabel"], keys(r["facility"], FAC), r["communeCode"],
            r["communeLabel"], r["epciSiren"], r["epciLabel"], Decimal(r["amount"]),
            keys(r["convention"], CONV), keys(r["document"], DOC)) for r in rows}
    assert got == {
        ("msa-midi-pyrenees-sud", "MSA Midi-Pyrénées Sud", "creche-lezat-sur-leze", "09167",
         "Lézat-sur-Lèze", "200066223", "CC Arize Lèze", Decimal(50000), FINANCEMENT,
         "seed-000-msa-mps-arize-leze"),
        ("msa-midi-pyrenees-sud", "MSA Midi-Pyrénées Sud", "creche-le-fossat", "09124",
         "Le Fossat", "200066223", "CC Arize Lèze", Decimal(27000), FINANCEMENT,
         "seed-000-msa-mps-arize-leze"),
    }
    by_commune = {r["communeCode"]: r for r in rows}
    assert "50.000€" in by_commune["09167"]["excerpts"]
    assert "27.000€" not in by_commune["09167"]["excerpts"]
    assert "27.000€" in by_commune["09124"]["excerpts"]
    assert "50.000€" not in by_commune["09124"]["excerpts"]
    for r in rows:
        assert "Grandir en milieu rural" in r["excerpts"]
        assert r["documentTitle"] == ("La MSA Midi-Pyrénées Sud et la CC Arize-Lèze signent deux "
                                      "conventions")
    # ordered by EPCI then commune code
    assert [r["communeCode"] for r in rows] == ["09124", "09167"]


# ----------------------------------------------------------------------------------------------
# fundings
# ----------------------------------------------------------------------------------------------

CRECHES = {("msa-mps-creche-lezat-sur-leze", "creche-lezat-sur-leze", "09167", Decimal(50000)),
           ("msa-mps-creche-le-fossat", "creche-le-fossat", "09124", Decimal(27000))}


def fundings(store: OxigraphStore, **params: str) -> set[tuple]:
    rows = run(store, "fundings", **params)
    got = {(keys(r["funding"], FUND), keys(r["facility"], FAC), r.get("communeCode"),
            Decimal(r["amount"]) if "amount" in r else None) for r in rows}
    assert len(got) == len(rows)  # one row per funding
    return got


def test_fundings_msa_creche(store: OxigraphStore) -> None:
    assert fundings(store, funderKind="msa", facilityKind="creche") == CRECHES
    rows = run(store, "fundings", funderKind="msa", facilityKind="creche")
    for r in rows:
        assert keys(r["funder"], ORG) == "msa-midi-pyrenees-sud"
        assert r["kind"] == "https://maillage.fr/def/type-equipement/creche"
        assert r["epciSiren"] == "200066223"
        assert r["departementCode"] == "09"
        assert r["status"] == "https://maillage.fr/def/statut-financement/engage"
        assert keys(r["convention"], CONV) == FINANCEMENT


def test_fundings_narrower_kinds_match(store: OxigraphStore) -> None:
    assert fundings(store, facilityKind="eaje") == CRECHES  # crèche ⊑ eaje


def test_fundings_in_the_gers(store: OxigraphStore) -> None:
    rows = run(store, "fundings", departement="32")
    assert len(rows) == 1
    r = rows[0]
    assert keys(r["funding"], FUND) == "msa-mps-batiment-accueil-enfants-cc-coeur-d-astarac-en-gascogne"
    assert keys(r["facility"], FAC) == "batiment-accueil-enfants-cc-coeur-d-astarac-en-gascogne"
    assert r["epciSiren"] == "243200425"
    assert r["departementCode"] == "32"
    assert "communeCode" not in r
    assert "amount" not in r  # the text gives no amount


def test_fundings_in_an_epci(store: OxigraphStore) -> None:
    assert fundings(store, epci="200066223") == CRECHES
    assert fundings(store, departement="09") == CRECHES


def test_fundings_of_a_funder(store: OxigraphStore) -> None:
    assert fundings(store, funder="caf-82") == set()
    assert fundings(store, funder="msa-midi-pyrenees-sud") == CRECHES | {
        ("msa-mps-batiment-accueil-enfants-cc-coeur-d-astarac-en-gascogne",
         "batiment-accueil-enfants-cc-coeur-d-astarac-en-gascogne", None, None)}
    assert fundings(store, funderKind="caf") == set()


def test_fundings_filters_combine(store: OxigraphStore) -> None:
    assert fundings(store, funder="msa-midi-pyrenees-sud", departement="32", facilityKind="creche") == set()
    assert fundings(store, epci="200066223", facilityKind="laep") == set()
    assert fundings(store, epci="243200425") == {
        ("msa-mps-batiment-accueil-enfants-cc-coeur-d-astarac-en-gascogne",
         "batiment-accueil-enfants-cc-coeur-d-astarac-en-gascogne", None, None)}


def quotes_as_sets(rows: list[dict[str, str]]) -> list[dict[str, object]]:
    """Rows with their excerpts as a set (a GROUP_CONCAT has no order)."""
    return [{**r, "excerpts": set(r["excerpts"].split(" […] "))} for r in rows]


def test_territory_fundings_are_the_fundings_filtered_by_place(store: OxigraphStore) -> None:
    # territory-fundings starts from the territory; its rows are those of fundings with the
    # place filter, in the same order, at every level where a funding lies (and with the
    # other filters too).
    places = {(level, r[column]) for r in run(store, "fundings")
              for level, column in (("commune", "communeCode"), ("epci", "epciSiren"),
                                    ("departement", "departementCode"), ("region", "regionCode"))
              if column in r}
    assert {level for level, _ in places} == {"commune", "epci", "departement", "region"}
    for level, code in sorted(places):
        for extra in ({}, {"funderKind": "msa"}, {"facilityKind": "creche"}, {"year": "2022"},
                      # funder, funderKind and convention: filters there, joins in fundings
                      {"funder": "msa-midi-pyrenees-sud"}, {"funderKind": "caf"},
                      {"funderKind": "msa", "facilityKind": "creche"},
                      {"convention": "convention-financement-msa-mps-arize-leze-2022"}):
            expected = quotes_as_sets(run(store, "fundings", **{level: code}, **extra))
            assert quotes_as_sets(run(store, "territory-fundings", code=code, level=level,
                                      **extra)) == expected
    assert run(store, "territory-fundings", code="82112", level="commune") == []


def test_institution_fundings_total_is_the_fundings_list_count(store: OxigraphStore) -> None:
    # every institution, funders or not: the cheap count equals the rows of the list (the
    # seed data has one funder; a check in session 4 found it equal for all 1,487 funders of the
    # scaled graph)
    organisations = [r["organisation"].removeprefix(ORG) for r in run(store, "institutions")]
    funders = {r["funder"].removeprefix(ORG) for r in run(store, "fundings")}
    assert funders == {"msa-midi-pyrenees-sud"}
    assert funders < set(organisations)
    assert len(run(store, "fundings", funder="msa-midi-pyrenees-sud")) >= 2
    for key in organisations:
        counted = run(store, "institution-fundings-total", organisation=key)
        total = int(counted[0]["fundings"]) if counted else 0
        assert total == len(run(store, "fundings", funder=key)), key
        assert bool(counted) == (key in funders)


def lists_as_sets(rows: list[dict[str, str]]) -> list[dict[str, object]]:
    """Facility rows with their space-separated lists as sets (a GROUP_CONCAT has no order)."""
    return [{**r, **{k: set(r[k].split()) for k in ("conventions", "funders") if k in r}}
            for r in rows]


def test_territory_facilities_are_the_facilities_filtered_by_place(store: OxigraphStore) -> None:
    places = {(level, r[column]) for r in run(store, "facilities")
              for level, column in (("commune", "communeCode"), ("epci", "epciSiren"),
                                    ("departement", "departementCode")) if column in r}
    assert len(places) > 5
    for level, code in sorted(places):
        for extra in ({}, {"facilityKind": "eaje"}, {"status": "projet"}):
            expected = lists_as_sets(run(store, "facilities", **{level: code}, **extra))
            got = run(store, "territory-facilities", code=code, level=level, **extra)
            assert lists_as_sets(got) == expected, (level, code, extra)


def test_convention_facilities_are_the_facilities_filtered_by_convention(store: OxigraphStore) -> None:
    for key in (FINANCEMENT, CTG_TDC, ACTIONS_CONCERTEES):
        expected = lists_as_sets(run(store, "facilities", convention=key))
        assert lists_as_sets(run(store, "convention-facilities", convention=key)) == expected
    assert len(run(store, "convention-facilities", convention=FINANCEMENT)) == 2


def test_convention_fundings_are_the_fundings_filtered_by_convention(store: OxigraphStore) -> None:
    conventions = {r["convention"].removeprefix(CONV) for r in run(store, "fundings") if "convention" in r}
    assert conventions == {FINANCEMENT}
    for key in sorted(conventions | {CTG_TDC}):
        for extra in ({}, {"funderKind": "msa"}, {"facilityKind": "laep"}, {"year": "2022"},
                      {"year": "2030"}, {"departement": "09"}):
            expected = quotes_as_sets(run(store, "fundings", convention=key, **extra))
            assert quotes_as_sets(run(store, "convention-fundings", convention=key, **extra)) == expected
    assert len(run(store, "convention-fundings", convention=FINANCEMENT)) == 2


# ----------------------------------------------------------------------------------------------
# partners
# ----------------------------------------------------------------------------------------------


def partners(store: OxigraphStore, organisation: str) -> list[tuple[str, str]]:
    rows = run(store, "partners", organisation=organisation)
    return sorted((keys(r["partner"], ORG), keys(r["convention"], CONV)) for r in rows)


def test_partners_of_msa_midi_pyrenees_sud(store: OxigraphStore) -> None:
    assert partners(store, "msa-midi-pyrenees-sud") == [
        ("epci-200066223", ACTIONS_CONCERTEES), ("epci-200066223", FINANCEMENT)]


def test_partners_of_caf_91(store: OxigraphStore) -> None:
    # seed 003: the 2023-2026 and 2018-2022 conventions are signed by the CAESE, the CAF 91, the
    # MSA d'Ile-de-France and the Département; the 2014 accord by the MSA, the CAF, then the
    # Département (2015).
    assert partners(store, "caf-91") == sorted([
        ("epci-200017846", "pst-caese-2023-2026"),
        ("msa-ile-de-france", "pst-caese-2023-2026"),
        ("cd-91", "pst-caese-2023-2026"),
        ("epci-200017846", "pst-caese-2018-2022"),
        ("msa-ile-de-france", "pst-caese-2018-2022"),
        ("cd-91", "pst-caese-2018-2022"),
        ("msa-ile-de-france", "accord-partenarial-msa-caf-essonne-2014"),
        ("cd-91", "accord-partenarial-msa-caf-essonne-2014"),
    ])


def test_partners_carry_period_and_document(store: OxigraphStore) -> None:
    rows = run(store, "partners", organisation="caf-91")
    periods = {(keys(r["convention"], CONV), r.get("validFrom"), r.get("validUntil")) for r in rows}
    assert periods == {("pst-caese-2023-2026", "2023-01-01", "2026-12-31"),
                       ("pst-caese-2018-2022", "2018-01-01", "2022-12-31"),
                       ("accord-partenarial-msa-caf-essonne-2014", None, None)}
    assert {keys(r["document"], DOC) for r in rows} == {"seed-003-pst-caese-2023-2026"}


def test_partners_of_nobody(store: OxigraphStore) -> None:
    assert partners(store, "caf-2a") == []


# ----------------------------------------------------------------------------------------------
# Conventions and territories
# ----------------------------------------------------------------------------------------------


def test_conventions_covering_moissac(store: OxigraphStore) -> None:
    rows = run(store, "conventions-commune", communeCode="82112")
    assert len(rows) == 1
    r = rows[0]
    assert keys(r["convention"], CONV) == CTG_TDC
    assert r["via"] == "epci"
    assert r["territory"] == ID + "epci/200066322"
    assert r["territoryLabel"] == "CC Terres des Confluences"
    assert (r["validFrom"], r["validUntil"]) == ("2023-01-01", "2027-12-31")
    assert keys(r["document"], DOC) == "seed-001-ctg-terres-des-confluences"


def test_conventions_covering_le_fossat(store: OxigraphStore) -> None:
    rows = run(store, "conventions-commune", communeCode="09124")
    assert sorted((keys(r["convention"], CONV), r["via"], r["territory"]) for r in rows) == sorted([
        (ACTIONS_CONCERTEES, "epci", ID + "epci/200066223"),
        (FINANCEMENT, "epci", ID + "epci/200066223"),
    ])


def test_conventions_covering_a_commune_without_any(store: OxigraphStore) -> None:
    assert run(store, "conventions-commune", communeCode="75056") == []
    assert run(store, "conventions-commune", communeCode="99999") == []


def test_communes_of_the_ctg(store: OxigraphStore) -> None:
    rows = run(store, "convention-communes", convention=CTG_TDC)
    assert [r["communeCode"] for r in rows] == TERRES_DES_CONFLUENCES
    labels = {r["communeCode"]: r["communeLabel"] for r in rows}
    assert labels["82096"] == "La Ville-Dieu-du-Temple"
    assert labels["82112"] == "Moissac"


def test_communes_of_an_unknown_convention(store: OxigraphStore) -> None:
    assert run(store, "convention-communes", convention="ctg-inconnue") == []


def test_signatories_of_the_pst(store: OxigraphStore) -> None:
    rows = run(store, "convention-signatories", convention="pst-caese-2023-2026")
    got = {(keys(r["signatory"], ORG), r["personName"], r["roleLabel"]) for r in rows}
    assert got == {
        ("epci-200017846", "Johann Mittelhausser", "Président de la CAESE"),
        ("caf-91", "Guillaume Lacroix",
         "Directeur Général de la Caisse d'Allocations Familiales de l'Essonne"),
        ("msa-ile-de-france", "Laurent Pilette", "Directeur Général de MSA d'Ile-de-France"),
        ("cd-91", "François Durovray", "Président du Conseil Départemental de l'Essonne"),
    }
    assert len(rows) == 4
    for r in rows:
        assert "ENTRE LES SOUSSIGNÉS" in r["excerpts"]
    kinds = {keys(r["signatory"], ORG): r["signatoryKind"].rsplit("/", 1)[-1] for r in rows}
    assert kinds == {"epci-200017846": "epci", "caf-91": "caf", "msa-ile-de-france": "msa",
                     "cd-91": "conseil-departemental"}


# convention-signatories as first written: plain, but its quote OPTIONAL ran over the whole
# store. The named query must give the same rows.
PLAIN_SIGNATORIES = """PREFIX mlg: <https://maillage.fr/def/ontologie#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
PREFIX prov: <http://www.w3.org/ns/prov#>
SELECT ?signatory ?signatoryLabel ?signatoryKind ?person ?personName ?roleLabel
       (GROUP_CONCAT(DISTINCT ?quote; separator=" […] ") AS ?excerpts)
WHERE {
  ?convention a mlg:Convention ; mlg:signatory ?signatory .
  ?signatory skos:prefLabel ?signatoryLabel ; mlg:institutionKind ?signatoryKind .
  OPTIONAL {
    ?convention mlg:representation ?membership .
    ?membership org:organization ?signatory ; org:member ?person ; mlg:roleLabel ?roleLabel .
    ?person foaf:name ?personName .
  }
  OPTIONAL {
    ?convention mlg:link ?link .
    ?link mlg:linkProperty mlg:signatory ; mlg:linkTarget ?signatory ;
      mlg:evidence/prov:value ?quote .
  }
}
GROUP BY ?signatory ?signatoryLabel ?signatoryKind ?person ?personName ?roleLabel
ORDER BY ?signatoryLabel"""


def test_signatories_are_those_of_the_plain_query(store: OxigraphStore) -> None:
    conventions = [r["convention"].removeprefix(CONV) for r in run(store, "conventions")]
    assert len(conventions) >= 5
    for key in conventions:
        plain = store.query(PLAIN_SIGNATORIES, {"convention": ox.NamedNode(CONV + key)}).rows()
        expected = quotes_as_sets([{k: v.value for k, v in r.items()} for r in plain])
        assert quotes_as_sets(run(store, "convention-signatories", convention=key)) == expected


@pytest.mark.parametrize(("date", "departement", "expected"), [
    ("2024-06-01", "82", [CTG_TDC]),
    ("2022-06-01", "82", []),
    ("2024-06-01", "91", ["pst-caese-2023-2026"]),
    ("2021-06-01", "91", ["pst-caese-2018-2022"]),
    ("2023-01-01", "82", [CTG_TDC]),  # first day of validity (period 2023-2027)
    ("2027-12-31", "82", [CTG_TDC]),  # last day
    ("2028-01-01", "82", []),
    ("2022-06-01", "09", [ACTIONS_CONCERTEES]),  # the convention de financement has no period
    ("2024-06-01", "31", []),
])
def test_conventions_in_force(store: OxigraphStore, date: str, departement: str,
                              expected: list[str]) -> None:
    rows = run(store, "conventions-in-force", date=date, departementCode=departement)
    assert [keys(r["convention"], CONV) for r in rows] == expected


def test_convention_fundings_is_fundings_from_the_convention() -> None:
    # convention-fundings repeats fundings' row logic (its OPTIONALs and filters), starting from
    # the convention's fundings: one more pattern, nothing else, so that the two cannot drift.
    def where(name: str) -> str:
        text = get_named_query(name).sparql
        return text[text.index("WHERE {"):text.rindex("GROUP BY")]

    start = "  ?convention ^mlg:underConvention ?funding .\n"
    assert where("convention-fundings").count(start) == 1
    assert where("convention-fundings").replace(start, "") == where("fundings")
