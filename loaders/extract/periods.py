"""Periods: year ranges (« 2023‐2027 » with any dash, « 2023 – 2027 », « de 2020 à 2023 »),
durations (« pour cinq ans », « d'une durée de 4 ans », « 3 ans et 8 mois ») and bounds
(« jusqu'au 31 décembre 2026 », « à compter du 1er janvier 2023 », « du … au … »).

>>> [(r.start_year, r.end_year) for r in year_ranges(fold("La CTG 2023‐2027 vise"))]
[(2023, 2027)]
>>> [d.iso for d in durations(fold("signée pour cinq ans"))]
['P5Y']
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from loaders.extract.dates import DateMention
from loaders.extract.spans import fold

NUMBERS = {"un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7,
           "huit": 8, "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "dix-huit": 18,
           "vingt-quatre": 24, "trente-six": 36}
_NUM = r"\d{1,2}|" + "|".join(sorted(NUMBERS, key=len, reverse=True))
RANGE = re.compile(r"(?<![\d/.,-])(?P<a>(?:19|20)\d{2})(?:\s*(?:-|/|a|au)\s*(?P<b>(?:19|20)\d{2})|"
                   r"[-/](?P<b2>\d{2}))(?!\d)(?![/,.]\d)(?!\s*(?:euros?|€|habitants|places))")
DURATION = re.compile(
    rf"(?P<lead>\b(?:pour|sur|pendant|durant|duree(?: totale)?|d'une duree|valable|conclue?|"
    rf"signee?|periode)\b[^.;:\n]{{0,25}}?)"
    rf"(?P<n>{_NUM})\s+(?P<unit>ans?|annees?|mois)\b"
    rf"(?:\s+et\s+(?P<m>{_NUM})\s+mois\b)?")
UNTIL = re.compile(r"\bjusqu'(?:au|a la date du|en)\s*$")
FROM = re.compile(r"\b(?:a compter du|a partir du|a compter de|prend effet (?:le|au))\s*$")
BETWEEN = re.compile(r"\bdu\s*$")
UNTIL_YEAR = re.compile(r"\bjusqu'(?:en|a)\s+(?P<year>(?:19|20)\d{2})\b")


@dataclass(frozen=True)
class YearRange:
    """« 2023-2027 »: a range of years."""
    start: int
    end: int
    start_year: int
    end_year: int


@dataclass(frozen=True)
class Duration:
    """« pour cinq ans »: a duration in years and months."""
    start: int
    end: int
    years: int
    months: int
    total: bool  # « durée totale », « durée de la convention »: the whole of the démarche

    @property
    def iso(self) -> str:
        """The xsd:duration (« P3Y8M »)."""
        return "P" + (f"{self.years}Y" if self.years else "") + (f"{self.months}M" if self.months else "")


@dataclass(frozen=True)
class Bound:
    """A start or end of a period written as a date (or a year)."""

    start: int
    end: int
    side: str  # "start" | "end"
    value: dt.date | int


def year_ranges(folded: str) -> list[YearRange]:
    """Year ranges of two to eleven years (« 2018-2022 », « 2023/2026 », « 2020 à 2023 »)."""
    out = []
    for m in RANGE.finditer(folded):
        a = int(m["a"])
        b = int(m["b"]) if m["b"] else (a // 100) * 100 + int(m["b2"])
        if 0 < b - a <= 10:
            out.append(YearRange(m.start("a"), m.end(), a, b))
    return out


def _number(word: str) -> int | None:
    return int(word) if word.isdigit() else NUMBERS.get(word)


def durations(folded: str) -> list[Duration]:
    """Durations introduced by « pour », « sur », « durée », « valable »… (years and months)."""
    out = []
    for m in DURATION.finditer(folded):
        n = _number(m["n"])
        if n is None or n == 0:
            continue
        years, months = (n, 0) if m["unit"].startswith("an") else (0, n)
        if m["m"]:
            months += _number(m["m"]) or 0
        if months >= 12 and not years:
            years, months = divmod(months, 12)
        if years > 12:
            continue
        lead = m["lead"]
        total = "totale" in lead or "convention" in folded[max(0, m.start() - 40):m.start()]
        out.append(Duration(m.start("lead") + len(lead) - len(lead.lstrip()), m.end(),
                            years, months, total))
    return out


def bounds(folded: str, dates: list[DateMention]) -> list[Bound]:
    """Start and end dates of a period: « jusqu'au DATE », « à compter du DATE », « du DATE au
    DATE », « jusqu'en 2026 »."""
    out: list[Bound] = []
    for i, d in enumerate(dates):
        if d.date is None:
            continue
        before = folded[max(0, d.start - 40):d.start]
        if UNTIL.search(before):
            out.append(Bound(d.start, d.end, "end", d.date))
        elif FROM.search(before):
            out.append(Bound(d.start, d.end, "start", d.date))
        elif BETWEEN.search(before) and i + 1 < len(dates):
            nxt = dates[i + 1]
            between = folded[d.end:nxt.start].strip()
            if between == "au" and nxt.date is not None and nxt.date > d.date:
                out.append(Bound(d.start, d.end, "start", d.date))
                out.append(Bound(nxt.start, nxt.end, "end", nxt.date))
    for m in UNTIL_YEAR.finditer(folded):
        out.append(Bound(m.start("year"), m.end("year"), "end", int(m["year"])))
    return sorted(out, key=lambda b: b.start)


def parse_period(text: str) -> tuple[int, int] | None:
    """The first year range in ``text``.

    >>> parse_period("pour la période 2023 – 2027")
    (2023, 2027)
    """
    found = year_ranges(fold(text))
    return (found[0].start_year, found[0].end_year) if found else None


__all__ = ["Bound", "Duration", "YearRange", "bounds", "durations", "parse_period", "year_ranges"]
