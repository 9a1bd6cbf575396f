"""Records (YAML, docs/records.md) → RDF with provenance, one named graph per record.

Every item's excerpt is located in the source document (the record is refused if it is not
there verbatim); values marked ``inferred`` get a ``mlg:Inference`` naming the property and the
basis. References (territory codes, organisation keys, concept notations, facility, person and
convention keys) are checked before any triple is written.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import XSD

from graph.errors import LoadError
from graph.paths import DATA
from graph.vocab import (
    CV,
    DCAT,
    DCTERMS,
    FOAF,
    GRAPH,
    ID,
    MLG,
    ORG,
    PROV,
    RDF,
    RDFS,
    SCHEMA,
    SKOS,
    TIME,
    concept,
)
from loaders import LOADER_VERSION
from loaders.geography import commune_uri
from loaders.institutions import organisation_uri
from loaders.record_conventions import add_convention, as_date
from loaders.record_format import Item, Record
from loaders.record_refs import ReferenceMixin
from loaders.registry import Registry
from loaders.yaml_safe import read_yaml

# Which property an `inferred` field name stands for, per kind of item.
INFERRED_PROPERTIES: dict[str, URIRef] = {
    "commune": MLG.commune, "territory": MLG.territory, "epci": MLG.territory,
    "departement": MLG.territory, "locations": MLG.location, "location": MLG.location,
    "date": MLG.date, "time": MLG.time, "venue": MLG.venue, "start": DCAT.startDate,
    "end": DCAT.endDate, "duration": TIME.hasXSDDuration, "organisation": MLG.signatory,
    "key": MLG.writtenName, "kind": MLG.institutionKind, "status": MLG.fundingStatus,
    "co_funders": MLG.coFunder, "funder": SCHEMA.funder, "amount": SCHEMA.amount,
    "convention": MLG.underConvention, "offer": MLG.offer, "role": ORG.role,
    "parties": MLG.party, "by": MLG.diagnosticBy, "horizon": MLG.horizon,
    "operator": MLG.operator, "part_of": MLG.partOf, "domain": MLG.domain,
    "capacity": MLG.capacity, "new_places": MLG.newPlaces, "actors": MLG.actor,
    "person": ORG.member, "domains": MLG.domain, "seats": MLG.seat, "label": RDFS.label,
    "facilities": MLG.facility, "kinds": MLG.conventionKind, "signatories": MLG.signatory,
    "objectives": MLG.objective, "as_written": MLG.writtenName, "partners": MLG.partner,
    "territories": MLG.territory, "funded": SCHEMA.fundedItem, "predecessor": MLG.predecessor,
}




def record_graph_uri(record: str) -> str:
    return f"{GRAPH}record/{record}"


def _digest(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


@dataclass
class LoadedRecord:
    """A parsed record and its graph, ready to be written."""

    path: Path
    record: Record
    graph_uri: str
    graph: Graph


class _Builder(ReferenceMixin):
    def __init__(self, path: Path, rec: Record, registry: Registry, doc_path: Path) -> None:
        self.path, self.rec, self.registry, self.doc_path = path, rec, registry, doc_path
        self.text = doc_path.read_text(encoding="utf-8")
        self.g = Graph()
        self.doc = URIRef(f"{ID}document/{rec.document.key}")
        self.local_orgs = {o.key for o in rec.organisations if o.label}
        self.facilities = {f.key for f in rec.facilities}
        self.conventions = {c.key for c in rec.conventions}
        self.actions = {a.key for c in rec.conventions for a in c.actions}
        self.people: dict[str, set[str]] = {p.key: set() for p in rec.people}  # → org keys

    # -- errors and references -------------------------------------------------------------
    def fail(self, where: str, reason: str) -> LoadError:
        return LoadError(str(self.path), f"record {self.rec.record!r}, {where}", reason)

    def concept(self, scheme: str, notation: str, where: str) -> URIRef:
        if notation not in self.registry.concepts.get(scheme, ()):
            known = ", ".join(sorted(self.registry.concepts.get(scheme, ())))
            raise self.fail(where, f"{notation!r} is not in the {scheme} scheme ({known})")
        return URIRef(concept(scheme, notation))

    def ref(self, key: str, known: set[str], what: str, where: str, base: str) -> URIRef:
        if key not in known:
            raise self.fail(where, f"unknown {what} key {key!r}")
        return URIRef(f"{ID}{base}/{key}")

    # -- provenance ------------------------------------------------------------------------
    def evidence(self, node: URIRef, item: Item, where: str,
                 fields: dict[str, URIRef] | None = None) -> None:
        """Attach the item's excerpts (located in the document) and its inferences to ``node``;
        ``fields`` maps an inferred field to its property where the default table is wrong for
        this kind of item (a signing's ``commune`` is ``mlg:location``…)."""
        excerpts = [item.excerpt] if isinstance(item.excerpt, str) else item.excerpt
        for excerpt in excerpts:
            start = self.text.find(excerpt)
            if not excerpt.strip() or start < 0:
                raise self.fail(f"{where}.excerpt", f"not found verbatim in {self.rec.document.file}:"
                                                    f" {excerpt[:80]!r}")
            ev = URIRef(f"{ID}preuve/{_digest(self.rec.document.key, str(start), excerpt)}")
            self.g.add((node, MLG.evidence, ev))
            self.g.add((ev, RDF.type, MLG.Evidence))
            self.g.add((ev, PROV.value, Literal(excerpt, lang="fr")))
            self.g.add((ev, PROV.wasQuotedFrom, self.doc))
            self.g.add((ev, MLG.startOffset, Literal(start)))
            self.g.add((ev, MLG.endOffset, Literal(start + len(excerpt))))
        for field, basis in item.inferred.items():
            prop = (fields or {}).get(field) or INFERRED_PROPERTIES.get(field)
            if prop is None:
                raise self.fail(f"{where}.inferred.{field}", "no property is known for this field; "
                                f"use one of {', '.join(sorted(INFERRED_PROPERTIES))}")
            self._inference(node, prop, basis)

    def _inference(self, node: URIRef, prop: URIRef, basis: str) -> None:
        inf = URIRef(f"{ID}inference/{_digest(str(node), str(prop), basis)}")
        self.g.add((node, MLG.evidence, inf))
        self.g.add((inf, RDF.type, MLG.Inference))
        self.g.add((inf, MLG.inferredProperty, prop))
        self.g.add((inf, MLG.basis, Literal(basis, lang="fr")))
        self.g.add((inf, PROV.wasDerivedFrom, URIRef(self.registry.geography_dataset)))

    def link_id(self, prop: str, obj: str) -> str:
        return _digest(prop, obj)

    def written(self, node: URIRef, name: str | None) -> None:
        if name:
            self.g.add((node, MLG.writtenName, Literal(name, lang="fr")))

    def add(self, s: URIRef, p: URIRef, o: object) -> None:
        if o is not None:
            self.g.add((s, p, o if isinstance(o, (URIRef, Literal, BNode)) else Literal(o)))

    # -- sections --------------------------------------------------------------------------
    def build(self) -> Graph:
        self._document()
        for i, o in enumerate(self.rec.organisations):
            self._organisation(o, f"organisations[{i}]")
        for i, p in enumerate(self.rec.people):
            self._person(p, f"people[{i}]")
        for i, f in enumerate(self.rec.facilities):
            self._facility(f, f"facilities[{i}]")
        for i, c in enumerate(self.rec.conventions):
            self._convention(c, f"conventions[{i}]")
        for i, f in enumerate(self.rec.fundings):
            self._funding(f, f"fundings[{i}]")
        return self.g

    def _document(self) -> None:
        d, doc = self.doc, self.rec.document
        graph = URIRef(record_graph_uri(self.rec.record))
        raw = self.doc_path.read_bytes()
        self.g.add((d, RDF.type, MLG.SourceDocument))
        self.g.add((d, RDF.type, PROV.Entity))
        self.g.add((d, RDF.type, FOAF.Document))
        self.g.add((d, DCTERMS.title, Literal(doc.title, lang="fr")))
        self.g.add((d, RDFS.label, Literal(doc.title, lang="fr")))
        self.g.add((d, DCTERMS.type, Literal(doc.type, lang="fr")))
        self.add(d, DCTERMS.creator, doc.creator)
        if doc.issued:
            self.g.add((d, DCTERMS.issued, as_date(doc.issued)))
        self.g.add((d, MLG.fileName, Literal(Path(doc.file).name)))
        self.g.add((d, MLG.sha256, Literal(hashlib.sha256(raw).hexdigest())))
        self.g.add((d, DCAT.byteSize, Literal(len(raw), datatype=XSD.nonNegativeInteger)))
        self.g.add((graph, RDF.type, PROV.Entity))
        self.g.add((graph, RDFS.label, Literal(f"Fiche {self.rec.record}", lang="fr")))
        self.g.add((graph, PROV.wasDerivedFrom, d))
        self.g.add((graph, PROV.wasAttributedTo, URIRef(str(ID) + "logiciel/maillage")))
        self.g.add((graph, MLG.loaderVersion, Literal(LOADER_VERSION)))

    def _commune_authority(self, code: str) -> None:
        s = URIRef(organisation_uri(f"commune-{code.lower()}"))
        if (s, RDF.type, ORG.Organization) in self.g:
            return
        name, siren = self.registry.communes[code]
        for t in (ORG.Organization, CV.PublicOrganisation):
            self.g.add((s, RDF.type, t))
        self.g.add((s, MLG.institutionKind, URIRef(concept("type-institution", "commune"))))
        self.g.add((s, SKOS.prefLabel, Literal(f"Commune de {name}", lang="fr")))
        self.g.add((s, RDFS.label, Literal(f"Commune de {name}", lang="fr")))
        self.g.add((s, MLG.serves, URIRef(commune_uri(code))))
        if siren:
            self.g.add((s, MLG.siren, Literal(siren, datatype=XSD.token)))

    def _organisation(self, o, where: str) -> None:  # type: ignore[no-untyped-def]
        s = URIRef(organisation_uri(o.key))
        if o.label:
            if o.key in self.registry.organisations:
                raise self.fail(where, f"{o.key!r} is a registry key: do not redefine its label")
            if not o.kind:
                raise self.fail(f"{where}.kind", "a new organisation needs a kind")
            self.g.add((s, RDF.type, ORG.Organization))
            self.g.add((s, RDFS.label, Literal(o.label, lang="fr")))
            self.g.add((s, SKOS.prefLabel, Literal(o.label, lang="fr")))
            self.g.add((s, MLG.institutionKind, self.concept("type-institution", o.kind,
                                                              f"{where}.kind")))
        else:
            self.org(o.key, f"{where}.key")
        self.written(s, o.as_written)
        if o.address:
            a = URIRef(f"{s}/adresse")
            self.g.add((s, SCHEMA.address, a))
            self.g.add((a, RDF.type, SCHEMA.PostalAddress))
            self.add(a, SCHEMA.streetAddress, o.address.street)
            self.add(a, SCHEMA.postalCode, o.address.postal_code)
            self.add(a, SCHEMA.addressLocality, o.address.locality)
        self.evidence(s, o, where)

    def _person(self, p, where: str) -> None:  # type: ignore[no-untyped-def]
        s = URIRef(f"{ID}personne/{p.key}")
        self.g.add((s, RDF.type, FOAF.Person))
        self.g.add((s, FOAF.name, Literal(p.name)))
        self.g.add((s, RDFS.label, Literal(p.name)))
        self.add(s, FOAF.givenName, p.given_name)
        self.add(s, FOAF.familyName, p.family_name)
        self.add(s, SCHEMA.honorificPrefix, p.honorific)
        for j, r in enumerate(p.roles):
            w = f"{where}.roles[{j}]"
            key = self.org_key(r.organisation, f"{w}.organisation")
            self.people[p.key].add(key)
            m = URIRef(f"{s}/role/{key}")
            self.g.add((m, RDF.type, ORG.Membership))
            self.g.add((m, ORG.member, s))
            self.g.add((m, ORG.organization, self.org(r.organisation, f"{w}.organisation",
                                                      (m, ORG.organization))))
            if r.role:
                self.g.add((m, ORG.role, self.concept("role", r.role, f"{w}.role")))
            self.g.add((m, MLG.roleLabel, Literal(r.label, lang="fr")))
            self.g.add((m, RDFS.label, Literal(f"{p.name}, {r.label}", lang="fr")))
            self.evidence(m, r, w, {"organisation": ORG.organization})

    def _facility(self, f, where: str) -> None:  # type: ignore[no-untyped-def]
        s = URIRef(f"{ID}equipement/{f.key}")
        self.g.add((s, RDF.type, MLG.Facility))
        self.g.add((s, RDFS.label, Literal(f.label, lang="fr")))
        self.g.add((s, MLG.facilityKind, self.concept("type-equipement", f.kind, f"{where}.kind")))
        if f.commune:
            self.g.add((s, MLG.commune, self.commune(f.commune, f"{where}.commune", (s, MLG.commune))))
        if f.territory:
            self.g.add((s, MLG.territory, self.epci(f.territory, f"{where}.territory",
                                                    (s, MLG.territory))))
        self.add(s, MLG.capacity, f.capacity)
        self.add(s, MLG.newPlaces, f.new_places)
        if f.part_of:
            self.g.add((s, MLG.partOf, self.ref(f.part_of, self.facilities, "facility",
                                                f"{where}.part_of", "equipement")))
        if f.operator:
            self.g.add((s, MLG.operator, self.org(f.operator, f"{where}.operator", (s, MLG.operator))))
        if f.status:
            self.g.add((s, MLG.facilityStatus,
                        self.concept("statut-equipement", f.status, f"{where}.status")))
        self.written(s, f.as_written)
        self.evidence(s, f, where, {"status": MLG.facilityStatus, "territory": MLG.territory})

    def _funding(self, f, where: str) -> None:  # type: ignore[no-untyped-def]
        s = URIRef(f"{ID}financement/{f.key}")
        self.g.add((s, RDF.type, SCHEMA.MonetaryGrant))
        self.g.add((s, RDFS.label, Literal(f.label, lang="fr")))
        self.g.add((s, SCHEMA.funder, self.org(f.funder, f"{where}.funder", (s, SCHEMA.funder))))
        if f.funded in self.facilities:
            funded = URIRef(f"{ID}equipement/{f.funded}")
        elif f.funded in self.actions:
            funded = self._action_uri(f.funded)
        else:
            raise self.fail(f"{where}.funded", f"unknown facility or action key {f.funded!r}")
        self.g.add((s, SCHEMA.fundedItem, funded))
        if f.amount is not None:
            a = URIRef(f"{s}/montant")
            self.g.add((s, SCHEMA.amount, a))
            self.g.add((a, RDF.type, SCHEMA.MonetaryAmount))
            self.g.add((a, SCHEMA.value, Literal(f"{f.amount:.2f}", datatype=XSD.decimal)))
            self.g.add((a, SCHEMA.currency, Literal("EUR")))
        if f.convention:
            self.g.add((s, MLG.underConvention, self.ref(f.convention, self.conventions,
                                                         "convention", f"{where}.convention",
                                                         "convention")))
        if f.offer:
            self.g.add((s, MLG.offer, self.concept("offre", f.offer, f"{where}.offer")))
        if f.status:
            self.g.add((s, MLG.fundingStatus,
                        self.concept("statut-financement", f.status, f"{where}.status")))
        for j, key in enumerate(f.co_funders):
            self.g.add((s, MLG.coFunder, self.org(key, f"{where}.co_funders[{j}]", (s, MLG.coFunder))))
        self.evidence(s, f, where)

    def _action_uri(self, key: str) -> URIRef:
        for c in self.rec.conventions:
            if any(a.key == key for a in c.actions):
                return URIRef(f"{ID}convention/{c.key}/action/{key}")
        raise KeyError(key)

    def _convention(self, c, where: str) -> None:  # type: ignore[no-untyped-def]
        add_convention(self, c, where)


def document_path(record_path: Path, file: str) -> Path | None:
    """The document a record cites: ``file`` relative to the data folder (published records) or
    to the record's own folder (drafts in a review area); never outside them."""
    for base in (DATA, record_path.parent):
        candidate = (base / file).resolve()
        if candidate.is_relative_to(base.resolve()) and candidate.is_file():
            return candidate
    return None


def load_record_file(path: Path, registry: Registry) -> LoadedRecord:
    """Parse, check and map one record file to its graph (nothing is written to a store).

    :raises LoadError: naming the file, the record and the field at fault.
    """
    raw = read_yaml(path)
    try:
        rec = Record.model_validate(raw)
    except ValidationError as exc:
        name = raw.get("record", "?") if isinstance(raw, dict) else "?"
        first = exc.errors()[0]
        field = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in first["loc"])
        field = field.replace(".[", "[")
        raise LoadError(str(path), f"record {name!r}, {field}", first["msg"]) from exc
    doc_path = document_path(path, rec.document.file)
    if doc_path is None:
        raise LoadError(str(path), f"record {rec.record!r}, document.file",
                        f"no such document {rec.document.file} under the data folder or beside "
                        "the record (a path may not leave them)")
    graph = _Builder(path, rec, registry, doc_path).build()
    return LoadedRecord(path, rec, record_graph_uri(rec.record), graph)


__all__ = ["INFERRED_PROPERTIES", "LoadedRecord", "load_record_file", "record_graph_uri"]
