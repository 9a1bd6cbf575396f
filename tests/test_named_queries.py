"""Tests of graph/named_queries.py and of the headers of queries/*.rq.

Every query file parses (run on an empty in-memory store), has a summary, and declares exactly
the parameters it uses (see :func:`inputs`); parameter values are checked against their type.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib.plugins.sparql import prepareQuery
from rdflib.plugins.sparql.parserutils import CompValue
from rdflib.term import Variable

from graph.errors import BadQueryError, NotFoundError
from graph.named_queries import (
    PARAM_TYPES,
    NamedQuery,
    Param,
    ParameterError,
    counted,
    get_named_query,
    limited,
    named_queries,
    parse_named_query,
    projection,
    select_page,
)
from graph.named_queries import scheme_notations as read_schemes
from graph.store import OxigraphStore
from loaders.geography import commune_uri, departement_uri, epci_uri, region_uri

ROOT = Path(__file__).resolve().parents[1]
QUERY_FILES = sorted((ROOT / "queries").glob("*.rq"))
NAMES = [p.stem for p in QUERY_FILES]

# A valid value for each parameter type, and values each type must refuse.
GOOD = {"organisation": "caf-82", "convention": "pst-caese-2023-2026", "token": "82",
        "date": "2024-06-01", "year": "2024", "concept": "creche", "integer": "3"}
BAD = {
    "organisation": ["Caf-82", "caf 82", "caf_82", "caf-82>", "-caf", "caf--82", "<http://x>"],
    "convention": ["CTG", "ctg/2023", "ctg-", "pst caese", 'x" } UNION { ?s ?p ?o'],
    "token": ["82 112", "82112'", "8" * 21, "82-112", "è", '"82"^^xsd:token', "?x"],
    "date": ["2024-13-01", "2024-06-31", "01/06/2024", "hier", "2024-06-01T10:00"],
    "year": ["24", "2024-06", "2024-06-01", "deux-mille", "1850", "20245"],
    "concept": ["Crèche", "creche geante", "creche_x", "creche>", "https://e/x", "creche-geante"],
    "integer": ["3.5", "three", "1e3", "0x10", "9" * 19, "- 3", "3 } UNION { ?s ?p ?o"],
}


def kind(param: Param) -> str:
    return "concept" if param.type.startswith("concept:") else param.type


def body(query: NamedQuery) -> str:
    """The SPARQL text without the comment lines (the #+ header)."""
    return "\n".join(line for line in query.sparql.splitlines() if not line.lstrip().startswith("#"))


def good(param: Param) -> str:
    """A valid value for ``param``: for a concept, a notation of its own scheme; for an
    integer, one within its bounds."""
    if kind(param) == "concept":
        return sorted(read_schemes()[param.type.split(":", 1)[1]])[0]
    if kind(param) == "integer":
        low = param.minimum if param.minimum is not None else 3
        return str(min(low, param.maximum) if param.maximum is not None else low)
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


def variable_uses(sparql: str) -> dict[str, set[str]]:
    """How a query uses its variables: ``bound`` — in a triple pattern, a path, a ``GRAPH`` or a
    ``VALUES`` block (from the algebra of rdflib's parser; patterns inside ``EXISTS`` count);
    ``assigned`` — the target of an ``AS`` (``BIND``, projected expression); ``read`` — in an
    expression (``FILTER``, ``BIND``, ``ORDER BY``, ``GROUP BY``, aggregates)."""
    uses: dict[str, set[str]] = {"bound": set(), "read": set()}

    def walk(node: object, role: str) -> None:
        if isinstance(node, Variable):
            if not str(node).startswith("__"):  # the parser's own aggregate variables
                uses[role].add(str(node))
        elif isinstance(node, CompValue):
            for key, value in node.items():
                if key.startswith("_") or (node.name == "Project" and key == "PV") or (
                        node.name == "Extend" and key == "var"):
                    continue
                inner = "bound" if node.name in ("BGP", "TriplesBlock", "ToMultiSet", "values") or (
                    node.name == "Graph" and key == "term") else role
                walk(value, inner)
        elif isinstance(node, dict):  # a VALUES row: variable → term
            for key, value in node.items():
                walk(key, role)
                walk(value, role)
        elif isinstance(node, (list, tuple, set)):
            for value in node:
                walk(value, role)

    walk(prepareQuery(sparql).algebra, "read")
    masked = re.sub(r"#[^\n]*", "", sparql)
    uses["assigned"] = set(re.findall(r"\bAS\s+[?$](\w+)", masked, re.IGNORECASE))
    return uses


def inputs(query: NamedQuery) -> set[str]:
    """The variables a query can only get from its caller: read in an expression but never
    bound by the query itself — ``?date`` in ``FILTER (?validFrom <= ?date)``, ``?epci`` in the
    optional filter ``FILTER (!BOUND(?epci) || ?epciSiren = ?epci)``. Such a variable that is
    not declared is a missing declaration: it is always unbound, and the filter it is in
    silently keeps or drops every row."""
    uses = variable_uses(query.sparql)
    return uses["read"] - uses["bound"] - uses["assigned"]


@pytest.mark.parametrize("name", NAMES)
def test_query_declares_exactly_the_params_it_uses(name: str) -> None:
    """The rule: (1) every declared parameter ``p`` is a variable ``?p`` of the query body (or
    the ``variable`` it names), or a ``{p}`` of a ``derived`` IRI template (whose variable the
    body uses);
    (2) the query never assigns it (``BIND … AS ?p`` would clash with the ``VALUES`` binding);
    (3) every input of the query (:func:`inputs`), and every variable of a ``!BOUND(?x) || …``
    optional filter, is declared. A parameter used only in triple patterns (``?organisation``
    in partners) cannot be told apart from an ordinary variable, so (3) cannot see it missing;
    (1) and (2) still see any declared name the query does not use as an input."""
    query = get_named_query(name)
    text = body(query)
    names = [p.var for p in query.params]
    assert len(names) == len(set(names))
    in_templates = "".join(template for _, template in query.derived)
    for p in query.params:
        assert re.search(rf"[?$]{re.escape(p.var)}\b", text) or f"{{{p.name}}}" in in_templates, \
            f"?{p.var} is not used by {name}"
        assert p.type in PARAM_TYPES or p.type.startswith("concept:")
        assert p.description.strip(), f"{name}: parameter {p.name} has no description"
    uses = variable_uses(query.sparql)
    assert not set(names) & uses["assigned"], f"{name} assigns a parameter"
    for variable, _ in query.derived:
        assert re.search(rf"[?$]{variable}\b", text), f"derived ?{variable} is not used by {name}"
        assert variable not in uses["assigned"], f"{name} assigns derived ?{variable}"
        names.append(variable)
    # the optional-input idiom: FILTER (!BOUND(?p) || …)
    guarded = set(re.findall(r"!\s*BOUND\s*\(\s*[?$](\w+)\s*\)\s*\|\|", text, re.IGNORECASE))
    undeclared = (inputs(query) | guarded) - set(names)
    assert not undeclared, (f"{name}: {sorted(undeclared)} read but never bound by the query: "
                            "undeclared parameters, or variables the query forgets to bind")


def test_the_rule_sees_a_missing_declaration(tmp_path: Path) -> None:
    """The same query as fundings without the declaration of ?epci: the rule fails."""
    path = tmp_path / "undeclared.rq"
    path.write_text("#+ summary: Facilities of an EPCI (optional filter)\n"
                    "SELECT ?f WHERE { ?f <http://e/siren> ?siren "
                    "FILTER (!BOUND(?epci) || ?siren = ?epci) } ORDER BY ?f\n", encoding="utf-8")
    assert inputs(parse_named_query(path)) == {"epci"}
    path.write_text("#+ summary: Conventions in force at a date\n"
                    "SELECT ?c WHERE { ?c <http://e/from> ?from FILTER (?from <= ?date) }\n",
                    encoding="utf-8")
    assert inputs(parse_named_query(path)) == {"date"}


def test_a_syntax_error_fails_the_parse_check(tmp_path: Path, empty: OxigraphStore) -> None:
    path = tmp_path / "broken.rq"
    path.write_text("#+ summary: A broken query here\nSELECT ?s WHERE { ?s ?p }\n", encoding="utf-8")
    query = parse_named_query(path)
    with pytest.raises(BadQueryError):
        empty.query(query.sparql)
    with pytest.raises(SyntaxError):
        ox.Store().query(query.sparql)


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


def write(tmp_path: Path, header: str, sparql: str = "SELECT ?s WHERE { ?s ?p ?n } ORDER BY ?s") -> Path:
    path = tmp_path / "q.rq"
    path.write_text("".join(f"#+ {line}\n" for line in header.splitlines()) + sparql + "\n",
                    encoding="utf-8")
    return path


def test_new_header_keys(tmp_path: Path) -> None:
    path = write(tmp_path, "summary: A query\nid: s\nparams:\n  - name: n\n    type: integer\n"
                           "    description: a number\n    default: 2\n    example: 5\n"
                           "    minimum: 1\n    maximum: 10")
    query = parse_named_query(path)
    assert query.paginate
    assert query.paged
    assert query.id == "s"
    assert query.params == (Param("n", "integer", "a number", False, "2", "5", 1, 10),)
    xsd_integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    assert query.bindings({}) == {"n": ox.Literal("2", datatype=xsd_integer)}  # the default
    assert query.bindings({"n": "10"}) == {"n": ox.Literal("10", datatype=xsd_integer)}
    for bad in ("0", "11", "-1"):
        with pytest.raises(ParameterError, match="'n'") as info:
            query.bindings({"n": bad})
        assert info.value.param == "n"
    unpaged = parse_named_query(write(tmp_path, "summary: A query\npaginate: false"))
    assert not unpaged.paginate
    assert not unpaged.paged


_TWO_TOKENS = ("summary: A query\nparams:\n  - name: level\n    type: token\n"
               "  - name: code\n    type: token\n")


@pytest.mark.parametrize(("header", "message"), [
    ("summary: A query\nparams:\n  - name: d\n    type: date\n    default: hier", "default"),
    ("summary: A query\nparams:\n  - name: y\n    type: year\n    example: 24", "example"),
    ("summary: A query\nparams:\n  - name: t\n    type: token\n    minimum: 1", "minimum"),
    ("summary: A query\nparams:\n  - name: page\n    type: token", "reserved"),
    ("summary: A query\nparams:\n  - name: a-b\n    type: token", "variable name"),
    ("summary: A query\npaginate: sometimes", "paginate"),
    ("summary: A query\nid: nope", "id"),
    # variable
    ("summary: A query\nparams:\n  - name: a\n    type: token\n    variable: a-b", "variable name"),
    ("summary: A query\nparams:\n  - name: a\n    type: token\n    variable: b\n"
     "  - name: b\n    type: token", "same variable"),
    ("summary: A query\nparams:\n  - name: a\n    type: token\n    variable: c\n"
     "  - name: b\n    type: token\n    variable: c", "same variable"),
    # derived
    (_TWO_TOKENS + 'derived: "https://maillage.fr/id/{code}"', "derived must map"),
    (_TWO_TOKENS + 'derived:\n  code: "https://maillage.fr/id/{code}"', "is not a parameter"),
    (_TWO_TOKENS + 'derived:\n  place: "https://maillage.fr/id/{nope}"', "naming token parameters"),
    (_TWO_TOKENS + 'derived:\n  place: "https://maillage.fr/id/all"', "naming token parameters"),
    (_TWO_TOKENS + 'derived:\n  place: "urn:x:{code}"', "http"),
    (_TWO_TOKENS + 'derived:\n  place: "https://maillage.fr/id /{code}"', "http"),
    (_TWO_TOKENS + 'derived:\n  a-b: "https://maillage.fr/id/{code}"', "variable name"),
])
def test_bad_new_header_keys_are_refused(tmp_path: Path, header: str, message: str) -> None:
    with pytest.raises(BadQueryError, match=message):
        parse_named_query(write(tmp_path, header))


def test_derived_iri_is_bound_from_the_parameters(tmp_path: Path) -> None:
    """``derived`` binds a variable to the IRI its template makes of the parameters' values,
    when each parameter it names is given (typed terms for the others, as ever)."""
    query = parse_named_query(write(
        tmp_path, _TWO_TOKENS + 'derived:\n  place: "https://maillage.fr/id/{level}/{code}"',
        "SELECT ?s WHERE { ?place ?p ?s FILTER (STR(?level) != STR(?code)) } ORDER BY ?s"))
    assert query.derived == (("place", "https://maillage.fr/id/{level}/{code}"),)
    bound = query.bindings({"level": "commune", "code": "2A004"})
    assert bound["place"] == ox.NamedNode("https://maillage.fr/id/commune/2A004")
    assert "place" not in query.bindings({"level": "commune"})
    with pytest.raises(ParameterError, match="'code'"):
        query.bindings({"level": "commune", "code": "09/../x"})  # a token, or refused


@pytest.mark.parametrize("name", [n for n in NAMES if get_named_query(n).derived])
def test_derived_territory_is_the_loaders_iri(name: str) -> None:
    """A query's derived ?territory names the node the geography loader makes for that level
    and code: if the URIs changed, the query would find nothing rather than fail."""
    makers = {"commune": commune_uri, "epci": epci_uri, "departement": departement_uri,
              "region": region_uri}
    query = get_named_query(name)
    for level, code in [("commune", "2A004"), ("epci", "200066223"), ("departement", "2A"),
                        ("region", "76")]:
        values = {**good_values(query), "level": level, "code": code}
        assert query.bindings(values)["territory"] == ox.NamedNode(makers[level](code))


def test_a_parameter_may_bind_another_variable(tmp_path: Path, empty: OxigraphStore) -> None:
    """``variable``: the value is bound to that variable, not to the parameter's name."""
    query = parse_named_query(write(
        tmp_path, "summary: A query\nparams:\n  - name: kind\n    type: token\n"
                  "    variable: wantedKind",
        "SELECT ?s ?kind WHERE { ?s ?p ?kind FILTER (!BOUND(?wantedKind) || ?kind = ?wantedKind) }"
        " ORDER BY ?s"))
    assert query.params[0].var == "wantedKind"
    xsd_token = ox.NamedNode("http://www.w3.org/2001/XMLSchema#token")
    assert query.bindings({"kind": "a"}) == {"wantedKind": ox.Literal("a", datatype=xsd_token)}
    token = "^^<http://www.w3.org/2001/XMLSchema#token>"
    empty.update(f"INSERT DATA {{ GRAPH <urn:g> {{ <urn:x> <urn:p> 'a'{token} . "
                 f"<urn:y> <urn:p> 'b'{token} }} }}")
    assert [r["s"].value for r in query.run(empty, {"kind": "a"}).rows()] == ["urn:x"]
    assert len(query.run(empty, {}).rows()) == 2


def test_errors_name_the_parameter() -> None:
    query = get_named_query("fundings")
    for values, name in [({"nope": "x"}, "nope"), ({"year": "22"}, "year"),
                         ({"funderKind": "crèche"}, "funderKind")]:
        with pytest.raises(ParameterError) as info:
            query.bindings(values)
        assert info.value.param == name
        assert isinstance(info.value, BadQueryError)
    with pytest.raises(ParameterError) as info:
        get_named_query("partners").bindings({})
    assert info.value.param == "organisation"


def test_form_and_columns() -> None:
    assert get_named_query("partners").form == "select"
    assert get_named_query("partners").columns == (
        "partner", "partnerLabel", "partnerKind", "convention", "conventionLabel", "validFrom",
        "validUntil", "document")
    assert projection("SELECT * WHERE { ?s ?p ?o }") is None
    assert projection("PREFIX e: <http://e/> SELECT DISTINCT ?a (SAMPLE(?b) AS ?c) WHERE { ?a e:p ?b }"
                      " GROUP BY ?a") == ("a", "c")


@pytest.mark.parametrize("name", [n for n in NAMES if get_named_query(n).paged])
def test_paged_queries_have_an_order(name: str) -> None:
    """LIMIT/OFFSET pages are stable only over an ORDER BY."""
    assert re.search(r"\bORDER\s+BY\b", body(get_named_query(name)), re.IGNORECASE)


def test_paging_is_pushed_down(store: OxigraphStore) -> None:
    query = get_named_query("fundings")
    everything = [r["funding"].value for r in query.run(store).rows()]
    assert len(everything) == 3
    pages = []
    for offset in (0, 2, 4):
        result, total = select_page(store, query.sparql, {}, 2, offset)
        assert total == 3
        pages.append([r["funding"].value for r in result.rows()])
    assert pages == [everything[:2], everything[2:], []]
    # the parameters constrain the count as well as the page
    result, total = select_page(store, query.sparql, query.bindings({"departement": "32"}), 10)
    assert total == 1 == len(result.rows())


def test_limit_and_count_texts() -> None:
    assert limited("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 5", 2, 4) == (
        "SELECT * WHERE { { SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s LIMIT 5 } }\nLIMIT 2 OFFSET 4")
    trailing = "SELECT ?s WHERE { ?s ?p ?o } VALUES ?s { <http://e/a> }"
    assert limited(trailing, 1).startswith("SELECT * WHERE { { SELECT ?s")
    assert counted("#+ summary: x\nPREFIX e: <http://e/>\nSELECT ?s WHERE { ?s e:p ?o }").endswith(
        "SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?s WHERE { ?s e:p ?o } } }")
    for text in (limited(trailing, 1), counted(trailing)):
        ox.Store().query(text)  # both parse
