"""Signing: which dates are signing dates, and where a signing took place.

A date is a signing date when its sentence says so (« ont signé le vendredi 27 novembre
2020 », « signé le 1e juillet 2022 au Fossat », « Le mardi 16 janvier 2024 à 11h00, …
signeront la Convention », « Fait à Étampes, le … »), and the date is not the date of an act
(« par délibération du 12 mars 2023 »), of a publication, or a bound of a period. A date that
another convention was signed on (« fait suite à celle signée le 19 octobre 2018 ») is marked
``previous``. « signé en 2014 » gives a year.

The place is the commune after « à / au » near the date or the verb (« au Fossat »), or the
commune of a venue (« à la salle des mariages de la Ville Dieu du Temple »).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from loaders.extract.dates import DateMention
from loaders.extract.names import name_at
from loaders.extract.spans import Doc, Span
from loaders.extract.territories import Names, Place

SIGN = re.compile(r"\b(?:co-?)?sign(?:e|ee|es|ees|er|ent|eront|era|erait|aient|ait|ant|ature|atures|ons"
                  r"|ez)\b|\bscell\w+|\bconclue?s?\b|\bparaphe\w*|\bfait (?:a|le|en)\b"
                  r"|\bofficialis\w+|\bratifi\w+")
PREVIOUS = re.compile(r"(?:fait suite a|succede a|prolonge|remplace|renouvelle)\s+(?:celle|celui"
                      r"|la convention|l'accord|la charte|la ctg|le contrat|la precedente)\b[^.;]{0,40}?"
                      r"\bsigne\w*\s+(?:le|en)\s*$|\b(?:precedente?|ancienne?|derniere?)\s+(?:convention"
                      r"|ctg|charte|contrat)\b[^.;]{0,40}?\bsigne\w*\s+(?:le|en)\s*$")
TIED = re.compile(r"\b(?:sign\w*|conclue?s?|fait|paraphe\w*|officialise\w*)(?:\s+\w+)?\s*,?\s*(?:le|du)?\s*$")
FAIT = re.compile(r"\bfait\s+(?:a|au)\s+")
VENUE = re.compile(r"\b(?:a|en|dans)\s+(?:la |le |l'|les )?(?P<venue>(?:salle|mairie|hotel|maison|siege"
                   r"|espace|centre|mediatheque|foyer|locaux|chateau|auditorium|amphitheatre|pole)\b)")
OF = re.compile(r"\s+(?:de la |de l'|du |des |de |d')")
AT = re.compile(r"\b(?:a|au|aux)\s+")


@dataclass(frozen=True)
class SigningMatch:
    """One statement of a signing."""

    date: dt.date | int | None  # a date, a year, or None (a place without a date)
    date_basis: str  # when the year (or the day) was completed
    time: str | None
    commune: Place | None
    venue: str | None
    evidence: list[Span]
    sentence: Span
    previous: bool  # the signing of another (earlier) convention
    place_span: Span | None
    distance: int = 0  # 0: tied to the verb (« signée le … ») or heading the sentence; else how far


def signing_sentence(doc: Doc, span: Span) -> bool:
    """Whether the sentence around ``span`` speaks of a signing."""
    s0, s1 = doc.sentence_at(span[0])
    return SIGN.search(doc.folded, s0, s1) is not None


def find_signings(doc: Doc, dates: list[DateMention], years: list[tuple[int, int, int]],
                  names: Names, complete, bounds: frozenset[int] = frozenset()  # type: ignore[no-untyped-def]
                  ) -> list[SigningMatch]:
    """Signing statements: dates in signing sentences (``complete`` fills in a missing year;
    dates starting at an offset of ``bounds`` are a period's bounds), and years after
    « signé en »."""
    out: list[SigningMatch] = []
    for d in dates:
        if d.role != "other" or d.start in bounds:
            continue
        s0, s1 = doc.sentence_at(d.start)
        verb = SIGN.search(doc.folded, s0, s1)
        if verb is None:
            continue
        value, basis = complete(d)
        if value is None:
            continue
        previous = PREVIOUS.search(doc.folded, max(s0, d.start - 120), d.start) is not None
        commune, venue, place_span = _place(doc, names, (d.end, min(s1, d.end + 60)), (s0, s1), verb.end())
        evidence = [doc.excerpt(d.start, d.end)]
        distance = min(abs(v.start() - d.start) for v in SIGN.finditer(doc.folded, s0, s1))
        if TIED.search(doc.folded, max(s0, d.start - 25), d.start) or d.start - s0 <= 4:
            distance = 0
        out.append(SigningMatch(value, basis, d.time, commune, venue, evidence, (s0, s1), previous,
                                place_span, distance))
    dated = {x.sentence for x in out}
    for s0, s1 in doc.sentences:  # « La signature s'est déroulée à la mairie de La Réole. »
        if (s0, s1) in dated:
            continue
        verb = SIGN.search(doc.folded, s0, s1)
        if verb is None or PREVIOUS.search(doc.folded, s0, s1):
            continue
        commune, venue, place_span = _place(doc, names, (verb.end(), verb.end()), (s0, s1), verb.end())
        if commune is not None:
            out.append(SigningMatch(None, "", None, commune, venue, [(s0, s1)], (s0, s1), False,
                                    place_span))
    for start, end, year in years:
        s0, s1 = doc.sentence_at(start)
        previous = PREVIOUS.search(doc.folded, max(s0, start - 120), start) is not None
        out.append(SigningMatch(year, "", None, None, None, [doc.clause(start, end)], (s0, s1),
                                previous, None))
    return out


def _place(doc: Doc, names: Names, after_date: Span, sentence: Span, verb_end: int
           ) -> tuple[Place | None, str | None, Span | None]:
    text, folded = doc.text, doc.folded
    for m in VENUE.finditer(folded, min(verb_end, after_date[0]), sentence[1]):
        for of in OF.finditer(folded, m.end(), min(sentence[1], m.end() + 50)):
            if re.search(r"[,.;:\n]", folded[m.end():of.start()]):
                break
            span = name_at(text, of.end(), skip_links=False)
            if span is None or span[0] != of.end():
                continue
            place = names.resolve(text[span[0]:span[1]], "commune")
            if place is not None:
                venue = text[m.start("venue"):of.start()].strip()
                return place, venue, (m.start(), span[1])
    windows = [after_date, (verb_end, min(sentence[1], verb_end + 80))]
    fait = FAIT.search(folded, sentence[0], sentence[1])
    if fait:
        windows.insert(0, (fait.start() + 4, fait.end() + 40))
    for lo, hi in windows:
        for m in AT.finditer(folded, lo, hi):
            span = name_at(text, m.end(), skip_links=False, max_words=7)
            if span is None or span[0] != m.end():
                continue
            contracted = folded[m.start():m.start() + 2] == "au"  # « au Fossat » = « Le Fossat »
            phrase = text[m.start() if contracted else span[0]:span[1]]
            place = names.resolve(phrase, "commune")
            if place is not None:
                return place, None, (m.start(), span[1])
    return None, None, None


__all__ = ["SIGN", "SigningMatch", "find_signings", "signing_sentence"]
