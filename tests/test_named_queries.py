"""Tests of graph/named_queries.py and of the headers of queries/*.rq.

Every query file parses (run on an empty in-memory store), has a summary, and declares as
parameters only variables its SPARQL uses; parameter values are checked against their type.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest

from graph.errors import BadQueryError, NotFoundError
from graph.named_queries import (
    PARAM_TYPES,
    NamedQuery,
    Param,
    get_named_query,
    named_queries,
    parse_named_query,
)
from graph.named_queries import scheme_notations as read_schemes
from graph.store import OxigraphStore

ROOT = Path(__file__).resolve().parents[1]
QUERY_FILES = sorted((ROOT / "queries").glob("*.rq"))
NAMES = [p.stem for p in QUERY_FILES]

# A valid value for each parameter type, and values each type must refuse.
GOOD = {"organisation": "caf-82", "convention": "pst-caese-2023-2026", "token": "82",
        "date": "2024-06-01", "year": "2024", "concept": "creche"}
BAD = {
    "organisation": ["Caf-82", "caf 82", "caf_82", "caf-82>", "-caf", "caf--82", "<http://x>"],
    "convention": ["CTG", "ctg/2023", "ctg-", "pst caese", 'x" } UNION { ?s ?p ?o'],
    "token": ["82 112", "82112'", "8" * 21, "82-112", "è", '"82"^^xsd:token', "?x"],
    "date": ["2024-13-01", "2024-06-31", "01/06/2024", "hier", "2024-06-01T10:00"],
    "year": ["24", "2024-06", "2024-06-01", "deux-mille", "1850", "20245"],
    "concept": ["Crèche", "creche geante", "creche_x", "creche>", "https://e/x", "creche-geante"],
}


def kind(param: Param) -> str:
    return "concept" if param.type.startswith("concept:") else param.type


def body(query: NamedQuery) -> str:
    """The SPARQL text without the comment lines (the #+ header)."""
    return "\n".join(line for line in query.sparql.splitlines() if not line.lstrip().startswith("#"))


def good(param: Param) -> str:
    """A valid value for ``param``: for a concept, a notation of its own scheme."""
    if kind(param) == "concept":
        return sorted(read_schemes()[param.type.split(":", 1)[1]])[0]
    return GOOD[kind(param)]


def good_values(query: NamedQuery) -> dict[str, str]:
    return {p.name: good(p) for p in query.params if p.required}


@pytest.fixture(scope="module")
def empty() -> OxigraphStore:
    return OxigraphStore(None)


def test_every_param_type_has_sample_values() -> None:
    assert set(GOOD) == set(BAD) == {*PARAM_TYPES, "concept"}


def test_query_files_are_found() -> None:
    assert len(QUERY_FILES) >= 7
    assert {"msa-creches", "fundings", "partners", "conventions-commune", "convention-communes",
            "convention-signatories", "conventions-in-force"} <= set(NAMES)
    assert sorted(named_queries()) == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_query_parses_and_runs_on_an_empty_store(name: str, empty: OxigraphStore) -> None:
    query = get_named_query(name)
    result = empty.query(query.sparql)  # no bindings: the text as written must parse
    assert result.kind == "select"
    assert result.rows() == []
    # pyoxigraph itself parses it (not only through our wrapper)
    ox.Store().query(query.sparql)


@pytest.mark.parametrize("name", NAMES)
def test_query_has_a_summary(name: str) -> None:
    query = get_named_query(name)
    assert query.name == name
    assert isinstance(query.summary, str)
    assert len(query.summary.strip()) > 10


@pytest.mark.parametrize("name", NAMES)
def test_declared_params_are_variables_of_the_query(name: str) -> None:
    query = get_named_query(name)
    text = body(query)
    names = [p.name for p in query.params]
    assert len(names) == len(set(names))
    for p in query.params:
        assert re.search(rf"[?$]{re.escape(p.name)}\b", text), f"?{p.name} is not used by {name}"
        assert p.type in PARAM_TYPES or p.type.startswith("concept:")
        assert p.description.strip(), f"{name}: parameter {p.name} has no description"


@pytest.mark.parametrize("name", NAMES)
def test_concept_params_name_a_known_scheme(name: str) -> None:
    schemes = read_schemes()
    for p in get_named_query(name).params:
        if p.type.startswith("concept:"):
            assert p.type.split(":", 1)[1] in schemes


@pytest.mark.parametrize("name", NAMES)
def test_query_runs_with_every_param_bound(name: str, empty: OxigraphStore, store: OxigraphStore) -> None:
    """All declared parameters at once, with valid values: the VALUES block is accepted."""
    query = get_named_query(name)
    values = {p.name: good(p) for p in query.params}
    assert query.run(empty, values).rows() == []
    query.run(store, values).rows()  # no error on the real data either


@pytest.mark.parametrize("name", [n for n in NAMES if any(p.required for p in get_named_query(n).params)])
def test_missing_required_param(name: str, empty: OxigraphStore) -> None:
    query = get_named_query(name)
    for p in query.params:
        if p.required:
            values = good_values(query)
            del values[p.name]
            with pytest.raises(BadQueryError, match=p.name):
                query.run(empty, values)
            with pytest.raises(BadQueryError, match=p.name):
                query.run(empty, {**values, p.name: ""})


@pytest.mark.parametrize("name", NAMES)
def test_unknown_param(name: str, empty: OxigraphStore) -> None:
    query = get_named_query(name)
    with pytest.raises(BadQueryError, match="unknown parameter"):
        query.run(empty, {**good_values(query), "nope": "x"})
    with pytest.raises(BadQueryError, match="unknown parameter"):
        query.bindings({**good_values(query), "Communecode": "82112"})


@pytest.mark.parametrize("name", [n for n in NAMES if get_named_query(n).params])
def test_bad_value_for_each_param(name: str, empty: OxigraphStore) -> None:
    query = get_named_query(name)
    for p in query.params:
        for bad in BAD[kind(p)]:
            with pytest.raises(BadQueryError, match=p.name):
                query.run(empty, {**good_values(query), p.name: bad})


def test_param_terms() -> None:
    xsd = "http://www.w3.org/2001/XMLSchema#"
    assert Param("o", "organisation").term("caf-82") == ox.NamedNode(
        "https://maillage.fr/id/organisation/caf-82")
    assert Param("c", "convention").term(" pst-caese-2023-2026 ") == ox.NamedNode(
        "https://maillage.fr/id/convention/pst-caese-2023-2026")
    assert Param("k", "concept:type-equipement").term("creche") == ox.NamedNode(
        "https://maillage.fr/def/type-equipement/creche")
    assert Param("t", "token").term("2A004") == ox.Literal("2A004", datatype=ox.NamedNode(xsd + "token"))
    assert Param("d", "date").term("2024-06-01") == ox.Literal(
        "2024-06-01", datatype=ox.NamedNode(xsd + "date"))
    assert Param("y", "year").term("2024") == ox.Literal("2024", datatype=ox.NamedNode(xsd + "gYear"))


def test_optional_params_may_be_left_out(store: OxigraphStore) -> None:
    query = get_named_query("fundings")
    assert not any(p.required for p in query.params)
    everything = query.run(store, {}).rows()
    assert len(everything) == 3
    assert len(query.run(store, {"funder": "", "epci": ""}).rows()) == 3


def test_unknown_named_query() -> None:
    with pytest.raises(NotFoundError, match="msa-creches"):  # the message lists the known ones
        get_named_query("msa-creche")


def test_header_without_summary_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "no-summary.rq"
    path.write_text("#+ description: no summary here\nSELECT * WHERE { ?s ?p ?o }\n", encoding="utf-8")
    with pytest.raises(BadQueryError, match="summary"):
        parse_named_query(path)


def test_header_with_unknown_param_type_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bad-type.rq"
    path.write_text("#+ summary: A query\n#+ params:\n#+   - name: x\n#+     type: iri\n"
                    "SELECT * WHERE { ?x ?p ?o }\n", encoding="utf-8")
    with pytest.raises(BadQueryError, match="unknown type"):
        parse_named_query(path)


def test_header_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "ok.rq"
    path.write_text("#+ summary: A query\n#+ tags: [a, b]\n#+ params:\n#+   - name: x\n"
                    "#+     type: token\n#+     required: true\n#+     description: a code\n"
                    "SELECT * WHERE { ?s ?p ?x }\n", encoding="utf-8")
    query = parse_named_query(path)
    assert query.name == "ok"
    assert query.summary == "A query"
    assert query.tags == ("a", "b")
    assert query.params == (Param("x", "token", "a code", True),)
