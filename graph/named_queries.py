"""Named SPARQL queries: ``queries/*.rq`` files with a grlc-style ``#+`` YAML header.

Header keys:

- ``summary`` (required): one line;
- ``description``: a paragraph;
- ``tags``: a list of words (OpenAPI tags);
- ``paginate``: ``true``/``false``, whether the REST operation pages the result with ``LIMIT``/
  ``OFFSET`` (default: ``true`` for a SELECT query — which then needs an ``ORDER BY`` for a
  stable order —, ignored for ASK, CONSTRUCT and DESCRIBE);
- ``id``: the column whose IRI names each row (the ``@id`` of the row in JSON-LD);
- ``params``: a list of ``{name, type, description, required, default, example, minimum,
  maximum, variable}``; ``default`` is used when the caller gives no value (the parameter is
  then never missing), ``example`` is shown in the API documentation, ``minimum``/``maximum``
  bound an ``integer``, ``variable`` names the query variable the value is bound to when it is
  not the parameter's own (a ``FILTER (?funderKind = ?wantedFunderKind)`` on a column, where a
  join on the column would make the engine start from the few nodes of that kind:
  ``queries/territory-fundings.rq``). ``default`` and ``example`` are checked against the type
  when the file is read;
- ``derived``: variables bound to an IRI made from parameters, ``{variable: template}`` with
  ``{param}`` placeholders naming ``token`` parameters (``territory:
  "https://maillage.fr/id/{level}/{code}"``); bound when every parameter it names is given.
  The engine plans a query that starts from a bound IRI far better than one that finds the
  node from its code through a table of levels (``queries/territory-fundings.rq``).

Parameter types:

- ``concept:<scheme>``: a notation of a SKOS scheme, bound as the concept IRI;
- ``organisation``: an organisation key, bound as its IRI;
- ``convention``: a convention key, bound as its IRI;
- ``token``: a code (INSEE, SIREN), bound as an ``xsd:token`` literal;
- ``date``: ``YYYY-MM-DD``, bound as an ``xsd:date`` literal;
- ``year``: ``YYYY``, bound as an ``xsd:gYear`` literal;
- ``integer``: a whole number (within ``minimum``/``maximum``), bound as an ``xsd:integer``.

Values are checked against the type and bound by a ``VALUES`` block (never pasted as text); a
value that does not fit is a :class:`ParameterError`, which names the parameter. A declared
parameter ``p`` is the variable ``?p`` of the query; an optional one is written so that the
query still runs when it is unbound (``FILTER (!BOUND(?p) || …)``, or a plain join variable).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path

import pyoxigraph as ox
import yaml
from rdflib import Graph
from rdflib.namespace import SKOS

from graph.errors import BadQueryError, NotFoundError
from graph.paths import ONTOLOGY, QUERIES
from graph.store import GraphStore, QueryResult, Solutions, Term, bind_values, mask_sparql
from graph.vocab import DEF, ID, XSD, concept

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"
TOKEN = r"^[0-9A-Za-z]{1,20}$"
YEAR = r"^(19|20)[0-9]{2}$"
DATE = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
INTEGER = r"^-?[0-9]{1,18}$"
PARAM_TYPES = ("organisation", "convention", "token", "date", "year", "integer")
# Query parameters every REST operation takes: a named query may not declare them.
RESERVED = frozenset({"page", "page_size", "format"})
_SLUG, _TOKEN, _YEAR, _DATE, _INTEGER = map(re.compile, (SLUG, TOKEN, YEAR, DATE, INTEGER))
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_FORM = re.compile(r"\b(SELECT|ASK|CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
# A query that ends with LIMIT/OFFSET or a trailing VALUES block cannot take another LIMIT.
_TAIL = re.compile(r"(\b(LIMIT|OFFSET)\b[^{}]*|\bVALUES\b[^{}]*\{[^{}]*\}\s*)$", re.IGNORECASE)
_CLAUSE_END = re.compile(r"\bWHERE\b|\{", re.IGNORECASE)
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


class ParameterError(BadQueryError):
    """A value given for a named query's parameter that does not fit it (unknown parameter,
    missing required one, value of the wrong type); ``param`` names the parameter."""

    def __init__(self, param: str, message: str) -> None:
        self.param = param
        super().__init__(message)


@cache
def scheme_notations(path: Path = ONTOLOGY / "schemes.ttl") -> dict[str, frozenset[str]]:
    """Notations of each SKOS concept scheme of the project, by scheme slug."""
    g = Graph().parse(path, format="turtle")
    schemes: dict[str, set[str]] = {}
    for c, scheme in g.subject_objects(SKOS.inScheme):
        schemes.setdefault(str(scheme).removeprefix(str(DEF)), set()).add(str(c).rsplit("/", 1)[-1])
    return {k: frozenset(v) for k, v in schemes.items()}


@dataclass(frozen=True)
class Param:
    """One declared parameter of a named query."""

    name: str
    type: str
    description: str = ""
    required: bool = False
    default: str | None = None
    example: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    variable: str | None = None

    @property
    def var(self) -> str:
        """The query variable the value is bound to (its name, unless ``variable`` says)."""
        return self.variable or self.name

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a user-given ``value``.

        >>> str(Param("n", "integer", maximum=10).term(" 7"))
        '"7"^^<http://www.w3.org/2001/XMLSchema#integer>'

        :raises ParameterError: if the value does not fit the type.
        """
        value = value.strip()
        if self.type.startswith("concept:") or self.type in ("organisation", "convention"):
            if not _SLUG.match(value):
                raise self._error(f"{value!r} is not a key (lowercase letters, digits and hyphens)")
            if self.type == "organisation":
                return ox.NamedNode(f"{ID}organisation/{value}")
            if self.type == "convention":
                return ox.NamedNode(f"{ID}convention/{value}")
            scheme = self.type.split(":", 1)[1]
            known = scheme_notations().get(scheme, frozenset())
            if value not in known:
                raise self._error(f"{value!r} is not in the {scheme} scheme "
                                  f"({', '.join(sorted(known))})")
            return ox.NamedNode(concept(scheme, value))
        if self.type == "token":
            if not _TOKEN.match(value):
                raise self._error(f"{value!r} is not a code")
            return ox.Literal(value, datatype=ox.NamedNode(str(XSD.token)))
        if self.type == "year":
            if not _YEAR.match(value):
                raise self._error(f"{value!r} is not a year YYYY")
            return ox.Literal(value, datatype=ox.NamedNode(str(XSD.gYear)))
        if self.type == "integer":
            return self._integer(value)
        try:
            if not _DATE.match(value):
                raise ValueError(value)
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise self._error(f"{value!r} is not a date YYYY-MM-DD") from None
        return ox.Literal(day.isoformat(), datatype=ox.NamedNode(str(XSD.date)))

    def _integer(self, value: str) -> ox.Literal:
        if not _INTEGER.match(value):
            raise self._error(f"{value!r} is not an integer")
        number = int(value)
        if self.minimum is not None and number < self.minimum:
            raise self._error(f"{number} is less than {self.minimum}")
        if self.maximum is not None and number > self.maximum:
            raise self._error(f"{number} is more than {self.maximum}")
        return ox.Literal(str(number), datatype=ox.NamedNode(str(XSD.integer)))

    def _error(self, reason: str) -> ParameterError:
        return ParameterError(self.name, f"parameter {self.name!r}: {reason}")


@dataclass(frozen=True)
class NamedQuery:
    """A ``.rq`` file: its name (the file stem), header and SPARQL text."""

    name: str
    summary: str
    sparql: str
    description: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = field(default_factory=tuple)
    paginate: bool = True
    id: str | None = None
    derived: tuple[tuple[str, str], ...] = ()

    @cached_property
    def form(self) -> str:
        """``select``, ``ask``, ``construct`` or ``describe``."""
        match = _FORM.search(mask_sparql(self.sparql))
        return match.group(1).lower() if match else "select"

    @cached_property
    def paged(self) -> bool:
        """Whether the REST operation pages the result (a SELECT with ``paginate`` on)."""
        return self.paginate and self.form == "select"

    @cached_property
    def columns(self) -> tuple[str, ...] | None:
        """The variables a SELECT projects, in order (``None`` for ``SELECT *`` or another form)."""
        return projection(self.sparql) if self.form == "select" else None

    def bindings(self, values: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Check user values against the declared parameters and turn them into terms; a
        parameter left out (or empty) takes its default, if it has one.

        :raises ParameterError: on an unknown parameter, a missing required one or a bad value.
        """
        declared = {p.name: p for p in self.params}
        unknown = sorted(set(values) - set(declared))
        if unknown:
            raise ParameterError(unknown[0], f"unknown parameter(s) {', '.join(unknown)} for query "
                                 f"{self.name!r}; it takes {', '.join(declared) or 'none'}")
        given = {k: v for k, v in values.items() if v not in (None, "")}
        given = {**{p.name: p.default for p in self.params if p.default is not None}, **given}
        missing = [p.name for p in self.params if p.required and p.name not in given]
        if missing:
            raise ParameterError(missing[0], f"query {self.name!r} needs parameter(s) "
                                 f"{', '.join(missing)}")
        terms: dict[str, ox.NamedNode | ox.Literal] = {k: declared[k].term(v) for k, v in given.items()}
        bound = {declared[k].var: term for k, term in terms.items()}
        for variable, template in self.derived:
            if all(p in given for p in _PLACEHOLDER.findall(template)):
                # token values are [0-9A-Za-z]: they cannot change the IRI's structure
                bound[variable] = ox.NamedNode(_PLACEHOLDER.sub(
                    lambda m: str(terms[m.group(1)].value), template))
        return bound

    def run(self, store: GraphStore, values: dict[str, str] | None = None) -> QueryResult:
        """Run on ``store`` with parameter ``values`` (strings, as a user gives them)."""
        return store.query(self.sparql, self.bindings(values or {}))


def _body(sparql: str) -> str:
    """The text without whole-line comments (the ``#+`` header)."""
    return "\n".join(line for line in sparql.splitlines() if not line.lstrip().startswith("#"))


def projection(sparql: str) -> tuple[str, ...] | None:
    """The variables a SELECT query projects, in order; ``None`` for ``SELECT *``.

    >>> projection('SELECT ?a (COUNT(?b) AS ?n) ?c WHERE { ?a ?b ?c } GROUP BY ?a ?c')
    ('a', 'n', 'c')
    """
    masked = mask_sparql(sparql)
    start = re.search(r"\bSELECT\b", masked, re.IGNORECASE)
    if start is None:
        return None
    end = _CLAUSE_END.search(masked, start.end())
    clause = masked[start.end(): end.start() if end else len(masked)]
    names, depth, i = [], 0, 0
    while i < len(clause):
        char = clause[i]
        depth += (char == "(") - (char == ")")
        if char == "*" and depth == 0:
            return None
        if char in "?$" and (match := re.match(r"[?$](\w+)", clause[i:])):
            before = clause[:i].rstrip()
            if depth == 0 or re.search(r"\bAS$", before, re.IGNORECASE):
                names.append(match.group(1))
            i += len(match.group(0))
            continue
        i += 1
    return tuple(names)


def _prologue(sparql: str) -> tuple[str, str]:
    """(PREFIX/BASE declarations and comments, the query from its form keyword on)."""
    match = _FORM.search(mask_sparql(sparql))
    cut = match.start() if match else 0
    return sparql[:cut], sparql[cut:]


def limited(sparql: str, limit: int, offset: int = 0) -> str:
    """The SELECT query with ``LIMIT``/``OFFSET`` applied to its solutions: appended when the
    query has no modifier of its own at the end, else by wrapping it as a sub-query.

    >>> limited("SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s", 10, 20)
    'SELECT ?s WHERE { ?s ?p ?o } ORDER BY ?s\\nLIMIT 10 OFFSET 20'
    """
    if not _TAIL.search(mask_sparql(sparql)):
        return f"{sparql.rstrip()}\nLIMIT {int(limit)} OFFSET {int(offset)}"
    prologue, query = _prologue(sparql)
    return f"{prologue}SELECT * WHERE {{ {{ {query} }} }}\nLIMIT {int(limit)} OFFSET {int(offset)}"


def counted(sparql: str) -> str:
    """A query counting the solutions of a SELECT query (its ``?n``).

    >>> counted("PREFIX e: <http://e/> SELECT ?s WHERE { ?s e:p ?o }")
    'PREFIX e: <http://e/> SELECT (COUNT(*) AS ?n) WHERE { { SELECT ?s WHERE { ?s e:p ?o } } }'
    """
    prologue, query = _prologue(sparql)
    return f"{prologue}SELECT (COUNT(*) AS ?n) WHERE {{ {{ {query} }} }}"


def select_page(store: GraphStore, sparql: str, bindings: dict[str, Term], limit: int,
                offset: int = 0) -> tuple[QueryResult, int]:
    """One page of a SELECT query and the number of its solutions, both computed by the engine
    (``LIMIT``/``OFFSET``, then ``COUNT(*)`` over the same query, unless the page is short and
    so the last): the query needs an ``ORDER BY`` for pages to be stable. Parameters are bound
    before the query is wrapped, so they constrain it wherever it is nested.

    :raises BadQueryError: if the query does not parse or run.
    """
    bound = bind_values(sparql, bindings)
    page = store.query(limited(bound, limit, offset))
    solutions = list(page.raw)
    if len(solutions) < limit and (solutions or offset == 0):
        total = offset + len(solutions)  # a short page is the last one: no count needed
    else:
        total = count_solutions(store, bound)
    return QueryResult("select", Solutions(page.raw.variables, solutions)), total


def count_solutions(store: GraphStore, sparql: str, bindings: dict[str, Term] | None = None) -> int:
    """The number of solutions of a SELECT query, counted by the engine (``COUNT(*)``).

    :raises BadQueryError: if the query does not parse or run.
    """
    bound = bind_values(sparql, bindings) if bindings else sparql
    return int(store.query(counted(bound)).rows()[0]["n"].value)


def _param(path: Path, p: object) -> Param:
    if not isinstance(p, dict) or not isinstance(p.get("name"), str):
        raise BadQueryError(f"{path.name}: each parameter needs a name")
    name, kind, variable = p["name"], p.get("type", ""), p.get("variable")
    if not _NAME.match(name) or name in RESERVED:
        raise BadQueryError(f"{path.name}: parameter name {name!r} is not a SPARQL variable name "
                            f"or is reserved ({', '.join(sorted(RESERVED))})")
    if variable is not None and (not isinstance(variable, str) or not _NAME.match(variable)):
        raise BadQueryError(f"{path.name}: variable of {name!r} is not a SPARQL variable name")
    if kind not in PARAM_TYPES and not kind.startswith("concept:"):
        raise BadQueryError(f"{path.name}: parameter {name!r} has unknown type {kind!r}")
    bounds = {k: p.get(k) for k in ("minimum", "maximum")}
    if any(v is not None for v in bounds.values()) and (
            kind != "integer" or not all(isinstance(v, int) for v in bounds.values() if v is not None)):
        raise BadQueryError(f"{path.name}: minimum/maximum of {name!r} need an integer parameter")
    samples = {k: None if p.get(k) is None else str(p[k]) for k in ("default", "example")}
    param = Param(name, kind, p.get("description", ""), bool(p.get("required", False)),
                  samples["default"], samples["example"], bounds["minimum"], bounds["maximum"],
                  variable)
    for key, value in samples.items():
        if value is not None:
            try:
                param.term(value)
            except ParameterError as exc:
                raise BadQueryError(f"{path.name}: {key} of {exc}") from None
    return param


def parse_named_query(path: Path) -> NamedQuery:
    """Read one ``.rq`` file.

    :raises BadQueryError: if the header is missing a summary or declares a bad parameter.
    """
    text = path.read_text(encoding="utf-8")
    header = "\n".join(line[3:] if line.startswith("#+ ") else line[2:]
                       for line in text.splitlines() if line.startswith("#+"))
    meta = yaml.safe_load(header) or {}
    if not isinstance(meta, dict) or not meta.get("summary"):
        raise BadQueryError(f"{path.name}: the #+ header needs a summary")
    params = tuple(_param(path, p) for p in meta.get("params") or [])
    variables = [p.var for p in params]
    if len(set(variables)) < len(variables) or \
            {p.variable for p in params if p.variable} & {p.name for p in params}:
        raise BadQueryError(f"{path.name}: two parameters bind the same variable")
    paginate = meta.get("paginate", True)
    if not isinstance(paginate, bool):
        raise BadQueryError(f"{path.name}: paginate must be true or false")
    key = meta.get("id")
    if key is not None and not re.search(rf"[?$]{re.escape(str(key))}\b", _body(text)):
        raise BadQueryError(f"{path.name}: id {key!r} is not a variable of the query")
    return NamedQuery(path.stem, meta["summary"], text, meta.get("description", ""),
                      tuple(meta.get("tags") or ()), params, paginate,
                      None if key is None else str(key), _derived(path, meta.get("derived"), params))


def _derived(path: Path, derived: object, params: tuple[Param, ...]) -> tuple[tuple[str, str], ...]:
    """The ``derived`` header: ``(variable, IRI template)`` pairs, checked."""
    if derived is None:
        return ()
    if not isinstance(derived, dict):
        raise BadQueryError(f"{path.name}: derived must map variable names to IRI templates")
    tokens = {p.name for p in params if p.type == "token"}
    out = []
    for variable, template in derived.items():
        if not isinstance(variable, str) or not _NAME.match(variable) or \
                variable in {v for p in params for v in (p.name, p.var)} or \
                not isinstance(template, str):
            raise BadQueryError(f"{path.name}: derived {variable!r} must be a variable name that "
                                "is not a parameter, with an IRI template")
        named = _PLACEHOLDER.findall(template)
        if not named or set(named) - tokens or not re.match(r"^https?://[^\s<>\"{}|^`\\]+$",
                                                             _PLACEHOLDER.sub("x", template)):
            raise BadQueryError(f"{path.name}: derived {variable!r}: {template!r} must be an "
                                "http(s) IRI with {placeholders} naming token parameters")
        out.append((variable, template))
    return tuple(out)


@cache
def named_queries(folder: Path = QUERIES) -> dict[str, NamedQuery]:
    """Every named query of ``folder``, by name."""
    return {q.name: q for q in map(parse_named_query, sorted(folder.glob("*.rq")))}


def get_named_query(name: str, folder: Path = QUERIES) -> NamedQuery:
    """One named query.

    :raises NotFoundError: if there is none of that name.
    """
    queries = named_queries(folder)
    if name not in queries:
        raise NotFoundError(f"no named query {name!r}; known: {', '.join(queries)}")
    return queries[name]
