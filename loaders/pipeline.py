"""Loading everything the project ships: ontology, geography, institutions, records.

Each source becomes one named graph, validated before it is written and replaced whole.
:func:`build_store` builds a whole on-disk store in a fresh directory and swaps it in, so a
failure leaves the previous store untouched.
"""

from __future__ import annotations

import gc
import shutil
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from rdflib import Graph, Literal, URIRef

from graph.errors import LoadError
from graph.paths import ONTOLOGY, RECORDS
from graph.store import OxigraphStore
from graph.vocab import GRAPH, ID, MLG, PROV, RDF
from loaders.geography import GEOGRAPHY_GRAPH, Geography, geography_triples, read_geography
from loaders.geography_history import HISTORY_DATASET, HISTORY_GRAPH, history_triples
from loaders.history import all_millesimes
from loaders.institutions import INSTITUTIONS_GRAPH, MSA_DATASET, institutions_triples
from loaders.provenance import record_load
from loaders.records import LoadedRecord, load_record_file
from loaders.registry import Registry, build_registry
from loaders.validate import check_shapes, describe, referenced

ONTOLOGY_GRAPH = str(GRAPH["ontologie"])
RECORD_GRAPHS = str(GRAPH["record/"])
DRAFT_GRAPHS = str(GRAPH["brouillon/"])
ONTOLOGY_FILES = ("maillage.ttl", "schemes.ttl", "shapes.ttl")

Progress = Callable[[str, int], None]


@dataclass(frozen=True)
class GraphLoad:
    """What one load step wrote."""

    graph: str
    triples: int
    seconds: float


def record_files(folder: Path = RECORDS) -> list[Path]:
    """Record files in load order."""
    return sorted(folder.glob("*.yaml"))


def prepare_records(paths: list[Path], registry: Registry,
                    reference: OxigraphStore) -> list[LoadedRecord]:
    """Parse, check and validate records against the shapes, with the descriptions of what
    they refer to taken from ``reference`` (a store holding the geography and institutions).
    Raises on the first bad record, before any record is written."""
    loaded = [load_record_file(path, registry) for path in paths]
    seen: dict[str, Path] = {}
    for rec in loaded:
        if rec.graph_uri in seen:
            raise LoadError(str(rec.path), f"record {rec.record.record!r}",
                            f"same record name as {seen[rec.graph_uri]}")
        seen[rec.graph_uri] = rec.path
        check_shapes(rec.graph, str(rec.path), describe(reference, referenced(rec.graph)))
    return loaded


def _timed(store: OxigraphStore, graph: str, data: bytes, source: str, fmt: str = "nt") -> GraphLoad:
    started, t0 = datetime.now(UTC), time.perf_counter()
    n = store.replace_graph(graph, data, fmt)
    record_load(store, graph, source, started)
    return GraphLoad(graph, n, time.perf_counter() - t0)


def load_ontology(store: OxigraphStore) -> GraphLoad:
    """Ontology, concept schemes and shapes → ``/graph/ontologie``."""
    g = Graph()
    for name in ONTOLOGY_FILES:
        g.parse(ONTOLOGY / name, format="turtle")
    return _timed(store, ONTOLOGY_GRAPH, g.serialize(format="nt", encoding="utf-8"),
                  "https://maillage.fr/def/ontologie")


def load_reference(store: OxigraphStore, geo: Geography) -> Iterator[GraphLoad]:
    """Geography (current and through time) and institution registry."""
    yield _timed(store, GEOGRAPHY_GRAPH, bytes(geography_triples(geo)), geo.dataset)
    yield _timed(store, INSTITUTIONS_GRAPH, bytes(institutions_triples(geo)), MSA_DATASET)
    yield _timed(store, HISTORY_GRAPH, bytes(history_triples(all_millesimes(geo))), HISTORY_DATASET)


def load_records(store: OxigraphStore, records: list[LoadedRecord]) -> Iterator[GraphLoad]:
    """Write prepared records, one graph each."""
    for rec in records:
        data = rec.graph.serialize(format="nt", encoding="utf-8")
        yield _timed(store, rec.graph_uri, data, f"https://maillage.fr/id/document/"
                     f"{rec.record.document.key}")


def load_drafts(store: OxigraphStore, folder: Path, registry: Registry,
                progress: Progress | None = None) -> list[GraphLoad]:
    """Load the drafts of a review area, each into ``/graph/brouillon/{record}``, flagged
    ``mlg:reviewed false``. Draft graphs stay out of the default dataset: clients see them only
    by naming them. A draft that does not load is reported and skipped."""
    note = progress or (lambda _label, _n: None)
    done = []
    for path in sorted(folder.glob("*.yaml")):
        try:
            rec = load_record_file(path, registry)
            check_shapes(rec.graph, str(path), describe(store, referenced(rec.graph)))
        except LoadError as exc:
            note(f"draft {path.name} skipped: {str(exc).splitlines()[0]}", 0)
            continue
        graph = DRAFT_GRAPHS + rec.record.record
        g = rec.graph
        g.remove((URIRef(rec.graph_uri), None, None))
        g.add((URIRef(graph), RDF.type, PROV.Entity))
        g.add((URIRef(graph), MLG.reviewed, Literal(False)))
        g.add((URIRef(graph), PROV.wasDerivedFrom, URIRef(f"{ID}document/{rec.record.document.key}")))
        done.append(_timed(store, graph, g.serialize(format="nt", encoding="utf-8"),
                           f"{ID}document/{rec.record.document.key}"))
        note(graph, done[-1].triples)
    return done


def load_all(store: OxigraphStore, progress: Progress | None = None,
             records_folder: Path = RECORDS, drafts_folder: Path | None = None) -> list[GraphLoad]:
    """Load everything shipped into ``store``: ontology and reference data first (each graph
    replaced atomically, and deterministic), then the records, which are all checked and
    validated before any of them is written: a bad record leaves every record graph as it was.
    """
    note = progress or (lambda _label, _n: None)
    geo = read_geography()
    done = [load_ontology(store)]
    note(done[-1].graph, done[-1].triples)
    for step in load_reference(store, geo):
        done.append(step)
        note(step.graph, step.triples)
    registry = build_registry(geo)
    records = prepare_records(record_files(records_folder), registry, store)
    for step in load_records(store, records):
        done.append(step)
        note(step.graph, step.triples)
    kept = {rec.graph_uri for rec in records}
    for graph in store.graph_sizes():
        if graph.startswith(RECORD_GRAPHS) and graph not in kept:  # its file is gone
            store.drop_graph(graph)
            note(f"{graph} (removed)", 0)
    if drafts_folder is not None:
        done.extend(load_drafts(store, drafts_folder, registry, progress))
    return done


def build_store(path: Path, progress: Progress | None = None,
                records_folder: Path = RECORDS, drafts_folder: Path | None = None) -> list[GraphLoad]:
    """(Re)build the on-disk store at ``path``: load into ``path.new``, then swap directories.

    If anything fails, ``path`` is left as it was and ``path.new`` is removed.
    """
    fresh = path.with_name(path.name + ".new")
    old = path.with_name(path.name + ".old")
    shutil.rmtree(fresh, ignore_errors=True)
    try:
        store = OxigraphStore(fresh)
        done = load_all(store, progress, records_folder, drafts_folder)
        store.raw.optimize()
        store.raw.flush()
        del store
        gc.collect()  # close RocksDB before the directory is renamed
    except BaseException:
        gc.collect()
        shutil.rmtree(fresh, ignore_errors=True)
        raise
    shutil.rmtree(old, ignore_errors=True)
    if path.exists():
        path.rename(old)
    fresh.rename(path)
    shutil.rmtree(old, ignore_errors=True)
    return done
