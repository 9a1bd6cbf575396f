"""Territories and institutions by name, through the project's resolver
(:func:`loaders.resolver.default_resolver`), with the document's context.

Only a clear answer is kept (verdict ``resolved``); homonyms that the context does not tell
apart are left open, except inside a list of communes of a known EPCI, where the one member of
that EPCI is taken (and the basis says so). Each answer carries its basis in French, for the
draft's ``inferred`` field.

Lists of communes (« Angeville, Boudou, … et Saint-Porquier ») are split by
:func:`commune_list`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from loaders.extract.names import name_at
from loaders.extract.spans import Span
from loaders.geography import read_geography
from loaders.resolver import Candidate, default_resolver

MIN_SCORE = 0.8  # below this a resolved name is still too uncertain to state


@dataclass(frozen=True)
class Place:
    """What a name designates: ``kind`` commune | epci | departement | region | institution;
    ``identifier`` an INSEE code, a SIREN or a registry key."""

    kind: str
    identifier: str
    name: str
    departements: tuple[str, ...]
    score: float
    basis: str

    @property
    def key(self) -> str:
        """The organisation key of this place as an authority (``epci-…``, ``commune-…``)."""
        if self.kind == "epci":
            return f"epci-{self.identifier}"
        if self.kind == "commune":
            return f"commune-{self.identifier.lower()}"
        return self.identifier


@functools.cache
def epci_of_commune() -> dict[str, str]:
    """INSEE code → SIREN of the EPCI it belongs to (COG 2026)."""
    return {m["code"]: e["code"] for e in read_geography().epci for m in e["membres"]}


@functools.cache
def epci_names() -> dict[str, str]:
    """SIREN → official name of each EPCI (COG 2026)."""
    return {e["code"]: e["nom"] for e in read_geography().epci}


class Names:
    """Resolves names as written in one document, with its context (a département, a date, the
    EPCI the document is about); answers are cached per name and kind."""

    def __init__(self, departement: str | None = None, date: dt.date | None = None,
                 epci: str | None = None) -> None:
        self.departement, self.date, self.epci = departement, date, epci
        self._cache: dict[tuple[str, str, bool], Place | None] = {}

    def resolve(self, name: str, kind: str, *, context: bool = True) -> Place | None:
        """The place or institution ``name`` designates, or None when it is unknown, ambiguous
        or too uncertain."""
        key = (name, kind, context)
        if key not in self._cache:
            self._cache[key] = self._resolve(name, kind, context)
        return self._cache[key]

    def _resolve(self, name: str, kind: str, context: bool) -> Place | None:
        dep = self.departement if context else None
        result = default_resolver().resolve(name, kind, departement=dep, date=self.date)
        if result.verdict == "ambiguous" and kind == "commune" and self.epci:
            members = [c for c in result.candidates
                       if epci_of_commune().get(c.identifier) == self.epci]
            if len(members) == 1:
                c = members[0]
                basis = (f"« {name} » = {c.name} ({c.identifier}) : {len(result.candidates)} "
                         f"communes de ce nom ou plus (COG 2026), une seule membre de "
                         f"{epci_names().get(self.epci, self.epci)}")
                return Place("commune", c.identifier, c.name, c.departements, c.score, basis)
        best = result.best
        if best is None or best.score < MIN_SCORE:
            return None
        return Place(_kind(best), best.identifier, best.name, best.departements, best.score,
                     _basis(name, best, dep))


def _kind(c: Candidate) -> str:
    return c.kind if c.kind in {"commune", "epci", "departement", "region"} else "institution"


def _basis(name: str, c: Candidate, dep: str | None) -> str:
    what = {"commune": "commune", "epci": "SIREN", "departement": "département",
            "region": "région"}.get(c.kind, "clé")
    context = f", contexte : département {dep}" if dep and c.note else ""
    note = f" ; {c.note}" if c.note else ""
    return (f"« {name.strip()} » = {c.name} ({what} {c.identifier}) : résolveur de noms, "
            f"score {c.score:.2f} (COG 2026){context}{note}")


_LIST_LEAD = re.compile(r"\s*:\s*|\s+(?:suivantes|que sont)\s*:?\s*")
_SEP = re.compile(r"\s*,\s*(?:et\s+)?|\s+et\s+(?:de\s+)?")


def commune_list(text: str, start: int, end: int) -> list[Span]:
    """The names of a list of communes written from ``start`` (« Angeville, Boudou, … et
    Saint-Porquier »): at least three names separated by commas or « et », ending at the
    first thing that is not a name."""
    spans: list[Span] = []
    pos = start
    while pos < end:
        span = name_at(text, pos, limit=end, skip_links=False, max_words=7)
        if span is None or span[0] - pos > 1:
            break
        spans.append(span)
        sep = _SEP.match(text, span[1], end)
        if sep is None:
            break
        pos = sep.end()
    return spans if len(spans) >= 3 else []


def list_start(text: str, folded: str, start: int, end: int) -> int | None:
    """Where a list of communes begins in ``[start, end)``: after « communes … : », « communes
    de », « communes suivantes : »."""
    m = re.search(r"\bcommunes\b[^:.;\n]{0,80}?(?::\s*|\bsuivantes\s*:?\s*)", folded[start:end])
    if m:
        return start + m.end()
    m = re.search(r"\bcommunes (?:de|d')\s*", folded[start:end])
    return start + m.end() if m else None


__all__ = ["MIN_SCORE", "Names", "Place", "commune_list", "epci_names", "epci_of_commune",
           "list_start"]
