"""The convention part of a record → RDF (signing, period, parties, axes, actions, governance)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from rdflib import Literal, URIRef
from rdflib.namespace import XSD

from graph.vocab import DCAT, DCTERMS, ID, MLG, PROV, RDF, RDFS, TIME

if TYPE_CHECKING:
    from loaders.record_format import Convention


def as_date(value: dt.date | int) -> Literal:
    """A date literal, or an ``xsd:gYear`` when only the year is known."""
    if isinstance(value, int):
        return Literal(f"{value:04d}", datatype=XSD.gYear)
    return Literal(value.isoformat(), datatype=XSD.date)


def validity(start: dt.date | int | None, end: dt.date | int | None) -> tuple[dt.date | None, ...]:
    """First and last day of validity: a year alone stands for 1 January / 31 December."""
    first = dt.date(start, 1, 1) if isinstance(start, int) else start
    last = dt.date(end, 12, 31) if isinstance(end, int) else end
    return first, last


def add_convention(b, c: Convention, where: str) -> None:  # type: ignore[no-untyped-def]
    """Add convention ``c`` through builder ``b`` (a ``loaders.records._Builder``)."""
    g = b.g
    s = URIRef(f"{ID}convention/{c.key}")
    g.add((s, RDF.type, MLG.Convention))
    if "avenant" in c.kinds:
        g.add((s, RDF.type, MLG.Amendment))
    g.add((s, RDFS.label, Literal(c.label, lang="fr")))
    b.add(s, DCTERMS.title, Literal(c.title, lang="fr") if c.title else None)
    for k in c.kinds:
        g.add((s, MLG.conventionKind, b.concept("type-convention", k, f"{where}.kinds")))
    if c.offer:
        g.add((s, MLG.offer, b.concept("offre", c.offer, f"{where}.offer")))
    g.add((s, PROV.wasDerivedFrom, b.doc))
    b.evidence(s, c, where)
    _signing(b, s, c, where)
    _period(b, s, c, where)
    for i, o in enumerate(c.signatories):
        w = f"{where}.signatories[{i}]"
        org = b.org(o.organisation, f"{w}.organisation", (s, MLG.signatory))
        g.add((s, MLG.signatory, org))
        b.written(org, o.as_written)
        _qualified(b, s, MLG.signatory, org, o, w)
    for i, r in enumerate(c.representatives):
        w = f"{where}.representatives[{i}]"
        if r.person not in b.people:
            raise b.fail(f"{w}.person", f"unknown person key {r.person!r}")
        key = b.org_key(r.organisation, f"{w}.organisation")
        if key not in b.people[r.person]:
            raise b.fail(w, f"{r.person!r} has no role with {key!r} in `people:`")
        m = URIRef(f"{ID}personne/{r.person}/role/{key}")
        g.add((s, MLG.representation, m))
        _qualified(b, s, MLG.representation, m, r, w)
    for i, t in enumerate(c.territories):
        w = f"{where}.territories[{i}]"
        if t.epci:
            node = b.epci(t.epci, f"{w}.epci", (s, MLG.territory))
        elif t.commune:
            node = b.commune(t.commune, f"{w}.commune", (s, MLG.territory))
        else:
            node = b.departement(t.departement, f"{w}.departement", (s, MLG.territory))
        g.add((s, MLG.territory, node))
        b.written(node, t.as_written)
        _qualified(b, s, MLG.territory, node, t, w)
    for i, d in enumerate(c.domains):
        w = f"{where}.domains[{i}]"
        node = b.concept("domaine", d.domain, f"{w}.domain")
        g.add((s, MLG.domain, node))
        _qualified(b, s, MLG.domain, node, d, w)
    for i, it in enumerate(c.issues):
        g.add((s, MLG.issue, Literal(it.label, lang="fr")))
        b.evidence(s, it, f"{where}.issues[{i}]")
    for i, o in enumerate(c.objectives, start=1):
        g.add((s, MLG.objective, _labelled(b, f"{s}/objectif/{o.rank or i}", MLG.Objective, o,
                                           f"{where}.objectives[{i - 1}]", o.rank or i)))
    for i, a in enumerate(c.axes, start=1):
        rank = a.rank or i
        axis = _labelled(b, f"{s}/axe/{rank}", MLG.Axis, a, f"{where}.axes[{i - 1}]", rank)
        g.add((s, MLG.axis, axis))
        for j, o in enumerate(a.objectives, start=1):
            g.add((axis, MLG.objective, _labelled(
                b, f"{axis}/objectif/{o.rank or j}", MLG.Objective, o,
                f"{where}.axes[{i - 1}].objectives[{j - 1}]", o.rank or j)))
    for i, a in enumerate(c.actions):
        _action(b, s, a, f"{where}.actions[{i}]")
    if c.planned_action_count:
        g.add((s, MLG.plannedActionCount, Literal(c.planned_action_count.value)))
        b.evidence(s, c.planned_action_count, f"{where}.planned_action_count")
    for i, body in enumerate(c.governance):
        _governance(b, s, body, f"{where}.governance[{i}]")
    for i, cm in enumerate(c.commitments, start=1):
        node = _labelled(b, f"{s}/engagement/{i}", MLG.Commitment, cm,
                         f"{where}.commitments[{i - 1}]", None)
        g.add((s, MLG.commitment, node))
        for party in cm.parties:
            g.add((node, MLG.party, b.org(party, f"{where}.commitments[{i - 1}].parties",
                                          (node, MLG.party))))
    for i, ph in enumerate(c.phases):
        node = _labelled(b, f"{s}/etape/{ph.rank}", MLG.Phase, ph, f"{where}.phases[{i}]", ph.rank)
        g.add((s, MLG.phase, node))
        if ph.duration:
            g.add((node, TIME.hasXSDDuration, Literal(ph.duration, datatype=XSD.duration)))
    for i, p in enumerate(c.partners):
        w = f"{where}.partners[{i}]"
        org = b.org(p.organisation, f"{w}.organisation", (s, MLG.partner))
        g.add((s, MLG.partner, org))
        b.written(org, p.as_written)
        _qualified(b, s, MLG.partner, org, p, w)
    if c.diagnostic:
        if c.diagnostic.by:
            g.add((s, MLG.diagnosticBy, b.org(c.diagnostic.by, f"{where}.diagnostic.by",
                                              (s, MLG.diagnosticBy))))
        if c.diagnostic.horizon:
            g.add((s, MLG.horizon, as_date(c.diagnostic.horizon)))
        b.evidence(s, c.diagnostic, f"{where}.diagnostic")
    if c.predecessor:
        g.add((s, MLG.predecessor, b.ref(c.predecessor.convention, b.conventions, "convention",
                                         f"{where}.predecessor", "convention")))
        b.evidence(s, c.predecessor, f"{where}.predecessor")
    for prop, value, name in ((MLG.amendmentProvision, c.amendment_provision, "amendment_provision"),
                              (MLG.evaluation, c.evaluation, "evaluation")):
        if value:
            g.add((s, prop, Literal(value.text, lang="fr")))
            b.evidence(s, value, f"{where}.{name}")


def _qualified(b, s: URIRef, prop: URIRef, obj: URIRef, item, where: str) -> None:  # type: ignore[no-untyped-def]
    """Evidence for one link of the convention: a ``mlg:Link`` node names the property and
    the object, so that each signatory, territory or domain keeps its own excerpt."""
    node = URIRef(f"{s}/lien/{b.link_id(str(prop), str(obj))}")
    b.g.add((s, MLG.link, node))
    b.g.add((node, RDF.type, MLG.Link))
    b.g.add((node, MLG.linkProperty, prop))
    b.g.add((node, MLG.linkTarget, obj))
    b.evidence(node, item, where, dict.fromkeys(
        ("organisation", "epci", "commune", "departement", "domain", "person"), prop))


def _labelled(b, uri: str, cls: URIRef, item, where: str, rank: int | None) -> URIRef:  # type: ignore[no-untyped-def]
    node = URIRef(uri)
    b.g.add((node, RDF.type, cls))
    b.g.add((node, RDFS.label, Literal(item.label, lang="fr")))
    if rank is not None:
        b.g.add((node, MLG.rank, Literal(rank)))
    b.evidence(node, item, where)
    return node


def _signing(b, s: URIRef, c: Convention, where: str) -> None:  # type: ignore[no-untyped-def]
    sig = c.signing
    if sig is None:
        return
    e = URIRef(f"{s}/signature")
    b.g.add((s, MLG.signingEvent, e))
    b.g.add((e, RDF.type, MLG.SigningEvent))
    b.g.add((e, RDFS.label, Literal(f"Signature : {c.label}", lang="fr")))
    if sig.date is not None:
        b.g.add((e, MLG.date, as_date(sig.date)))
    if sig.time:
        b.g.add((e, MLG.time, Literal(f"{sig.time}:00", datatype=XSD.time)))
    if sig.commune:
        b.g.add((e, MLG.location, b.commune(sig.commune, f"{where}.signing.commune",
                                            (e, MLG.location))))
    b.add(e, MLG.venue, Literal(sig.venue, lang="fr") if sig.venue else None)
    b.written(e, sig.as_written)
    b.evidence(e, sig, f"{where}.signing", {"commune": MLG.location})


def _period(b, s: URIRef, c: Convention, where: str) -> None:  # type: ignore[no-untyped-def]
    p = c.period
    if p is None:
        return
    node = URIRef(f"{s}/periode")
    b.g.add((s, DCTERMS.temporal, node))
    b.g.add((node, RDF.type, DCTERMS.PeriodOfTime))
    b.g.add((node, RDF.type, TIME.Interval))
    if p.start is not None:
        b.g.add((node, DCAT.startDate, as_date(p.start)))
    if p.end is not None:
        b.g.add((node, DCAT.endDate, as_date(p.end)))
    if p.duration:
        b.g.add((node, TIME.hasXSDDuration, Literal(p.duration, datatype=XSD.duration)))
    first, last = validity(p.start, p.end)
    if first:
        b.g.add((s, MLG.validFrom, Literal(first.isoformat(), datatype=XSD.date)))
    if last:
        b.g.add((s, MLG.validUntil, Literal(last.isoformat(), datatype=XSD.date)))
    b.evidence(node, p, f"{where}.period")


def _action(b, s: URIRef, a, where: str) -> None:  # type: ignore[no-untyped-def]
    node = URIRef(f"{s}/action/{a.key}")
    b.g.add((s, MLG.action, node))
    b.g.add((node, RDF.type, MLG.Action))
    b.g.add((node, RDFS.label, Literal(a.label, lang="fr")))
    for d in a.domains:
        b.g.add((node, MLG.domain, b.concept("domaine", d, f"{where}.domains")))
    for f in a.facilities:
        b.g.add((node, MLG.facility, b.ref(f, b.facilities, "facility", f"{where}.facilities",
                                           "equipement")))
    for j, loc in enumerate(a.locations):
        on = (node, MLG.location)
        target = (b.commune(loc.commune, f"{where}.locations[{j}].commune", on) if loc.commune
                  else b.epci(loc.epci, f"{where}.locations[{j}].epci", on) if loc.epci else None)
        if target is None:
            raise b.fail(f"{where}.locations[{j}]", "give commune or epci")
        b.g.add((node, MLG.location, target))
    for actor in a.actors:
        b.g.add((node, MLG.actor, b.org(actor, f"{where}.actors", (node, MLG.actor))))
    b.evidence(node, a, where)


def _governance(b, s: URIRef, body, where: str) -> None:  # type: ignore[no-untyped-def]
    node = URIRef(f"{s}/instance/{body.key}")
    b.g.add((s, MLG.governanceBody, node))
    b.g.add((node, RDF.type, MLG.GovernanceBody))
    b.g.add((node, RDFS.label, Literal(body.label, lang="fr")))
    b.g.add((node, MLG.bodyKind, b.concept("type-instance", body.kind, f"{where}.kind")))
    for m in body.missions:
        b.g.add((node, MLG.mission, Literal(m, lang="fr")))
    for j, seat in enumerate(body.seats, start=1):
        st = URIRef(f"{node}/siege/{j}")
        b.g.add((node, MLG.seat, st))
        b.g.add((st, RDF.type, MLG.Seat))
        b.g.add((st, MLG.organisation, b.org(seat.organisation, f"{where}.seats[{j - 1}]",
                                             (st, MLG.organisation))))
        b.add(st, MLG.seatCount, seat.count)
        b.add(st, MLG.roleLabel, Literal(seat.role_label, lang="fr") if seat.role_label else None)
    b.add(node, MLG.compositionNote,
          Literal(body.composition_note, lang="fr") if body.composition_note else None)
    if body.frequency:
        b.g.add((node, MLG.meetingFrequency, Literal(body.frequency.text, lang="fr")))
        b.add(node, MLG.minMeetingsPerYear, body.frequency.min)
        b.add(node, MLG.maxMeetingsPerYear, body.frequency.max)
    b.evidence(node, body, where)


__all__ = ["add_convention", "as_date", "validity"]
