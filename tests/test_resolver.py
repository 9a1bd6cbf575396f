"""Tests of the entity resolver (loaders/resolver.py) and of name normalization.

Every case of tests/resolver_cases.yaml is one test; expected identifiers there come from the
reference tables, not from the resolver. Speed is measured by benchmarks/resolver.py, not here.
"""

from __future__ import annotations

import datetime
import unicodedata
from pathlib import Path

import pytest
import yaml

from loaders.geography import Geography
from loaders.normalize import analyse, fold, normalize, repair, tokens, within_one
from loaders.resolver import Candidate, Resolution, Resolver, default_resolver

CASES_FILE = Path(__file__).with_name("resolver_cases.yaml")
GROUPS: dict[str, list[dict]] = yaml.safe_load(CASES_FILE.read_text(encoding="utf-8"))
CASES = [(group, case) for group, cases in GROUPS.items() for case in cases]
VERDICTS = ("ambiguous", "unknown")
ACCURACY_FLOOR = 0.99


def case_id(group: str, case: dict) -> str:
    ascii_name = unicodedata.normalize("NFKD", case["name"]).encode("ascii", "ignore").decode()
    context = "".join(f",{k}={case[k]}" for k in ("kind", "departement", "region", "date")
                      if k in case)
    return f"{group}:{ascii_name}{context}"


def run(resolver: Resolver, case: dict) -> Resolution:
    return resolver.resolve(case["name"], case.get("kind"), departement=case.get("departement"),
                            region=case.get("region"), date=case.get("date"))


def outcome(resolution: Resolution) -> str:
    return resolution.best.identifier if resolution.best else resolution.verdict


def explain(resolution: Resolution) -> str:
    return f"{resolution.verdict}: " + "; ".join(
        f"{c.kind} {c.identifier} {c.name!r} {c.score} via {c.matched!r} {c.note}"
        for c in resolution.candidates[:5])


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return default_resolver()


# -- the evaluation set ---------------------------------------------------------------------


def test_the_evaluation_set_is_large_and_covers_every_group() -> None:
    assert len(CASES) >= 300
    assert {"seeds", "variants-commune", "typos", "homonyms", "former-names", "unknown",
            "institutions"} <= set(GROUPS)
    assert {c["seed"] for c in GROUPS["seeds"]} == {"000", "001", "002", "003", "004"}
    for _, case in CASES:
        assert set(case) <= {"name", "kind", "departement", "region", "date", "expect", "seed",
                             "comment"}, case


@pytest.mark.parametrize(("group", "case"), [pytest.param(g, c, id=case_id(g, c)) for g, c in CASES])
def test_case(resolver: Resolver, group: str, case: dict) -> None:
    resolution = run(resolver, case)
    assert outcome(resolution) == case["expect"], explain(resolution)


def test_accuracy_floor_on_names_with_one_right_answer(resolver: Resolver) -> None:
    singles = [c for _, c in CASES if c["expect"] not in VERDICTS]
    right = sum(outcome(run(resolver, c)) == c["expect"] for c in singles)
    assert right / len(singles) >= ACCURACY_FLOOR, f"{right}/{len(singles)}"


def test_no_homonym_is_resolved_without_context(resolver: Resolver) -> None:
    homonyms = [c for _, c in CASES if c["expect"] == "ambiguous"
                and "departement" not in c and "region" not in c]
    assert len(homonyms) >= 40
    resolved = [c["name"] for c in homonyms if run(resolver, c).verdict == "resolved"]
    assert resolved == []


def test_issue_examples(resolver: Resolver) -> None:
    assert resolver.resolve("communauté de communes Arize-Lèze").best.identifier == "200066223"
    assert resolver.resolve("Cœur d'Astarac en Gascogne").best.identifier == "243200425"
    assert resolver.resolve("Caf de Tarn et Garonne").best.identifier == "caf-82"
    assert resolver.resolve("MSA IDF").best.identifier == "msa-ile-de-france"


# -- the API ----------------------------------------------------------------------------------


def test_candidate_fields(resolver: Resolver) -> None:
    best = resolver.resolve("Lezat sur Leze").best
    assert best == Candidate("commune", "09167", "Lézat-sur-Lèze",
                             "https://maillage.fr/id/commune/09167", 1.0, ("09",), "Lézat-sur-Lèze")
    epci = resolver.resolve("CC Arize Lèze").best
    assert (epci.kind, epci.uri, epci.departements) == (
        "epci", "https://maillage.fr/id/epci/200066223", ("09",))
    caf = resolver.resolve("Caf de l'Essonne").best
    assert (caf.kind, caf.uri, caf.departements) == (
        "caf", "https://maillage.fr/id/organisation/caf-91", ("91",))
    msa = resolver.resolve("MSA Midi-Pyrénées Sud").best
    assert msa.departements == ("09", "31", "32", "65")


def test_ambiguous_lists_every_homonym_and_has_no_best(resolver: Resolver) -> None:
    r = resolver.resolve("Caumont")
    assert r.verdict == "ambiguous"
    assert r.best is None
    assert {c.identifier for c in r.candidates} == {"02145", "09086", "27133", "32093", "33112",
                                                    "62219", "82035"}
    assert all(c.score == 1.0 for c in r.candidates)


def test_unknown_has_no_best(resolver: Resolver) -> None:
    r = resolver.resolve("Xyzzyville-sur-Mer")
    assert (r.verdict, r.best, r.candidates) == ("unknown", None, ())
    assert resolver.resolve("   ").verdict == "unknown"
    assert resolver.resolve("la région").verdict == "unknown"  # too vague without a context


def test_short_typos_are_only_suggestions_unless_the_context_settles_them(resolver: Resolver
                                                                          ) -> None:
    loose = resolver.resolve("Moisac")
    assert loose.verdict == "unknown"
    assert "82112" in {c.identifier for c in loose.candidates}
    assert resolver.resolve("Moisac", departement="82").best.identifier == "82112"


def test_kind_filters_strictly(resolver: Resolver) -> None:
    assert resolver.resolve("Essonne", "departement").best.identifier == "91"
    assert resolver.resolve("Caf de l'Essonne", "institution").best.identifier == "caf-91"
    assert resolver.resolve("Caf de l'Essonne", "departement").verdict == "unknown"
    assert resolver.resolve("Caumont", "epci").verdict == "unknown"  # a commune, no typo
    with pytest.raises(ValueError, match="unknown kind"):
        resolver.resolve("Essonne", "province")


def test_former_commune_resolves_to_the_current_one_with_a_note(resolver: Resolver) -> None:
    # Pliboux (79) was a commune until 2024, now déléguée of Sauzé-entre-Bois (79307).
    best = resolver.resolve("Pliboux").best
    assert (best.identifier, best.name, best.matched) == ("79307", "Sauzé-entre-Bois", "Pliboux")
    assert "déléguée de Sauzé-entre-Bois" in best.note
    assert resolver.resolve("Pliboux", date=datetime.date(2022, 5, 1)).best.score == 1.0


def test_date_restricts_to_the_millesime_and_is_clamped(resolver: Resolver) -> None:
    # Culoz-Béon (01138) was created in 2022 from Culoz and Béon.
    assert resolver.resolve("Culoz-Béon", date=datetime.date(2021, 3, 1)).verdict == "unknown"
    assert resolver.resolve("Culoz-Béon", date=datetime.date(1999, 3, 1)).verdict == "unknown"
    assert resolver.resolve("Culoz-Béon", date=datetime.date(2030, 3, 1)).best.identifier == "01138"
    assert resolver.resolve("Culoz", date=datetime.date(2021, 3, 1)).best.identifier == "01138"


def test_former_epci_names(resolver: Resolver) -> None:
    merged = resolver.resolve("CA d'Agen").best  # SIREN 200035459 merged in 2022
    assert merged.identifier == "200096956"
    assert "fusionné" in merged.note
    renamed = resolver.resolve("CA Var Esterel Méditerranée (CAVEM)").best
    assert renamed.identifier == "200035319"
    assert renamed.note.startswith("ancien nom")


def test_out_of_context_match_is_kept_with_a_lower_score(resolver: Resolver) -> None:
    best = resolver.resolve("Cœur d’Astarac en Gascogne", departement="09").best
    assert best.identifier == "243200425"
    assert "hors du contexte" in best.note
    assert best.score < resolver.resolve("Cœur d’Astarac en Gascogne").best.score


def test_build_with_explicit_inputs(geography: Geography) -> None:
    small = Resolver.build(geography, organisations=[])
    assert small.resolve("CC Arize Lèze").best.identifier == "200066223"
    assert small.resolve("Caf de l'Essonne").verdict == "unknown"
    assert default_resolver() is default_resolver()


# -- normalization ----------------------------------------------------------------------------


@pytest.mark.parametrize(("written", "expected"), [
    ("Lézat-sur-Lèze", "lezat sur leze"),
    ("LEZAT SUR LEZE", "lezat sur leze"),
    ("Cœur d’Astarac", "coeur d astarac"),
    ("CŒUR D'ASTARAC", "coeur d astarac"),
    ("Læti", "laeti"),
    ("Saint-Nicolas-de-la-Grave", "saint nicolas de la grave"),
    ("St Nicolas de la Grave", "saint nicolas de la grave"),
    ("Ste-Marie", "sainte marie"),
    ("La Ville-Dieu-du-Temple", "ville dieu du temple"),
    ("la Ville Dieu du Temple", "ville dieu du temple"),
    ("l'Essonne", "essonne"),
    ("de l’Essonne", "essonne"),
    ("au Fossat", "fossat"),
    ("à Lézat-sur-Lèze", "lezat sur leze"),
    ("Aux", "aux"),  # never empty
    ("Saint-Étienne_Métropole", "saint etienne metropole"),
    ("S.N.C.F.", "s n c f"),
    ("  Tarn   et\tGaronne ", "tarn et garonne"),
])
def test_normalize(written: str, expected: str) -> None:
    assert normalize(written) == expected


def test_fold_and_tokens() -> None:
    assert fold("CD91") == "cd 91"
    assert fold("2A") == "2a"
    assert fold("Ærø") == "aero"
    assert tokens("Sts-Geosmes") == ["saints", "geosmes"]


@pytest.mark.parametrize(("written", "key"), [
    ("communauté de communes Arize-Lèze", "cc arize leze"),
    ("CdC Arize Lèze", "cc arize leze"),
    ("la codecom Arize Lèze", "cc arize leze"),
    ("Com Com Arize Lèze", "cc arize leze"),
    ("Communauté d’Agglomération du Pays de Grasse", "ca pays de grasse"),
    ("La communauté d’agglo Pays de Grasse", "ca pays de grasse"),
    ("Agglo du Pays de Grasse", "ca pays de grasse"),
    ("Communauté urbaine de Dunkerque", "cu dunkerque"),
    ("Caisse des Allocations Familiales de l'Essonne", "caf essonne"),
    ("Caisse d’allocations familiales de Tarn et Garonne", "caf tarn et garonne"),
    ("Mutualité sociale agricole d’Ile-de-France", "msa ile de france"),
    ("Conseil général du Cantal", "cd cantal"),
    ("Conseil départemental du Cantal", "cd cantal"),
    ("CG 15", "cd 15"),
    ("Conseil régional d'Occitanie", "cr occitanie"),
    ("Département de l'Essonne", "departement essonne"),
])
def test_analyse_canonical_type_words(written: str, key: str) -> None:
    assert analyse(written).key == key


def test_analyse_keys() -> None:
    a = analyse("la CC de U’ Aire a I’Argonne")
    assert (a.article, a.skeleton, a.untyped) == ("la", "cc aire argonne", "u aire a i argonne")
    assert analyse("Le Port").article == "le"
    assert analyse("au Port").article == "le"
    assert analyse("Toulouse Métropole").untyped == "toulouse"
    assert analyse("Moissac").untyped == ""


def test_repair_and_within_one() -> None:
    assert repair("Communauté de communs Val de Gâtine") == "communaute de communes val de gatine"
    assert repair("Caisse d'allocations familliales de l'Ain") is not None
    assert repair("Moissac") is None
    assert within_one("moissac", "moisac")
    assert within_one("moisac", "moissac")
    assert within_one("caumont", "cuamont")
    assert within_one("caumont", "caumond")
    assert not within_one("caumont", "cuamond")
    assert not within_one("lyon", "lyonnais")
