"""Who signs a convention, who represents whom, and which territory it covers.

Signatories are the organisations named in the convention's signing sentences (not those
named as places: « dans le département des Alpes-Maritimes »), the communes those sentences
list, the organisations of the people they name in a role, and the parties of an « ENTRE LES
SOUSSIGNÉS » block. Representatives are the people those sentences (or the block: « représentée
par ») name in a role for a signatory. Territories are the EPCI that sign, else the EPCI the
convention's sentences name as its territory, else the one EPCI the text names; a convention
of communes alone covers those communes.

When a text names no signatory of a charte « avec les familles » (or a CTG), the MSA (or the
Caf) it speaks of and the EPCI it is about are given as signatories, marked inferred.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.extract.conventions import Instance
from loaders.extract.orgs import OrgMention, is_locative
from loaders.extract.people import PersonMatch
from loaders.extract.signing import SIGN
from loaders.extract.spans import Doc, Span
from loaders.extract.territories import Names, commune_list, list_start

ENTRE = re.compile(r"^\s*(?:\*\*)?\s*entre\s*(?:les\s+(?:soussignes|parties)\s*)?:?\s*(?:\*\*)?\s*$", re.M)
BLOCK_END = re.compile(r"^\s*(?:\*\*)?\s*(?:article|preambule|il (?:a ete|est) (?:convenu|arrete|decide)"
                       r"|vu |considerant|ceci (?:etant )?expose|titre|chapitre)", re.M)
PRESENCE = re.compile(r"\b(?:en (?:la )?presence d\w*|avec le soutien d\w*|sous l'egide d\w*|aux cotes d\w*"
                      r"|hors d\w*|invitee?s? par)\s*")
ROLE_TAIL = re.compile(r",\s*(?:son |sa )?(?:sous-prefete?|prefete?|maire|presidente?|vice-presidente?"
                       r"|directeur|directrice|depute\w*|senat\w*|conseill\w+|adjointe?)\b[^,;]*")
INDEFINITE = re.compile(r"\b(?:de|des|d'autres) conventions\b")
TERRITORY_CUE = re.compile(r"\bterritoire\b|\bperimetre\b|\bsur l'ensemble\b")
PROMOTER = {"charte-avec-les-familles": "msa", "ctg": "caf"}


@dataclass
class Party:
    """A signatory: its key, as written, its evidence and the basis of its key."""
    key: str
    written: Span
    evidence: list[Span] = field(default_factory=list)
    basis: str = ""
    type: str = ""
    named: bool = True
    resolution: str = ""  # how the name was resolved, when ``basis`` says more


@dataclass
class Parties:
    """Signatories, representatives and territories of one convention."""
    signatories: list[Party] = field(default_factory=list)
    representatives: list[tuple[PersonMatch, str, list[Span], str]] = field(default_factory=list)
    territories: list[tuple[str, str, Span, list[Span], str]] = field(default_factory=list)
    # (kind epci|commune, code, written span, evidence, basis)


def signing_sentences(doc: Doc, inst: Instance, previous: frozenset[Span] = frozenset()) -> list[Span]:
    """The sentences of ``inst`` that speak of a signing (not of another convention's:
    ``previous`` holds the sentences that state a previous convention's signing)."""
    out = []
    for i in sorted(inst.sentences):
        s0, s1 = doc.sentences[i]
        if not SIGN.search(doc.folded, s0, s1):
            continue
        if (s0, s1) in previous and inst.role != "previous":
            continue
        if INDEFINITE.search(doc.folded, s0, s1) and not any(s0 <= k.start < s1 for k in inst.anchors):
            continue
        out.append((s0, s1))
    return out


def entre_block(doc: Doc) -> Span | None:
    """« ENTRE LES SOUSSIGNÉS » … up to the first article or preamble."""
    m = ENTRE.search(doc.folded)
    if m is None:
        return None
    start = m.start() + len(m.group()) - len(m.group().lstrip())
    end = BLOCK_END.search(doc.folded, m.end())
    return start, end.start() if end else min(len(doc.text), m.end() + 3000)


def find_parties(doc: Doc, inst: Instance, orgs: list[OrgMention], people: list[PersonMatch],
                 names: Names, main_epci: OrgMention | None,
                 previous: frozenset[Span] = frozenset()) -> Parties:
    """Signatories, representatives and territories of ``inst`` (see the module docstring)."""
    out = Parties()
    by_key: dict[str, Party] = {}

    def add(key: str, written: Span, evidence: Span, basis: str, typ: str, named: bool = True) -> None:
        party = by_key.get(key)
        if party is None:
            party = by_key[key] = Party(key, written, [], basis, typ, named)
            out.signatories.append(party)
        elif named and not party.named:
            party.written, party.basis, party.named = written, basis, True
        party.evidence.append(evidence)

    sentences = signing_sentences(doc, inst, previous)
    absent = _present_only(doc, sentences, people)
    block = entre_block(doc) if inst.role == "main" else None
    for s0, s1 in sentences:
        for o in orgs:
            if s0 <= o.start < s1 and o.key and o.type != "local" and not is_locative(doc, o) \
                    and not any(a <= o.start < b for a, b in absent):
                add(o.key, (o.start, o.end), (s0, s1), o.basis, o.type, o.named)
        start = list_start(doc.text, doc.folded, s0, s1)
        if start is not None:
            for c0, c1 in commune_list(doc.text, start, s1):
                place = names.resolve(doc.text[c0:c1], "commune")
                if place is not None:
                    add(place.key, (c0, c1), (s0, s1), place.basis, "commune")
        for p in people:
            for r in p.roles:
                if r.organisation and s0 <= r.span[0] < s1 and not any(a <= r.span[0] < b for a, b in absent):
                    add(r.organisation, r.org_span or r.span, r.span, r.basis, "")
    if block is not None:
        for o in orgs:
            if block[0] <= o.start < block[1] and o.key and o.type != "local" and \
                    not doc.text[doc.line_at(o.start).start:o.start].strip(" *»«\"-"):
                line = doc.line_at(o.start)
                add(o.key, (o.start, o.end), (block[0], doc.line_at(block[0]).end), o.basis, o.type,
                    o.named)
                by_key[o.key].evidence.append((line.start, line.end))
    keys = {p.key for p in out.signatories}
    for p in people:
        for r in p.roles:
            if r.organisation not in keys:
                continue
            represented = block is not None and p.represented_at is not None and \
                block[0] <= p.represented_at < block[1]
            present = any(a <= r.span[0] < b for a, b in absent)
            if represented or (not present and any(s0 <= r.span[0] < s1 for s0, s1 in sentences)):
                ev = (p.represented_at, r.span[1]) if represented and p.represented_at else r.span
                out.representatives.append((p, r.organisation, [ev], r.basis))
    if not out.signatories and inst.role in {"main", "other"}:
        _implied(doc, inst, orgs, main_epci, out)
    _territories(doc, inst, orgs, out, main_epci)
    return out


def _present_only(doc: Doc, sentences: list[Span], people: list[PersonMatch]) -> list[Span]:
    """The spans of « en présence de X, sous-préfet de Y »: who attends without signing."""
    out = []
    for s0, s1 in sentences:
        for m in PRESENCE.finditer(doc.folded, s0, s1):
            comma = doc.folded.find(",", m.end(), s1)
            end = s1 if comma < 0 else comma
            while (tail := ROLE_TAIL.match(doc.folded, end, s1)) is not None:
                end = tail.end()
            for p in people:
                for r in p.roles:
                    if m.end() <= r.span[0] <= end:
                        end = max(end, r.span[1])
            out.append((m.start(), end))
    return out


def _implied(doc: Doc, inst: Instance, orgs: list[OrgMention], main_epci: OrgMention | None,
             out: Parties) -> None:
    """A charte (a CTG) with no signatory named: its promoter and its EPCI, inferred."""
    for kind in inst.kinds:
        promoter = PROMOTER.get(kind)
        o = next((o for o in orgs if o.type == promoter and o.key), None)
        if o is None:
            continue
        basis = (f"le texte ne nomme pas les signataires ; la {kind.replace('-', ' ')} est une démarche "
                 f"de la {promoter.upper()} qu’il cite : « {doc.text[o.start:o.end]} » = {o.key}"
                 + (f" ({o.basis})" if o.basis else ""))
        out.signatories.append(Party(o.key, (o.start, o.end), [doc.excerpt(o.start, o.end)], basis,
                                     o.type))
        break
    if main_epci is not None and out.signatories:
        basis = ("le texte ne nomme pas les signataires ; la démarche porte sur le territoire de "
                 f"« {doc.text[main_epci.start:main_epci.end]} » = {main_epci.key} ({main_epci.basis})")
        out.signatories.append(Party(main_epci.key or "", (main_epci.start, main_epci.end),
                                     [doc.excerpt(main_epci.start, main_epci.end)], basis, "epci",
                                     resolution=main_epci.basis))


def _territories(doc: Doc, inst: Instance, orgs: list[OrgMention], out: Parties,
                 main_epci: OrgMention | None) -> None:
    epcis = [p for p in out.signatories if p.key.startswith("epci-")]
    for p in epcis:
        out.territories.append(("epci", p.key[5:], p.written, p.evidence[:1], p.resolution or p.basis))
    if epcis or inst.role not in {"main", "other"}:
        return
    for i in sorted(inst.sentences):
        s0, s1 = doc.sentences[i]
        if not TERRITORY_CUE.search(doc.folded, s0, s1):
            continue
        for o in orgs:
            if s0 <= o.start < s1 and o.key and o.key.startswith("epci-") and \
                    all(t[1] != o.key[5:] for t in out.territories):
                out.territories.append(("epci", o.key[5:], (o.start, o.end),
                                        [doc.excerpt(o.start, o.end)], o.basis))
    if out.territories:
        return
    communes = [p for p in out.signatories if p.key.startswith("commune-")]
    if communes:
        for p in communes:
            out.territories.append(("commune", p.key[8:].upper(), p.written, p.evidence[:1], p.basis))
    elif main_epci is not None and main_epci.key:
        basis = (f"l’EPCI dont parle le texte : « {doc.text[main_epci.start:main_epci.end]} »"
                 f" ({main_epci.basis})")
        out.territories.append(("epci", main_epci.key[5:], (main_epci.start, main_epci.end),
                                [doc.excerpt(main_epci.start, main_epci.end)], basis))


__all__ = ["Parties", "Party", "entre_block", "find_parties", "signing_sentences"]
