"""Tests of graph/store.py: the embedded pyoxigraph store behind maillage.

Every test that writes uses its own store (``OxigraphStore(None)`` in memory, or on disk under
``tmp_path``); the session store of conftest.py is only read.
"""

from __future__ import annotations

import csv
import doctest
import io
import json
import xml.etree.ElementTree as ET

import pyoxigraph as ox
import pytest

from graph.errors import BadQueryError, LoadError
from graph.store import OxigraphStore, bind_values
from loaders.institutions import institutions_triples
from loaders.pipeline import GraphLoad

G = "http://example.org/graph/a"
H = "http://example.org/graph/b"
E = "http://example.org/"

DATA_V1 = (
    f'<{E}s1> <{E}p> "un" .\n'
    f'<{E}s1> <{E}p> "deux"@fr .\n'
    f"<{E}s2> <{E}q> <{E}s1> .\n"
).encode()
DATA_V2 = (
    f'<{E}s3> <{E}p> "trois" .\n'
    f'<{E}s3> <{E}p> "trois" .\n'  # a duplicate: a graph is a set
    f'<{E}s4> <{E}p> "4"^^<http://www.w3.org/2001/XMLSchema#integer> .\n'
).encode()
BROKEN = (
    f'<{E}s5> <{E}p> "cinq" .\n'
    f"<{E}s5> <{E}p> pas-un-terme .\n"
).encode()


def triples(store: OxigraphStore, graph: str) -> set[tuple[str, str, str]]:
    """The triples of one named graph, as N-Triples terms (comparable sets)."""
    node = ox.NamedNode(graph)
    return {(str(q.subject), str(q.predicate), str(q.object))
            for q in store.raw.quads_for_pattern(None, None, None, node)}


def named_graphs(store: OxigraphStore) -> set[str]:
    return {g.value for g in store.raw.named_graphs()}


@pytest.fixture
def mem() -> OxigraphStore:
    return OxigraphStore(None)


# ----------------------------------------------------------------------------------------------
# replace_graph
# ----------------------------------------------------------------------------------------------


def test_replace_graph_new_graph(mem: OxigraphStore) -> None:
    assert mem.replace_graph(G, DATA_V1) == 3
    assert triples(mem, G) == {
        (f"<{E}s1>", f"<{E}p>", '"un"'),
        (f"<{E}s1>", f"<{E}p>", '"deux"@fr'),
        (f"<{E}s2>", f"<{E}q>", f"<{E}s1>"),
    }
    assert named_graphs(mem) == {G}


def test_replace_graph_existing_graph_replaces_not_merges(mem: OxigraphStore) -> None:
    mem.replace_graph(G, DATA_V1)
    mem.replace_graph(H, DATA_V1)
    # 3 lines, one of them a duplicate: 2 triples
    assert mem.replace_graph(G, DATA_V2) == 2
    assert triples(mem, G) == {
        (f"<{E}s3>", f"<{E}p>", '"trois"'),
        (f"<{E}s4>", f"<{E}p>", '"4"^^<http://www.w3.org/2001/XMLSchema#integer>'),
    }
    assert mem.count(G) == 2
    # the other graph is untouched, no staging graph is left behind
    assert len(triples(mem, H)) == 3
    assert named_graphs(mem) == {G, H}
    assert mem.graph_sizes() == {G: 2, H: 3}


def test_replace_graph_turtle(mem: OxigraphStore) -> None:
    ttl = f'@prefix e: <{E}> .\ne:s1 e:p "un", "deux" ; e:q e:s2 .\n'.encode()
    assert mem.replace_graph(G, ttl, "ttl") == 3
    assert (f"<{E}s1>", f"<{E}q>", f"<{E}s2>") in triples(mem, G)


def test_parse_error_on_existing_graph_leaves_it_as_it_was(mem: OxigraphStore) -> None:
    mem.replace_graph(G, DATA_V1)
    mem.replace_graph(H, DATA_V2)
    before_g, before_h, sizes = triples(mem, G), triples(mem, H), mem.graph_sizes()
    dump_before = mem.export("nq")
    with pytest.raises(LoadError) as info:
        mem.replace_graph(G, BROKEN)
    assert info.value.file == G
    assert info.value.where == "parse"
    assert "line 2" in info.value.reason
    assert triples(mem, G) == before_g
    assert triples(mem, H) == before_h
    assert mem.graph_sizes() == sizes
    assert named_graphs(mem) == {G, H}  # no staging graph left
    assert mem.export("nq") == dump_before


def test_parse_error_on_new_graph_creates_nothing(mem: OxigraphStore) -> None:
    mem.replace_graph(H, DATA_V1)
    with pytest.raises(LoadError):
        mem.replace_graph(G, BROKEN)  # the first line parses: it must not stay behind
    assert named_graphs(mem) == {H}
    assert mem.count(G) == 0
    assert mem.graph_sizes() == {H: 3}


def test_replace_graph_with_empty_data_on_new_graph(mem: OxigraphStore) -> None:
    assert mem.replace_graph(G, b"") == 0
    assert named_graphs(mem) == {G}


def test_replace_graph_with_empty_data_empties_an_existing_graph(mem: OxigraphStore) -> None:
    mem.replace_graph(G, DATA_V1)
    assert mem.replace_graph(G, b"") == 0
    assert triples(mem, G) == set()


# Regression: replacing an existing graph with empty data used to remove the graph.
def test_replace_graph_with_empty_data_keeps_the_existing_graph(mem: OxigraphStore) -> None:
    mem.replace_graph(G, DATA_V1)
    mem.replace_graph(G, b"")
    assert G in named_graphs(mem)


def test_same_data_twice_gives_the_same_graph(mem: OxigraphStore, geography) -> None:
    """Loading the same source twice (the real institution registry, regenerated each time)
    gives exactly the same set of triples."""
    first = bytes(institutions_triples(geography))
    n1 = mem.replace_graph(G, first)
    once = triples(mem, G)
    second = bytes(institutions_triples(geography))
    n2 = mem.replace_graph(G, second)
    assert n1 == n2 == len(once) > 10_000
    assert triples(mem, G) == once
    assert named_graphs(mem) == {G}


# ----------------------------------------------------------------------------------------------
# bind_values and queries
# ----------------------------------------------------------------------------------------------


def test_bind_values_doctest() -> None:
    finder = doctest.DocTestFinder()
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    tests = finder.find(bind_values, "bind_values", globs={"ox": ox, "bind_values": bind_values})
    assert tests
    assert tests[0].examples
    for t in tests:
        runner.run(t)
    assert runner.summarize(verbose=False).failed == 0
    assert bind_values("SELECT ?x WHERE { ?x ?p ?o }", {"p": ox.NamedNode("http://e/p")}) == (
        "SELECT ?x WHERE { VALUES (?p) { (<http://e/p>) } ?x ?p ?o }"
    )


def test_bind_values_iri_and_literal() -> None:
    text = bind_values(
        "SELECT ?s WHERE {\n  ?s ?p ?o }",
        {"p": ox.NamedNode(f"{E}p"), "o": ox.Literal("deux", language="fr")},
    )
    assert text == f'SELECT ?s WHERE {{ VALUES (?p ?o) {{ (<{E}p> "deux"@fr) }}\n  ?s ?p ?o }}'
    assert bind_values("SELECT ?s WHERE { ?s ?p ?o }", {}) == "SELECT ?s WHERE { ?s ?p ?o }"
    with pytest.raises(BadQueryError):
        bind_values("SELECT ?s { ?s ?p ?o }", {"p": ox.NamedNode(f"{E}p")})


def test_bound_query_runs(mem: OxigraphStore) -> None:
    mem.replace_graph(G, DATA_V1)
    rows = mem.query(
        "SELECT ?s ?o WHERE { ?s ?p ?o }",
        {"p": ox.NamedNode(f"{E}p"), "o": ox.Literal("deux", language="fr")},
    ).rows()
    assert rows == [{"s": ox.NamedNode(f"{E}s1"), "o": ox.Literal("deux", language="fr")}]
    rows = mem.query("SELECT ?o WHERE { ?s ?p ?o }", {"s": ox.NamedNode(f"{E}s1")}).rows()
    assert {r["o"] for r in rows} == {ox.Literal("un"), ox.Literal("deux", language="fr")}


@pytest.mark.parametrize("hostile", [
    'x" } UNION { ?s ?p ?o } #',
    "un\" . } } ; DROP ALL ; SELECT * WHERE { ?s ?p ?o . FILTER(\"1",
    "'}) } UNION { ?s ?p ?o }",
    '"""} UNION { ?s ?p ?o } """',
    "un\\\" } UNION { ?s ?p ?o } #",
])
def test_injection_through_a_literal_cannot_change_the_query(mem: OxigraphStore, hostile: str) -> None:
    mem.replace_graph(G, DATA_V1)
    q = f"SELECT ?s WHERE {{ ?s <{E}p> ?name }}"
    assert mem.query(q, {"name": ox.Literal("un")}).rows() == [{"s": ox.NamedNode(f"{E}s1")}]
    assert mem.query(q, {"name": ox.Literal(hostile)}).rows() == []
    assert len(triples(mem, G)) == 3  # nothing dropped


# Regression: bind_values used to find `WHERE {` inside comments.
def test_bind_values_ignores_where_in_comments(mem: OxigraphStore) -> None:
    mem.replace_graph(G, DATA_V1)
    q = f"#+ description: rows where {{ the name }} is given\nSELECT ?s WHERE {{ ?s <{E}p> ?name }}"
    assert mem.query(q, {"name": ox.Literal("absent")}).rows() == []


@pytest.mark.parametrize("sparql", [
    "SELECT ?s WHERE { ?s ?p }",
    "SELEKT * WHERE { ?s ?p ?o }",
    "SELECT * WHERE { ?s ?p ?o ",
    "SELECT * WHERE { ?s nope:p ?o }",
])
def test_query_syntax_error(mem: OxigraphStore, sparql: str) -> None:
    with pytest.raises(BadQueryError):
        mem.query(sparql)


def test_update_syntax_error_writes_nothing(mem: OxigraphStore) -> None:
    mem.replace_graph(G, DATA_V1)
    with pytest.raises(BadQueryError):
        mem.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{E}x> <{E}p> }} }}")
    assert len(triples(mem, G)) == 3


# ----------------------------------------------------------------------------------------------
# Serializations
# ----------------------------------------------------------------------------------------------

SELECT = "SELECT ?s ?o WHERE { ?s <http://example.org/p> ?o } ORDER BY ?o"


def test_select_serialize_json(mem: OxigraphStore) -> None:
    mem.replace_graph(G, DATA_V1)
    doc = json.loads(mem.query(SELECT).serialize("json"))
    assert doc["head"]["vars"] == ["s", "o"]
    bindings = doc["results"]["bindings"]
    assert [(b["s"]["value"], b["o"]["value"], b["o"].get("xml:lang")) for b in bindings] == [
        (f"{E}s1", "deux", "fr"), (f"{E}s1", "un", None)]


def test_select_serialize_csv(mem: OxigraphStore) -> None:
    mem.replace_graph(G, DATA_V1)
    text = mem.query(SELECT).serialize("csv").decode()
    assert list(csv.reader(io.StringIO(text))) == [["s", "o"], [f"{E}s1", "deux"], [f"{E}s1", "un"]]


def test_select_serialize_tsv(mem: OxigraphStore) -> None:
    mem.replace_graph(G, DATA_V1)
    lines = mem.query(SELECT).serialize("tsv").decode().splitlines()
    assert lines == ["?s\t?o", f'<{E}s1>\t"deux"@fr', f'<{E}s1>\t"un"']


def test_select_serialize_xml(mem: OxigraphStore) -> None:
    mem.replace_graph(G, DATA_V1)
    root = ET.fromstring(mem.query(SELECT).serialize("xml"))
    ns = {"r": "http://www.w3.org/2005/sparql-results#"}
    assert [v.get("name") for v in root.findall("r:head/r:variable", ns)] == ["s", "o"]
    assert [e.text for e in root.findall("r:results/r:result/r:binding/r:literal", ns)] == [
        "deux", "un"]


def test_ask_serialize(mem: OxigraphStore) -> None:
    mem.replace_graph(G, DATA_V1)
    result = mem.query(f"ASK {{ <{E}s2> <{E}q> <{E}s1> }}")
    assert result.kind == "ask"
    assert json.loads(result.serialize("json"))["boolean"] is True
    with pytest.raises(BadQueryError):
        mem.query("ASK { ?s ?p ?o }").serialize("csv")
    with pytest.raises(BadQueryError):
        mem.query("ASK { ?s ?p ?o }").rows()


@pytest.mark.parametrize(("fmt", "rdf_format"), [
    ("ttl", ox.RdfFormat.TURTLE),
    ("nt", ox.RdfFormat.N_TRIPLES),
])
def test_construct_serialize(mem: OxigraphStore, fmt: str, rdf_format: ox.RdfFormat) -> None:
    mem.replace_graph(G, DATA_V1)
    result = mem.query(f"CONSTRUCT {{ ?s <{E}r> ?o }} WHERE {{ ?s <{E}p> ?o }}")
    assert result.kind == "graph"
    got = {(str(t.subject), str(t.predicate), str(t.object))
           for t in ox.parse(result.serialize(fmt), rdf_format)}
    assert got == {(f"<{E}s1>", f"<{E}r>", '"un"'), (f"<{E}s1>", f"<{E}r>", '"deux"@fr')}


@pytest.mark.parametrize(("query", "fmt"), [
    (SELECT, "ttl"),
    (SELECT, "nq"),
    (SELECT, "html"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "json"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "csv"),
    ("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }", "yaml"),
])
def test_serialize_wrong_format(mem: OxigraphStore, query: str, fmt: str) -> None:
    mem.replace_graph(G, DATA_V1)
    with pytest.raises(BadQueryError):
        mem.query(query).serialize(fmt)


def test_rows_of_a_construct_is_an_error(mem: OxigraphStore) -> None:
    with pytest.raises(BadQueryError):
        mem.query("CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o }").rows()


# ----------------------------------------------------------------------------------------------
# Export, sizes
# ----------------------------------------------------------------------------------------------


def test_export_nq(mem: OxigraphStore) -> None:
    mem.replace_graph(G, DATA_V1)
    mem.replace_graph(H, DATA_V2)
    quads = {(str(q.subject), str(q.predicate), str(q.object), str(q.graph_name))
             for q in ox.parse(mem.export("nq"), ox.RdfFormat.N_QUADS)}
    assert quads == {(s, p, o, f"<{G}>") for s, p, o in triples(mem, G)} | {
        (s, p, o, f"<{H}>") for s, p, o in triples(mem, H)}
    assert len(quads) == 5


def test_export_one_graph(mem: OxigraphStore) -> None:
    mem.replace_graph(G, DATA_V1)
    mem.replace_graph(H, DATA_V2)
    got = {(str(t.subject), str(t.predicate), str(t.object))
           for t in ox.parse(mem.export("nt", graph=H), ox.RdfFormat.N_TRIPLES)}
    assert got == triples(mem, H)


def test_graph_sizes(mem: OxigraphStore) -> None:
    assert mem.graph_sizes() == {}
    mem.replace_graph(G, DATA_V1)
    mem.replace_graph(H, DATA_V2)
    assert mem.graph_sizes() == {G: 3, H: 2}


def test_graph_sizes_of_the_loaded_store(loaded: tuple[OxigraphStore, list[GraphLoad]]) -> None:
    store, steps = loaded
    sizes = store.graph_sizes()
    base = "https://maillage.fr/graph/"
    journal = base + "journal"
    assert set(sizes) == {step.graph for step in steps} | {journal}
    assert {
        base + "ontologie", base + "geographie", base + "institutions",
        base + "record/msa-mps-arize-leze", base + "record/ctg-terres-des-confluences",
        base + "record/ctg-charte-pays-de-grasse", base + "record/pst-caese-2023-2026",
        base + "record/charte-aire-a-l-argonne",
    } <= set(sizes)
    for step in steps:
        assert sizes[step.graph] == step.triples > 0
    # the journal: one load activity of 7 triples per loaded graph
    assert sizes[journal] == 7 * len(steps)


# ----------------------------------------------------------------------------------------------
# On disk
# ----------------------------------------------------------------------------------------------


def test_on_disk_round_trip(tmp_path) -> None:
    path = tmp_path / "store"
    store = OxigraphStore(path)
    assert store.replace_graph(G, DATA_V1) == 3
    assert store.replace_graph(G, DATA_V2) == 2  # the staging + MOVE path, on disk
    store.replace_graph(H, DATA_V1)
    del store  # closes the store
    assert any(path.iterdir())

    reopened = OxigraphStore(path, read_only=True)
    assert reopened.graph_sizes() == {G: 2, H: 3}
    rows = reopened.query(f"SELECT ?o WHERE {{ GRAPH <{G}> {{ <{E}s3> <{E}p> ?o }} }}").rows()
    assert rows == [{"o": ox.Literal("trois")}]
    # a read-only store refuses writes (pyoxigraph's RuntimeError is not wrapped: see report)
    with pytest.raises((BadQueryError, RuntimeError, OSError)):
        reopened.update(f"INSERT DATA {{ GRAPH <{G}> {{ <{E}x> <{E}p> <{E}y> }} }}")
    assert reopened.count(G) == 2

