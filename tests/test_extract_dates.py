"""French dates and signing dates (loaders/extract/dates.py, signing.py), on sentences of their
own."""

from __future__ import annotations

import datetime as dt

import pytest

from loaders.extract import SourceText, extract
from loaders.extract.dates import complete_year, find_dates
from loaders.extract.spans import fold


def dates(text: str) -> list[tuple[dt.date | None, int, int, str | None, str]]:
    return [(d.date, d.day, d.month, d.time, d.role) for d in find_dates(fold(text))]


def draft(text: str, date_hint: dt.date | None = None) -> dict:
    return extract(SourceText(text, (), "text/plain"), name="essai", date_hint=date_hint)


def signing(text: str, date_hint: dt.date | None = None) -> dict | None:
    conventions = draft(text, date_hint)["conventions"]
    return conventions[0].get("signing") if conventions else None


@pytest.mark.parametrize(("text", "expected"), [
    ("Le mardi 16 janvier 2024 à 11h00, la Caf signera.", (dt.date(2024, 1, 16), 16, 1, "11:00", "other")),
    ("Le 1e juillet 2022, la MSA", (dt.date(2022, 7, 1), 1, 7, None, "other")),
    ("signée le 1er juillet 2022 à Foix", (dt.date(2022, 7, 1), 1, 7, None, "other")),
    ("ont signé le vendredi 27 novembre 2020 une convention", (dt.date(2020, 11, 27), 27, 11, None, "other")),
    ("signée le 3 janv. 2024.", (dt.date(2024, 1, 3), 3, 1, None, "other")),
    ("signée le 19/10/2018", (dt.date(2018, 10, 19), 19, 10, None, "other")),
    ("reunion le 12 aout 2021 a 9h30", (dt.date(2021, 8, 12), 12, 8, "09:30", "other")),  # OCR
    ("à l'occasion de cette rencontre du 1e juillet.", (None, 1, 7, None, "other")),
])
def test_french_dates(text: str, expected: tuple) -> None:
    assert dates(text) == [expected]


@pytest.mark.parametrize(("text", "role"), [
    ("approuvée par délibération du 12 mars 2023, la convention", "act"),
    ("par délibération n° 2023-45 du 12 mars 2023", "act"),
    ("vu l'arrêté du 4 mai 2021", "act"),
    ("lors du conseil communautaire du 5 avril 2022", "act"),
    ("Article publié le 3 mai 2021 dans la presse", "published"),
    ("Mis à jour le 3 mai 2021", "published"),
    ("valable jusqu'au 31 décembre 2026", "bound"),
    ("à compter du 1er janvier 2023", "bound"),
])
def test_roles_of_dates(text: str, role: str) -> None:
    assert [d.role for d in find_dates(fold(text))] == [role]


def test_a_date_alone_in_the_head_is_the_issue_date() -> None:
    text = "Un titre\n\n30 novembre 2020\n\nLa convention a été signée le 27 novembre 2020."
    assert [d.role for d in find_dates(fold(text))] == ["issued", "other"]
    d = draft(text)
    assert d["document"]["issued"] == dt.date(2020, 11, 30)
    assert d["conventions"][0]["signing"]["date"] == dt.date(2020, 11, 27)


def test_year_from_the_same_day_written_in_full() -> None:
    found = find_dates(fold("Le 1e juillet 2022, rencontre. Signée lors de la rencontre du 1e juillet."))
    full = [d for d in found if d.date]
    assert complete_year(found[1], full, None) == (
        dt.date(2022, 7, 1), "année de la même date écrite en entier dans le texte (2022-07-01)")


def test_year_from_the_document_date_agrees_with_the_weekday() -> None:
    mention = find_dates(fold("le mardi 16 janvier"))[0]
    date, basis = complete_year(mention, [], dt.date(2023, 12, 20))
    assert date == dt.date(2024, 1, 16)  # a Tuesday; 16 January 2023 was a Monday
    assert "date du document (2023-12-20)" in basis


def test_year_left_open_without_a_document_date() -> None:
    mention = find_dates(fold("le mardi 16 janvier"))[0]
    assert complete_year(mention, [], None) == (None, "")
    assert signing("La CTG sera signée le mardi 16 janvier à 11h00.") is None


def test_yearless_signing_date_is_marked_inferred() -> None:
    s = signing("La CTG sera signée le mardi 16 janvier à 11h00 à Moissac.", dt.date(2024, 1, 10))
    assert s is not None
    assert (s["date"], s["time"], s["commune"]) == (dt.date(2024, 1, 16), "11:00", "82112")
    assert "date" in s["inferred"]


def test_signing_date_time_and_place() -> None:
    s = signing("Le mardi 16 janvier 2024 à 11h00, la Caf et la Communauté de Communes Terres des "
                "Confluences signeront la Convention Territoriale Globale à la salle des mariages "
                "de la Ville Dieu du Temple.")
    assert s is not None
    assert (s["date"], s["time"], s["commune"], s["venue"]) == (
        dt.date(2024, 1, 16), "11:00", "82096", "salle des mariages")
    assert "date" not in s.get("inferred", {})
    assert "82096" in s["inferred"]["commune"]


def test_signing_place_after_the_date() -> None:
    s = signing("La convention territoriale d’actions concertées 2022-2024 a été signée le 1e juillet "
                "2022 au Fossat.")
    assert s is not None
    assert (s["date"], s["commune"], s["as_written"]) == (
        dt.date(2022, 7, 1), "09124", "au Fossat")


def test_a_deliberation_date_is_not_a_signing_date() -> None:
    assert signing("La convention territoriale globale 2023-2027, approuvée par délibération du 12 "
                   "mars 2023, sera signée prochainement.") is None


def test_an_article_date_is_not_a_signing_date() -> None:
    text = ("La Caf signe une convention\n\nPublié le 14 février 2024\n\n"
            "La convention territoriale globale a été signée par la Caf du Gers.")
    assert signing(text) is None
    assert draft(text)["document"]["issued"] == dt.date(2024, 2, 14)


def test_a_date_without_a_signing_is_not_a_signing_date() -> None:
    assert signing("La convention territoriale globale a été présentée le 3 mars 2023 aux élus.") is None


def test_the_signing_date_of_a_previous_convention_is_its_own() -> None:
    d = draft("Convention 2023-2026 pour le projet social de territoire\n\n"
              "La présente convention fait suite à celle signée le 19 octobre 2018 entre la Caf de "
              "l'Essonne et la MSA d'Ile-de-France, pour la poursuite du projet social de territoire.\n"
              "La CAESE a intégré le partenariat par la signature de la convention 2018-2022.")
    main, previous = d["conventions"]
    assert "signing" not in main
    assert main["predecessor"]["convention"] == previous["key"]
    assert previous["signing"]["date"] == dt.date(2018, 10, 19)
    assert (previous["period"]["start"], previous["period"]["end"]) == (2018, 2022)
    assert (main["period"]["start"], main["period"]["end"]) == (2023, 2026)


def test_a_signing_year() -> None:
    d = draft("Un accord partenarial a été signé en 2014 entre la MSA d'Ile-de-France et la Caf de "
              "l'Essonne.")
    assert d["conventions"][0]["signing"]["date"] == 2014


def test_a_past_day_without_year() -> None:
    s = signing("La convention territoriale globale a été signée le 3 juillet dernier à Moissac.",
                dt.date(2023, 9, 1))
    assert s is not None
    assert s["date"] == dt.date(2023, 7, 3)
    s = signing("La convention territoriale globale a été signée le 3 octobre dernier à Moissac.",
                dt.date(2023, 9, 1))
    assert s is not None
    assert s["date"] == dt.date(2022, 10, 3)


def test_an_approval_date_is_not_the_signing_date() -> None:
    s = signing("La convention territoriale globale, approuvée par le conseil communautaire le 12 mars "
                "2023, a été signée le 3 avril 2023 à Moissac.")
    assert s is not None
    assert s["date"] == dt.date(2023, 4, 3)


def test_the_date_nearest_the_signing_word() -> None:
    s = signing("Le 2 mai 2023, après la réunion du 28 avril 2023, la Caf et la commune de Moissac ont "
                "signé la convention territoriale globale.")
    assert s is not None
    assert s["date"] == dt.date(2023, 5, 2)
