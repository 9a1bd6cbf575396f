"""Describing one resource: the RDF published for an IRI, the links pointing to it, French
labels, and the page model the HTML templates render. Queries bind the requested IRI as a
validated :class:`pyoxigraph.NamedNode` (a ``VALUES`` block, or the node's own serialization)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from starlette.templating import Jinja2Templates

from graph.store import GraphStore
from graph.vocab import BASE, DCTERMS, FOAF, IGEO, MLG, PREFIXES, PROV, RDFS, SCHEMA, SKOS

TEMPLATES = Jinja2Templates(directory=Path(__file__).parent / "templates")
INCOMING_CAP = 25
# Objects described one level down with the resource: its own sub-nodes.
SUBNODE = [str(p) for p in (MLG.evidence, SCHEMA.amount, SCHEMA.address, DCTERMS.temporal, MLG.link)]
LABELS = [str(p) for p in (SKOS.prefLabel, RDFS.label, IGEO.nom, FOAF.name, DCTERMS.title)]
# Shown inside their parent's table (evidence and qualified links have their own section).
NESTED = [str(p) for p in (SCHEMA.amount, SCHEMA.address, DCTERMS.temporal)]
# Used as a label only when a resource has none (an excerpt, the basis of an inference…).
FALLBACK = [str(p) for p in (PROV.value, MLG.basis, SKOS.notation)]


# French names of the reused terms most pages show (the ontology only declares them).
_FR_TABLE = (
    "rdf:type=type|rdfs:label=libellé|rdfs:comment=commentaire|rdfs:seeAlso=voir aussi|"
    "rdfs:subClassOf=sous-classe de|rdfs:domain=domaine|rdfs:range=portée|rdfs:isDefinedBy=défini par|"
    "owl:inverseOf=inverse de|skos:prefLabel=libellé préféré|skos:altLabel=autre libellé|"
    "skos:notation=notation|skos:definition=définition|skos:inScheme=dans le schéma|"
    "skos:broader=plus large|skos:topConceptOf=concept de tête de|skos:hasTopConcept=concept de tête|"
    "skos:note=note|skos:closeMatch=correspondance proche|igeo:nom=nom|igeo:codeINSEE=code INSEE|"
    "igeo:subdivisionDirecteDe=subdivision directe de|igeo:typeDEPCI=type d’EPCI|igeo:Commune=Commune|"
    "igeo:Departement=Département|igeo:Region=Région|igeo:Intercommunalite=Intercommunalité (EPCI)|"
    "igeo:CommuneDeleguee=Commune déléguée|igeo:CommuneAssociee=Commune associée|"
    "wdt:P374=code commune (Wikidata)|wdt:P1616=SIREN (Wikidata)|wdt:P2586=code département (Wikidata)|"
    "wdt:P2585=code région (Wikidata)|prov:value=extrait|prov:wasQuotedFrom=cité de|"
    "prov:wasDerivedFrom=dérivé de|prov:wasAttributedTo=attribué à|prov:used=a utilisé|"
    "prov:generated=a produit|prov:startedAtTime=début|prov:endedAtTime=fin|"
    "prov:wasAssociatedWith=associé à|prov:Entity=Entité (PROV)|prov:Activity=Activité (PROV)|"
    "org:member=membre|org:organization=organisation|org:role=rôle|org:Organization=Organisation|"
    "org:Membership=Fonction|org:Role=Rôle|cv:PublicOrganisation=Organisme public|foaf:name=nom|"
    "foaf:givenName=prénom|foaf:familyName=nom de famille|foaf:Person=Personne|foaf:Document=Document|"
    "schema:honorificPrefix=civilité|schema:funder=financeur|schema:fundedItem=objet financé|"
    "schema:amount=montant|schema:value=valeur|schema:currency=devise|schema:address=adresse|"
    "schema:streetAddress=rue|schema:postalCode=code postal|schema:addressLocality=localité|"
    "schema:MonetaryGrant=Financement|schema:MonetaryAmount=Montant|schema:PostalAddress=Adresse postale|"
    "dct:title=titre|dct:description=description|dct:creator=auteur|dct:publisher=éditeur|"
    "dct:license=licence|dct:issued=publié le|dct:created=créé le|dct:type=genre|dct:temporal=période|"
    "dct:PeriodOfTime=Période|dcat:startDate=début|dcat:endDate=fin|dcat:byteSize=taille en octets|"
    "dcat:Dataset=Jeu de données|time:hasXSDDuration=durée|time:Interval=Intervalle|"
    "owl:versionInfo=version|skos:Concept=Concept|skos:ConceptScheme=Schéma de concepts"
)
_FR = dict(entry.split("=") for entry in _FR_TABLE.split("|"))


def _nodes(iris: Iterable[str]) -> str:
    return " ".join(str(ox.NamedNode(i)) for i in iris)


DESCRIBE = f"""CONSTRUCT {{ ?s ?p ?o . ?o ?p2 ?o2 . ?o2 ?p3 ?o3 . ?o ?lp ?lab }}
WHERE {{
  {{ ?s ?p ?o }}
  UNION {{ ?s ?p ?o FILTER(isBlank(?o) || ?p IN ({", ".join(f"<{p}>" for p in SUBNODE)}))
          ?o ?p2 ?o2 }}
  UNION {{ ?s ?p ?o FILTER(isBlank(?o) || ?p IN ({", ".join(f"<{p}>" for p in SUBNODE)}))
          ?o <{MLG.evidence}> ?o2 . ?o2 ?p3 ?o3 }}
  UNION {{ ?s ?p ?o . ?o ?lp ?lab FILTER(isIRI(?o) && ?lp IN ({", ".join(f"<{p}>" for p in LABELS)})) }}
}}"""  # FILTER, not VALUES, for ?lp: a VALUES block would make the engine scan every label first
INCOMING_COUNTS = """SELECT ?p (COUNT(DISTINCT ?x) AS ?n)
WHERE { ?x ?p ?s FILTER(isIRI(?x)) } GROUP BY ?p ORDER BY ?p"""


def describe(store: GraphStore, iri: str) -> list[ox.Triple]:
    """The published description of ``iri``: its outgoing triples, the triples of its own
    sub-nodes (evidence, inference, amount, address, period, qualified links, blank nodes) one
    level down — with the evidence of those sub-nodes —, and the labels of what it links to.
    Sorted, without duplicates.

    :raises ValueError: if ``iri`` is not a valid IRI.
    """
    result = store.query(DESCRIBE, {"s": ox.NamedNode(iri)})
    return sorted(set(result.raw), key=str)


def incoming(store: GraphStore, iri: str, cap: int = INCOMING_CAP) -> list[tuple[str, int, list[str]]]:
    """Who points at ``iri``: ``(property, count, first subjects)`` per property, at most ``cap``
    subjects each, in two queries."""
    target = ox.NamedNode(iri)
    counts = [(r["p"], int(r["n"].value)) for r in
              store.query(INCOMING_COUNTS, {"s": target}).rows()]
    if not counts:
        return []
    branches = " UNION ".join(
        f"{{ {{ SELECT DISTINCT ?x WHERE {{ ?x {p} {target} FILTER(isIRI(?x)) }} ORDER BY ?x "
        f"LIMIT {int(cap)} }} BIND({p} AS ?p) }}" for p, _ in counts)
    sample: dict[str, list[str]] = defaultdict(list)
    for row in store.query(f"SELECT ?p ?x WHERE {{ {branches} }}").rows():
        sample[row["p"].value].append(row["x"].value)
    return [(p.value, n, sorted(sample[p.value])) for p, n in counts]


def labels(store: GraphStore, iris: Iterable[str]) -> dict[str, str]:
    """The best label of each IRI: French first, then untagged, then English; a label property
    before a fallback (an excerpt, a basis, a notation)."""
    wanted = sorted(set(iris))
    found: dict[str, list[tuple[str, ox.Literal]]] = defaultdict(list)
    for start in range(0, len(wanted), 400):
        query = (f"SELECT ?x ?p ?l WHERE {{ VALUES ?x {{ {_nodes(wanted[start:start + 400])} }} ?x ?p ?l "
                 f"FILTER(isLiteral(?l) && ?p IN ({', '.join(f'<{p}>' for p in LABELS + FALLBACK)})) }}")
        for row in store.query(query).rows():
            found[row["x"].value].append((row["p"].value, row["l"]))
    return {iri: best_label(cands) for iri, cands in found.items()}


def best_label(candidates: Iterable[tuple[str, ox.Literal]]) -> str:
    """The label to show among ``(property, literal)`` pairs.

    >>> best_label([(LABELS[1], ox.Literal("Commune", language="en")),
    ...             (LABELS[1], ox.Literal("Commune de Lézat", language="fr"))])
    'Commune de Lézat'
    """
    langs = {"fr": 0, "": 1, "en": 2}
    order = {p: i for i, p in enumerate(LABELS + FALLBACK)}

    def rank(c: tuple[str, ox.Literal]) -> tuple:
        prop, lit = c
        return (prop in FALLBACK, langs.get(lit.language or "", 3), order.get(prop, 99), lit.value)

    prop, lit = min(candidates, key=rank)
    text = " ".join(lit.value.split())
    if prop in FALLBACK and prop != FALLBACK[-1]:
        text = "« " + (text if len(text) <= 90 else text[:88].rstrip() + "… ") + " »"
    return text


def curie(iri: str) -> str:
    """``prefix:local`` for an IRI in a known namespace, else the IRI.

    >>> curie("http://www.w3.org/2000/01/rdf-schema#label")
    'rdfs:label'
    """
    best = max((ns for ns in PREFIXES.values() if iri.startswith(ns)), key=len, default=None)
    if best is None:
        return iri
    prefix = next(p for p, ns in PREFIXES.items() if ns == best)
    return f"{prefix}:{iri[len(best):]}"


RDF_NS = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDF_TYPE = RDF_NS + "type"
XSD = "http://www.w3.org/2001/XMLSchema#"
TERRITORY_PARENTS = [str(p) for p in (IGEO.subdivisionDirecteDe, MLG.memberOf, MLG.region)]
TERRITORY_MEMBERS = [str(p) for p in (IGEO.subdivisionDirecteDe, MLG.memberOf)]
TERRITORIES = {str(IGEO[c]) for c in ("Commune", "Departement", "Region", "Intercommunalite",
                                      "CommuneDeleguee", "CommuneAssociee")} | {
    str(MLG.FormerCommune), str(MLG.FormerEpci)}


class Value:
    """One value as shown: text, a link for an IRI, language and datatype for a literal, the
    rows of a sub-node described with its parent, the members of an ``owl:unionOf``."""

    def __init__(self, text: str, href: str | None = None, iri: str | None = None, *,
                 lang: str | None = None, datatype: str | None = None,
                 rows: list[Row] | None = None, parts: list[Value] | None = None) -> None:
        self.text, self.href, self.iri, self.lang, self.datatype = text, href, iri, lang, datatype
        self.rows, self.parts = rows or [], parts or []


class Row:
    """One property of a subject with its values (``count`` > ``len(values)`` when capped)."""

    def __init__(self, prop: str, label: str, href: str, values: list[Value], count: int = 0,
                 more: str | None = None) -> None:
        self.prop, self.label, self.curie, self.href, self.values = prop, label, curie(prop), href, values
        self.count, self.more = count or len(values), more


class Describer:
    """Turns triples into rows of values, with labels and public links.

    ``triples``: the description; ``names``: IRI → label (from :func:`labels`); ``page``: IRI →
    public URL (:meth:`api.urls.UrlBuilder.page`).
    """

    def __init__(self, triples: list[ox.Triple], names: dict[str, str], page) -> None:
        self.index: dict = defaultdict(lambda: defaultdict(list))
        for t in triples:
            self.index[t.subject][t.predicate.value].append(t.object)
        self.names, self.page = names, page

    def label(self, iri: str) -> str:
        """The French label of ``iri``: from the store, the reused-term names, or its key."""
        short = curie(iri)
        key = "/".join(iri.split("/")[-2:]) if iri.startswith(BASE) and short == iri else short
        return self.names.get(iri) or _FR.get(short) or key

    def objects(self, subject: ox.NamedNode | ox.BlankNode, prop: str) -> list:
        return self.index.get(subject, {}).get(prop, [])

    def literal(self, subject, prop: str, lang: str | None = None) -> str | None:
        """The first literal of ``subject`` for ``prop`` (in ``lang`` if given)."""
        lits = [o.value for o in self.objects(subject, prop) if isinstance(o, ox.Literal)
                and (lang is None or o.language == lang)]
        return sorted(lits)[0] if lits else None

    def value(self, term, via: str | None = None, depth: int = 0) -> Value:
        """A term as a :class:`Value`; a sub-node reached by ``via`` carries its own rows."""
        if isinstance(term, ox.Literal):
            dt = term.datatype.value
            shown = None if term.language or dt == XSD + "string" else curie(dt)
            return Value(term.value, lang=term.language, datatype=shown)
        if isinstance(term, ox.BlankNode):
            members = self.rdf_list(self.objects(term, "http://www.w3.org/2002/07/owl#unionOf"))
            if members:
                parts = [self.value(m) for m in members]
                return Value(" ou ".join(p.text for p in parts), parts=parts)
            return Value("…", rows=self.rows(term, depth + 1) if depth < 2 else [])
        text, nested = self.label(term.value), via in NESTED and term in self.index and depth < 2
        if via == str(MLG.link) and term in self.index:  # a qualified link: « property → target »
            text = " → ".join(self.label(o.value) for p in (MLG.linkProperty, MLG.linkTarget)
                              for o in self.objects(term, str(p))[:1])
        rows = self.rows(term, depth + 1) if nested else []
        return Value(text, self.page(term.value), term.value, rows=rows)

    def rdf_list(self, heads: list) -> list:
        """The members of an RDF collection (``owl:unionOf`` lists)."""
        out, node, first, rest = [], heads[0] if heads else None, RDF_NS + "first", RDF_NS + "rest"
        while node is not None and len(out) < 100:
            out += self.objects(node, first)
            nxt = self.objects(node, rest)
            node = nxt[0] if nxt and isinstance(nxt[0], ox.BlankNode) else None
        return out

    def rows(self, subject, depth: int = 0, skip: Iterable[str] = ()) -> list[Row]:
        """Every property of ``subject`` (but ``skip``), ``rdf:type`` and labels first."""
        first = [RDF_TYPE, *LABELS]
        rows = [Row(p, self.label(p), self.page(p),
                    sorted((self.value(o, p, depth) for o in objs), key=lambda v: v.text.casefold()))
                for p, objs in self.index.get(subject, {}).items() if p not in skip]
        return sorted(rows, key=lambda r: (first.index(r.prop) if r.prop in first else len(first),
                                           r.label.casefold()))

    def provenance(self, subject) -> tuple[list[dict], list[dict]]:
        """(evidence, inferences) of ``subject``: excerpts with document and offsets, and
        inferred properties with their basis and sources."""
        evidence, inferences = [], []
        for node in self.objects(subject, str(MLG.evidence)):
            kinds = {t.value for t in self.objects(node, RDF_TYPE)}
            href = self.page(node.value) if isinstance(node, ox.NamedNode) else None
            if str(MLG.Inference) in kinds:
                inferences.append({
                    "href": href,
                    "property": [self.value(o) for o in self.objects(node, str(MLG.inferredProperty))],
                    "basis": sorted({o.value for o in self.objects(node, str(MLG.basis))}),
                    "sources": [self.value(o) for o in self.objects(node, str(PROV.wasDerivedFrom))]})
            else:
                evidence.append({
                    "href": href, "excerpt": self.literal(node, str(PROV.value)),
                    "documents": [self.value(o) for o in self.objects(node, str(PROV.wasQuotedFrom))],
                    "start": self.literal(node, str(MLG.startOffset)),
                    "end": self.literal(node, str(MLG.endOffset))})
        evidence.sort(key=lambda e: int(e["start"] or 0))
        return evidence, inferences


def resource_page(iri: str, triples: list[ox.Triple], links: list[tuple[str, int, list[str]]],
                  names: dict[str, str], page, more) -> dict:
    """The model of a resource page: title (French label), types, rows, incoming links grouped
    by property (capped, with counts and ``more(query)``: a link to the full list), provenance,
    qualified links with their evidence, and for a territory its parents and members."""
    d = Describer(triples, names, page)
    node = ox.NamedNode(iri)
    types = {t.value for t in d.objects(node, RDF_TYPE)}
    incoming_rows = [
        Row(p, d.label(p), page(p), [d.value(ox.NamedNode(x)) for x in xs], n,
            more(f"SELECT ?x WHERE {{ ?x {ox.NamedNode(p)} {node} }} ORDER BY ?x") if n > len(xs) else None)
        for p, n, xs in links]
    evidence, inferences = d.provenance(node)
    qualified = []
    for link in d.objects(node, str(MLG.link)):
        ev, inf = d.provenance(link)
        qualified.append({"property": [d.value(o) for o in d.objects(link, str(MLG.linkProperty))],
                          "target": [d.value(o) for o in d.objects(link, str(MLG.linkTarget))],
                          "href": page(link.value), "evidence": ev, "inferences": inf})
    territory = bool(types & TERRITORIES)  # its parents and members get their own section
    return {
        "iri": iri, "title": d.label(iri), "url": page(iri), "territory": territory,
        "types": [d.value(ox.NamedNode(t)) for t in sorted(types)],
        "rows": d.rows(node), "incoming": incoming_rows, "evidence": evidence,
        "inferences": inferences, "qualified": sorted(qualified, key=lambda q: q["href"]),
        "parents": [r for r in d.rows(node) if r.prop in TERRITORY_PARENTS] if territory else [],
        "members": [r for r in incoming_rows if r.prop in TERRITORY_MEMBERS] if territory else [],
    }

