"""Named SPARQL queries: ``queries/*.rq`` files with a grlc-style ``#+`` YAML header.

Header keys: ``summary`` (required), ``description``, ``tags``, ``params`` (a list of
``{name, type, description, required}``). Parameter types:

- ``concept:<scheme>``: a notation of a SKOS scheme, bound as the concept IRI;
- ``organisation``: an organisation key, bound as its IRI;
- ``convention``: a convention key, bound as its IRI;
- ``token``: a code (INSEE, SIREN), bound as an ``xsd:token`` literal;
- ``date``: ``YYYY-MM-DD``, bound as an ``xsd:date`` literal;
- ``year``: ``YYYY``, bound as an ``xsd:gYear`` literal.

Values are checked against the type and bound by a ``VALUES`` block (never pasted as text).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox
import yaml
from rdflib import Graph
from rdflib.namespace import SKOS

from graph.errors import BadQueryError, NotFoundError
from graph.paths import ONTOLOGY, QUERIES
from graph.store import GraphStore, QueryResult
from graph.vocab import DEF, ID, XSD, concept

_SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_TOKEN = re.compile(r"^[0-9A-Za-z]{1,20}$")
PARAM_TYPES = ("organisation", "convention", "token", "date", "year")
_YEAR = re.compile(r"^(19|20)[0-9]{2}$")
_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


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

    def term(self, value: str) -> ox.NamedNode | ox.Literal:
        """The RDF term for a user-given ``value``.

        :raises BadQueryError: if the value does not fit the type.
        """
        value = value.strip()
        if self.type.startswith("concept:") or self.type in ("organisation", "convention"):
            if not _SLUG.match(value):
                raise BadQueryError(f"parameter {self.name!r}: {value!r} is not a key "
                                    "(lowercase letters, digits and hyphens)")
            if self.type == "organisation":
                return ox.NamedNode(f"{ID}organisation/{value}")
            if self.type == "convention":
                return ox.NamedNode(f"{ID}convention/{value}")
            scheme = self.type.split(":", 1)[1]
            known = scheme_notations().get(scheme, frozenset())
            if value not in known:
                raise BadQueryError(f"parameter {self.name!r}: {value!r} is not in the {scheme} "
                                    f"scheme ({', '.join(sorted(known))})")
            return ox.NamedNode(concept(scheme, value))
        if self.type == "token":
            if not _TOKEN.match(value):
                raise BadQueryError(f"parameter {self.name!r}: {value!r} is not a code")
            return ox.Literal(value, datatype=ox.NamedNode(str(XSD.token)))
        if self.type == "year":
            if not _YEAR.match(value):
                raise BadQueryError(f"parameter {self.name!r}: {value!r} is not a year YYYY")
            return ox.Literal(value, datatype=ox.NamedNode(str(XSD.gYear)))
        try:
            if not _DATE.match(value):
                raise ValueError(value)
            day = dt.date.fromisoformat(value)
        except ValueError as exc:
            raise BadQueryError(f"parameter {self.name!r}: {value!r} is not a date "
                                "YYYY-MM-DD") from exc
        return ox.Literal(day.isoformat(), datatype=ox.NamedNode(str(XSD.date)))


@dataclass(frozen=True)
class NamedQuery:
    """A ``.rq`` file: its name (the file stem), header and SPARQL text."""

    name: str
    summary: str
    sparql: str
    description: str = ""
    tags: tuple[str, ...] = ()
    params: tuple[Param, ...] = field(default_factory=tuple)

    def bindings(self, values: dict[str, str]) -> dict[str, ox.NamedNode | ox.Literal]:
        """Check user values against the declared parameters and turn them into terms.

        :raises BadQueryError: on an unknown parameter, a missing required one or a bad value.
        """
        declared = {p.name: p for p in self.params}
        unknown = set(values) - set(declared)
        if unknown:
            raise BadQueryError(f"unknown parameter(s) {', '.join(sorted(unknown))} for query "
                                f"{self.name!r}; it takes {', '.join(declared) or 'none'}")
        missing = [p.name for p in self.params if p.required and not values.get(p.name)]
        if missing:
            raise BadQueryError(f"query {self.name!r} needs parameter(s) {', '.join(missing)}")
        return {k: declared[k].term(v) for k, v in values.items() if v not in (None, "")}

    def run(self, store: GraphStore, values: dict[str, str] | None = None) -> QueryResult:
        """Run on ``store`` with parameter ``values`` (strings, as a user gives them)."""
        return store.query(self.sparql, self.bindings(values or {}))


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
    params = []
    for p in meta.get("params") or []:
        kind = p.get("type", "")
        if kind not in PARAM_TYPES and not kind.startswith("concept:"):
            raise BadQueryError(f"{path.name}: parameter {p.get('name')!r} has unknown type "
                                f"{kind!r}")
        params.append(Param(p["name"], kind, p.get("description", ""),
                            bool(p.get("required", False))))
    return NamedQuery(path.stem, meta["summary"], text, meta.get("description", ""),
                      tuple(meta.get("tags") or ()), tuple(params))


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
