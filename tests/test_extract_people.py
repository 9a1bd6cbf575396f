"""Organisations, people and their roles (loaders/extract/orgs.py, people.py, parties.py)."""

from __future__ import annotations

from loaders.extract import SourceText, extract
from loaders.extract.orgs import find_orgs, resolve_orgs
from loaders.extract.people import find_people
from loaders.extract.spans import Doc
from loaders.extract.territories import Names


def people(text: str) -> list[tuple[str, str | None, list[tuple[str | None, str | None, str]]]]:
    doc = Doc(text)
    orgs = find_orgs(doc)
    names = Names()
    resolve_orgs(doc, orgs, names)
    return [(p.name, p.honorific, [(r.organisation, r.role, r.label) for r in p.roles])
            for p in find_people(doc, orgs, names)]


def orgs(text: str, departement: str | None = None) -> list[tuple[str, str | None]]:
    doc = Doc(text)
    found = find_orgs(doc)
    resolve_orgs(doc, found, Names(departement))
    return [(text[o.start:o.end], o.key) for o in found]


def test_person_with_honorific_and_role() -> None:
    text = ("Madame Laurence Carles, Présidente du Conseil d’administration de la Caisse "
            "d’Allocations Familiales de Tarn et Garonne, ouvrira la séance.")
    assert people(text) == [("Laurence Carles", "Madame", [
        ("caf-82", "president-conseil-administration",
         "Présidente du Conseil d’administration de la Caisse d’Allocations Familiales de Tarn et Garonne")])]


def test_person_with_two_roles_and_a_generic_body() -> None:
    text = ("La Caisse d’Allocations Familiales de Tarn et Garonne et Madame Charlotte Hubert-Boyer, "
            "Directrice de la Caf, Monsieur Dominique Briois, Président de la Communauté de Communes "
            "Terres des Confluences, maire de La Ville Dieu du Temple.")
    assert people(text) == [
        ("Charlotte Hubert-Boyer", "Madame", [("caf-82", "directeur", "Directrice de la Caf")]),
        ("Dominique Briois", "Monsieur", [
            ("epci-200066322", "president", "Président de la Communauté de Communes Terres des Confluences"),
            ("commune-82096", "maire", "maire de La Ville Dieu du Temple")])]


def test_person_without_honorific_needs_a_role() -> None:
    text = ("Pour Jérôme VIAUD, Président de la Communauté d’Agglomération du Pays de Grasse « La "
            "signature de cette convention est un levier ». Merci à Valérie Noriega.")
    assert people(text) == [("Jérôme Viaud", None, [
        ("epci-200039857", "president", "Président de la Communauté d’Agglomération du Pays de Grasse")])]


def test_represented_by_their_director() -> None:
    text = ("La Caisse d'Allocations Familiales de l'Essonne dont le siège social est situé 6-8 rue "
            "Prométhée, 91000 Evry, représentée par Monsieur Guillaume LACROIX, son Directeur Général.")
    assert people(text) == [("Guillaume Lacroix", "Monsieur", [
        ("caf-91", "directeur-general",
         "Directeur Général de la Caisse d'Allocations Familiales de l'Essonne")])]


def test_organisations_named_generic_and_defined() -> None:
    text = ("La Communauté d'Agglomération de l'Etampois Sud-Essonne (CAESE), la MSA d'Ile-de-France "
            "et le Département de l'Essonne. La CAESE, la MSA et la Caf signent ; le Conseil "
            "départemental aussi.")
    assert orgs(text) == [
        ("La Communauté d'Agglomération de l'Etampois Sud-Essonne", "epci-200017846"),
        ("la MSA d'Ile-de-France", "msa-ile-de-france"),
        ("le Département de l'Essonne", "cd-91"),
        ("La CAESE", "epci-200017846"),
        ("la MSA", "msa-ile-de-france"),
        ("la Caf", "caf-91"),  # the text names no Caf: the one of its département
        ("le Conseil départemental", "cd-91"),
    ]


def test_a_generic_body_stays_open_without_context() -> None:
    assert orgs("La Caf et la MSA ont signé.") == [("La Caf", None), ("la MSA", None)]


def test_signatories_and_representatives_of_a_convention() -> None:
    text = ("Le mardi 16 janvier 2024, Madame Laurence Carles, Présidente du Conseil d’administration "
            "de la Caisse d’Allocations Familiales de Tarn et Garonne, et Monsieur Dominique Briois, "
            "Président de la Communauté de Communes Terres des Confluences, signeront la Convention "
            "Territoriale Globale, en présence de Monsieur Jean Dupont, sous-préfet de Castelsarrasin.")
    d = extract(SourceText(text, (), "text/plain"), name="essai")
    (c,) = d["conventions"]
    assert [s["organisation"] for s in c["signatories"]] == ["caf-82", "epci-200066322"]
    assert [(r["person"], r["organisation"]) for r in c["representatives"]] == [
        ("laurence-carles", "caf-82"), ("dominique-briois", "epci-200066322")]
    assert [t["epci"] for t in c["territories"]] == ["200066322"]


def test_a_place_is_not_a_party() -> None:
    text = ("Nous sommes le premier territoire à signer cette convention territoriale globale dans le "
            "département des Alpes-Maritimes, avec la CAF des Alpes-Maritimes.")
    d = extract(SourceText(text, (), "text/plain"), name="essai")
    assert [s["organisation"] for s in d["conventions"][0]["signatories"]] == ["caf-06"]


def test_person_by_honorific_and_family_name_only() -> None:
    assert people("Mme Durand, maire de Moissac, a signé.") == [
        ("Durand", "Mme", [("commune-82112", "maire", "maire de Moissac")])]


def test_a_town_as_a_party() -> None:
    text = ("La ville de Perpignan et la Caf des Pyrénées-Orientales ont officialisé leur CTG "
            "2024-2028 le 5 mars 2024.")
    d = extract(SourceText(text, (), "text/plain"), name="essai")
    (c,) = d["conventions"]
    assert [s["organisation"] for s in c["signatories"]] == ["commune-66136", "caf-66"]
    assert c["territories"][0]["commune"] == "66136"
