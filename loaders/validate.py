"""SHACL validation of a graph before it is written (pyshacl, shapes in ontology/shapes.ttl)."""

from __future__ import annotations

from functools import lru_cache

from pyshacl import validate
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from graph.errors import ShapeViolationError
from graph.paths import ONTOLOGY
from graph.store import OxigraphStore
from graph.vocab import ID

# The things a record points to outside itself: their reference descriptions (from the
# geography and institution graphs) join the record for validation.
_REFERENCE_PREFIXES = tuple(f"{ID}{kind}/" for kind in
                            ("commune", "epci", "departement", "region", "organisation"))


@lru_cache(maxsize=1)
def shapes() -> Graph:
    """The SHACL shapes graph."""
    return Graph().parse(ONTOLOGY / "shapes.ttl", format="turtle")


@lru_cache(maxsize=1)
def vocabulary() -> Graph:
    """Ontology and concept schemes (so that ``sh:class skos:Concept`` checks see the concepts)."""
    g = Graph()
    for name in ("maillage.ttl", "schemes.ttl"):
        g.parse(ONTOLOGY / name, format="turtle")
    return g


def referenced(g: Graph) -> set[URIRef]:
    """IRIs of territories and organisations that ``g`` mentions but does not type itself."""
    typed = set(g.subjects(RDF.type))
    nodes = {n for n in (*g.subjects(), *g.objects()) if isinstance(n, URIRef)}
    return {n for n in nodes - typed if str(n).startswith(_REFERENCE_PREFIXES)}


def describe(store: OxigraphStore, iris: set[URIRef]) -> Graph:
    """The triples about ``iris`` in ``store``, with the types of what they point to."""
    context = Graph()
    if iris:
        values = " ".join(f"<{iri}>" for iri in sorted(iris))
        result = store.query(
            "CONSTRUCT { ?s ?p ?o . ?o a ?type } WHERE { "
            f"VALUES ?s {{ {values} }} ?s ?p ?o OPTIONAL {{ ?o a ?type }} }}"
        )
        context.parse(data=result.serialize("nt"), format="nt")
    return context


def check_shapes(g: Graph, source: str, context: Graph | None = None) -> None:
    """Validate ``g`` together with the vocabulary and ``context`` (descriptions of what it
    refers to) against the shapes.

    :raises ShapeViolationError: with pyshacl's text report if it does not conform.
    """
    data = g + vocabulary() + (context if context is not None else Graph())
    own = sorted(set(g.subjects(RDF.type)))  # the record's own nodes; the rest is context
    conforms, _, report = validate(data, shacl_graph=shapes(), inference="none",
                                   allow_warnings=True, advanced=True, focus_nodes=own)
    if not conforms:
        raise ShapeViolationError(source, report)
