"""Fundings: an amount tied to its funder and to the facility it funds.

« un premier prévu à Lézat-sur-Lèze qui sera accompagné à hauteur de 50.000€ par la MSA et un
second au Fossat, soutenu à hauteur de 27.000€ » gives two fundings by the MSA: the funder is
« par X » after the amount, « la subvention / participation de X » before it, or X as the
subject of « finance, verse, attribue, accorde… »; an amount of the same sentence without a
funder of its own shares the funder of the one before it (marked inferred). An amount with no
funder in its sentence gives no funding, nor does a cost, a budget or a rate (« 2 600 € par
place »). The funded item is the facility named just before the amount (or just after it).

Without an amount, « après avoir accompagné financièrement la création d’un bâtiment … » is a
funding too when its funder is stated or is the subject (« elle ») of a text about one Caf or
MSA (inferred, with that basis).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.extract.amounts import Amount
from loaders.extract.facilities import FacilityMatch
from loaders.extract.orgs import OrgMention, is_locative
from loaders.extract.spans import Doc, Span
from loaders.extract.territories import Names

BY = re.compile(r"\s*(?:,\s*)?(?:(?:versee|accordee|attribuee|apportee)s?\s+)?(?:par|de la part d[eu']"
                r"|au titre d[eu'])\s*$")
OF_AMOUNT = re.compile(r"\s*(?:de|d'|\()\s*")  # « 50 000 € de la Caf », « 45 000 € (Caf de l'Ariège) »
OF = re.compile(r"\b(?:subventions?|participations?|aides?|soutien|contributions?|financements?|"
                r"apport|dotation|bonus)(?:\s+(?:financiere?s?|exceptionnel(?:le)?s?|territoire))?\s+"
                r"(?:de la |de l'|du |des |de )\s*$")
VERB = re.compile(r"\b(?:finance\w*|cofinance\w*|co-finance\w*|verse\w*|attribue\w*|accorde\w*|apporte\w*"
                  r"|alloue\w*|octroie\w*|participe\w*|contribue\w*|subventionne\w*|mobilise\w*"
                  r"|accompagne\w*|soutien\w*)\b")
COST = re.compile(r"\b(?:cout\w*|budget\w*|montant total|estime\w*|investissement|devis|prix|loyer"
                  r"|chiffre d'affaires|depense\w*)\b")
CO = re.compile(r"\b(?:rejoin\w+|aux cotes d\w*|cofinanc\w+|co-financ\w+|ainsi que|partenaires financiers"
                r"|financement|plan de financement|avec)\b")
PAID = re.compile(r"\bverse(?:e|s|es)?\b|\bpaye\w*|\bregle\w*")
GRANTED = re.compile(r"\b(?:a|ont)\s+(?:ete\s+)?(?:accorde|attribue|octroye|alloue|finance|verse)\w*\b")
FINANCIAL_HELP = re.compile(r"\b(?:accompagne\w*|soutenu\w*|aide\w*)\s+financierement\b"
                            r"|\b(?:a|ont|avoir)\s+(?:co-?)?finance\b|\bsubventionne\w*")
PRONOUN = re.compile(r"\b(?:elle|il)\b")
GENERIC_FUNDERS = frozenset({"caf", "msa", "cd", "cr"})


@dataclass
class FundingMatch:
    """A funding: who funds which facility, with how much when the text says."""
    funder: str
    funded: str  # facility key
    amount: float | None
    evidence: list[Span] = field(default_factory=list)
    funder_basis: str = ""
    co_funders: list[str] = field(default_factory=list)
    co_basis: str = ""
    status: str | None = None
    status_basis: str = ""


def find_fundings(doc: Doc, amounts: list[Amount], orgs: list[OrgMention],
                  facilities: list[FacilityMatch], primary: OrgMention | None) -> list[FundingMatch]:
    """Fundings with an amount, then fundings stated without one."""
    out: list[FundingMatch] = []
    funded: set[str] = set()
    previous: dict[int, tuple[OrgMention, str]] = {}  # sentence → its last funder and its key
    for a in amounts:
        if a.rate:
            continue
        s0, s1 = doc.sentence_at(a.start)
        clause = doc.clause(a.start, a.end)
        funder, basis = _funder(doc, a, orgs, clause, (s0, s1))
        sid = doc.sentence_index(a.start)
        inherited = funder is None and sid in previous
        if inherited:
            funder, key = previous[sid]
            written = doc.text[funder.start:funder.end]
            basis = (f"montant de la même phrase que le financement par « {written} » ({key}), "
                     "sans autre financeur nommé")
        if funder is None:
            continue  # an amount with no funder is no funding
        if COST.search(doc.folded, clause[0], a.start) and not VERB.search(doc.folded, clause[0], a.end):
            continue
        item = _funded(doc, a, facilities, (s0, s1), funded)
        if item is None:
            continue
        if not inherited:
            key = funder.key or ""
            if not key:  # « par la MSA »: the one that serves the facility's département
                key, basis = _by_place(doc, funder, item, orgs)
            if not key:
                continue
            previous[sid] = (funder, key)
        funded.add(item.key)
        f = FundingMatch(key, item.key, a.value, [*item.evidence, (a.start, a.end),
                                                  (funder.start, funder.end)], basis)
        _co_funders(doc, f, orgs, (s0, s1), funder, item)
        out.append(f)
    out.extend(_without_amount(doc, orgs, facilities, funded, primary))
    return out


def _by_place(doc: Doc, funder: OrgMention, item: FacilityMatch, orgs: list[OrgMention]
              ) -> tuple[str, str]:
    """A bare « la MSA », « la Caf », « le Département » funding a facility: the body of that
    type serving the facility's département, if the text names no other of that type."""
    place = item.commune
    if place is None or len(place.departements) != 1 or funder.type not in GENERIC_FUNDERS:
        return "", ""
    dep = place.departements[0]
    written = doc.text[funder.start:funder.end]
    found = Names(dep).resolve(written, "institution")
    named = {o.key for o in orgs if o.type == funder.type and o.named and o.key}
    if found is None or (named and found.key not in named):
        return "", ""
    return found.key, (f"« {written} » : l’organisme de ce type qui sert le département {dep} de "
                       f"{place.name} ({found.basis})")


def _funder(doc: Doc, a: Amount, orgs: list[OrgMention], clause: Span, sentence: Span
            ) -> tuple[OrgMention | None, str]:
    folded = doc.folded
    after = [o for o in orgs if a.end <= o.start <= min(sentence[1], a.end + 60)
             and (o.key or o.type in GENERIC_FUNDERS)]
    for o in after:
        if (BY.search(folded, a.end, o.start) and not folded[a.end:o.start].count(",")) or \
                OF_AMOUNT.fullmatch(folded, a.end, o.start):
            return o, o.basis
    before = [o for o in orgs if clause[0] - 80 <= o.start < a.start and o.end <= a.start
              and (o.key or o.type in GENERIC_FUNDERS) and sentence[0] <= o.start]
    for o in reversed(before):
        if OF.search(folded, max(0, o.start - 40), o.start):
            return o, o.basis
    for o in reversed(before):
        between = folded[o.end:a.start]
        if o.start >= clause[0] and VERB.search(between) and not is_locative(doc, o) and \
                o.type not in {"commune"}:
            return o, o.basis
    return None, ""


def _funded(doc: Doc, a: Amount, facilities: list[FacilityMatch], sentence: Span, taken: set[str]
            ) -> FacilityMatch | None:
    """The facility just before the amount in its sentence, else just after it."""
    before = [f for f in facilities if f.key not in taken and any(
        sentence[0] <= s and e <= a.start for s, e in f.evidence[1:] or f.evidence)]
    if before:
        return max(before, key=lambda f: max(e for s, e in f.evidence if e <= a.start))
    after = [f for f in facilities if f.key not in taken and a.end <= f.span[0] < sentence[1]]
    return min(after, key=lambda f: f.span[0]) if after else None


def _co_funders(doc: Doc, f: FundingMatch, orgs: list[OrgMention], sentence: Span,
                funder: OrgMention, item: FacilityMatch) -> None:
    """The other bodies a funding sentence names beside the funder (« la MSA rejoint le conseil
    départemental, l’État, la région… dans le financement de … »)."""
    if not CO.search(doc.folded, *sentence):
        return
    seen: list[str] = []
    bases: list[str] = []
    for o in orgs:
        if not (sentence[0] <= o.start < sentence[1]) or o is funder or is_locative(doc, o):
            continue
        key, basis = o.key, o.basis
        if key is None and o.type in GENERIC_FUNDERS:
            key, basis = _by_place(doc, o, item, orgs)
        if not key or key == f.funder or key in seen or o.type in {"commune", "local", "acronym"} \
                or key.startswith(("epci-", "commune-")):
            continue
        seen.append(key)
        bases.append(f"« {doc.text[o.start:o.end]} » = {key}" + (f" ({basis})" if basis else ""))
        f.evidence.append((o.start, o.end))
    f.co_funders = seen
    f.co_basis = "cofinanceurs nommés dans la phrase du financement : " + " ; ".join(bases) if seen else ""


def _without_amount(doc: Doc, orgs: list[OrgMention], facilities: list[FacilityMatch],
                    funded: set[str], primary: OrgMention | None) -> list[FundingMatch]:
    out = []
    for f in facilities:
        if f.key in funded:
            continue
        start = f.evidence[0][0]
        s0, s1 = doc.sentence_at(start)
        help_ = FINANCIAL_HELP.search(doc.folded, max(s0, start - 70), start)
        if help_ is None:
            continue
        subject = [o for o in orgs if s0 <= o.start < help_.start() and o.key and not is_locative(doc, o)
                   and o.type not in {"commune", "local"}]
        if subject:
            o = subject[-1]
            out.append(FundingMatch(o.key, f.key, None, [(o.start, o.end), (help_.start(), f.span[1])],
                                    o.basis))
        elif primary is not None and primary.key and PRONOUN.search(doc.folded, s0, s1):
            basis = (f"« {doc.text[help_.start():help_.end()]} » sans financeur nommé ; le sujet de la "
                     f"phrase (« elle ») est l’organisme dont parle le texte, « "
                     f"{doc.text[primary.start:primary.end]} » ({primary.key})")
            out.append(FundingMatch(primary.key, f.key, None, [(help_.start(), f.span[1])], basis))
    return out


__all__ = ["FundingMatch", "find_fundings"]
