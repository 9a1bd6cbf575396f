"""One store interface over an embedded pyoxigraph store (on disk or in memory).

The interface (:class:`GraphStore`) is small on purpose so that a remote SPARQL 1.1 endpoint
can implement it: replace a named graph, query, update, export, list graphs.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

import pyoxigraph as ox

from graph.errors import BadQueryError, LoadError, NotFoundError

Term = ox.NamedNode | ox.Literal | ox.BlankNode

RESULT_FORMATS = {
    "json": ox.QueryResultsFormat.JSON,
    "xml": ox.QueryResultsFormat.XML,
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
}
RDF_FORMATS = {
    "ttl": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nq": ox.RdfFormat.N_QUADS,
}
_STAGING = "urn:maillage:staging:"
# Graphs of extracted, unreviewed drafts: left out of the default dataset, queried only when a
# client names them (SPARQL Protocol default-graph-uri / named-graph-uri).
DRAFT_GRAPHS = "https://maillage.fr/graph/brouillon/"
_WHERE_OPEN = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
# Strings, IRIs and comments, blanked out (same length) before looking for the WHERE clause.
_OPAQUE = re.compile(r'"""[\s\S]*?"""|\'\'\'[\s\S]*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'
                     r"'(?:[^'\\\n]|\\.)*'|<[^<>\s{}]*>|#[^\n]*")


@dataclass(frozen=True)
class Solutions:
    """SELECT solutions already read from the engine (what ``QuerySolutions`` gives when
    iterated: ``variables`` and the solutions)."""

    variables: list[ox.Variable]
    solutions: list[ox.QuerySolution]

    def __iter__(self) -> Iterator[ox.QuerySolution]:
        return iter(self.solutions)


@dataclass
class QueryResult:
    """The result of a query: ``kind`` is ``select``, ``ask`` or ``graph``."""

    kind: str
    raw: ox.QuerySolutions | ox.QueryBoolean | ox.QueryTriples | Solutions

    def serialize(self, fmt: str, output: BinaryIO | None = None) -> bytes | None:
        """Serialize with the store's own serializers (``json``/``xml``/``csv``/``tsv`` for
        SELECT and ASK, ``ttl``/``nt``/``jsonld``/``xml``/``trig``/``nq`` for graphs): the
        bytes, or written to ``output`` as they come (8 KiB at a time) and ``None``.

        :raises BadQueryError: if the format does not fit the result kind.
        """
        if self.kind == "graph":
            if fmt not in RDF_FORMATS:
                raise BadQueryError(f"format {fmt!r} is not an RDF format for a graph result")
            return self.raw.serialize(output, format=RDF_FORMATS[fmt])
        if fmt not in RESULT_FORMATS or (self.kind == "ask" and fmt in ("csv", "tsv")):
            raise BadQueryError(f"format {fmt!r} does not fit a {self.kind.upper()} result")
        if isinstance(self.raw, Solutions):
            raise BadQueryError("solutions already read cannot be serialized by the store")
        return self.raw.serialize(output, format=RESULT_FORMATS[fmt])

    def rows(self) -> list[dict[str, Term]]:
        """SELECT solutions as dicts of variable name → term (unbound variables left out)."""
        if self.kind != "select":
            raise BadQueryError("rows() needs a SELECT result")
        names = [v.value for v in self.raw.variables]
        return [
            {n: s[n] for n in names if s[n] is not None}
            for s in self.raw
        ]


class GraphStore(Protocol):
    """What maillage needs of a quad store."""

    def replace_graph(self, graph: str, data: bytes, fmt: str = "nt") -> int: ...
    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None, *,
              default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None) -> QueryResult: ...
    def update(self, sparql: str) -> None: ...
    def export(self, fmt: str = "nq", graph: str | None = None) -> bytes: ...
    def graph_sizes(self) -> dict[str, int]: ...


def mask_sparql(sparql: str) -> str:
    """The text with strings, IRIs and comments blanked (same length), for keyword and
    structure checks that must not look inside them.

    >>> mask_sparql('SELECT * WHERE { ?s ?p "{" } # }')
    'SELECT * WHERE { ?s ?p     }    '
    """
    return _OPAQUE.sub(lambda m: " " * len(m.group(0)), sparql)


def bind_values(sparql: str, bindings: Mapping[str, Term]) -> str:
    """Bind variables by a ``VALUES`` block opened at the top of the first ``WHERE`` group.

    Terms are serialized by pyoxigraph, so user text can never become query syntax.

    >>> bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"p": ox.NamedNode("http://e/p")})
    'SELECT ?x WHERE { VALUES (?p) { (<http://e/p>) } ?x ?p ?o }'
    """
    if not bindings:
        return sparql
    match = _WHERE_OPEN.search(mask_sparql(sparql))
    if match is None:
        raise BadQueryError("cannot bind parameters: the query has no WHERE clause")
    names = " ".join(f"?{name}" for name in bindings)
    values = " ".join(str(term) for term in bindings.values())
    block = f" VALUES ({names}) {{ ({values}) }}"
    return sparql[: match.end()] + block + sparql[match.end():]


class OxigraphStore:
    """The embedded store: ``OxigraphStore(None)`` is in memory, ``OxigraphStore(path)`` on disk.

    Queries see the union of the named graphs as their default graph, draft graphs excepted.
    """

    def __init__(self, path: Path | None = None, *, read_only: bool = False) -> None:
        self.path = path
        if path is None:
            self._store = ox.Store()
        elif read_only:
            self._store = ox.Store.read_only(str(path))
        else:
            path.mkdir(parents=True, exist_ok=True)
            self._store = ox.Store(str(path))
        self._published: list[ox.NamedNode] | None = None  # None: no drafts, use the union
        self._version: str | None = None
        # Writes through this object count into the version, as does (for a writable store)
        # a nonce of this opening: the same triple counts after a write are not the same data.
        self._writes = -1
        self._nonce = "" if read_only else os.urandom(8).hex()
        self._refresh_dataset()

    def refresh(self) -> None:
        """Recompute the default dataset after graphs were added or removed by raw writes."""
        self._refresh_dataset()

    def _refresh_dataset(self) -> None:
        """Recompute the default dataset after the set of graphs changed."""
        self._version = None
        self._writes += 1
        graphs = [g for g in self._store.named_graphs() if not g.value.startswith(_STAGING)]
        drafts = [g for g in graphs if g.value.startswith(DRAFT_GRAPHS)]
        self._published = [g for g in graphs if g not in drafts] if drafts else None

    @property
    def version(self) -> str:
        """A short hash of the published data: triples per graph (drafts left out), the last
        load time and, for a store opened writable, this opening and its writes. Computed once
        (a count over the store), again after a write; a read-only store gives every process
        the same version. For ETags, caches and dumps."""
        if self._version is None:
            sizes = sorted((g, n) for g, n in self.graph_sizes().items()
                           if not g.startswith(DRAFT_GRAPHS))
            last = "SELECT (MAX(?t) AS ?t) WHERE { ?a <http://www.w3.org/ns/prov#endedAtTime> ?t }"
            loaded = self.query(last).rows()[0].get("t")
            stamp = json.dumps([sizes, loaded.value if loaded is not None else "",
                                self._nonce, self._writes])
            self._version = hashlib.sha256(stamp.encode()).hexdigest()[:16]
        return self._version

    @property
    def raw(self) -> ox.Store:
        """The underlying pyoxigraph store (for benchmarks and low-level tools)."""
        return self._store

    def replace_graph(self, graph: str, data: bytes, fmt: str = "nt") -> int:
        """Replace named graph ``graph`` with ``data`` atomically; return its triple count.

        A new graph is bulk-loaded in place (removed again if the load fails). An existing one
        is bulk-loaded into a staging graph first and swapped in by one SPARQL ``MOVE``, which
        pyoxigraph runs in a single transaction. Either way a parse error leaves the store as
        it was. (On disk, ``MOVE`` of a large graph is slow: rebuild whole stores with
        :func:`loaders.pipeline.build_store`, which swaps directories instead.)

        :raises LoadError: if ``data`` does not parse.
        """
        target = ox.NamedNode(graph)
        exists = self._store.contains_named_graph(target)
        into = ox.NamedNode(_STAGING + graph) if exists else target
        if exists:
            self._drop_if_present(into)
        try:
            self._store.bulk_load(data, format=RDF_FORMATS[fmt], to_graph=into)
        except (SyntaxError, ValueError, OSError) as exc:
            self._drop_if_present(into)
            raise LoadError(graph, "parse", str(exc)) from exc
        if exists:
            if not self._store.contains_named_graph(into):  # the new data is empty
                self._store.add_graph(into)
            self._store.update(f"MOVE SILENT {into} TO {target}")
        if not self._store.contains_named_graph(target):  # an empty graph is still a graph
            self._store.add_graph(target)
        if self.path is not None:
            self._store.flush()
        self._refresh_dataset()
        return self.count(graph)

    def _drop_if_present(self, node: ox.NamedNode) -> None:
        if self._store.contains_named_graph(node):
            self._store.remove_graph(node)

    def drop_graph(self, graph: str) -> None:
        """Remove a named graph.

        :raises NotFoundError: if there is no such graph.
        """
        node = ox.NamedNode(graph)
        if not self._store.contains_named_graph(node):
            raise NotFoundError(f"no graph {graph}")
        self._store.remove_graph(node)
        self._refresh_dataset()

    def count(self, graph: str) -> int:
        """Number of triples in a named graph."""
        q = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        return int(next(iter(self._store.query(q)))["n"].value)

    def graph_sizes(self) -> dict[str, int]:
        """Triples per named graph, staging graphs excluded."""
        q = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g ORDER BY ?g"
        return {
            s["g"].value: int(s["n"].value)
            for s in self._store.query(q)
            if not s["g"].value.startswith(_STAGING)
        }

    def query(self, sparql: str, bindings: Mapping[str, Term] | None = None, *,
              default_graphs: list[str] | None = None,
              named_graphs: list[str] | None = None) -> QueryResult:
        """Run a SPARQL query. The default graph is the union of the named graphs (draft graphs
        left out), unless ``default_graphs`` names the graphs to use (SPARQL Protocol
        ``default-graph-uri``); ``named_graphs`` restricts what ``GRAPH`` sees
        (``named-graph-uri``). Drafts are seen only when named this way.

        :raises BadQueryError: on a syntax error or an evaluation error.
        """
        text = bind_values(sparql, bindings or {})
        options: dict = {}
        if default_graphs:
            options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
        elif self._published is not None:
            options["default_graph"] = self._published
        else:
            options["use_default_graph_as_union"] = True
        if named_graphs:
            options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
        elif self._published is not None and not default_graphs:
            options["named_graphs"] = self._published
        try:
            raw = self._store.query(text, **options)
        except (SyntaxError, ValueError, OSError) as exc:
            raise BadQueryError(str(exc)) from exc
        if isinstance(raw, ox.QueryBoolean):
            return QueryResult("ask", raw)
        if isinstance(raw, ox.QueryTriples):
            return QueryResult("graph", raw)
        return QueryResult("select", raw)

    def update(self, sparql: str) -> None:
        """Run a SPARQL update in one transaction.

        :raises BadQueryError: on a syntax or evaluation error (nothing is written then).
        """
        try:
            self._store.update(sparql)
        except (SyntaxError, ValueError, OSError) as exc:
            raise BadQueryError(str(exc)) from exc
        self._refresh_dataset()

    def export(self, fmt: str = "nq", graph: str | None = None) -> bytes:
        """Dump the whole dataset (``nq``, ``trig``) or one graph (any RDF format)."""
        if graph is None:
            return self._store.dump(format=RDF_FORMATS[fmt])
        return self._store.dump(format=RDF_FORMATS[fmt], from_graph=ox.NamedNode(graph))

    def add_quads(self, quads: Iterable[ox.Quad]) -> None:
        """Add quads in one transaction (small writes)."""
        self._store.extend(quads)
        self._refresh_dataset()


def open_store(path: Path | None, *, read_only: bool = False) -> OxigraphStore:
    """Open the embedded store at ``path`` (``None``: in memory)."""
    return OxigraphStore(path, read_only=read_only)
