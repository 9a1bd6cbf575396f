"""Kinds of convention, thematic domains, territories and lists of communes
(loaders/extract/kinds.py, domains.py, territories.py, actions.py)."""

from __future__ import annotations

import pytest

from loaders.extract import SourceText, extract
from loaders.extract.domains import domains_of, find_domains
from loaders.extract.kinds import find_kinds, kinds_of
from loaders.extract.spans import Doc, fold
from loaders.extract.territories import Names, commune_list

COMMUNES = ("La CTG sera signée par la Caf et la Communauté de Communes associée des vingt-deux "
            "communes qui la compose : Angeville, Boudou, Castelferrus, Castelmayran, Castelsarrasin, "
            "Caumont, Cordes-Tolosannes, Coutures, Durfort-Lacapelette, Fajolles, Garganvillar, "
            "Labourgade, Lafitte, La Ville Dieu du Temple, Lizac, Moissac, Montaïn, Montesquieu, "
            "Saint Aignan, Saint Arroumex, Saint Nicolas de la Grave, Saint-Porquier.")
CODES = ["82003", "82019", "82030", "82031", "82033", "82035", "82045", "82046", "82051", "82058",
         "82063", "82081", "82086", "82096", "82099", "82112", "82118", "82127", "82152", "82156",
         "82169", "82171"]


@pytest.mark.parametrize(("text", "kinds"), [
    ("signeront la Convention Territoriale Globale", [("ctg",)]),
    ("La CTG 2023-2027", [("ctg",)]),
    ("une Convention Territoriale Globale / Charte Territoriale « avec les familles »",
     [("ctg", "charte-avec-les-familles")]),
    ("La charte territoriale « Avec les familles »", [("charte-avec-les-familles",)]),
    ("une convention territoriale d’actions concertées", [("convention-actions-concertees",)]),
    ("De ce dernier découlera une convention de financement.", [("convention-financement",)]),
    ("un accord partenarial a été signé en 2014", [("accord-partenarial",)]),
    ("Convention pour le projet social de territoire (PST)", [("pst",)]),
    ("l’ancien contrat enfance jeunesse (CEJ)",
     [("contrat-enfance-jeunesse",), ("contrat-enfance-jeunesse",)]),
    ("elle collabore aux conventions territoriales globales du département", []),  # in general
    ("Une démarche pour construire un projet social de territoire", []),  # not a convention
])
def test_kinds(text: str, kinds: list[tuple[str, ...]]) -> None:
    assert kinds_of(text) == kinds


def test_plural_kind_is_generic() -> None:
    (k,) = find_kinds(fold("des conventions territoriales globales"))
    assert k.generic


@pytest.mark.parametrize(("text", "domains"), [
    ("dans les domaines de la petite enfance, l’enfance, la jeunesse, le soutien à la parentalité, "
     "l’animation de la vie sociale, l’accès aux droits et l’inclusion numérique, la santé, le "
     "logement et la mobilité",
     ["petite-enfance", "enfance", "jeunesse", "parentalite", "animation-vie-sociale",
      "acces-aux-droits", "inclusion-numerique", "sante", "logement", "mobilite"]),
    ("Accomp#Bnement socioprofessionnel", ["accompagnement-socioprofessionnel"]),  # OCR noise
    ("Prevention et promotion de la sante", ["sante"]),  # accents lost
    ("Agir en faveur de l'inclusion sociale et professionnelle", ["inclusion-sociale-professionnelle"]),
    ("Favoriser l'accès aux loisirs, à la culture, au sport", ["loisirs-culture-sport"] * 3),
    ("soutenir les situations relevant du handicap", ["handicap"]),
    ("Adapter l'offre d'accueil 0-6 ans au territoire", ["petite-enfance"]),
    ("un lieu d’accueil enfant parent", []),
    ("de la grossesse a la grand-parentalite", []),
    ("développer une culture partagée de la prévention", []),
])
def test_domain_words(text: str, domains: list[str]) -> None:
    assert domains_of(text) == domains


def test_domains_only_where_the_text_lists_them() -> None:
    doc = Doc("Afin de s’investir sur les sujets de politique du logement et du cadre de vie, la MSA "
              "travaille avec les communautés de communes.\n"
              "Plusieurs objectifs ont été fixés :\n- L’inclusion numérique ;\n- L’accès aux droits.\n"
              "Quels sont les domaines concernés?\n\nPetite enfance\n\nAnimation sociale\n\n\n\n"
              "Les partenaires : la Caf, l’ARS pour la santé.")
    assert [h.domain for h in find_domains(doc)] == [
        "inclusion-numerique", "acces-aux-droits", "petite-enfance", "animation-vie-sociale"]


def test_list_of_communes_resolved_with_the_departement() -> None:
    start = COMMUNES.index("Angeville")
    spans = commune_list(COMMUNES, start, len(COMMUNES))
    assert len(spans) == 22
    names = Names("82")
    codes = [p.identifier if (p := names.resolve(COMMUNES[s:e], "commune")) else None for s, e in spans]
    assert codes == CODES


def test_homonyms_stay_open_without_context() -> None:
    assert Names().resolve("Caumont", "commune") is None  # seven communes of that name
    assert Names("82").resolve("Caumont", "commune").identifier == "82035"


def test_homonym_in_a_list_is_the_member_of_the_epci() -> None:
    names = Names(None, epci="200066322")
    place = names.resolve("Saint Aignan", "commune")
    assert place is not None
    assert place.identifier == "82152"
    assert "une seule membre de CC Terres des Confluences" in place.basis


def test_communes_of_a_list_sign_the_convention() -> None:
    text = ("La Communauté de Communes Terres des Confluences, dans le Tarn-et-Garonne, et la Caf de "
            "Tarn et Garonne signent la CTG. " + COMMUNES)
    d = extract(SourceText(text, (), "text/plain"), name="essai")
    keys = [s["organisation"] for s in d["conventions"][0]["signatories"]]
    assert keys[:2] == ["epci-200066322", "caf-82"]
    assert keys[2:] == [f"commune-{c}" for c in CODES]
    caumont = next(s for s in d["conventions"][0]["signatories"] if s["organisation"] == "commune-82035")
    assert caumont["as_written"] == "Caumont"
    assert "82035" in caumont["inferred"]["organisation"]


def test_actions_of_a_plan() -> None:
    text = ("La convention territoriale globale prévoit de nombreuses actions, par exemple :\n"
            "- La signature de conventions de lutte contre la non-décence des logements sur les "
            "communes de Castelsarrasin, Moissac et de l’ensemble de la communauté de communes.\n"
            "- Et d’autres actions en matière de santé.\n"
            "La Communauté de Communes Terres des Confluences porte la démarche.")
    d = extract(SourceText(text, (), "text/plain"), name="essai")
    (action,) = d["conventions"][0]["actions"]
    assert action["domains"] == ["logement"]
    assert action["locations"] == [{"commune": "82033"}, {"commune": "82112"}, {"epci": "200066322"}]
    assert "locations" in action["inferred"]
