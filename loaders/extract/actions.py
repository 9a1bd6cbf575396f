"""Actions: the items of a list that a lead-in presents as actions (« La convention territoriale
globale prévoit de nombreuses actions … avec comme exemple concret : »), each with the domains,
facilities, places and actors it names. « Et d’autres actions … » closes a list; it is not one.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.extract.domains import domain_words
from loaders.extract.facilities import FacilityMatch
from loaders.extract.names import name_at
from loaders.extract.orgs import OrgMention
from loaders.extract.spans import Doc, Span
from loaders.extract.territories import Names
from loaders.institutions import slugify

LEAD = re.compile(r"\bactions\b|fiches?[- ]actions?|plan d'actions?|\baction\s*:")
NOT_AN_ACTION = re.compile(r"\s*(?:et d'autres|et autres|etc\b|\.\.\.)")
AT = re.compile(r"\b(?:a|au|aux|sur la commune de|sur les communes de|communes de|commune de)\s+")
NEXT = re.compile(r"\s*,\s*(?:et\s+)?|\s+et\s+")
STOPWORDS = frozenset({"le", "la", "les", "l", "de", "des", "du", "d", "un", "une", "et", "a", "au",
                       "aux", "en", "sur", "pour", "avec"})


@dataclass
class ActionMatch:
    """One action of a plan, with what it names."""
    key: str
    label: str
    span: Span
    domains: list[str] = field(default_factory=list)
    facilities: list[str] = field(default_factory=list)
    locations: list[tuple[str, str]] = field(default_factory=list)  # (commune|epci, code)
    location_basis: list[str] = field(default_factory=list)
    actors: list[str] = field(default_factory=list)


def find_actions(doc: Doc, facilities: list[FacilityMatch], orgs: list[OrgMention], names: Names
                 ) -> list[ActionMatch]:
    """The actions listed in ``doc`` (items of a list presented as actions)."""
    text, folded = doc.text, doc.folded
    out: list[ActionMatch] = []
    keys: set[str] = set()
    for i, line in enumerate(doc.lines):
        if not line.bullet:
            continue
        intro = doc.intro_of(i)
        if intro is None or not LEAD.search(folded, intro.start, intro.end):
            continue
        s, e = line.content
        if NOT_AN_ACTION.match(folded, s):
            continue
        label = text[s:e].rstrip(" .;,")
        a = ActionMatch("", label[0].upper() + label[1:], (s, e))
        for h in domain_words(folded, s, e):
            if h.domain not in a.domains:
                a.domains.append(h.domain)
        a.facilities = [f.key for f in facilities if s <= f.span[0] < e]
        for f in facilities:
            if s <= f.span[0] < e and f.commune and ("commune", f.commune.identifier) not in a.locations:
                a.locations.append(("commune", f.commune.identifier))
                a.location_basis.append(f.place_basis)
        for o in orgs:
            if s <= o.start < e and o.key:
                if o.type == "local" and o.key not in a.actors:
                    a.actors.append(o.key)
                elif (o.type == "epci" and not o.named and o.place
                      and ("epci", o.place.identifier) not in a.locations):
                    a.locations.append(("epci", o.place.identifier))
                    a.location_basis.append(o.basis)
        for m in AT.finditer(folded, s, e):
            pos = m.end()
            while pos < e:
                span = name_at(text, pos, limit=e, skip_links=False, max_words=6)
                if span is None or span[0] != pos:
                    break
                place = names.resolve(text[span[0]:span[1]], "commune")
                if place and ("commune", place.identifier) not in a.locations:
                    a.locations.insert(sum(1 for x in a.locations if x[0] == "commune"),
                                       ("commune", place.identifier))
                    a.location_basis.append(place.basis)
                sep = NEXT.match(folded, span[1], e)
                if sep is None:
                    break
                pos = sep.end()
        base = a.facilities[0] if a.facilities else "-".join(
            w for w in slugify(label).split("-") if w not in STOPWORDS)[:60].strip("-")
        key, n = base or "action", 2
        while key in keys:
            key, n = f"{base}-{n}", n + 1
        keys.add(key)
        a.key = key
        out.append(a)
    return out


__all__ = ["ActionMatch", "find_actions"]
