"""Linked data: every IRI the project mints dereferences on this server.

``/id/{…}`` (entities and their sub-resources), ``/def/ontologie`` (the ontology, documented
from its graph), ``/def/{scheme}`` and ``/def/{scheme}/{notation}`` (concept schemes, concepts,
shapes), ``/graph/{…}`` (the named graphs, as they describe themselves). The route path ``/id/x``
names the IRI ``https://maillage.fr/id/x`` whatever host serves it.

Representations: HTML, Turtle, JSON-LD, N-Triples and RDF/XML, chosen by ``?format=``, then a
suffix (``/id/commune/09167.ttl``, ``.jsonld``, ``.nt``, ``.rdf``, ``.html``), then ``Accept``.

Why 200 with content negotiation rather than a 303 to a document: one request instead of two
(some FAIR checkers, caches and JavaScript clients do not follow 303s well), and nothing is lost,
because every answer names the document it is with ``Content-Location`` (the suffixed URL), says
``Vary: Accept`` and lists the other serializations in ``Link: rel="alternate"`` headers — the
thing/document distinction stays explicit without a redirect chain.
"""

from __future__ import annotations

import re
from collections import defaultdict
from urllib.parse import urlencode

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import Response
from rdflib import Graph

from api import linked_data as ld
from api.errors import problem
from api.negotiation import parse_accept
from api.urls import UrlBuilder
from graph.vocab import BASE, GRAPH, MLG, PREFIXES, RDFS, SKOS

router = APIRouter(tags=["linked data"])

MEDIA = {"html": "text/html", "ttl": "text/turtle", "jsonld": "application/ld+json",
         "nt": "application/n-triples", "rdf": "application/rdf+xml"}
NAMES = {"turtle": "ttl", "json-ld": "jsonld", "json": "jsonld", "ntriples": "nt",
         "n-triples": "nt", "xml": "rdf", "rdfxml": "rdf", "rdf+xml": "rdf"}
ACCEPT_ALIASES = {"application/xhtml+xml": "html", "application/json": "jsonld",
                  "text/plain": "nt", "application/xml": "rdf", "text/xml": "rdf",
                  "application/x-turtle": "ttl"}
CHARSET = {"html", "ttl", "nt"}
ONTOLOGY = "ontologie"
MAX_PATH = 300
_SEGMENT = re.compile(r"^[\w~-]+(?:\.[\w~-]+)*$")
_SUFFIX = re.compile(r"\.(ttl|jsonld|nt|rdf|html)$")


class FormatError(ValueError):
    """A ``?format=`` value that names no representation on offer."""


def negotiate(request: Request, suffix: str | None = None, default: str = "html",
              offer: dict[str, str] = MEDIA) -> str | None:
    """The format key to answer with: ``?format=`` beats the suffix beats ``Accept``; ``None``
    when ``Accept`` lists nothing on offer.

    :raises FormatError: for a ``?format=`` value that is not on offer.
    """
    asked = request.query_params.get("format")
    if asked:
        key = NAMES.get(asked.lower(), asked.lower())
        key = {v: k for k, v in offer.items()}.get(key, key)
        if key not in offer:
            raise FormatError(f"format {asked!r} is not one of {', '.join(offer)}")
        return key
    if suffix:
        return suffix
    by_media = {v: k for k, v in offer.items()}
    for media in parse_accept(request.headers.get("accept")) or ["*/*"]:
        key = by_media.get(media) or ACCEPT_ALIASES.get(media)
        if key in offer:
            return key
        if media.endswith("/*"):  # */*, text/*, application/*: the default if it fits
            fits = [k for k in (default, *offer) if media == "*/*" or offer[k].startswith(media[:-1])]
            if fits:
                return fits[0]
    return None


def serialize(triples: list[ox.Triple], fmt: str) -> bytes:
    """Triples as ``ttl``, ``nt``, ``rdf`` (RDF/XML) or ``jsonld`` — JSON-LD compacted with a
    stable context, the project's prefixes (``graph.vocab.PREFIXES``)."""
    if fmt == "jsonld":
        graph = Graph()
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES), format="nt")
        return graph.serialize(format="json-ld", context=PREFIXES, auto_compact=True,
                               encoding="utf-8")
    formats = {"ttl": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES, "rdf": ox.RdfFormat.RDF_XML}
    return ox.serialize(triples, format=formats[fmt], prefixes=PREFIXES)


def script_json(data: bytes) -> str:
    """JSON made safe inside ``<script>``: no ``<``, ``>`` or ``&`` left to end the element."""
    return (data.decode("utf-8").replace("<", "\\u003c").replace(">", "\\u003e")
            .replace("&", "\\u0026"))


def media_type(fmt: str, offer: dict[str, str] = MEDIA) -> str:
    return offer[fmt] + ("; charset=utf-8" if fmt in CHARSET else "")


def negotiated_headers(fmt: str, url_of, offer: dict[str, str] = MEDIA) -> dict[str, str]:
    """``Vary``, ``Content-Location`` (the document served) and ``Link: rel="alternate"`` for
    each other format; ``url_of(fmt)`` is the URL of one format."""
    links = ", ".join(f'<{url_of(k)}>; rel="alternate"; type="{m}"'
                      for k, m in offer.items() if k != fmt)
    return {"Vary": "Accept", "Link": links, "Content-Location": url_of(fmt)}


def page_context(request: Request, urls: UrlBuilder, **context) -> dict:
    """What every page template needs: the public links of the site."""
    return {"request": request, "css": urls.url("static/maillage.css"),
            "home": {"catalog": urls.url("catalog"), "ontology": urls.url("def/ontologie"),
                     "sparql": urls.url("sparql")}, **context}


def error(request: Request, status: int, title: str, detail: str, html: bool) -> Response:
    """One error: an HTML page for a browser, ``application/problem+json`` for a machine."""
    if not html:
        response = problem(status, title, detail)
    else:
        context = page_context(request, UrlBuilder(request), status=status, title=title,
                               detail=detail)
        response = ld.TEMPLATES.TemplateResponse(request, "error.html", context, status_code=status)
    response.headers["Vary"] = "Accept"
    return response


def check_path(path: str) -> str | None:
    """Why ``path`` cannot be one of our IRIs' paths (``None`` when it can)."""
    if len(path) > MAX_PATH:
        return f"the path is longer than {MAX_PATH} characters"
    if not all(_SEGMENT.match(s) for s in path.split("/")):
        return "the path has an empty, '.' or '..' segment or a character no IRI here uses"
    return None


def dereference(request: Request, prefix: str, path: str) -> Response:
    """The representation of ``BASE + prefix + path`` (a suffix chooses the format)."""
    accepts_html = negotiate_or_none(request) == "html"
    reason = check_path(path)
    if reason:
        return error(request, 400, "Bad request", reason, accepts_html)
    match = _SUFFIX.search(path)
    stem, suffix = (path[:match.start()], match.group(1)) if match else (path, None)
    try:
        fmt = negotiate(request, suffix)
    except FormatError as exc:
        return error(request, 400, "Bad request", str(exc), accepts_html)
    if fmt is None:
        return error(request, 406, "Not acceptable",
                     f"this resource is offered as {', '.join(MEDIA.values())}", False)
    urls, store, iri = UrlBuilder(request), request.app.state.store, BASE + prefix + stem
    if prefix == "def/" and stem == ONTOLOGY:
        return ontology(request, urls, fmt)
    triples = ld.describe(store, iri)
    links = ld.incoming(store, iri) if fmt == "html" or not triples else []
    if not triples and not links:
        return error(request, 404, "Not found", f"no resource {iri} here", fmt == "html")
    headers = negotiated_headers(fmt, lambda k: urls.alternate(iri, k))
    if not triples:  # known only as an object: its RDF is the links that point at it
        triples = [ox.Triple(ox.NamedNode(x), ox.NamedNode(p), ox.NamedNode(iri))
                   for p, _, xs in links for x in xs]
    if fmt != "html":
        return Response(serialize(triples, fmt), media_type=media_type(fmt), headers=headers)
    iris = {iri} | {x for p, _, xs in links for x in [p, *xs]}
    for t in triples:
        iris.update(n.value for n in (t.subject, t.predicate, t.object) if isinstance(n, ox.NamedNode))
    sparql = urls.url("sparql")
    model = ld.resource_page(iri, triples, links, ld.labels(store, iris), urls.page,
                             lambda query: sparql + "?" + urlencode({"query": query}))
    context = page_context(request, urls, page=model, jsonld=script_json(serialize(triples, "jsonld")),
                           alternates=_alternates(lambda k: urls.alternate(iri, k)))
    return ld.TEMPLATES.TemplateResponse(request, "resource.html", context, headers=headers)


def _alternates(url_of) -> list[dict[str, str]]:
    names = {"ttl": "Turtle", "jsonld": "JSON-LD", "nt": "N-Triples", "rdf": "RDF/XML"}
    return [{"name": n, "url": url_of(k), "type": MEDIA[k]} for k, n in names.items()]


def negotiate_or_none(request: Request) -> str | None:
    try:
        return negotiate(request)
    except FormatError:
        return None


def graph_triples(store, graph: str) -> list[ox.Triple]:
    """Every triple of one named graph (e.g. the ontology), sorted."""
    result = store.query("CONSTRUCT { ?s ?p ?o } WHERE { GRAPH ?g { ?s ?p ?o } }",
                         {"g": ox.NamedNode(graph)})
    return sorted(set(result.raw), key=str)


OWL = "http://www.w3.org/2002/07/owl#"
TERM_KINDS = {"classes": [OWL + "Class"], "properties": [OWL + "ObjectProperty", OWL + "DatatypeProperty"],
              "annotations": [OWL + "AnnotationProperty"]}
_SHOWN = {ld.RDF_TYPE, str(RDFS.label), str(SKOS.prefLabel), str(SKOS.definition), str(RDFS.isDefinedBy)}


def ontology_page(triples: list[ox.Triple], page) -> dict:
    """The documentation of the ontology graph: the ontology's own description; its classes,
    properties and annotation properties (labels fr/en, definitions fr/en, then every other
    statement: domains, ranges, super-classes…); the reused terms; the concept schemes with
    their concepts."""
    found: dict[str, list] = defaultdict(list)
    for t in triples:
        if t.predicate.value in ld.LABELS and isinstance(t.object, ox.Literal):
            found[t.subject.value].append((t.predicate.value, t.object))
    d = ld.Describer(triples, {iri: ld.best_label(c) for iri, c in found.items()}, page)
    typed: dict[str, list] = defaultdict(list)
    for t in triples:
        if t.predicate.value == ld.RDF_TYPE and isinstance(t.subject, ox.NamedNode):
            typed[t.object.value].append(t.subject)

    def term(node: ox.NamedNode) -> dict:
        label = str(SKOS.prefLabel) if d.objects(node, str(SKOS.prefLabel)) else str(RDFS.label)
        return {"iri": node.value, "anchor": re.split(r"[#/]", node.value)[-1], "href": page(node.value),
                "curie": ld.curie(node.value), "fr": d.literal(node, label, "fr") or d.label(node.value),
                "en": d.literal(node, label, "en"),
                "definition_fr": d.literal(node, str(SKOS.definition), "fr"),
                "definition_en": d.literal(node, str(SKOS.definition), "en"),
                "rows": d.rows(node, skip=_SHOWN)}

    def ours(kinds: list[str]) -> list[dict]:
        nodes = {n for k in kinds for n in typed[k] if n.value.startswith(str(MLG))}
        return sorted((term(n) for n in nodes), key=lambda t: t["anchor"].casefold())

    reused = {n for kinds in TERM_KINDS.values() for k in kinds for n in typed[k]
              if not n.value.startswith(str(MLG))}
    schemes = []
    for scheme in sorted(typed[str(SKOS.ConceptScheme)], key=lambda n: n.value):
        concepts = [term(c) for c in typed[str(SKOS.Concept)] if scheme in d.objects(c, str(SKOS.inScheme))]
        schemes.append({**term(scheme), "concepts": sorted(concepts, key=lambda c: c["anchor"])})
    ontology = typed[OWL + "Ontology"][0] if typed[OWL + "Ontology"] else None
    return {
        "ontology": term(ontology) if ontology else None,
        **{kind: ours(classes) for kind, classes in TERM_KINDS.items()},
        "reused": sorted((d.value(n) for n in reused), key=lambda v: ld.curie(v.iri)),
        "schemes": schemes,
    }


def ontology(request: Request, urls: UrlBuilder, fmt: str) -> Response:
    """``/def/ontologie``: the whole ontology graph (ontology, concept schemes, shapes) in RDF;
    for browsers its documentation, generated from that graph."""
    store, iri = request.app.state.store, BASE + "def/" + ONTOLOGY
    triples = graph_triples(store, str(GRAPH[ONTOLOGY]))
    if not triples:
        return error(request, 404, "Not found", "no ontology graph in this store", fmt == "html")
    headers = negotiated_headers(fmt, lambda k: urls.alternate(iri, k))
    if fmt != "html":
        return Response(serialize(triples, fmt), media_type=media_type(fmt), headers=headers)
    # The page embeds the ontology's own description; the whole graph is one link away.
    context = page_context(request, urls, page=ontology_page(triples, urls.page), iri=iri,
                           jsonld=script_json(serialize(ld.describe(store, iri), "jsonld")),
                           alternates=_alternates(lambda k: urls.alternate(iri, k)))
    return ld.TEMPLATES.TemplateResponse(request, "ontology.html", context, headers=headers)


@router.api_route("/id/{path:path}", methods=["GET", "HEAD"], summary="An entity (HTML or RDF)")
def entity(request: Request, path: str) -> Response:
    return dereference(request, "id/", path)


@router.api_route("/def/{path:path}", methods=["GET", "HEAD"],
                  summary="The ontology, a concept scheme or a concept (HTML or RDF)")
def definition(request: Request, path: str) -> Response:
    return dereference(request, "def/", path)


@router.api_route("/graph/{path:path}", methods=["GET", "HEAD"],
                  summary="A named graph as it describes itself (HTML or RDF)")
def named_graph(request: Request, path: str) -> Response:
    return dereference(request, "graph/", path)

