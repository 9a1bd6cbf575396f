"""Dataset metadata and dumps.

``/catalog`` (DCAT-AP) and ``/.well-known/void`` (VoID) serve one description: the dataset is
both a ``dcat:Dataset`` and a ``void:Dataset``, with one ``void:subset`` per named graph. Turtle
by default; JSON-LD, N-Triples, RDF/XML and HTML by ``Accept`` or ``?format=``.

``/dumps/maillage.nq.gz`` (N-Quads, gzip) and ``/dumps/maillage.trig`` (TriG, the dataset
format: the union default graph would lose which source each triple comes from) are built
once per store version and process, written to a spool directory, served as files with a
strong ``ETag`` (the SHA-256 of the file) and answered ``304`` on ``If-None-Match``. Draft graphs
are left out, as they are out of the default dataset.
"""

from __future__ import annotations

import gzip
import hashlib
import tempfile
import threading
from pathlib import Path

import pyoxigraph as ox
from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, Response
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, OWL, RDF, XSD

from api.linked_data import TEMPLATES
from api.routes.resources import FormatError, error, media_type, negotiate, negotiated_headers, page_context
from api.urls import UrlBuilder
from graph.store import DRAFT_GRAPHS
from graph.vocab import BASE, IGEO, MLG, PREFIXES

router = APIRouter(tags=["dataset"])

VOID = Namespace("http://rdfs.org/ns/void#")
LICENCE = URIRef("https://www.etalab.gouv.fr/licence-ouverte-open-licence/")
EU = "http://publications.europa.eu/resource/authority/"
FRANCE, FRENCH = URIRef(EU + "country/FRA"), URIRef(EU + "language/FRA")
THEMES = [URIRef(EU + f"data-theme/{t}") for t in ("SOCI", "REGI")]
IANA = "https://www.iana.org/assignments/media-types/"
FILE_TYPE = EU + "file-type/"
CATALOG, DATASET = URIRef(BASE + "catalog"), URIRef(BASE + "catalog#maillage")
SERVICE, PUBLISHER = URIRef(BASE + "catalog#sparql"), URIRef(BASE)
DUMPS = {"nq.gz": ("application/gzip", "application/n-quads", "RDF_N_QUADS", "N-Quads (gzip)"),
         "trig": ("application/trig", "application/trig", "RDF_TRIG", "TriG")}
OFFER = {"ttl": "text/turtle", "jsonld": "application/ld+json", "html": "text/html",
         "nt": "application/n-triples", "rdf": "application/rdf+xml"}
TEXT = {
    "title": ("maillage : conventions territoriales et partenariats de la protection sociale",
              "maillage: territorial partnership agreements of French social-security funds"),
    "description": (
        "Qui (Caf, caisses de MSA, conseils départementaux, État, régions) signe quelles "
        "conventions (CTG, chartes « avec les familles », conventions de financement) avec quels "
        "territoires (EPCI, communes), sur quels axes, avec quelles actions, quels équipements et "
        "quels financements — chaque fait relié à l’extrait du document qui l’établit. Avec la "
        "géographie administrative (COG) des millésimes 2021 à 2026 et les institutions.",
        "Which institutions (Caf, MSA funds, departmental councils, the State, regions) sign which "
        "agreements (CTG, « avec les familles » charters, funding agreements) with which territories "
        "(EPCI, communes), on which axes, with which actions, facilities and fundings — every fact "
        "linked to the excerpt of the document it comes from. With the administrative geography "
        "(COG) of the 2021 to 2026 vintages and the institutions."),
}
_LOCK = threading.Lock()


def dataset_facts(store) -> dict:
    """What the description says of the store: triples per published graph and their labels,
    a version (hash of the graph sizes and load times), the millésimes, the sources (the
    ``dcat:Dataset`` nodes in the store) and example resources."""
    sizes = {g: n for g, n in store.graph_sizes().items() if not g.startswith(DRAFT_GRAPHS)}
    one = store.query(f"""SELECT ?loaded ?first ?last WHERE {{
        {{ SELECT (MAX(?t) AS ?loaded) WHERE {{ ?a <http://www.w3.org/ns/prov#endedAtTime> ?t }} }}
        {{ SELECT (MIN(?m) AS ?first) (MAX(?m) AS ?last) WHERE {{ ?x <{MLG.millesime}> ?m }} }}
        }}""").rows()[0]
    sources = store.query("""PREFIX dct: <http://purl.org/dc/terms/> SELECT ?d ?title ?licence
        ?publisher ?version WHERE { ?d a <http://www.w3.org/ns/dcat#Dataset>
        OPTIONAL { ?d dct:title ?title } OPTIONAL { ?d dct:license ?licence }
        OPTIONAL { ?d dct:publisher ?publisher }
        OPTIONAL { ?d <http://www.w3.org/2002/07/owl#versionInfo> ?version } } ORDER BY ?d""").rows()
    labels = {r["g"].value: r["l"].value for r in store.query(
        "SELECT ?g ?l WHERE { GRAPH ?g { ?g <http://www.w3.org/2000/01/rdf-schema#label> ?l } }").rows()}
    examples = [r["x"].value for r in store.query(f"""SELECT ?k (MIN(STR(?c)) AS ?x) WHERE {{
        VALUES ?k {{ <{IGEO.Commune}> <{IGEO.Intercommunalite}> <{MLG.Convention}> }} ?c a ?k }}
        GROUP BY ?k ORDER BY ?k""").rows() if "x" in r]
    loaded = one["loaded"].value if "loaded" in one else ""
    version = store.version
    return {"sizes": sizes, "triples": sum(sizes.values()), "labels": labels, "version": version,
            "loaded": loaded, "sources": sources, "examples": examples,
            "years": (one["first"].value, one["last"].value) if "first" in one else None}


def catalog_graph(facts: dict, urls: UrlBuilder) -> Graph:
    """The DCAT-AP catalog and VoID description as an rdflib graph."""
    g = Graph()
    for prefix, ns in {**PREFIXES, "void": str(VOID)}.items():
        g.bind(prefix, ns)
    sparql = URIRef(urls.url("sparql"))
    add = g.add
    for node, kind in ((CATALOG, DCAT.Catalog), (DATASET, DCAT.Dataset), (DATASET, VOID.Dataset),
                       (SERVICE, DCAT.DataService), (PUBLISHER, FOAF.Agent),
                       (LICENCE, DCTERMS.LicenseDocument)):
        add((node, RDF.type, kind))
    for node in (CATALOG, DATASET, SERVICE):
        for key, (fr, en) in TEXT.items():
            add((node, DCTERMS[key], Literal(fr, lang="fr")))
            add((node, DCTERMS[key], Literal(en, lang="en")))
        add((node, DCTERMS.publisher, PUBLISHER))
        add((node, DCTERMS.license, LICENCE))
    add((PUBLISHER, FOAF.name, Literal("maillage")))
    add((LICENCE, DCTERMS.title, Literal("Licence Ouverte / Open Licence 2.0", lang="fr")))
    add((CATALOG, DCAT.dataset, DATASET))
    add((CATALOG, DCAT.service, SERVICE))
    add((CATALOG, FOAF.homepage, URIRef(urls.url("catalog"))))
    for node in (CATALOG, DATASET):
        add((node, DCTERMS.language, FRENCH))
        add((node, DCTERMS.spatial, FRANCE))
    if facts["loaded"]:
        add((DATASET, DCTERMS.modified, Literal(facts["loaded"], datatype=XSD.dateTime)))
    for theme in THEMES:
        add((DATASET, DCAT.theme, theme))
    add((DATASET, URIRef(str(DCAT) + "version"), Literal(facts["version"])))  # DCAT 3
    add((DATASET, OWL.versionInfo, Literal(facts["version"])))
    if facts["years"]:
        period = BNode()
        add((DATASET, DCTERMS.temporal, period))
        add((period, RDF.type, DCTERMS.PeriodOfTime))
        add((period, DCAT.startDate, Literal(f"{facts['years'][0]}-01-01", datatype=XSD.date)))
        add((period, DCAT.endDate, Literal(f"{facts['years'][1]}-12-31", datatype=XSD.date)))
    for row in facts["sources"]:  # the sources, with their own licences
        source = URIRef(row["d"].value)
        add((DATASET, DCTERMS.source, source))
        add((source, RDF.type, DCAT.Dataset))
        for key, prop in (("title", DCTERMS.title), ("version", OWL.versionInfo)):
            if key in row:
                add((source, prop, Literal(row[key].value, lang=row[key].language)))
        if "licence" in row:
            add((source, DCTERMS.license, URIRef(row["licence"].value)))
            add((URIRef(row["licence"].value), RDF.type, DCTERMS.LicenseDocument))
        if "publisher" in row:
            agent = BNode()
            add((source, DCTERMS.publisher, agent))
            add((agent, RDF.type, FOAF.Agent))
            add((agent, FOAF.name, Literal(row["publisher"].value)))
    for name, (media, inner, ftype, title) in DUMPS.items():
        dist = URIRef(f"{BASE}catalog#dump-{name.split('.')[0]}")
        url = URIRef(urls.url(f"dumps/maillage.{name}"))
        add((DATASET, DCAT.distribution, dist))
        add((DATASET, VOID.dataDump, url))
        for p, o in ((RDF.type, DCAT.Distribution), (DCTERMS.title, Literal(f"Export {title}", lang="fr")),
                     (DCAT.accessURL, url), (DCAT.downloadURL, url), (DCTERMS.license, LICENCE),
                     (DCAT.mediaType, URIRef(IANA + inner)), (DCTERMS.format, URIRef(FILE_TYPE + ftype))):
            add((dist, p, o))
        if media != inner:
            add((dist, DCAT.compressFormat, URIRef(IANA + media)))
    endpoint = URIRef(BASE + "catalog#sparql-distribution")
    for p, o in ((RDF.type, DCAT.Distribution), (DCTERMS.title, Literal("Point d’accès SPARQL", lang="fr")),
                 (DCAT.accessURL, sparql), (DCAT.accessService, SERVICE), (DCTERMS.license, LICENCE)):
        add((endpoint, p, o))
    add((DATASET, DCAT.distribution, endpoint))
    for p, o in ((DCAT.endpointURL, sparql), (DCAT.endpointDescription, sparql),
                 (DCAT.servesDataset, DATASET), (DCTERMS.conformsTo, URIRef("https://www.w3.org/TR/sparql11-protocol/"))):
        add((SERVICE, p, o))
    add((DATASET, VOID.sparqlEndpoint, sparql))
    add((DATASET, VOID.uriSpace, Literal(BASE)))
    add((DATASET, VOID.triples, Literal(facts["triples"])))
    for example in facts["examples"]:
        add((DATASET, VOID.exampleResource, URIRef(example)))
    for ns in PREFIXES.values():
        add((DATASET, VOID.vocabulary, URIRef(ns)))
    for graph, n in facts["sizes"].items():
        add((DATASET, VOID.subset, URIRef(graph)))
        add((URIRef(graph), RDF.type, VOID.Dataset))
        add((URIRef(graph), VOID.triples, Literal(n)))
        if graph in facts["labels"]:
            add((URIRef(graph), DCTERMS.title, Literal(facts["labels"][graph], lang="fr")))
    return g


def describe_dataset(request: Request) -> Response:
    """The catalog in the negotiated format (Turtle unless the client asks otherwise)."""
    urls = UrlBuilder(request)
    try:
        fmt = negotiate(request, default="ttl", offer=OFFER)
    except FormatError as exc:
        return error(request, 400, "Bad request", str(exc), False)
    if fmt is None:
        return error(request, 406, "Not acceptable", f"offered: {', '.join(OFFER.values())}", False)
    facts = dataset_facts(request.app.state.store)
    graph = catalog_graph(facts, urls)
    here = urls.url(request.url.path)
    headers = negotiated_headers(fmt, lambda k: f"{here}?format={k}", OFFER)
    if fmt == "html":
        context = page_context(request, urls, facts=facts, text=TEXT, here=here, page=urls.page,
                               dumps={n: urls.url(f"dumps/maillage.{n}") for n in DUMPS},
                               alternates=[{"name": k, "url": f"{here}?format={k}", "type": m}
                                           for k, m in OFFER.items() if k != "html"])
        return TEMPLATES.TemplateResponse(request, "catalog.html", context, headers=headers)
    body = (graph.serialize(format="json-ld", context=PREFIXES | {"void": str(VOID)}, auto_compact=True,
                            encoding="utf-8") if fmt == "jsonld"
            else graph.serialize(format={"ttl": "turtle", "nt": "nt", "rdf": "xml"}[fmt], encoding="utf-8"))
    return Response(body, media_type=media_type(fmt, OFFER), headers=headers)


@router.get("/catalog", summary="DCAT-AP catalog of the dataset (Turtle, JSON-LD, HTML…)")
def catalog(request: Request) -> Response:
    return describe_dataset(request)


@router.get("/.well-known/void", summary="VoID description of the dataset")
def void(request: Request) -> Response:
    return describe_dataset(request)


def published_nquads(store) -> bytes:
    """N-Quads of every published graph (draft graphs left out)."""
    sizes = store.graph_sizes()
    if not any(g.startswith(DRAFT_GRAPHS) for g in sizes):
        return store.export("nq")
    parts = []
    for graph in (g for g in sizes if not g.startswith(DRAFT_GRAPHS)):
        # one N-Triples statement per line, ending " .\n": name the graph before the dot
        parts.append(store.export("nt", graph=graph).replace(b" .\n", f" <{graph}> .\n".encode()))
    return b"".join(parts)


def dump_file(request: Request, name: str) -> tuple[Path, str]:
    """The dump ``maillage.{name}`` of the current store version and its ETag. Built on first
    use in this process (one build at a time) into the spool directory (setting ``dump_dir``,
    default ``$TMPDIR/maillage-dumps``), where it replaces the dumps of other versions."""
    state, store = request.app.state, request.app.state.store
    version = dataset_facts(store)["version"]
    if getattr(state, "maillage_dumps", None) is None:
        state.maillage_dumps = {}
    key = (id(store), version, name)
    with _LOCK:
        hit = state.maillage_dumps.get(key)
        if hit is None or not hit[0].exists():
            spool = Path(getattr(state.settings, "dump_dir", None) or
                         Path(tempfile.gettempdir()) / "maillage-dumps")
            spool.mkdir(parents=True, exist_ok=True)
            path = spool / f"maillage-{version}.{name}"
            data = published_nquads(store)
            with tempfile.NamedTemporaryFile(dir=spool, suffix=".part", delete=False) as raw:
                if name == "nq.gz":  # mtime=0 and no file name: the same data gives the same bytes
                    with gzip.GzipFile(filename="", mode="wb", fileobj=raw, mtime=0) as gz:
                        gz.write(data)
                else:
                    raw.write(ox.serialize(ox.parse(data, format=ox.RdfFormat.N_QUADS),
                                           format=ox.RdfFormat.TRIG, prefixes=PREFIXES))
            Path(raw.name).replace(path)
            for old in spool.glob(f"maillage-*.{name}"):
                if old != path:
                    old.unlink(missing_ok=True)
            state.maillage_dumps[key] = (path, '"' + hashlib.sha256(path.read_bytes()).hexdigest() + '"')
        return state.maillage_dumps[key]


def serve_dump(request: Request, name: str) -> Response:
    path, etag = dump_file(request, name)
    headers = {"ETag": etag, "Cache-Control": "public, max-age=3600",
               "Link": f'<{UrlBuilder(request).url("catalog")}>; rel="describedby"; type="text/turtle"'}
    asked = request.headers.get("if-none-match", "")
    if any(tag.strip().removeprefix("W/") in (etag, "*") for tag in asked.split(",")):
        return Response(status_code=304, headers=headers)
    return FileResponse(path, media_type=DUMPS[name][0], headers=headers, filename=f"maillage.{name}")


@router.api_route("/dumps/maillage.nq.gz", methods=["GET", "HEAD"],
                  summary="The whole dataset in N-Quads, gzip-compressed")
def dump_nquads(request: Request) -> Response:
    return serve_dump(request, "nq.gz")


@router.api_route("/dumps/maillage.trig", methods=["GET", "HEAD"], summary="The whole dataset in TriG")
def dump_trig(request: Request) -> Response:
    return serve_dump(request, "trig")
