"""Facilities with their place: « une crèche de 80 places (35 places nouvelles) », « un pôle
petite enfance sur la commune de Castelsarrasin regroupant … », « le centre social du Sarlac à
Moissac », « deux espaces d’accueil du jeune enfant, un premier prévu à Lézat-sur-Lèze … et un
second au Fossat ».

A facility is kept only where the text places it (a commune, or an EPCI « sur … la communauté
de communes »): the record format needs one. A plural mention (« deux crèches ») is not a
facility; the items that follow it (« un premier … à A, un second … à B ») are. The parts of a
pôle (« regroupant … ») are placed where the pôle is, and say so. Status (projet / existant)
is read from the words around (création, prévu, seront construites / actuellement, reprise,
leur) and marked inferred with those words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.extract.names import name_at, of_phrase
from loaders.extract.orgs import OrgMention
from loaders.extract.spans import Doc, Span
from loaders.extract.territories import Names, Place
from loaders.institutions import slugify

KINDS: tuple[tuple[str, str], ...] = (
    ("micro-creche", r"micro[- ]?creches?"),
    ("laep-itinerant", r"(?:lieux? d'accueil enfants?[- ]parents?|\blaep)\s+itinerants?"),
    ("laep", r"lieux? d'accueil enfants?[- ]parents?|\blaep\b"),
    ("relais-petite-enfance", r"relais (?:petite enfance|d'assistant\w* maternel\w*|assistant\w* "
                              r"maternel\w*)|\brpe\b|\bram\b"),
    ("pole-petite-enfance", r"poles? (?:de la )?petite enfance|maisons? de la petite enfance"),
    ("creche", r"creches?(?: collectives?| familiales?| parentales?)?"),
    ("eaje", r"multi-?accueils?|(?:etablissements?|espaces?|structures?|lieux?) d'accueil "
             r"(?:du |des |de la )?(?:jeunes? enfants?|petite enfance)|\beajes?\b"),
    ("centre-social", r"centres? sociaux|centres? social|centres? socio-?culturels?"),
    ("espace-vie-sociale", r"espaces? de vie sociale|\bevs\b"),
    ("tiers-lieu", r"tiers[- ]lieux?"),
    ("fablab", r"\bfab ?labs?\b"),
    ("accueil-loisirs", r"accueils? de loisirs(?: sans hebergement)?|\balsh\b|centres? de loisirs"),
    ("equipement-enfance", r"batiments? d'accueil (?:a destination |pour )?(?:des |les )?enfants"
                           r"|equipements? (?:de la )?(?:petite )?enfance"),
)
LABELS = {"micro-creche": "Micro-crèche", "laep-itinerant": "Lieu d’accueil enfants-parents itinérant",
          "laep": "Lieu d’accueil enfants-parents", "relais-petite-enfance": "Relais petite enfance",
          "pole-petite-enfance": "Pôle petite enfance", "creche": "Crèche", "eaje":
          "Établissement d’accueil du jeune enfant", "centre-social": "Centre social",
          "espace-vie-sociale": "Espace de vie sociale", "tiers-lieu": "Tiers-lieu",
          "fablab": "FabLab", "accueil-loisirs": "Accueil de loisirs",
          "equipement-enfance": "Équipement enfance"}
NARROWER = {"eaje": {"creche", "micro-creche"}, "equipement-enfance": {"creche", "micro-creche", "eaje"}}
UPPER = frozenset({"ram", "evs", "rpe", "laep", "eaje", "alsh"})
_KIND = re.compile("|".join(f"(?P<f{i}>{p})" for i, (_, p) in enumerate(KINDS)))
COUNTS = {"deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8, "dix": 10}
DET = re.compile(r"\b(?P<det>un|une|le|la|les|l'|des|leur|leurs|son|sa|ses|notre|nos"
                 r"|deux|trois|quatre|cinq|six|sept|huit|dix|\d+)\s*(?:(?:nouvel(?:le)?s?|nouveaux|futur"
                 r"e?s?|premiers?|petite?s?|grande?s?)\s+)?$")
ORDINAL = re.compile(r"\b(?:un|une|le|la)\s+(?:premier|premiere|second|seconde|deuxieme|troisieme"
                     r"|quatrieme|cinquieme|dernier|derniere|autre)\b")
PLACE_PREP = re.compile(r"\b(?:sur (?:la|les) communes? d[e'] ?|dans (?:la|les) communes? d[e'] ?"
                        r"|de la commune d[e'] ?|a|au|aux|en)\s+")
CAPACITY = re.compile(r"\s*(?:de|d'une capacite de|pour|d'environ)\s+(?P<n>\d{1,4})\s+(?:places|berceaux)")
NEW_PLACES = re.compile(r"\(\s*(?P<a>\d{1,4})\s+places? nouvelles?\s*\)"
                        r"|dont\s+(?P<b>\d{1,4})\s+(?:places\s+)?nouvelles"
                        r"|(?P<c>\d{1,4})\s+(?:nouvelles places|places supplementaires)")
QUOTED = re.compile(r"\s*[«\"“]\s*(?P<name>[^»\"”\n]{2,40}?)\s*[»\"”]")  # « Les Petits Loups »
IN_EPCI = re.compile(r"\b(?:sur|dans|de)\s+(?:\w+\s+){0,3}$")
PARTS = re.compile(r"\b(?:regroupant|comprenant|reunissant|integrant|rassemblant|compose d[e'])\b")
PROJECT = re.compile(r"\b(?:creation|creer|construire|construction|construites?|amenagement|projet"
                     r"|prevue?s?|futur\w*|ouvrira|ouvriront|seront|sera|envisag\w+|reflexion)\b")
EXISTING = re.compile(r"\b(?:actuellement|existante?s?|deja|reprise|fonctionne\w*|leurs?|ses|notre|nos)\b")
PAST = re.compile(r"\bapres avoir\b|\ba (?:ete )?(?:cree|ouvert|inaugure)e?\b")
OPERATOR = re.compile(r"\b(?P<verb>gere\w* par|porte\w* par|exploite\w* par|anime\w* par|par)\s+")
POSSESSIVE = frozenset({"leur", "leurs", "son", "sa", "ses", "notre", "nos"})


@dataclass
class FacilityMatch:
    """A facility placed in a commune or an EPCI."""
    key: str
    kind: str
    label: str
    span: Span  # the facility as written
    evidence: list[Span] = field(default_factory=list)
    commune: Place | None = None
    territory: Place | None = None
    place_basis: str = ""
    capacity: int | None = None
    new_places: int | None = None
    part_of: str | None = None
    operator: str | None = None
    status: str | None = None
    status_basis: str = ""


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    kind: str
    count: int  # 1, or how many a plural mention speaks of (0: unknown)
    det: str


def _mentions(doc: Doc) -> list[_Mention]:
    out = []
    for m in _KIND.finditer(doc.folded):
        i = next(int(k[1:]) for k, v in m.groupdict().items() if v)
        kind = KINDS[i][0]
        if m.group().strip() in UPPER and not doc.text[m.start():m.end()].isupper():
            continue
        det = DET.search(doc.folded, max(0, m.start() - 30), m.start())
        word = det["det"] if det else ""
        plural = m.group().split()[0].endswith(("s", "x")) and not m.group().startswith(("relais", "tiers"))
        count = COUNTS.get(word, int(word) if word.isdigit() else (0 if plural or word in {"des", "les"}
                                                                    else 1))
        out.append(_Mention(det.start() if det else m.start(), m.end(), kind, count, word))
    return out


def find_facilities(doc: Doc, orgs: list[OrgMention], names: Names, main_epci: Place | None
                    ) -> list[FacilityMatch]:
    """Facilities that the text places in a commune or an EPCI."""
    mentions = _mentions(doc)
    out: list[FacilityMatch] = []
    keys: set[str] = set()
    parts: set[int] = set()  # mentions already taken as parts of a pôle
    for i, m in enumerate(mentions):
        if m.start in parts:
            continue
        nxt = mentions[i + 1].start if i + 1 < len(mentions) else len(doc.text)
        if m.count != 1:
            out.extend(_enumerated(doc, m, mentions, orgs, names, keys))
            continue
        clause = doc.clause(m.start, m.end)
        window = (m.end, min(max(clause[1], m.end), nxt, m.end + 150))
        prev = mentions[i - 1].end if i else 0
        before = (max(clause[0], prev), m.start)
        f = _facility(doc, m, window, orgs, names, main_epci, keys, before=before)
        if f is not None:
            out.append(f)
            if m.kind == "pole-petite-enfance":
                grouped = _parts(doc, f, mentions[i + 1:], keys)
                parts.update(g.span[0] for g in grouped)
                out.extend(grouped)
    return [f for f in out if f.commune or f.territory]


def _facility(doc: Doc, m: _Mention, window: Span, orgs: list[OrgMention], names: Names,
              main_epci: Place | None, keys: set[str], kind: str | None = None,
              before: Span | None = None) -> FacilityMatch | None:
    text, folded = doc.text, doc.folded
    kind = kind or m.kind
    name = None
    commune, territory, basis, place_end = _place(doc, window, orgs, names, main_epci)
    if commune is None and territory is None and before is not None:
        # « … à la commune de Martel pour le relais »: a place just before, in the same clause
        commune, territory, basis, _ = _place(doc, before, orgs, names, None)
    after = re.match(r"\s+(?:du|de la|de l'|des|d'|de)\s*", folded[m.end:window[1]])
    if after:
        span = name_at(text, m.end + after.end(), skip_links=False, max_words=4)
        if span and span[0] == m.end + after.end():
            place = names.resolve(text[span[0]:span[1]], "commune")
            if place is None:
                name = re.split(r"\s+(?:à|a|au|aux|en|sur|dans)\s+", text[m.end:span[1]].strip())[0]
            elif commune is None and territory is None:
                commune, basis, place_end = place, place.basis, span[1]
    if commune is None and territory is None and kind != "pole-petite-enfance":
        return None
    quoted = QUOTED.match(text, m.end)
    if quoted and name is None:
        name = f"« {quoted['name'].strip()} »"
    where = commune.name if commune else (territory.name if territory else "")
    label = f"{LABELS[kind]} {name} ({where})" if name else f"{LABELS[kind]} {of_phrase(where)}"
    key = _key(f"{kind}-{slugify(name) if name else slugify(where)}", keys)
    f = FacilityMatch(key, kind, label, (m.start, max(m.end, place_end)), [(m.start, m.end)],
                      commune, territory, basis)
    cap = CAPACITY.match(folded, m.end)
    if cap:
        f.capacity = int(cap["n"])
    new = NEW_PLACES.search(folded, m.end, min(len(folded), m.end + 80))
    if new:
        f.new_places = int(new["a"] or new["b"] or new["c"])
    if m.det in POSSESSIVE:
        f.status = "existant"
        f.status_basis = f"« {text[m.start:m.end]} » : présenté comme déjà à la disposition des partenaires"
    else:
        f.status, f.status_basis = _status(doc, m.start, m.end)
    for op in OPERATOR.finditer(folded, f.span[1], doc.sentence_at(m.start)[1]):
        o = next((o for o in orgs if op.end() <= o.start <= op.end() + 1 and o.key), None)
        if o is not None and (o.type == "local" or op["verb"] != "par"):
            f.operator = o.key
            break
    return f


def _place(doc: Doc, window: Span, orgs: list[OrgMention], names: Names, main_epci: Place | None
           ) -> tuple[Place | None, Place | None, str, int]:
    """The first commune or EPCI named in ``window`` after a place preposition:
    ``(commune, territory, basis, end of the place as written)``."""
    text, folded = doc.text, doc.folded
    found: list[tuple[int, Place | None, Place | None, str, int]] = []
    for o in orgs:
        if not window[0] <= o.start < window[1]:
            continue
        if o.key and o.place is not None:
            if o.type == "commune":
                found.append((o.start, o.place, None, o.basis, o.end))
            elif o.type == "epci" and IN_EPCI.search(folded[window[0]:o.start]):
                found.append((o.start, None, o.place, o.basis, o.end))
        elif o.type == "epci" and main_epci:
            found.append((o.start, None, main_epci, f"« {text[o.start:o.end]} » : {main_epci.basis}",
                          o.end))
        if found:
            break
    for p in PLACE_PREP.finditer(folded, window[0], window[1]):
        if found and p.start() > found[0][0]:
            break
        span = name_at(text, p.end(), limit=window[1], skip_links=False, max_words=7)
        if span is None or span[0] != p.end():
            continue
        contracted = folded[p.start():p.start() + 2] == "au"  # « au Fossat »
        place = names.resolve(text[p.start() if contracted else span[0]:span[1]], "commune")
        if place is not None:
            found.append((p.start(), place, None, place.basis, span[1]))
            break
    if not found:
        return None, None, "", window[0]
    _, commune, territory, basis, end = min(found, key=lambda x: x[0])
    return commune, territory, basis, end


def _status(doc: Doc, start: int, end: int) -> tuple[str | None, str]:
    """projet / existant from the words of the clause: a past (« après avoir ») first, then
    the cue nearest before the facility, then a cue after it in its clause."""
    sentence = doc.sentence_at(start)
    folded, text = doc.folded, doc.text
    lo = max(sentence[0], start - 120)
    past = PAST.search(folded, lo, start)
    if past:
        return "existant", f"« {text[past.start():past.end()]} » : présenté comme passé"
    cues = [(m.end(), m, "existant") for m in EXISTING.finditer(folded, lo, start)
            if m.group() not in POSSESSIVE]
    cues += [(m.end(), m, "projet") for m in PROJECT.finditer(folded, lo, start)]
    if not cues:
        clause = doc.clause(start, end)
        after = PROJECT.search(folded, end, max(clause[1], end))
        cues = [(0, after, "projet")] if after else []
    if not cues:
        return None, ""
    _, m, status = max(cues, key=lambda c: c[0])
    return status, f"« {text[m.start():m.end()]} » dans la phrase qui la cite"


def _enumerated(doc: Doc, m: _Mention, mentions: list[_Mention], orgs: list[OrgMention],
                names: Names, keys: set[str]) -> list[FacilityMatch]:
    """« deux espaces d’accueil du jeune enfant, un premier prévu à A … et un second au B »."""
    sentence = doc.sentence_at(m.start)
    ordinals = list(ORDINAL.finditer(doc.folded, m.end, sentence[1]))
    if len(ordinals) < 2:
        return []
    kind, refined = m.kind, None
    if m.kind in NARROWER:
        first = doc.sentence_index(m.start)
        lo = doc.sentences[max(0, first - 2)][0]
        for other in mentions:
            if lo <= other.start < m.start and other.kind in NARROWER[m.kind] and other.count == m.count:
                kind, refined = other.kind, other
    out = []
    for j, o in enumerate(ordinals):
        end = ordinals[j + 1].start() if j + 1 < len(ordinals) else sentence[1]
        sub = _Mention(o.start(), o.end(), kind, 1, "")
        f = _facility(doc, sub, (o.end(), end), orgs, names, None, keys, kind)
        if f is None:
            continue
        f.evidence = [(m.start, m.end), (o.start(), f.span[1])]
        if refined is not None:
            f.evidence.append((refined.start, refined.end))
            f.status, f.status_basis = _status(doc, refined.start, refined.end)
        out.append(f)
    return out


def _parts(doc: Doc, pole: FacilityMatch, after: list[_Mention], keys: set[str]) -> list[FacilityMatch]:
    """The facilities a pôle groups (« regroupant une crèche …, le relais … et un LAEP »)."""
    sentence = doc.sentence_at(pole.span[0])
    cue = PARTS.search(doc.folded, pole.span[1], sentence[1])
    if cue is None:
        return []
    out = []
    for m in after:
        if m.start < cue.end() or m.start >= sentence[1]:
            break
        where = pole.commune.name if pole.commune else (pole.territory.name if pole.territory else "")
        key = _key(f"{m.kind}-{pole.key}", keys)
        label = f"{LABELS[m.kind]} du {LABELS['pole-petite-enfance'].lower()} {of_phrase(where)}"
        f = FacilityMatch(key, m.kind, label, (m.start, m.end), [(pole.span[0], m.end)],
                          pole.commune, pole.territory,
                          f"dans le pôle petite enfance « {doc.text[pole.span[0]:pole.span[1]]} »"
                          + (f" ; {pole.place_basis}" if pole.place_basis else ""),
                          part_of=pole.key)
        cap = CAPACITY.match(doc.folded, m.end)
        if cap:
            f.capacity = int(cap["n"])
        new = NEW_PLACES.search(doc.folded, m.end, min(len(doc.folded), m.end + 80))
        if new and (not out or new.start() > m.end):
            f.new_places = int(new["a"] or new["b"] or new["c"])
        f.status = pole.status
        f.status_basis = f"composante du pôle petite enfance ({pole.status_basis})" if pole.status else ""
        out.append(f)
    return out


def _key(key: str, keys: set[str]) -> str:
    base, n = key.strip("-")[:80].strip("-"), 2
    key = base
    while key in keys:
        key, n = f"{base}-{n}", n + 1
    keys.add(key)
    return key


__all__ = ["KINDS", "LABELS", "FacilityMatch", "find_facilities"]
