"""The conventions of a draft record: key, label, kinds, signing, period, signatories,
representatives, territories, domains, actions (a part of :class:`loaders.extract.draft.Draft`)."""

from __future__ import annotations

import re
from collections import Counter

from loaders.extract.conventions import Instance, choose_signing
from loaders.extract.document import is_heading
from loaders.extract.kinds import SHORT
from loaders.extract.names import of_phrase
from loaders.extract.parties import Parties, Party, find_parties
from loaders.extract.people import PersonMatch
from loaders.extract.spans import Doc, Span
from loaders.extract.structure import Labelled, Structure
from loaders.extract.territories import epci_names
from loaders.institutions import slugify

KEY_PREFIX = {"charte-avec-les-familles": "charte", "contrat-enfance-jeunesse": "cej",
              "autre": "convention"}
OFFER = re.compile(r"grandir en milieu rural")
COUNT = re.compile(r"\b(?P<n>\d{1,3})\s+fiches?[- ]actions?\b")
TITLE_START = re.compile(r"(?:la |le |l')?(?:convention|charte|contrat|accord|avenant|projet social)\b")


class ConventionWriter:
    """Writes the ``conventions:`` of a draft. The draft provides ``doc``, ``instances``,
    ``orgs``, ``people``, ``names``, ``main_epci``, ``domains``, ``actions``, ``slug``,
    ``keys``, ``ev()``, ``use()`` and ``written()``."""

    doc: Doc
    instances: list[Instance]
    keys: dict[int, str]
    structure: Structure

    def conventions(self) -> list[dict]:
        """The ``conventions:`` section (keys first: conventions refer to each other)."""
        live = list(self.instances)
        for inst in live:
            self.keys[id(inst)] = self._key(inst)
        return [self.convention(inst) for inst in live]

    def _key(self, inst: Instance) -> str:
        start, end = _period_years(inst)
        where = ""
        previous = frozenset(s.sentence for i in self.instances if i.role == "previous" for s in i.signings)
        parties = find_parties(self.doc, inst, self.orgs, self.people, self.names, self.main_epci,
                               previous)
        inst.parties = parties
        if parties.territories:
            kind, code, written = parties.territories[0][:3]
            where = epci_names().get(code, "") if kind == "epci" else self.written(written)
        kind = "-".join(KEY_PREFIX.get(k, k) for k in inst.kinds)
        years = f"{start}-{end}" if start and end else str(start or _signing_year(inst) or "")
        base = slugify(f"{kind} {where} {years}") or f"convention-{self.slug}"
        key, n = base, 2
        while key in self.keys.values():
            key, n = f"{base}-{n}", n + 1
        return key

    def convention(self, inst: Instance) -> dict:
        """One convention item."""
        doc = self.doc
        parties: Parties = inst.parties
        start, end = _period_years(inst)
        where = parties.territories[0] if parties.territories else None
        where_name = ""
        if where:
            where_name = epci_names().get(where[1], "") if where[0] == "epci" else \
                self.written(where[2])
        label = " ".join(x for x in (" / ".join(SHORT[k] for k in inst.kinds),
                                     f"{start}-{end}" if start and end else "",
                                     _of_territory(where_name) if where_name else "") if x)
        item: dict = {"key": self.keys[id(inst)], "label": label}
        title = self._title(inst)
        if title:
            item["title"] = title
        item["kinds"] = list(inst.kinds)
        anchors = [(k.start, k.end) for k in inst.anchors[:2]] or \
            [s.evidence[0] for s in inst.signings[:1]] or [doc.sentences[min(inst.sentences)]]
        item.update(self.ev(anchors))
        item["confidence"] = 0.9 if inst.anchors else 0.5
        if "convention-financement" in inst.kinds and OFFER.search(doc.folded):
            item["offer"] = "grandir-en-milieu-rural"
        signing = self.signing(inst)
        if signing:
            item["signing"] = signing
        period = self.period(inst)
        if period:
            item["period"] = period
        item["signatories"] = [self.party(p) for p in parties.signatories]
        item["representatives"] = [self.representative(*r) for r in parties.representatives]
        item["territories"] = [self.territory(*t) for t in parties.territories]
        item["domains"] = self.convention_domains(inst)
        item["issues"] = self.labelled(inst, self.structure.issues)
        item["objectives"] = self.labelled(inst, self.structure.objectives)
        item["axes"] = self.labelled(inst, self.structure.axes)
        item["actions"] = self.convention_actions(inst)
        count = self.planned(inst)
        if count:
            item["planned_action_count"] = count
        prev = next((i for i in self.instances if i.role == "previous"), None)
        if inst.role == "main" and prev is not None and prev.signings:
            item["predecessor"] = {"convention": self.keys[id(prev)],
                                   **self.ev([prev.signings[0].sentence]), "confidence": 0.8}
        return {k: v for k, v in item.items() if v not in ([], None)}

    def _title(self, inst: Instance) -> str | None:
        for k in inst.anchors:
            line = self.doc.line_at(k.start)
            s, e = line.content
            if s <= k.start and k.end <= e and is_heading(self.doc, line) and \
                    TITLE_START.match(self.doc.folded, s):
                return self.doc.text[s:e]
        for k in inst.anchors:
            words = self.written((k.start, k.end))
            if words[:1].isupper() and " " in words:
                return words
        return None

    def signing(self, inst: Instance) -> dict | None:
        """The ``signing:`` of a convention, or None when the text gives no signing date."""
        others = [i for i in self.instances if i is not inst]
        placed, same, borrowed = choose_signing(inst, others)
        if placed is None:
            return None
        dated = [s for s in same if s.date is not None]
        chosen = next((s for s in dated if not s.date_basis), dated[0])
        item: dict = {"date": chosen.date}
        time = next((s.time for s in same if s.time), None)
        if time:
            item["time"] = time
        inferred: dict = {}
        spans = [e for s in same for e in s.evidence]
        if placed.commune is not None:
            item["commune"] = placed.commune.identifier
            inferred["commune"] = placed.commune.basis if not borrowed else (
                f"signée lors de la même rencontre ({chosen.date}) que l’autre convention du texte, "
                f"signée « {self.written(placed.place_span)} » ; {placed.commune.basis}")
            if placed.venue:
                item["venue"] = placed.venue
            if placed.place_span:
                item["as_written"] = self.written(placed.place_span).strip()
                spans.append(placed.place_span)
        basis = next((s.date_basis for s in dated if s.date_basis), "")
        if all(s.date_basis for s in dated) and basis:
            inferred["date"] = basis
        item.update(self.ev(spans))
        item["confidence"] = 0.9 if "date" not in inferred else 0.6
        if inferred:
            item["inferred"] = inferred
        return item

    def period(self, inst: Instance) -> dict | None:
        """The ``period:`` of a convention, or None when the text gives none."""
        item: dict = {}
        spans: list[Span] = []
        if inst.ranges:
            counts = Counter((r.start_year, r.end_year) for r in inst.ranges)
            (a, b), _ = max(counts.items(), key=lambda kv: (kv[0][0], kv[1]))
            item["start"], item["end"] = a, b
            spans += [(r.start, r.end) for r in inst.ranges if (r.start_year, r.end_year) == (a, b)]
        for bnd in inst.bounds:
            year = bnd.value if isinstance(bnd.value, int) else bnd.value.year
            if bnd.side == "end" and (item.get("end") in (None, year)):
                item["end"] = bnd.value
                spans.append((bnd.start, bnd.end))
            elif bnd.side == "start" and (item.get("start") in (None, year)):
                item["start"] = bnd.value
                spans.append((bnd.start, bnd.end))
        if inst.durations:
            d = next((d for d in inst.durations if d.total), inst.durations[0])
            item["duration"] = d.iso
            spans.append((d.start, d.end))
        if not item:
            return None
        item.update(self.ev(spans))
        item["confidence"] = 0.85
        return item

    def party(self, p: Party) -> dict:
        """One signatory item."""
        self.use(p.key)
        item: dict = {"organisation": p.key, "as_written": self.written(p.written)}
        item.update(self.ev(p.evidence))
        item["confidence"] = 0.8 if not p.basis.startswith("le texte ne nomme") else 0.4
        if p.basis:
            item["inferred"] = {"organisation": p.basis}
        return item

    def representative(self, person: PersonMatch, org: str, spans: list[Span], basis: str) -> dict:
        """One representative item: who signs for whom."""
        item: dict = {"person": person.key, "organisation": org}
        item.update(self.ev(spans, widen=False))
        item["confidence"] = 0.8
        if basis:
            item["inferred"] = {"organisation": basis}
        return item

    def territory(self, kind: str, code: str, written: Span, spans: list[Span], basis: str) -> dict:
        """One territory item (``epci:`` or ``commune:``)."""
        item: dict = {kind: code, "as_written": self.written(written)}
        item.update(self.ev(spans or [written]))
        item["confidence"] = 0.8
        if basis:
            item["inferred"] = {kind: basis}
        return item

    def convention_domains(self, inst: Instance) -> list[dict]:
        """Domain items of a convention, each domain once (funding sentences only for a convention de
        financement)."""
        out: list[dict] = []
        seen: set[str] = set()
        financing = "convention-financement" in inst.kinds
        for h in self.domains:
            if h.domain in seen or self.doc.sentence_index(h.start) not in inst.sentences:
                continue
            if h.funding and not financing:
                continue
            seen.add(h.domain)
            item = {"domain": h.domain, "as_written": self.written((h.start, h.end))}
            context = _trim_span(self.doc.text, h.context)
            if context[1] - context[0] <= 400:
                item.update(self.ev([context], widen=False))
            else:
                item.update(self.ev([(h.start, h.end)]))
            item["confidence"] = 0.8
            out.append(item)
        return out

    def convention_actions(self, inst: Instance) -> list[dict]:
        """Action items of a convention."""
        out = []
        for a in self.actions:
            if self.doc.sentence_index(a.span[0]) not in inst.sentences:
                continue
            item: dict = {"key": a.key, "label": a.label}
            if a.domains:
                item["domains"] = a.domains
            if a.facilities:
                item["facilities"] = a.facilities
            if a.locations:
                item["locations"] = [{k: v} for k, v in a.locations]
            if a.actors:
                item["actors"] = a.actors
                for key in a.actors:
                    self.use(key)
            item.update(self.ev([a.span], widen=False))
            item["confidence"] = 0.7
            if a.location_basis:
                item["inferred"] = {"locations": " ; ".join(dict.fromkeys(a.location_basis))}
            out.append(item)
        return out

    def labelled(self, inst: Instance, items: list[Labelled]) -> list[dict]:
        """Issues, objectives or axes (with their objectives) written in ``inst``'s sentences."""
        out = []
        for x in items:
            if self.doc.sentence_index(x.span[0]) not in inst.sentences:
                continue
            item: dict = {} if x.rank is None else {"rank": x.rank}
            item["label"] = x.label
            item.update(self.ev([x.span], widen=False))
            item["confidence"] = 0.7
            if x.objectives:
                item["objectives"] = [{"rank": o.rank, "label": o.label,
                                       **self.ev([o.span], widen=False), "confidence": 0.7}
                                      for o in x.objectives]
            out.append(item)
        return out

    def planned(self, inst: Instance) -> dict | None:
        """« 20 fiches-actions »: the number of actions planned."""
        for i in sorted(inst.sentences):
            s0, s1 = self.doc.sentences[i]
            m = COUNT.search(self.doc.folded, s0, s1)
            if m:
                return {"value": int(m["n"]), **self.ev([(m.start(), m.end())]), "confidence": 0.8}
        return None


def _period_years(inst: Instance) -> tuple[int | None, int | None]:
    if inst.ranges:
        r = max(inst.ranges, key=lambda r: r.start_year)
        return r.start_year, r.end_year
    return None, None


def _signing_year(inst: Instance) -> int | None:
    for s in inst.signings:
        if s.date is not None:
            return s.date if isinstance(s.date, int) else s.date.year
    return None


def _trim_span(text: str, span: Span) -> Span:
    s, e = span
    while s < e and text[s] in " \t\n*-–•»":
        s += 1
    while e > s and text[e - 1] in " \t\n*:;,":
        e -= 1
    return s, e


def _of_territory(name: str) -> str:
    if name.startswith(("CC ", "CA ", "CU ")):
        return f"de la {name}"
    return of_phrase(name)


__all__ = ["OFFER", "ConventionWriter"]
