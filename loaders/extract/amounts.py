"""Amounts of money in euros: « 50.000€ », « 27 000 euros », « 3 M€ », « 210 313 € »,
« 1,5 million d'euros », « 50 k€ ». A rate (« 2 600 € par place », « 10 €/heure ») is marked as
such: it is not the amount of a grant.

>>> [(a.value, a.rate) for a in find_amounts(fold("à hauteur de 50.000€ puis 3 M€"))]
[(50000.0, False), (3000000.0, False)]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.extract.spans import fold

AMOUNT = re.compile(
    r"(?<![\w.,])(?P<num>\d{1,3}(?:(?:[ .]|\u202f)\d{3})+(?:,\d{1,2})?|\d+(?:[,.]\d{1,2})?)"
    r"\s*(?P<unit>(?:m|md|mds|milliards?|millions?)\s*(?:d'euros|de euros|euros?|€|eur\b)"
    r"|k\s*(?:€|euros?)|milliers? d'euros|€|euros?\b|eur\b)")
RATE = re.compile(r"\s*(?:/|par\s+(?:place|enfant|an|mois|heure|jour|habitant|famille|m2|m²|logement"
                  r"|berceau|personne|participant|agent|semaine|annee))")
HT = re.compile(r"\s*(?:ht|ttc|h\.t\.|t\.t\.c\.)\b")


@dataclass(frozen=True)
class Amount:
    """One amount as written; ``value`` in euros."""

    start: int
    end: int
    value: float
    rate: bool


def _value(num: str, unit: str) -> float:
    grouped = re.fullmatch(r"\d{1,3}(?:[ .\u202f]\d{3})+(?:,\d{1,2})?", num)
    if grouped:
        whole, _, cents = num.partition(",")
        value = float(re.sub(r"[ .\u202f]", "", whole) + ("." + cents if cents else ""))
    else:
        value = float(num.replace(",", "."))
    unit = unit.replace(" ", "")
    if unit.startswith(("md", "milliard")):
        value *= 1e9
    elif unit.startswith("m"):
        value *= 1e6
    elif unit.startswith(("k", "millier")):
        value *= 1e3
    return value


def find_amounts(folded: str) -> list[Amount]:
    """Every amount in euros in ``folded`` (see :func:`loaders.extract.spans.fold`)."""
    out = []
    for m in AMOUNT.finditer(folded):
        value = _value(m["num"], m["unit"])
        end = m.end()
        tax = HT.match(folded, end)
        after = tax.end() if tax else end
        rate = RATE.match(folded, after) is not None
        out.append(Amount(m.start(), end, value, rate))
    return out


def parse_amount(text: str) -> float | None:
    """The first amount in ``text``, in euros.

    >>> parse_amount("210 313 €")
    210313.0
    """
    found = find_amounts(fold(text))
    return found[0].value if found else None


__all__ = ["Amount", "find_amounts", "parse_amount"]
