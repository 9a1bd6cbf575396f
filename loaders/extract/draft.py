"""A document → a draft record (docs/records.md): the recognisers run once over the text, the
conventions get their facts, and every item is written with its excerpts, their offsets, a
confidence and, for each value the text does not state, its basis.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from loaders.extract.actions import find_actions
from loaders.extract.amounts import find_amounts
from loaders.extract.conventions import build_instances
from loaders.extract.dates import complete_year, find_dates, signed_years
from loaders.extract.document import describe
from loaders.extract.domains import find_domains
from loaders.extract.draft_conventions import ConventionWriter
from loaders.extract.draft_items import ItemWriter
from loaders.extract.facilities import find_facilities
from loaders.extract.fundings import find_fundings
from loaders.extract.kinds import find_kinds
from loaders.extract.orgs import OrgMention, find_orgs, is_locative, resolve_orgs
from loaders.extract.people import PersonMatch, find_people
from loaders.extract.periods import bounds, durations, year_ranges
from loaders.extract.signing import find_signings
from loaders.extract.spans import Doc, Span, evidence_of
from loaders.extract.structure import find_structure
from loaders.extract.territories import Names
from loaders.extract.text import SourceText
from loaders.institutions import slugify


class Draft(ConventionWriter, ItemWriter):
    """One document's analysis (every recogniser run once) and its draft record."""

    def __init__(self, source: SourceText, name: str, date_hint: dt.date | None) -> None:
        self.doc = doc = Doc(source.text)
        self.name, self.slug = name, slugify(name) or "document"
        folded = doc.folded
        self.dates = find_dates(folded)
        self.kinds = find_kinds(folded, doc.sentences, doc.lines[0].end if doc.lines else 0)
        self.info = describe(doc, self.kinds, self.dates, len(source.pages))
        self.reference = self.info.issued or date_hint
        self.names = Names(date=self.reference)
        self.orgs = find_orgs(doc)
        resolve_orgs(doc, self.orgs, self.names)
        self.main_epci = _main_epci(doc, self.orgs)
        if self.main_epci is not None and self.main_epci.place is not None:
            self.names.epci = self.main_epci.place.identifier
        self.people = find_people(doc, self.orgs, self.names)
        full = [d for d in self.dates if d.date]
        limits = bounds(folded, self.dates)
        signings = find_signings(doc, self.dates, signed_years(folded), self.names,
                                 lambda d: complete_year(d, full, self.reference),
                                 frozenset(b.start for b in limits))
        self.instances = build_instances(doc, self.kinds, signings, year_ranges(folded), limits,
                                         durations(folded))
        main_place = self.main_epci.place if self.main_epci else None
        self.facilities = find_facilities(doc, self.orgs, self.names, main_place)
        primary = next((o for o in self.orgs if o.type in {"caf", "msa"} and o.named and o.key), None)
        self.fundings = find_fundings(doc, find_amounts(folded), self.orgs, self.facilities, primary)
        self.domains = find_domains(doc, funding=True)
        self.actions = find_actions(doc, self.facilities, self.orgs, self.names)
        self.structure = find_structure(doc)
        self.used_orgs: dict[str, OrgMention | None] = {}
        self.keys: dict[int, str] = {}
        self.funding_keys: set[str] = set()

    # -- helpers ---------------------------------------------------------------------------
    def ev(self, spans: list[Span], *, widen: bool = True) -> dict:
        """Evidence of ``spans`` (widened to their sentences unless ``widen`` is false)."""
        return self.doc.evidence(spans) if widen else evidence_of(self.doc.text, spans)

    def use(self, key: str) -> None:
        """Note that the draft refers to organisation ``key`` (for ``organisations:``)."""
        if key and not key.startswith("commune-") and key not in self.used_orgs:
            self.used_orgs[key] = next((o for o in self.orgs if o.key == key and o.named), None) or \
                next((o for o in self.orgs if o.key == key), None)

    def written(self, span: Span) -> str:
        """The text of ``span``, as written."""
        return self.doc.text[span[0]:span[1]]

    # -- sections --------------------------------------------------------------------------
    def record(self) -> dict:
        """The draft record, as a dict in the record format."""
        conventions = self.conventions()
        out: dict = {"record": self.slug}
        if self.names.departement or self.reference:
            ctx: dict = {}
            if self.names.departement:
                ctx["departement"] = self.names.departement
            if self.reference:
                ctx["date"] = self.reference
            out["context"] = ctx
        out["document"] = self.document(conventions)
        facilities = [self.facility(f) for f in self.facilities]
        fundings = [self.funding(f) for f in self.fundings]
        people = [self.person(p) for p in self.people]
        out["organisations"] = self.organisations()
        out["people"] = people
        out["conventions"] = conventions
        out["facilities"] = facilities
        out["fundings"] = fundings
        return out

    def document(self, conventions: list[dict]) -> dict:
        """The ``document:`` section."""
        info = self.info
        title = info.title or "; ".join(c["label"] for c in conventions) or self.name
        d: dict = {"key": self.slug, "file": f"{self.name}.txt", "title": title, "type": info.type}
        if info.creator:
            d["creator"] = info.creator
        if info.issued:
            d["issued"] = info.issued
        return d

    def organisations(self) -> list[dict]:
        """The ``organisations:`` the draft refers to: local bodies with their label and kind, registry
        ones with what the text writes of them."""
        out = []
        for key, o in self.used_orgs.items():
            if o is None:
                continue
            item: dict = {"key": key}
            if o.type == "local":
                item["label"] = o.label
                item["kind"] = o.kind
            item["as_written"] = self.written((o.start, o.end))
            item.update(self.ev([(o.start, o.end)]))
            item["confidence"] = 0.9 if o.named else 0.7
            if o.basis:
                item["inferred"] = {"key": o.basis}
            out.append(item)
        return out

    def person(self, p: PersonMatch) -> dict:
        """One item of ``people:``, with the roles whose organisation is known."""
        item: dict = {"key": p.key, "name": p.name}
        if p.given_name:
            item["given_name"] = p.given_name
        item["family_name"] = p.family_name
        if p.honorific:
            item["honorific"] = p.honorific
        roles = []
        for r in p.roles:
            if not r.organisation:
                continue
            self.use(r.organisation)
            role: dict = {"organisation": r.organisation}
            if r.role:
                role["role"] = r.role
            role["label"] = r.label
            role.update(self.ev([r.span], widen=False))
            role["confidence"] = 0.85
            if r.basis:
                role["inferred"] = {"organisation": r.basis}
            roles.append(role)
        item["roles"] = roles
        return item


def _main_epci(doc: Doc, orgs: list[OrgMention]) -> OrgMention | None:
    """The EPCI the text is about: the named EPCI cited most often (places count less)."""
    counts: Counter[str] = Counter()
    first: dict[str, OrgMention] = {}
    for o in orgs:
        if o.key and o.key.startswith("epci-"):
            counts[o.key] += 1 if not is_locative(doc, o) else 0.5  # type: ignore[assignment]
            if o.named:
                first.setdefault(o.key, o)
    ranked = [k for k, _ in counts.most_common() if k in first]
    return first[ranked[0]] if ranked else None


def extract(source: SourceText, *, name: str, date_hint: dt.date | None = None) -> dict:
    """A draft record for ``source`` (see the module docstring of :mod:`loaders.extract`)."""
    return Draft(source, name, date_hint).record()


__all__ = ["Draft", "extract"]
