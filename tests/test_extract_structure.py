"""Axes, objectives and issues of a convention (loaders/extract/structure.py)."""

from __future__ import annotations

from loaders.extract import SourceText, extract
from loaders.extract.spans import Doc
from loaders.extract.structure import find_structure

TEXT = """Convention territoriale globale 2023-2026

Rappel : la précédente convention s'organisait selon trois axes :
Axe 1 : Favoriser la conciliation vie familiale / vie professionnelle.
Axe 2 : Agir en faveur de l'inclusion sociale.

Article 2 - Enjeux :
- 1) Améliorer les conditions de vie des habitants,
- 2) Coordonner les interventions.

Les objectifs de la convention sont :
- Valoriser le projet de territoire ;
- Faciliter la prise de décision.

Article 5 - Axes de développement
➤ **Axe 1 : Favoriser la conciliation vie familiale / vie professionnelle**
- Adapter l'offre d'accueil 0-6 ans au territoire,
- Soutenir les parents dans leur fonction parentale.
➤ **Axe 2 : Agir en faveur de l'inclusion sociale et professionnelle**
- Favoriser l'accès aux droits.
Ils feront l'objet d'une évaluation annuelle.
"""


def test_axes_with_their_objectives_win_over_a_recalled_list() -> None:
    s = find_structure(Doc(TEXT))
    assert [(a.rank, a.label, [o.label for o in a.objectives]) for a in s.axes] == [
        (1, "Favoriser la conciliation vie familiale / vie professionnelle",
         ["Adapter l'offre d'accueil 0-6 ans au territoire",
          "Soutenir les parents dans leur fonction parentale"]),
        (2, "Agir en faveur de l'inclusion sociale et professionnelle", ["Favoriser l'accès aux droits"])]


def test_issues_and_objectives_from_their_lead_in() -> None:
    s = find_structure(Doc(TEXT))
    assert [(i.rank, i.label) for i in s.issues] == [
        (None, "Améliorer les conditions de vie des habitants"), (None, "Coordonner les interventions")]
    assert [(o.rank, o.label) for o in s.objectives] == [
        (1, "Valoriser le projet de territoire"), (2, "Faciliter la prise de décision")]


def test_structure_in_the_draft() -> None:
    d = extract(SourceText(TEXT, (), "text/plain"), name="essai")
    (c,) = d["conventions"]
    assert [a["rank"] for a in c["axes"]] == [1, 2]
    assert c["axes"][0]["excerpt"] == "Axe 1 : Favoriser la conciliation vie familiale / vie professionnelle"
    assert [o["excerpt"] for o in c["axes"][1]["objectives"]] == ["Favoriser l'accès aux droits."]
    assert len(c["issues"]) == 2
    assert len(c["objectives"]) == 2


def test_a_list_under_another_lead_in_is_neither() -> None:
    s = find_structure(Doc("Le comité est chargé de :\n- proposer les orientations,\n- actualiser le "
                           "diagnostic."))
    assert (s.axes, s.objectives, s.issues) == ([], [], [])
