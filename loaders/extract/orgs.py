"""Organisations named in a text: Caf, MSA, conseils départementaux and régionaux, the État,
EPCI (communauté de communes, d'agglomération…), communes as authorities (« la ville de X »),
and local bodies (« l'association Familles Rurales », « le cabinet Artisans Conseil »).

A mention with a name (« la Caf de Tarn et Garonne », « la MSA Midi-Pyrénées Sud », « CAF 91 »)
is resolved to a registry key through :class:`loaders.extract.territories.Names`. A bare type
word (« la Caf », « la Communauté de Communes ») is the one body of that type the text names,
else what the resolver makes of it in the document's département, else nothing. An acronym
(« la CAESE ») is what the text defined it as (« … Sud-Essonne (CAESE) », « ci-après dénommée
« la CAESE » »), else what the resolver makes of it.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from loaders.extract.names import name_at, shrink
from loaders.extract.spans import Doc
from loaders.extract.territories import Names, Place
from loaders.institutions import slugify

TYPES = re.compile(
    r"\b(?:(?P<caf>caisses? (?:d'|des |de )?allocations? familiales?|caf)"
    r"|(?P<msa>mutualite sociale agricole|msa)"
    r"|(?P<cd>conseil (?:departemental|general)|departement)"
    r"|(?P<cr>conseil regional|region)"
    r"|(?P<etat>etat|sous-prefecture|prefecture|sous-prefete?|prefete?)"
    r"|(?P<epci>communautes? (?:de|des) communes|communaute d'(?:agglomeration|agglo)"
    r"|communaute urbaine|metropole|codecom|com ?com|agglo|cdc|cc|ca|cu)"
    r"|(?P<commune>commune|ville|mairie))\b")
PLURALS = ("les ", "des ", "aux ", "communautes", "caisses")
UPPER_ONLY = frozenset({"cc", "ca", "cu", "cdc", "msa"})
CAPITAL_ONLY = frozenset({"etat", "metropole", "departement", "region", "prefecture"})
RESOLVE_AS = {"caf": "institution", "msa": "institution", "cd": "institution",
              "cr": "institution", "epci": "epci", "commune": "commune"}
ARTICLE = re.compile(r"(?:\b(?:la|le|les|l')\s*)$")
PREP_ONLY = re.compile(r"[ \u00a0]*(?:de la |de l'|des |du |de |d')[ \u00a0]*")
SPACES = re.compile(r"[ \u00a0]+")
LOCAL_STOP = frozenset({"madame", "monsieur", "mme", "pour", "et", "qui", "que", "dont", "par"})
CODE = re.compile(r"[ \u00a0]*(?:n\s*°\s*)?(\d{2,3}|2[ab])\b(?!\s*(?:%|ans|places|€|euros|communes))")
ALIAS_PARENS = re.compile(r"\s*\((?:ci-apres\s+)?(?P<a>[A-Za-z][\w-]{1,9})\)")
ALIAS_NAMED = re.compile(r"ci-apres\s+(?:denomme|designe|nomme|appele)e?s?\s*[:,]?\s*\"?\s*"
                         r"(?:la |le |l')?(?P<a>[^\"\n]{2,30}?)\s*\"")
ACRONYM = re.compile(r"\b(?:[Ll]a|[Ll]e|[Ll]')\s*(?P<a>[A-Z][A-Z]{2,6}(?:[ -][A-Z0-9]{2,4})?)\b")
LOCAL = re.compile(r"\b(?P<t>l'association|le cabinet|la societe|l'entreprise|le bureau d'etudes"
                   r"|la federation|la fondation|le groupement|l'union|le centre communal d'action"
                   r" sociale|la mutuelle)\s+")
LOCAL_KINDS = {"l'association": "association", "le cabinet": "entreprise", "la societe": "entreprise",
               "l'entreprise": "entreprise", "le bureau d'etudes": "entreprise",
               "la federation": "association", "la fondation": "association",
               "le groupement": "autre", "l'union": "association", "la mutuelle": "autre",
               "le centre communal d'action sociale": "autre"}
LOCATIVE = re.compile(r"\b(?:dans|sur|en|vers|depuis|pres de|hors de|au sein de|a travers|au coeur de"
                      r"|a|a l'echelle de|partout dans)\s+(?:l'ensemble (?:de |du |des )"
                      r"|le territoire (?:de |du )|tout le |toute la )?(?:la |le |l'|les )?$")


@dataclass
class OrgMention:
    """One organisation as written; ``key`` once resolved."""

    start: int
    end: int
    type: str  # caf msa cd cr etat epci commune local acronym
    named: bool
    key: str | None = None
    place: Place | None = None
    basis: str = ""
    label: str | None = None  # local bodies: their name
    kind: str | None = None  # local bodies: type-institution concept
    candidates: list[tuple[int, int]] = field(default_factory=list)  # phrases to resolve


def find_orgs(doc: Doc) -> list[OrgMention]:
    """Every organisation mention, unresolved (see :func:`resolve_orgs`)."""
    text, folded = doc.text, doc.folded
    out: list[OrgMention] = []
    for m in TYPES.finditer(folded):
        typ = m.lastgroup or ""
        written = text[m.start():m.end()]
        low = m.group()
        if low in UPPER_ONLY and not written.isupper():
            continue
        if low in CAPITAL_ONLY and not written[0].isupper() and typ in {"etat", "epci"}:
            continue
        art = ARTICLE.search(folded, max(0, m.start() - 4), m.start())
        start = art.start() if art else m.start()
        end, named, phrases = m.end(), False, []
        code = CODE.match(folded, end) if typ in {"caf", "cd"} else None
        if code:
            end, named = code.end(), True
            phrases = [(start, end)]
        elif typ == "msa" and text[end:end + 1] == "-" and text[end + 1:end + 2].isupper():
            stop = re.match(r"-[A-Z]{2,5}\b", text[end:])
            if stop:
                end, named = end + stop.end(), True
                phrases = [(start, end)]
        elif typ != "etat":
            if typ == "commune":  # « la ville de Perpignan », not « La Ville Dieu du Temple »
                preps = [PREP_ONLY.match(folded, end)]
            else:
                preps = [PREP_ONLY.match(folded, end), SPACES.match(folded, end)]
            for prep in preps:
                if not prep:
                    continue
                span = name_at(text, prep.end(), skip_links=False)
                if span and span[0] - prep.end() <= 4 and not text[prep.end():span[0]].strip(
                        " ’'ABCDEFGHIJKLMNOPQRSTUVWXYZ"):
                    named = True
                    name_start = span[0] if typ == "commune" else start
                    phrases = [(name_start, e) for _, e in shrink(text, span)]
                    end = span[1]
                    break
        if typ == "commune" and not named:
            continue
        if typ in {"cd", "cr"} and not named and not written[0].isupper() and \
                LOCATIVE.search(folded, max(0, start - 40), start):
            continue  # « dans le département », « en région »: a territory, not a body
        out.append(OrgMention(start, end, typ, named, candidates=phrases))
    taken = [(o.start, o.end) for o in out]
    for m in ACRONYM.finditer(text):
        a0 = m.start("a")
        if any(s <= a0 < e for s, e in taken) or TYPES.fullmatch(folded, a0, m.end("a")):
            continue
        out.append(OrgMention(m.start(), m.end(), "acronym", True, candidates=[(a0, m.end("a"))]))
    for m in LOCAL.finditer(folded):
        span = name_at(text, m.end(), skip_links=False, stop=LOCAL_STOP)
        if span and span[0] == m.end() and slugify(text[span[0]:span[1]]):
            label = text[span[0]:span[1]]
            out.append(OrgMention(m.start(), span[1], "local", True, key=slugify(label),
                                  label=label, kind=LOCAL_KINDS.get(m["t"], "autre")))
    return sorted(out, key=lambda o: o.start)


def resolve_orgs(doc: Doc, mentions: list[OrgMention], names: Names) -> None:
    """Resolve every mention in place: named ones (without, then with the context), aliases,
    acronyms, then bare type words. Sets ``names.departement`` when the text tells it."""
    text = doc.text
    for o in mentions:
        if o.named and o.type not in {"local", "acronym", "etat"}:
            _resolve_named(o, text, names, context=False)
    if names.departement is None:
        names.departement = context_departement(mentions, doc)
    for o in mentions:
        if o.named and o.key is None and o.type not in {"local", "acronym", "etat"}:
            _resolve_named(o, text, names, context=True)
        if o.type == "etat":
            o.key, o.basis = "etat", ""
    aliases = _aliases(doc, mentions)
    for o in mentions:
        if o.type == "acronym":
            s, e = o.candidates[0]
            acr = text[s:e]
            if acr in aliases:
                o.key, o.place, o.basis = aliases[acr]
            else:
                for kind in ("institution", "epci"):
                    place = names.resolve(acr, kind)
                    if place:
                        o.key, o.place, o.basis = place.key, place, place.basis
                        break
    by_type: dict[str, set[str]] = {}
    first: dict[str, OrgMention] = {}
    for o in mentions:
        if o.named and o.key and o.type not in {"acronym", "local"}:
            by_type.setdefault(o.type, set()).add(o.key)
            first.setdefault(o.key, o)
    for o in mentions:
        if o.named or o.key or doc.folded.startswith(PLURALS, o.start):
            continue
        keys = by_type.get(o.type, set())
        written = text[o.start:o.end]
        if len(keys) == 1:
            key = next(iter(keys))
            ref = first[key]
            o.key, o.place = key, ref.place
            o.basis = (f"« {written} » : le seul organisme de ce type nommé dans le texte, "
                       f"« {text[ref.start:ref.end]} » ({key})")
        elif len(keys) > 1:
            place = names.resolve(written, RESOLVE_AS[o.type]) if (
                names.departement and o.type in RESOLVE_AS) else None
            counts = Counter(x.key for x in mentions if x.named and x.type == o.type and x.key)
            (top, n), (_, n2) = counts.most_common(2)
            if place is not None and place.key in keys:  # the one named that serves the département
                o.key, o.place = place.key, place
                o.basis = (f"« {written} » : parmi les organismes de ce type nommés dans le texte, "
                           f"celui du département {names.departement} ({place.basis})")
            elif n > n2:
                o.key, o.place = top, first[top].place
                o.basis = (f"« {written} » : l’organisme de ce type le plus cité dans le texte, "
                           f"« {text[first[top].start:first[top].end]} » ({top}, {n} mentions)")
        elif not keys and names.departement and o.type in RESOLVE_AS:
            place = names.resolve(written, RESOLVE_AS[o.type])
            if place:
                o.key, o.place, o.basis = place.key, place, place.basis


def _resolve_named(o: OrgMention, text: str, names: Names, *, context: bool) -> None:
    kind = RESOLVE_AS.get(o.type, "institution")
    for s, e in o.candidates:
        place = names.resolve(text[s:e], kind, context=context)
        if place is not None:
            o.key, o.place, o.basis = place.key, place, place.basis
            o.end = e
            return


def _aliases(doc: Doc, mentions: list[OrgMention]) -> dict[str, tuple[str, Place | None, str]]:
    """Acronyms the text defines: « … Sud-Essonne (CAESE) », « ci-après dénommée « la CAESE » »."""
    text, folded = doc.text, doc.folded
    out: dict[str, tuple[str, Place | None, str]] = {}
    for o in mentions:
        if not o.key or o.type == "acronym":
            continue
        m = ALIAS_PARENS.match(text, o.end)
        if m and m["a"][0].isupper():
            out.setdefault(m["a"], (o.key, o.place, f"« {m['a']} » défini par le texte comme "
                                    f"« {text[o.start:o.end]} » ({o.key})"))
    for m in ALIAS_NAMED.finditer(folded):
        before = [o for o in mentions if o.key and o.end <= m.start() and o.type != "acronym"
                  and doc.text.count("\n\n", o.start, m.start()) <= 1]
        if before:
            para = [o for o in before if _paragraph_start(text, m.start()) <= o.start] or before[-1:]
            o = para[0]
            alias = text[m.start("a"):m.end("a")]
            out.setdefault(alias, (o.key, o.place, f"« {alias} » défini par le texte comme "
                                   f"« {text[o.start:o.end]} » ({o.key})"))
    return out


def _paragraph_start(text: str, pos: int) -> int:
    i = text.rfind("\n\n", 0, pos)
    j = text.rfind("\nET\n", 0, pos)
    return max(i, j, 0)


def context_departement(mentions: list[OrgMention], doc: Doc | None = None) -> str | None:
    """The département the text is about: the one most of its named EPCI, Caf, conseils
    départementaux and communes lie in (an EPCI named as a place — « dans la communauté de
    communes X » — counts less)."""
    votes: Counter[str] = Counter()
    weight = {"epci": 3, "caf": 2, "cd": 2, "commune": 1}
    for o in mentions:
        if o.named and o.place and o.place.departements and o.type in weight:
            aside = doc is not None and o.type == "epci" and is_locative(doc, o)
            for dep in o.place.departements:  # an EPCI over two départements votes for both
                votes[dep] += (1 if aside else weight[o.type]) / len(o.place.departements)
    ranked = votes.most_common(2)
    if not ranked or (len(ranked) == 2 and ranked[0][1] == ranked[1][1]):
        return None  # nothing, or a tie: no context rather than a guess
    return ranked[0][0]


def is_locative(doc: Doc, o: OrgMention) -> bool:
    """« dans la communauté de communes X », « sur le territoire de … »: a place, not a party."""
    return LOCATIVE.search(doc.folded, max(0, o.start - 45), o.start) is not None


__all__ = ["OrgMention", "context_departement", "find_orgs", "is_locative", "resolve_orgs"]
