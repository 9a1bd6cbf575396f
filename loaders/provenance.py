"""Provenance of loaded graphs (PROV-O).

The data graph describes itself deterministically (what it was derived from, by which loader
version), so loading the same source twice gives the same graph. The time of each load is kept
in the journal graph, where the latest load of each graph replaces the previous entry.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from pathlib import Path

import pyoxigraph as ox

from graph.store import OxigraphStore
from graph.vocab import DCAT, DCTERMS, GRAPH, ID, MLG, OWL, PROV, RDF, RDFS, SOFTWARE
from loaders import LOADER_VERSION
from loaders.ntriples import TripleWriter, iri, text, typed

JOURNAL = str(GRAPH["journal"])
LICENCE_OUVERTE = "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
MIT = "https://opensource.org/license/mit"


def sha256_of(*paths: Path) -> str:
    """SHA-256 of the concatenated bytes of ``paths``."""
    digest = hashlib.sha256()
    for path in paths:
        digest.update(path.read_bytes())
    return digest.hexdigest()


def describe_graph(out: TripleWriter, graph: str, source: str, label: str) -> None:
    """Say, inside ``graph``, that it is derived from ``source`` by this loader version."""
    g = iri(graph)
    out.add(g, iri(str(RDF.type)), iri(str(PROV.Entity)))
    out.add(g, iri(str(RDFS.label)), text(label))
    out.add(g, iri(str(PROV.wasDerivedFrom)), iri(source))
    out.add(g, iri(str(PROV.wasAttributedTo)), iri(str(SOFTWARE)))
    out.add(g, iri(str(MLG.loaderVersion)), text(LOADER_VERSION, None))


def describe_dataset(
    out: TripleWriter, dataset: str, *, title: str, version: str, licence: str, publisher: str,
    sha256: str,
) -> None:
    """A reference dataset as a ``dcat:Dataset`` with its version, licence and checksum."""
    d = iri(dataset)
    out.add(d, iri(str(RDF.type)), iri(str(DCAT.Dataset)))
    out.add(d, iri(str(RDF.type)), iri(str(PROV.Entity)))
    out.add(d, iri(str(DCTERMS.title)), text(title))
    out.add(d, iri(str(OWL.versionInfo)), text(version, None))
    out.add(d, iri(str(DCTERMS.license)), iri(licence))
    out.add(d, iri(str(DCTERMS.publisher)), text(publisher, None))
    out.add(d, iri(str(MLG.sha256)), text(sha256, None))


def record_load(store: OxigraphStore, graph: str, source: str, started: datetime) -> None:
    """Replace the journal entry of ``graph``: one ``prov:Activity`` with its times."""
    slug = graph.rsplit("/graph/", 1)[-1].replace("/", "-")
    activity = ox.NamedNode(f"{ID}chargement/{slug}")
    journal = ox.NamedNode(JOURNAL)
    store.raw.update(f"DELETE WHERE {{ GRAPH {journal} {{ {activity} ?p ?o }} }}")
    now = datetime.now(UTC)
    dt = ox.NamedNode("http://www.w3.org/2001/XMLSchema#dateTime")
    quads = [
        (ox.NamedNode(str(RDF.type)), ox.NamedNode(str(PROV.Activity))),
        (ox.NamedNode(str(PROV.used)), ox.NamedNode(source)),
        (ox.NamedNode(str(PROV.generated)), ox.NamedNode(graph)),
        (ox.NamedNode(str(PROV.wasAssociatedWith)), ox.NamedNode(str(SOFTWARE))),
        (ox.NamedNode(str(PROV.startedAtTime)), ox.Literal(started.isoformat(), datatype=dt)),
        (ox.NamedNode(str(PROV.endedAtTime)), ox.Literal(now.isoformat(), datatype=dt)),
        (ox.NamedNode(str(MLG.loaderVersion)), ox.Literal(LOADER_VERSION)),
    ]
    store.add_quads(ox.Quad(activity, p, o, journal) for p, o in quads)


__all__ = ["JOURNAL", "LICENCE_OUVERTE", "MIT", "describe_dataset", "describe_graph",
           "record_load", "sha256_of", "typed"]
