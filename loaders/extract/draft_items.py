"""The facilities and fundings of a draft record (a part of
:class:`loaders.extract.draft.Draft`)."""

from __future__ import annotations

import re

from loaders.extract.conventions import Instance
from loaders.extract.document import DocumentInfo
from loaders.extract.draft_conventions import OFFER
from loaders.extract.facilities import FacilityMatch
from loaders.extract.fundings import GRANTED, PAID, FundingMatch
from loaders.extract.orgs import OrgMention
from loaders.extract.spans import Doc
from loaders.institutions import slugify

FUTURE = re.compile(r"\b(?:sera|seront|prevue?s?|prevoit|envisag\w+|\w{3,}(?:era|eront))\b")


class ItemWriter:
    """Writes the ``facilities:`` and ``fundings:`` of a draft (see
    :class:`loaders.extract.draft_conventions.ConventionWriter` for what the draft provides)."""

    doc: Doc
    info: DocumentInfo
    instances: list[Instance]
    facilities: list[FacilityMatch]
    used_orgs: dict[str, OrgMention | None]
    keys: dict[int, str]
    funding_keys: set[str]

    def facility(self, f: FacilityMatch) -> dict:
        """One facility item."""
        item: dict = {"key": f.key, "label": f.label, "kind": f.kind}
        inferred: dict = {}
        if f.commune is not None:
            item["commune"] = f.commune.identifier
            inferred["commune"] = f.place_basis or f.commune.basis
        elif f.territory is not None:
            item["territory"] = f.territory.identifier
            inferred["territory"] = f.place_basis or f.territory.basis
        for field in ("capacity", "new_places", "part_of", "operator", "status"):
            value = getattr(f, field)
            if value is not None:
                item[field] = value
        if f.operator:
            self.use(f.operator)
        if f.status and f.status_basis:
            inferred["status"] = f.status_basis
        item["as_written"] = self.written(f.span)
        item.update(self.ev(f.evidence))
        item["confidence"] = 0.75
        if inferred:
            item["inferred"] = inferred
        return item

    def funding(self, f: FundingMatch) -> dict:
        """One funding item."""
        facility = next(x for x in self.facilities if x.key == f.funded)
        self.use(f.funder)
        funder = self.used_orgs.get(f.funder)
        funder_name = funder.place.name if funder is not None and funder.place else f.funder
        label = f"Financement {funder_name} : {facility.label[0].lower()}{facility.label[1:]}"
        base = key = slugify(f"{f.funder} {f.funded}")
        n = 2
        while key in self.funding_keys:
            key, n = f"{base}-{n}", n + 1
        self.funding_keys.add(key)
        item: dict = {"key": key, "label": label, "funder": f.funder, "funded": f.funded}
        if f.amount is not None:
            item["amount"] = int(f.amount) if f.amount == int(f.amount) else f.amount
        inferred: dict = {}
        if f.funder_basis:
            inferred["funder"] = f.funder_basis
        conv = self._funding_convention(f)
        if conv is not None:
            item["convention"] = self.keys[id(conv)]
            if OFFER.search(self.doc.folded) and f.funder.startswith("msa-"):
                item["offer"] = "grandir-en-milieu-rural"
        status, basis = self._funding_status(f, conv)
        if status:
            item["status"] = status
            if basis:
                inferred["status"] = basis
        if f.co_funders:
            item["co_funders"] = f.co_funders
            for key in f.co_funders:
                self.use(key)
            inferred["co_funders"] = f.co_basis
        item.update(self.ev(f.evidence))
        item["confidence"] = 0.85 if f.amount is not None else 0.5
        if inferred:
            item["inferred"] = inferred
        return item

    def _funding_convention(self, f: FundingMatch) -> Instance | None:
        financing = [i for i in self.instances if "convention-financement" in i.kinds]
        if f.amount is None:
            return None
        if financing:
            return financing[0]
        if self.info.type == "convention":  # the convention's own text states the funding
            return next((i for i in self.instances if i.role == "main"), None)
        return None

    def _funding_status(self, f: FundingMatch, conv: Instance | None) -> tuple[str | None, str]:
        if f.amount is None:
            return None, ""
        sentence = self.doc.sentence_at(f.evidence[-1][0])
        text = self.doc.folded[sentence[0]:sentence[1]]
        if PAID.search(text):
            return "verse", ""
        dated = [s.date for s in conv.signings if s.date is not None] if conv is not None else []
        if dated:
            return "engage", (f"montant inscrit dans une convention signée ({dated[0]}) ; le versement "
                              f"n’est pas dit fait")
        if GRANTED.search(text):
            return "engage", "« accordé / attribué » : montant décidé"
        if FUTURE.search(text):
            return "prevu", "montant annoncé au futur"
        return None, ""


__all__ = ["ItemWriter"]
