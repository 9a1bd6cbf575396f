"""Which conventions a document speaks of, and which of its sentences speak of each.

Each kind named (or a CTG and a charte named together) is one convention; the kind named most
often is the document's *main* convention. A convention another was signed to follow (« fait
suite à celle signée le 19 octobre 2018 ») is a *previous* convention; a convention of another
kind signed before the main one's period (« un accord partenarial a été signé en 2014 ») is
*historical*. Historical and previous conventions keep only the sentences that name them; every
other sentence belongs to the nearest convention named before it (the main one when none is),
or to all of them when it speaks of several (« deux conventions »).

Periods (year ranges, bounds, durations) and signings are then given to the convention of their
sentence; an earlier year range goes to the previous convention.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

from loaders.extract.kinds import KindMention
from loaders.extract.periods import Bound, Duration, YearRange
from loaders.extract.signing import SigningMatch
from loaders.extract.spans import Doc, Span

PLURAL = re.compile(r"\b(?:deux|trois|quatre|les|ces|des|plusieurs)\s+(?:\w+\s+){0,2}?(?:conventions|chartes"
                    r"|contrats|accords)\b")
TIED = re.compile(r"\bconvention\b|\bcharte\b|\bcontrat\b|\baccord\b|\bsign\w+|\bconclue?\b|duree totale"
                  r"|duree de la")


@dataclass
class Instance:
    """One convention of the document, and what the text says of it."""

    kinds: tuple[str, ...]
    anchors: list[KindMention] = field(default_factory=list)
    role: str = "main"  # main | other | historical | previous
    sentences: set[int] = field(default_factory=set)
    signings: list[SigningMatch] = field(default_factory=list)
    ranges: list[YearRange] = field(default_factory=list)
    bounds: list[Bound] = field(default_factory=list)
    durations: list[Duration] = field(default_factory=list)
    parties: Any = None  # loaders.extract.parties.Parties, once found

    @property
    def first(self) -> int:
        """Where the convention is first named."""
        return self.anchors[0].start if self.anchors else 0

    def year(self) -> int | None:
        """The first year of its period, else of its signing."""
        if self.ranges:
            return max(r.start_year for r in self.ranges)
        years = [s.date if isinstance(s.date, int) else s.date.year for s in self.signings
                 if s.date is not None]
        return max(years) if years else None


def build_instances(doc: Doc, kinds: list[KindMention], signings: list[SigningMatch],
                    ranges: list[YearRange], bounds: list[Bound], durations: list[Duration]
                    ) -> list[Instance]:
    """The conventions of ``doc`` with their sentences, periods and signings."""
    mentions = [k for k in kinds if not k.generic]
    joint = any(len(k.kinds) > 1 for k in mentions)
    groups: dict[tuple[str, ...], Instance] = {}
    for k in mentions:
        key = k.kinds
        if joint and set(k.kinds) <= {"ctg", "charte-avec-les-familles"}:
            key = ("ctg", "charte-avec-les-familles")
        groups.setdefault(key, Instance(key)).anchors.append(k)
    instances = sorted(groups.values(), key=lambda i: i.first)
    if not instances:
        signed = [s for s in signings if not s.previous and re.search(
            r"\bconvention|\bcontrat|\baccord|\bcharte", doc.folded[s.sentence[0]:s.sentence[1]])]
        if not signed:
            return []
        instances = [Instance(("autre",))]
    main = max(instances, key=lambda i: (len(i.anchors), -i.first))
    for inst in instances:
        inst.role = "main" if inst is main else "other"
    previous = _previous(doc, signings, main, instances)
    _assign_signings(doc, instances, signings, previous)
    _historical(instances, main, max((r.start_year for r in ranges), default=None))
    _assign_sentences(doc, instances, main)
    _assign_periods(doc, instances, main, previous, ranges, bounds, durations)
    return instances


def _previous(doc: Doc, signings: list[SigningMatch], main: Instance, instances: list[Instance]
              ) -> Instance | None:
    prev = [s for s in signings if s.previous]
    if not prev:
        return None
    s = prev[0]
    anchors = [k for i in instances for k in i.anchors if s.sentence[0] <= k.start < s.sentence[1]]
    inst = Instance(anchors[0].kinds if anchors else main.kinds, [], "previous")
    inst.signings = [x for x in prev if x.sentence == s.sentence]
    inst.sentences.add(doc.sentence_index(s.sentence[0]))
    instances.append(inst)
    return inst


def _owners(doc: Doc, instances: list[Instance], sentence: Span, pos: int) -> list[Instance]:
    """The conventions a sentence speaks of: those named in it (the nearest before ``pos``
    first), all when it speaks of several, else the nearest named before it."""
    live = [i for i in instances if i.role in {"main", "other"}]
    named = [(k.start, i) for i in instances for k in i.anchors if sentence[0] <= k.start < sentence[1]]
    if named:
        before = [x for x in named if x[0] <= pos] or named
        return [max(before, key=lambda x: x[0])[1]]
    if PLURAL.search(doc.folded, *sentence) and len(live) > 1:
        return live
    prior = [(k.start, i) for i in live for k in i.anchors if k.start < sentence[0]]
    if prior:
        return [max(prior, key=lambda x: x[0])[1]]
    return [next(i for i in live if i.role == "main")] if live else []


def _assign_signings(doc: Doc, instances: list[Instance], signings: list[SigningMatch],
                     previous: Instance | None) -> None:
    for s in signings:
        if s.previous:
            continue
        for inst in _owners(doc, instances, s.sentence, s.evidence[0][0]):
            inst.signings.append(s)


def _historical(instances: list[Instance], main: Instance, latest: int | None) -> None:
    """A convention of another kind signed before the main one's period is history."""
    ref = main.year() or latest
    for inst in instances:
        if inst.role != "other" or ref is None:
            continue
        year = inst.year()
        if year is not None and year < ref and not inst.ranges:
            inst.role = "historical"


def _assign_sentences(doc: Doc, instances: list[Instance], main: Instance) -> None:
    for i, sentence in enumerate(doc.sentences):
        for inst in instances:
            if inst.role in {"historical", "previous"} and any(
                    sentence[0] <= k.start < sentence[1] for k in inst.anchors):
                inst.sentences.add(i)
        for inst in _owners(doc, instances, sentence, sentence[1]):
            inst.sentences.add(i)


def _assign_periods(doc: Doc, instances: list[Instance], main: Instance, previous: Instance | None,
                    ranges: list[YearRange], bounds: list[Bound], durations: list[Duration]) -> None:
    latest = max((r.start_year for r in ranges), default=None)
    for r in ranges:
        sentence = doc.sentence_at(r.start)
        if latest is not None and r.start_year < latest and previous is not None:
            year = previous.year()
            if year is None or year == r.start_year or previous.ranges:
                previous.ranges.append(r)
                previous.sentences.add(doc.sentence_index(r.start))
                continue
        owners = [i for i in _owners(doc, instances, sentence, r.start) if i.role != "historical"]
        if owners and not (r.start_year < (latest or 0) and owners[0] is main):
            owners[0].ranges.append(r)
    for b in bounds:
        for inst in _owners(doc, instances, doc.sentence_at(b.start), b.start)[:1]:
            inst.bounds.append(b)
    for d in durations:
        sentence = doc.sentence_at(d.start)
        if not (d.total or TIED.search(doc.folded, *sentence)):
            continue
        for inst in _owners(doc, instances, sentence, d.start)[:1]:
            inst.durations.append(d)


def choose_signing(inst: Instance, others: list[Instance]
                   ) -> tuple[SigningMatch | None, list[SigningMatch], str]:
    """The signing of ``inst``: its best-attested date (a written date over one completed),
    every statement of that date, and the basis of a place taken from another convention
    signed the same day."""
    dated = [s for s in inst.signings if s.date is not None]
    if not dated:
        return None, [], ""

    def score(s: SigningMatch) -> tuple[int, int, int, int]:
        same = sum(1 for x in dated if x.date == s.date)
        return (not s.date_basis, isinstance(s.date, dt.date), same, -s.distance)
    best = max(dated, key=score)
    same = [s for s in dated if s.date == best.date]
    placed = next((s for s in same if s.commune is not None), None)
    if placed is not None:
        return placed, same, ""
    undated = next((s for s in inst.signings if s.date is None and s.commune is not None), None)
    if undated is not None:
        return undated, [*same, undated], ""
    for other in others:
        if other is inst:
            continue
        for s in other.signings:
            if s.date == best.date and s.commune is not None and s.date is not None:
                return s, [*same, s], "même signature"
    return best, same, ""


__all__ = ["Instance", "build_instances", "choose_signing"]
