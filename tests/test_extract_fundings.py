"""Amounts, facilities and fundings (loaders/extract/amounts.py, facilities.py, fundings.py)."""

from __future__ import annotations

import pytest

from loaders.extract import SourceText, extract
from loaders.extract.amounts import find_amounts
from loaders.extract.spans import fold


def draft(text: str) -> dict:
    return extract(SourceText(text, (), "text/plain"), name="essai")


@pytest.mark.parametrize(("text", "value"), [
    ("à hauteur de 50.000€ par la MSA", 50000),
    ("une aide de 27 000 euros", 27000),
    ("un budget de 3 M€", 3_000_000),
    ("pour 210 313 € au total", 210313),
    ("soit 210\u202f313\u00a0€", 210313),
    ("1,5 million d'euros", 1_500_000),
    ("50 k€", 50000),
    ("12,50 €", 12.5),
    ("27.000€.", 27000),
])
def test_amounts(text: str, value: float) -> None:
    found = find_amounts(fold(text))
    assert [a.value for a in found] == [value]
    assert not found[0].rate


@pytest.mark.parametrize("text", ["2 600 € par place", "10 €/heure", "300 euros par enfant"])
def test_rates_are_marked(text: str) -> None:
    assert [a.rate for a in find_amounts(fold(text))] == [True]


@pytest.mark.parametrize("text", ["en 2023 le projet", "les 0-6 ans", "80 places", "91000 Evry"])
def test_not_amounts(text: str) -> None:
    assert find_amounts(fold(text)) == []


FLAGSHIP = ("Celle-ci entre dans le cadre de l’offre territoriale « Grandir en milieu rural » et "
            "concerne deux crèches qui seront construites sur le territoire de la communauté de "
            "communes Arize-Lèze. En effet, la MSA Midi-Pyrénées Sud rejoint le conseil départemental, "
            "l’État, la région et d’autres entités dans le financement de deux espaces d’accueil du "
            "jeune enfant, un premier prévu à Lézat-sur-Lèze qui sera accompagné à hauteur de 50.000€ "
            "par la MSA et un second au Fossat, soutenu à hauteur de 27.000€.")


def test_two_fundings_tied_to_funder_and_facility() -> None:
    d = draft(FLAGSHIP)
    facilities = {f["key"]: f for f in d["facilities"]}
    got = sorted((f["funder"], f["amount"], facilities[f["funded"]]["kind"],
                  facilities[f["funded"]]["commune"]) for f in d["fundings"])
    assert got == [("msa-midi-pyrenees-sud", 27000, "creche", "09124"),
                   ("msa-midi-pyrenees-sud", 50000, "creche", "09167")]
    second = next(f for f in d["fundings"] if f["amount"] == 27000)
    assert "funder" in second["inferred"]  # « soutenu à hauteur de 27.000€ » names no funder itself
    assert second["co_funders"] == ["cd-09", "etat", "conseil-regional-76"]
    assert "co_funders" in second["inferred"]
    for f in d["fundings"]:
        for excerpt, (s, e) in zip(f["excerpt"], f["offsets"], strict=True):
            assert FLAGSHIP[s:e] == excerpt


def test_an_amount_with_no_funder_gives_no_funding() -> None:
    d = draft("La commune de Moissac prévoit la création d’une crèche de 40 places à Moissac, "
              "pour un montant de 1 200 000 €.")
    assert d["fundings"] == []
    assert [(f["kind"], f["commune"], f["capacity"]) for f in d["facilities"]] == [("creche", "82112", 40)]


def test_a_cost_is_not_a_funding() -> None:
    d = draft("La Caf de Tarn-et-Garonne suit le projet d’une crèche à Moissac dont le coût total "
              "est estimé à 850 000 euros.")
    assert d["fundings"] == []


def test_a_rate_is_not_a_funding() -> None:
    d = draft("La Caf de Tarn-et-Garonne verse un bonus de 2 600 € par place pour la crèche de "
              "Moissac.")
    assert d["fundings"] == []


def test_funder_as_subject_and_status() -> None:
    d = draft("La Caf de la Gironde apportera une subvention de 120 000 € pour la création d’une "
              "micro-crèche de 12 places à Gironde-sur-Dropt.")
    (f,) = d["fundings"]
    (facility,) = d["facilities"]
    assert (f["funder"], f["amount"], f["funded"], f["status"]) == (
        "caf-33", 120000, facility["key"], "prevu")
    assert (facility["kind"], facility["commune"], facility["capacity"], facility["status"]) == (
        "micro-creche", "33187", 12, "projet")


def test_no_facility_without_a_place() -> None:
    d = draft("Le FABlab (lieu d’animation) en direction des enfants sera financé par la MSA.")
    assert d["facilities"] == []
    assert d["fundings"] == []


def test_parts_of_a_pole() -> None:
    d = draft("La création d’un pôle petite enfance sur la commune de Castelsarrasin regroupant une "
              "crèche de 80 places (35 places nouvelles), le relais petite enfance intercommunal et "
              "un lieu d’accueil enfant parent.")
    got = [(f["kind"], f["commune"], f.get("capacity"), f.get("new_places"), f.get("part_of"))
           for f in d["facilities"]]
    pole = d["facilities"][0]["key"]
    assert got == [("pole-petite-enfance", "82033", None, None, None),
                   ("creche", "82033", 80, 35, pole),
                   ("relais-petite-enfance", "82033", None, None, pole),
                   ("laep", "82033", None, None, pole)]
    assert all("commune" in f["inferred"] for f in d["facilities"])


def test_an_existing_facility_and_its_operator() -> None:
    d = draft("Les actions prévues :\n- la reprise des activités du centre social du Sarlac à "
              "Moissac par l’association Familles Rurales.")
    (f,) = d["facilities"]
    assert (f["kind"], f["label"], f["commune"], f["operator"], f["status"]) == (
        "centre-social", "Centre social du Sarlac (Moissac)", "82112", "familles-rurales", "existant")
    assert {"key": "familles-rurales", "label": "Familles Rurales", "kind": "association"}.items() <= \
        d["organisations"][0].items()


def test_funder_after_the_amount() -> None:
    d = draft("Une aide de 30 000 euros de la MSA Midi-Pyrénées Nord pour le relais petite enfance "
              "de Moissac.")
    assert [(f["funder"], f["amount"]) for f in d["fundings"]] == [("msa-midi-pyrenees-nord", 30000)]


def test_funder_in_brackets_and_a_named_facility() -> None:
    d = draft("La Caf de l'Ariège et la communauté de communes du Pays d'Olmes ont signé le 2 février "
              "2024 une convention de financement :\n"
              "- Crèche « Les Petits Loups » à Lavelanet : 45 000 € (Caf de l'Ariège)\n"
              "- Accueil de loisirs de Bélesta : 8 500 €\n")
    (f,) = d["fundings"]  # the second amount names no funder
    (facility,) = [x for x in d["facilities"] if x["key"] == f["funded"]]
    assert (f["funder"], f["amount"], facility["label"], facility["commune"]) == (
        "caf-09", 45000, "Crèche « Les Petits Loups » (Lavelanet)", "09160")
    assert f["convention"] == d["conventions"][0]["key"]
