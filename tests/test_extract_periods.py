"""Periods of conventions (loaders/extract/periods.py and their use in drafts)."""

from __future__ import annotations

import datetime as dt

import pytest

from loaders.extract import SourceText, extract
from loaders.extract.dates import find_dates
from loaders.extract.periods import bounds, durations, year_ranges
from loaders.extract.spans import fold


def period(text: str) -> dict | None:
    d = extract(SourceText(text, (), "text/plain"), name="essai")
    return d["conventions"][0].get("period") if d["conventions"] else None


@pytest.mark.parametrize("text", [
    "La CTG 2023\u20102027 vise à pérenniser l’offre",  # U+2010 hyphen, as in seed 001
    "La CTG 2023 – 2027 vise à pérenniser l’offre",  # en dash with spaces
    "La CTG 2023-2027 vise à pérenniser l’offre",
    "La CTG 2023—2027 vise",
    "La CTG 2023/2027 vise",
    "La CTG conclue de 2023 à 2027",
    "La CTG 2023-27 vise",
])
def test_year_ranges_with_any_dash(text: str) -> None:
    found = year_ranges(fold(text))
    assert [(r.start_year, r.end_year) for r in found] == [(2023, 2027)]
    assert text[found[0].start:found[0].end].startswith("2023")


@pytest.mark.parametrize("text", [
    "l'accueil des 0-6 ans", "entre 2 600-3 600 € par place", "le 12/03/2023", "en 2019 puis 2035",
    "2018-2050",  # not a convention's period
])
def test_not_year_ranges(text: str) -> None:
    assert year_ranges(fold(text)) == []


@pytest.mark.parametrize(("text", "iso"), [
    ("Cette convention de partenariat est signée pour cinq ans", "P5Y"),
    ("d’une durée de 4 ans", "P4Y"),
    ("Durée totale d’environ 3 ans et 8 mois", "P3Y8M"),
    ("conclue pour une durée de trois ans", "P3Y"),
    ("valable 18 mois", "P1Y6M"),
])
def test_durations(text: str, iso: str) -> None:
    assert [d.iso for d in durations(fold(text))] == [iso]


def test_until_and_from_dates() -> None:
    folded = fold("valable à compter du 1er janvier 2023 jusqu'au 31 décembre 2026, puis du 1er "
                  "mars 2027 au 30 juin 2027, et jusqu'en 2030")
    found = [(b.side, b.value) for b in bounds(folded, find_dates(folded))]
    assert found == [("start", dt.date(2023, 1, 1)), ("end", dt.date(2026, 12, 31)),
                     ("start", dt.date(2027, 3, 1)), ("end", dt.date(2027, 6, 30)), ("end", 2030)]


def test_period_of_a_convention_with_duration() -> None:
    p = period("La CTG 2023\u20102027 vise à développer l’offre. Cette convention est signée pour cinq ans.")
    assert p is not None
    assert (p["start"], p["end"], p["duration"]) == (2023, 2027, "P5Y")
    assert p["excerpt"] == ["La CTG 2023\u20102027 vise à développer l’offre.",
                            "Cette convention est signée pour cinq ans."]


def test_end_date_refines_the_range() -> None:
    p = period("Convention partenariale 2023-2026 pour le projet social de territoire\n"
               "La convention est valable à compter de sa signature jusqu'au 31 décembre 2026.")
    assert p is not None
    assert (p["start"], p["end"]) == (2023, dt.date(2026, 12, 31))


def test_a_duration_not_of_the_convention_is_not_its_period() -> None:
    assert period("La charte territoriale « avec les familles » de la MSA.\n"
                  "Un accompagnement soutenu des acteurs sur une période de 3 ans.") is None


def test_no_period_is_invented() -> None:
    assert period("La convention territoriale globale a été signée le 3 mars 2023.") is None
