"""French dates, with their role in the text.

Recognised: « le mardi 16 janvier 2024 à 11h00 », « 1e juillet 2022 », « 1er juillet »,
« 27 novembre 2020 », « 19/10/2018 », a year alone after « signé(e) en ». A date written
without its year keeps ``year=None``: :func:`complete_year` may take it from the same day
written in full elsewhere in the text, or from the document's own date (the weekday, when
written, must agree), else it stays open.

Each date gets a *role* from what precedes it: ``act`` (a deliberation, an order, a law, a
circular, a council session), ``published`` (a publication or update date), ``issued`` (a
date alone on its line in the head of a document, as press articles carry), ``bound`` (a
period's bound: « jusqu'au », « à compter du », « du … au »), else ``other``. Whether a date
is a signing date is decided with the sentence (:mod:`loaders.extract.signing`).

>>> [(d.date, d.time) for d in find_dates(fold("Le mardi 16 janvier 2024 à 11h00, ..."))]
[(datetime.date(2024, 1, 16), '11:00')]
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from loaders.extract.spans import fold

MONTHS = {"janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4,
          "avr": 4, "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9,
          "sept": 9, "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12,
          "dec": 12}
WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_FULL = frozenset({"janvier", "fevrier", "mars", "avril", "mai", "juin", "juillet", "aout", "septembre",
                   "octobre", "novembre", "decembre"})
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
DATE = re.compile(
    rf"\b(?:(?P<wd>{'|'.join(WEEKDAYS)})\s+)?"
    r"(?P<day>1er|1re|1e|[0-3]?\d)(?:er|e)?\s*"
    rf"(?P<month>{_MONTH})\b\.?"
    r"(?:\s+(?P<year>(?:19|20)\d{2})\b|\s+(?P<last>dernier|prochain)\b)?"
    r"(?:\s*,?\s*(?:a|vers)\s+(?P<hour>[0-2]?\d)\s*(?:h|:)\s*(?P<minute>[0-5]\d)?)?")
NUMERIC = re.compile(r"(?<![\d/.])(?P<day>[0-3]?\d)[/.](?P<month>[01]?\d)[/.](?P<year>(?:19|20)\d{2})"
                     r"(?![\d/.])")
SIGNED_IN_YEAR = re.compile(r"\bsigne(?:e|s|es)?\s+en\s+(?P<year>(?:19|20)\d{2})\b")
ACT = re.compile(r"(?:deliberations?|delibere|arretes?|decrets?|lois?|circulaires?|ordonnances?"
                 r"|seances?|conseil (?:municipal|communautaire|departemental|d'administration)"
                 r"|bureau communautaire|assemblee|reunion du conseil|courriers?|lettres?"
                 r"|avis|jugement|proces-verbal)"
                 r"(?:\s+(?:n[o°]|numero)\s*\S+)?(?:\s+\w+){0,3}?\s+(?:du|en date du|le|des)\s*$")
APPROVED = re.compile(r"\b(?:approuvee?s?|adoptee?s?|votee?s?|validee?s?|deliberee?s?|presentee?s?)"
                      r"(?:\s+(?:par|en)\s+[^,.;]{0,60}?)?\s+(?:le|du|en date du|lors de la seance du)\s*$")
PUBLISHED = re.compile(r"(?:publie(?:e)?|mis(?:e)? a jour|modifie(?:e)?|actualise(?:e)?|poste(?:e)?"
                       r"|redige(?:e)?|paru(?:e)?|edition)\s+(?:le|du)\s*$")
BOUND = re.compile(r"(?:jusqu'(?:au|a|en)|a compter du|a partir du|a compter de|au plus tard le"
                   r"|d'ici (?:au|le)|valable du|periode du|echeance (?:du|le))\s*$")


@dataclass(frozen=True)
class DateMention:
    """One date as written; ``date`` is None while its year is not known."""

    start: int
    end: int
    day: int
    month: int
    year: int | None
    weekday: int | None  # 0 = Monday, as written
    time: str | None  # "HH:MM"
    role: str  # act | published | issued | bound | other
    relative: str | None = None  # « dernier » / « prochain » after a date without its year

    @property
    def date(self) -> dt.date | None:
        """The date, when the year is known and the day exists."""
        if self.year is None:
            return None
        try:
            return dt.date(self.year, self.month, self.day)
        except ValueError:
            return None


def find_dates(folded: str) -> list[DateMention]:
    """Every French date in ``folded`` (see :func:`loaders.extract.spans.fold`), in order."""
    out: list[DateMention] = []
    for m in DATE.finditer(folded):
        day = 1 if m["day"].startswith("1") and not m["day"][1:2].isdigit() else int(m["day"])
        if not 1 <= day <= 31:
            continue
        time = None
        if m["hour"] is not None and int(m["hour"]) < 24:
            time = f"{int(m['hour']):02d}:{m['minute'] or '00'}"
        weekday = WEEKDAYS.index(m["wd"]) if m["wd"] else None
        start, end = m.start(), m.end()
        if folded[end - 1] == "." and m["month"] in _FULL and m.end("month") == end - 1:
            end -= 1  # a sentence's full stop, not an abbreviation's
        out.append(DateMention(start, end, day, MONTHS[m["month"]],
                               int(m["year"]) if m["year"] else None, weekday, time,
                               _role(folded, start, end), m["last"]))
    for m in NUMERIC.finditer(folded):
        day, month = int(m["day"]), int(m["month"])
        if 1 <= day <= 31 and 1 <= month <= 12:
            out.append(DateMention(m.start(), m.end(), day, month, int(m["year"]), None, None,
                                   _role(folded, m.start(), m.end())))
    return sorted(out, key=lambda d: d.start)


def signed_years(folded: str) -> list[tuple[int, int, int]]:
    """« signé en 2014 »: (start, end, year) of each year given as a signing year."""
    return [(m.start("year"), m.end("year"), int(m["year"])) for m in SIGNED_IN_YEAR.finditer(folded)]


def _role(folded: str, start: int, end: int) -> str:
    before = folded[max(0, start - 80):start]
    before = re.sub(r"\s*\b(?:le|du)\s+(?:" + "|".join(WEEKDAYS) + r")\s*$", " le", before)
    if ACT.search(before) or APPROVED.search(before):
        return "act"
    if PUBLISHED.search(before):
        return "published"
    if BOUND.search(before):
        return "bound"
    line_start = folded.rfind("\n", 0, start) + 1
    line_end = folded.find("\n", end)
    line_end = len(folded) if line_end < 0 else line_end
    alone = not folded[line_start:start].strip(" ,.-") or re.fullmatch(
        r"\s*(?:publie|mis a jour|date)?\s*(?:le)?\s*", folded[line_start:start])
    has_year = re.search(r"(?:19|20)\d{2}", folded[start:end]) is not None
    if (alone and has_year and not folded[end:line_end].strip(" .,|-")
            and start < 0.2 * len(folded) + 200):
        return "issued"
    return "other"


def complete_year(mention: DateMention, full: list[DateMention],
                  reference: dt.date | None) -> tuple[dt.date | None, str]:
    """The date of a mention written without its year, with the basis of the year: the same
    day and month written with a year elsewhere in the text, else the document's date (the
    nearest such day, on the weekday written if any); ``(None, "")`` when neither says."""
    if mention.date is not None:
        return mention.date, ""
    for other in full:
        if other.date and (other.day, other.month) == (mention.day, mention.month):
            return other.date, (f"année de la même date écrite en entier dans le texte "
                                f"({other.date.isoformat()})")
    if reference is None:
        return None, ""
    best: dt.date | None = None
    for year in (reference.year - 1, reference.year, reference.year + 1):
        try:
            candidate = dt.date(year, mention.month, mention.day)
        except ValueError:
            continue
        if mention.weekday is not None and candidate.weekday() != mention.weekday:
            continue
        if (mention.relative == "dernier" and candidate > reference) or \
                (mention.relative == "prochain" and candidate < reference):
            continue
        if best is None or abs(candidate - reference) < abs(best - reference):
            best = candidate
    if best is None:
        return None, ""
    return best, f"année déduite de la date du document ({reference.isoformat()})"


def parse_french_date(text: str) -> dt.date | None:
    """The first full date in ``text``.

    >>> parse_french_date("signée le 1er juillet 2022")
    datetime.date(2022, 7, 1)
    """
    for d in find_dates(fold(text)):
        if d.date:
            return d.date
    return None


__all__ = ["DateMention", "complete_year", "find_dates", "parse_french_date", "signed_years"]
