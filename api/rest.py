"""The REST response layer of ``/api/*``: formats, paging, caching — one way for every route.

A route that lists things reads its rows one page at a time from the engine
(:func:`select_page`, :func:`named_rows`) and answers with :func:`list_response`; a route that
shows one thing answers with :func:`item_response`. Both negotiate the format, set the cache
headers and answer ``304`` to a matching ``If-None-Match``. :func:`responses` documents all of
it in OpenAPI.

Formats (``?format=`` beats ``Accept``, which beats the default, JSON):

- ``json`` (``application/json``): ``{"total", "page", "page_size", "items"}`` for a list, the
  object itself for one resource;
- ``csv`` (``text/csv; charset=utf-8``): RFC 4180 — a header row of the column names, CRLF line
  ends, fields quoted when needed, UTF-8 without BOM; an empty value is an empty field;
- ``jsonld`` (``application/ld+json``): ``{"@context", "@graph": [nodes]}`` for a list, one node
  for a resource, with the published context of :data:`CONTEXT_PATH`. A node's ``@id`` is its
  identifying field (``id_field``, else a field named ``iri``, ``uri`` or ``id``). Fields that
  describe a linked entity are nested in it: ``funderLabel`` and ``funderKind`` become the
  ``label`` and ``kind`` of the ``funder`` node (suffixes ``Label``, ``Title``, ``Name``,
  ``Code``, ``Siren``, ``Kind``), so that every statement is about the right subject.

A ``?format=`` that names no format is a bad parameter value (422, like any other: ``format``
is a query parameter, not content negotiation); an ``Accept`` that matches no format is 406
(RFC 9110 §15.5.7).

Paging: ``page`` (from 1) and ``page_size`` (1 to 1000, default 100) become ``LIMIT``/``OFFSET``
on the query, and the total is a ``COUNT(*)`` over the same query, both run by the engine. The
answer has ``X-Total-Count`` and a ``Link`` header (RFC 8288) with ``first``, ``prev``, ``next``
and ``last`` (absolute URLs that keep the other query parameters), plus ``alternate`` links to
the other formats. A page past the last one is an empty page (200, ``items: []``), not a 404:
the list exists, it has no items there — as with SPARQL ``OFFSET``, and the ``Link`` header
still leads back (``prev`` points to the last page).

Caching: a **weak** ``ETag`` derived from ``store.version`` (a hash of the published data) and a
hash of the path, the query parameters and the chosen format. Weak, because the same
representation may be sent gzip-compressed or not (``GZipMiddleware``) and a strong validator
would have to differ between the two (RFC 9110 §8.8.1); a weak one says « same data, same
meaning », which is what a client revalidating a page needs. ``Cache-Control: public,
max-age=300`` and ``Vary: Accept``. ``If-None-Match`` that matches (weak comparison, or ``*``)
→ ``304`` with no body and the same validators, before any query runs.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import Depends, Query, Request
from fastapi.responses import Response

from api.errors import PROBLEM, PROBLEM_SCHEMA
from api.executor import NotAcceptableError
from api.negotiation import parse_accept
from api.results import plain
from api.urls import UrlBuilder
from graph import named_queries as nq
from graph.named_queries import NamedQuery, Param, ParameterError
from graph.store import GraphStore, QueryResult, Term

OFFER = {"json": "application/json", "csv": "text/csv", "jsonld": "application/ld+json"}
MEDIA_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8",
               "jsonld": "application/ld+json"}
CONTEXT_PATH = "api/context.jsonld"
CONTEXT_FILE = Path(__file__).parent / "static" / "context.jsonld"
DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, MAX_PAGE = 100, 1000, 1_000_000
MAX_VALUE_LENGTH = 120  # characters of a parameter value
_WHOLE = re.compile(r"[0-9]{1,18}")  # (str.isdigit() takes "²", which int() refuses)
CACHE_CONTROL = "public, max-age=300"
COMMON_PARAMS = nq.RESERVED
PATTERNS = {"organisation": nq.SLUG, "convention": nq.SLUG, "token": nq.TOKEN, "year": nq.YEAR,
            "date": nq.DATE}
# Suffixes of fields that describe the entity named by the field without the suffix.
COMPANIONS = {"Label": "label", "Title": "title", "Name": "name", "Code": "code",
              "Siren": "siren", "Kind": "kind"}
_IDS = ("iri", "uri", "id")

Format = Literal["json", "csv", "jsonld"]
Item = Mapping[str, object]


# -- parameters --------------------------------------------------------------------------------

@dataclass(frozen=True)
class Page:
    """A page of a list: ``number`` from 1, ``size`` items."""

    number: int = 1
    size: int = DEFAULT_PAGE_SIZE

    @property
    def offset(self) -> int:
        return (self.number - 1) * self.size

    def last(self, total: int) -> int:
        """The number of the last page for ``total`` items (1 for an empty list).

        >>> Page(1, 10).last(0), Page(1, 10).last(10), Page(1, 10).last(11)
        (1, 1, 2)
        """
        return max(1, -(-total // self.size))


async def page_params(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="page number, from 1")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE,
                                    description=f"items per page (1 to {MAX_PAGE_SIZE})")]
    = DEFAULT_PAGE_SIZE,
) -> Page:
    """The ``page`` and ``page_size`` query parameters (a dependency: :data:`PageDep`; async, so
    FastAPI calls it on the event loop, not through the thread pool)."""
    return Page(page, page_size)


async def format_param(fmt: Annotated[Format | None, Query(
        alias="format", description="json, csv or jsonld; beats the Accept header")] = None,
) -> Format | None:
    """The ``format`` query parameter (a dependency: :data:`FormatDep`); the format actually
    served is :func:`negotiate`'s."""
    return fmt


PageDep = Annotated[Page, Depends(page_params)]
FormatDep = Annotated[Format | None, Depends(format_param)]


def param_schema(param: Param) -> dict[str, Any]:
    """The JSON Schema of a named query's parameter as OpenAPI documents it: an enum of
    notations for a concept, a pattern for a key, a code, a year or a date (with ``format:
    date``), an integer with its bounds; its example and default.

    >>> param_schema(Param("y", "year", example="2024"))["pattern"]
    '^(19|20)[0-9]{2}$'
    >>> param_schema(Param("n", "integer", minimum=0, default="0"))
    {'type': 'integer', 'minimum': 0, 'default': 0}
    """
    schema: dict[str, Any]
    if param.type.startswith("concept:"):
        notations = sorted(nq.scheme_notations().get(param.type.split(":", 1)[1], ()))
        schema = {"type": "string", "enum": notations} if notations else {"type": "string"}
    elif param.type == "integer":
        schema = {"type": "integer"}
        schema.update({k: v for k, v in (("minimum", param.minimum), ("maximum", param.maximum))
                       if v is not None})
    else:
        schema = {"type": "string", "pattern": PATTERNS[param.type], "maxLength": MAX_VALUE_LENGTH}
        if param.type == "date":
            schema["format"] = "date"
    typed = int if param.type == "integer" else str
    if param.example is not None:
        schema["examples"] = [typed(param.example)]
    if param.default is not None:
        schema["default"] = typed(param.default)
    return schema


def query_parameter(name: str, description: str, schema: dict[str, Any], *,
                    required: bool = False) -> dict[str, Any]:
    """An OpenAPI parameter object ``in: query``."""
    return {"name": name, "in": "query", "required": required, "description": description,
            "schema": schema}


PAGE_PARAMETERS = (
    query_parameter("page", "page number, from 1",
                    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE, "default": 1}),
    query_parameter("page_size", f"items per page (1 to {MAX_PAGE_SIZE})",
                    {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE,
                     "default": DEFAULT_PAGE_SIZE}),
)
FORMAT_PARAMETER = query_parameter("format", "json, csv or jsonld; beats the Accept header",
                                   {"type": "string", "enum": list(OFFER)})


def page_from(request: Request) -> Page:
    """The ``page`` and ``page_size`` of a request, read without FastAPI's dependency solving
    (the same bounds as :data:`PageDep`).

    :raises ParameterError: for a value that is not a whole number within its bounds (422).
    """
    numbers = []
    for name, default, top in (("page", 1, MAX_PAGE), ("page_size", DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)):
        text = request.query_params.get(name)
        if text is None:
            numbers.append(default)
            continue
        if not _WHOLE.fullmatch(text.strip()) or not 1 <= int(text) <= top:
            raise ParameterError(name, f"query parameter {name!r}: {text[:40]!r} is not a whole "
                                       f"number from 1 to {top}")
        numbers.append(int(text))
    return Page(*numbers)


def query_values(request: Request, params: Iterable[Param]) -> dict[str, str | None]:
    """The values of a named query's parameters in a request (``None``: not given), after
    :func:`reject_unknown`; each is then checked against its type when it is bound.

    :raises ParameterError: for an unknown or repeated parameter, or an overlong value (422).
    """
    names = [p.name for p in params]
    reject_unknown(request, names)
    values = {name: request.query_params.get(name) for name in names}
    for name, value in values.items():
        if value is not None and len(value) > MAX_VALUE_LENGTH:
            raise ParameterError(name, f"query parameter {name!r}: longer than "
                                       f"{MAX_VALUE_LENGTH} characters")
    return values


def param_annotation(param: Param, name: str | None = None) -> Any:
    """The type and ``Query`` of a named query's parameter, for a route signature (FastAPI then
    checks it and OpenAPI documents it): an enum of notations for a concept, a pattern for a
    key, a code, a year or a date (with ``format: date``), an integer with its bounds; the
    description, example and optionality of the header. ``name`` is the query parameter's name
    in the URL (default: the declared name).

    >>> from typing import get_args
    >>> get_args(param_annotation(Param("y", "year"), "year"))[1].alias
    'year'
    """
    schema = param_schema(param)  # the constraints, said once
    extra: dict[str, Any] = {"alias": name or param.name, "description": param.description or None}
    if param.example is not None:
        extra["examples"] = [param.example]
    extra.update({key: schema[field] for key, field in (
        ("ge", "minimum"), ("le", "maximum"), ("pattern", "pattern"), ("max_length", "maxLength"))
        if field in schema})
    if "format" in schema:
        extra["json_schema_extra"] = {"format": schema["format"]}
    kind: Any = int if schema["type"] == "integer" else \
        Literal[tuple(schema["enum"])] if "enum" in schema else str
    if not param.required or param.default is not None:
        kind = kind | None
    return Annotated[kind, Query(**extra)]


def reject_unknown(request: Request, allowed: Iterable[str]) -> None:
    """Refuse query parameters the route does not take, and repeated ones: a misspelt filter
    must not silently return everything.

    :raises ParameterError: naming the first unknown or repeated parameter (422).
    """
    known = set(allowed) | COMMON_PARAMS
    names = [k for k, _ in request.query_params.multi_items()]
    for name in names:
        if name not in known:
            raise ParameterError(name, f"unknown parameter {name!r}; this operation takes "
                                       f"{', '.join(sorted(known))}")
        if names.count(name) > 1:
            raise ParameterError(name, f"parameter {name!r} is given more than once")


def negotiate(request: Request) -> Format:
    """The format to answer with: ``?format=``, else the best of ``Accept``, else JSON.

    :raises ParameterError: for a ``?format=`` that names no format (422).
    :raises NotAcceptableError: when ``Accept`` lists nothing on offer (406).
    """
    asked = request.query_params.get("format")
    if asked:
        if asked not in OFFER:
            raise ParameterError("format", f"parameter 'format': {asked!r} is not one of "
                                           f"{', '.join(OFFER)}")
        return asked  # type: ignore[return-value]
    by_media = {media: key for key, media in OFFER.items()}
    for media in parse_accept(request.headers.get("accept")) or ["*/*"]:
        if media in by_media:
            return by_media[media]  # type: ignore[return-value]
        if media in ("*/*", "application/*"):
            return "json"
        if media == "text/*":
            return "csv"
    raise NotAcceptableError(f"this resource is offered as {', '.join(OFFER.values())}")


# -- reading rows ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Rows:
    """One page of rows: ``columns`` in order, ``items`` (plain values, ``None`` when unbound)
    and the ``total`` number of rows over all pages."""

    columns: tuple[str, ...]
    items: list[dict[str, object]]
    total: int


def _rows(result: QueryResult, total: int | None = None) -> Rows:
    columns = tuple(v.value for v in result.raw.variables)
    items = [{c: None if s[c] is None else plain(s[c]) for c in columns} for s in result.raw]
    return Rows(columns, items, len(items) if total is None else total)


def select_page(store: GraphStore, sparql: str, bindings: Mapping[str, Term], page: Page) -> Rows:
    """One page of a SELECT query (which needs an ``ORDER BY``), ``LIMIT``/``OFFSET`` and the
    total computed by the engine; ``bindings`` are bound by ``VALUES``.

    :raises BadQueryError: if the query does not parse or run.
    """
    result, total = nq.select_page(store, sparql, dict(bindings), page.size, page.offset)
    return _rows(result, total)


PLACES = ("commune", "epci", "departement", "region")  # URL filters naming a territory
# A named query for a route's URL filters: the query, its parameter values, and the URL name →
# parameter name mapping it was bound with (to name the URL parameter of a 422).
Choice = tuple[NamedQuery, dict[str, str], Mapping[str, str]]


def filtered(query: NamedQuery, given: Mapping[str, str], filters: Mapping[str, str]) -> Choice:
    """``query`` with the URL filters ``given``, renamed by ``filters`` (URL name → parameter)."""
    return query, {filters[k]: v for k, v in given.items()}, filters


def in_territory(query: NamedQuery, given: Mapping[str, str],
                 filters: Mapping[str, str]) -> Choice | None:
    """``query`` (one starting from a territory, by ``code`` and ``level``) for the URL filters
    ``given`` when exactly one of them is a place, else ``None``.

    >>> from graph.named_queries import get_named_query
    >>> tf = get_named_query("territory-facilities")
    >>> in_territory(tf, {"epci": "200066223", "kind": "creche"}, {"kind": "facilityKind"})[1]
    {'code': '200066223', 'facilityKind': 'creche', 'level': 'epci'}
    >>> in_territory(tf, {"epci": "200066223", "commune": "09124"}, {}) is None
    True
    """
    places = [k for k in PLACES if k in given]
    if len(places) != 1:
        return None
    [level] = places
    names = {**{k: v for k, v in filters.items() if k not in PLACES}, level: "code"}
    return query, {names[k]: v for k, v in given.items()} | {"level": level}, names


def url_named(exc: ParameterError, names: Mapping[str, str]) -> ParameterError:
    """``exc`` naming the URL parameter bound to its query parameter (``names``: URL name →
    query parameter), as the client wrote it."""
    name = next((k for k, v in names.items() if v == exc.param), exc.param)
    return ParameterError(name, str(exc).replace(repr(exc.param), repr(name)))


def named_rows(store: GraphStore, query: NamedQuery, values: Mapping[str, str | None],
               page: Page | None = None) -> Rows:
    """The rows of a named SELECT query for user ``values`` (strings; ``None`` or empty: not
    given): one page when the query is paged and ``page`` is given, else all of them.

    :raises ParameterError: for a value that does not fit its parameter (422).
    """
    bindings = query.bindings({k: v for k, v in values.items() if v not in (None, "")})
    if page is not None and query.paged:
        return select_page(store, query.sparql, bindings, page)
    return _rows(store.query(query.sparql, bindings))


async def fetch_rows(store: GraphStore, query: NamedQuery, values: Mapping[str, str | None],
                     page: Page | None = None) -> Rows:
    """:func:`named_rows` for an ``async`` route: parameters checked here, then the queries,
    the reading of the rows and their conversion done in one go on a query thread of the
    worker (bounded, within the time limit; see :class:`api.deps.GuardedStore`) — one hop
    instead of the thread pool's and then the query thread's.

    :raises ParameterError: for a value that does not fit its parameter (422).
    :raises QueryTimeoutError: past the time limit (503).
    """
    query.bindings({k: v for k, v in values.items() if v not in (None, "")})  # 422 early
    raw, runner = getattr(store, "unguarded", store), getattr(store, "runner", None)
    if runner is None:
        return named_rows(raw, query, values, page)
    return await runner.run_async(lambda: named_rows(raw, query, values, page), query.name)


# -- caching -----------------------------------------------------------------------------------

def etag(request: Request, store: GraphStore, fmt: str) -> str:
    """The weak validator of the answer to ``request`` in ``fmt``: the data version and a hash
    of the path, the query parameters (sorted) and the format (computed once a request)."""
    version = getattr(store, "version", "")
    known = request.scope.setdefault("maillage.etags", {})
    if (version, fmt) not in known:
        params = sorted(request.query_params.multi_items())
        key = json.dumps([request.url.path, params, fmt], ensure_ascii=False)
        known[(version, fmt)] = f'W/"{version}-{hashlib.sha256(key.encode()).hexdigest()[:16]}"'
    return known[(version, fmt)]


def _matches(header: str | None, tag: str) -> bool:
    """Weak comparison of ``If-None-Match`` with ``tag`` (RFC 9110 §13.1.2)."""
    if not header:
        return False
    opaque = tag.removeprefix("W/")
    return any(t.strip() == "*" or t.strip().removeprefix("W/") == opaque for t in header.split(","))


def cache_headers(tag: str) -> dict[str, str]:
    return {"ETag": tag, "Cache-Control": CACHE_CONTROL, "Vary": "Accept"}


def not_modified(request: Request, store: GraphStore) -> Response | None:
    """``304`` when ``If-None-Match`` matches the answer's validator, else ``None``: call it
    before running queries. (The format is negotiated first, so a bad one is refused.)"""
    tag = etag(request, store, negotiate(request))
    if _matches(request.headers.get("if-none-match"), tag):
        return Response(status_code=304, headers=cache_headers(tag))
    return None


# -- representations ---------------------------------------------------------------------------

@cache
def context() -> dict[str, Any]:
    """The published JSON-LD context (``api/static/context.jsonld``)."""
    return json.loads(CONTEXT_FILE.read_text(encoding="utf-8"))


def _iri(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://", "urn:"))


def jsonld_node(item: Item, id_field: str | None = None) -> dict[str, object]:
    """``item`` as a JSON-LD node of the published context: ``@id`` from ``id_field`` (else a
    field ``iri``/``uri``/``id`` holding an IRI), companion fields nested in the entity they
    describe, unbound fields left out.

    >>> node = jsonld_node({"funding": "https://e/f", "funder": "https://e/o", "funderLabel": "M",
    ...                     "amount": 5, "epciSiren": "200066223", "status": None}, "funding")
    >>> node["@id"], node["funder"], node["amount"], node["epci"], "status" in node
    ('https://e/f', {'@id': 'https://e/o', 'label': 'M'}, 5, {'siren': '200066223'}, False)
    """
    terms = context()["@context"]
    key = id_field or next((f for f in _IDS if _iri(item.get(f))), None)
    node: dict[str, object] = {"@id": item[key]} if key and item.get(key) is not None else {}
    nested: dict[str, dict[str, object]] = {}
    for name, value in item.items():
        if name == key or value is None:
            continue
        base = next((name[: -len(s)] for s in COMPANIONS if name.endswith(s) and len(name) > len(s)
                     and name not in terms), None)
        if base is not None:
            suffix = name[len(base):]
            nested.setdefault(base, {})[COMPANIONS[suffix]] = _value(COMPANIONS[suffix], value)
        else:
            node[name] = _value(name, value)
    for base, fields in nested.items():
        entity = node.get(base)
        node[base] = {"@id": entity, **fields} if _iri(entity) else fields
    return node


def _value(term: str, value: object) -> object:
    """A value as written in JSON-LD: a term typed ``@id`` with a value that is no IRI (a
    notation, a code) is given as a plain value object, not resolved as a relative IRI."""
    definition = context()["@context"].get(term)
    if isinstance(definition, dict) and definition.get("@type") == "@id" and not _iri(value):
        return {"@value": value}
    return value


def csv_text(columns: Sequence[str], items: Iterable[Item]) -> str:
    """RFC 4180 CSV: a header row, then one row per item (``None`` → empty field).

    >>> csv_text(["a", "b"], [{"a": "x, y", "b": None}, {"a": 1.5, "b": True}]).splitlines()
    ['a,b', '"x, y",', '1.5,true']
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for item in items:
        writer.writerow(["" if (v := item.get(c)) is None else
                         str(v).lower() if isinstance(v, bool) else v for c in columns])
    return out.getvalue()


def _dumps(body: object) -> bytes:
    # (default=str: a date or a Decimal a route hands over is written as its text)
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _route_path(request: Request) -> str:
    path, root = request.url.path, request.scope.get("root_path", "")
    return path[len(root):] if root and path.startswith(root) else path


def _url(request: Request, base: str | None = None, **replace: object) -> str:
    """The public URL of this request (``base``: its public URL without the query, if known)
    with some query parameters replaced (others kept)."""
    params = [(k, v) for k, v in request.query_params.multi_items() if k not in replace]
    params += [(k, str(v)) for k, v in replace.items() if v is not None]
    query = urlencode(params)
    base = base or UrlBuilder(request).url(_route_path(request))
    return base + (f"?{query}" if query else "")


def _links(request: Request, fmt: str, page: Page | None = None, total: int = 0) -> str:
    base = UrlBuilder(request).url(_route_path(request))
    links = []
    if page is not None:
        last = page.last(total)
        rels = [("first", 1)]
        if page.number > 1:
            rels.append(("prev", min(page.number - 1, last)))
        if page.number < last:
            rels.append(("next", page.number + 1))
        rels.append(("last", last))
        links += [f'<{_url(request, base, page=n)}>; rel="{rel}"' for rel, n in rels]
    links += [f'<{_url(request, base, format=k)}>; rel="alternate"; type="{media}"'
              for k, media in OFFER.items() if k != fmt]
    return ", ".join(links)


def _answer(request: Request, store: GraphStore, fmt: Format, body: bytes | str,
            headers: dict[str, str]) -> Response:
    tag = etag(request, store, fmt)
    return Response(body, media_type=MEDIA_TYPES[fmt], headers={**headers, **cache_headers(tag)})


def list_response(request: Request, store: GraphStore, rows: Rows, page: Page | None = None, *,
                  id_field: str | None = None) -> Response:
    """A list of ``rows`` in the negotiated format, with ``X-Total-Count``, ``Link`` (paging
    when ``page`` is given, alternates), ``ETag``, ``Cache-Control`` and ``Vary``; ``304`` when
    ``If-None-Match`` matches.

    :raises ParameterError: for a bad ``?format=`` (422).
    :raises NotAcceptableError: when ``Accept`` matches no format (406).
    """
    if (unchanged := not_modified(request, store)) is not None:
        return unchanged
    fmt = negotiate(request)
    shown = page or Page(1, max(1, len(rows.items)))
    headers = {"X-Total-Count": str(rows.total), "Link": _links(request, fmt, page, rows.total)}
    if fmt == "csv":
        return _answer(request, store, fmt, csv_text(rows.columns, rows.items), headers)
    if fmt == "jsonld":
        body: object = {"@context": UrlBuilder(request).url(CONTEXT_PATH),
                        "@graph": [jsonld_node(i, id_field) for i in rows.items]}
    else:
        body = {"total": rows.total, "page": shown.number, "page_size": shown.size,
                "items": rows.items}
    return _answer(request, store, fmt, _dumps(body), headers)


def item_response(request: Request, store: GraphStore, item: Item, *,
                  id_field: str | None = None) -> Response:
    """One resource in the negotiated format (CSV: a header row and one row), with the cache
    headers; ``304`` when ``If-None-Match`` matches. A route raises ``NotFoundError`` (404)
    when there is no such resource.

    :raises ParameterError: for a bad ``?format=`` (422).
    :raises NotAcceptableError: when ``Accept`` matches no format (406).
    """
    if (unchanged := not_modified(request, store)) is not None:
        return unchanged
    fmt = negotiate(request)
    headers = {"Link": _links(request, fmt)}
    if fmt == "csv":
        return _answer(request, store, fmt, csv_text(list(item), [item]), headers)
    body = ({"@context": UrlBuilder(request).url(CONTEXT_PATH), **jsonld_node(item, id_field)}
            if fmt == "jsonld" else dict(item))
    return _answer(request, store, fmt, _dumps(body), headers)


# -- OpenAPI -----------------------------------------------------------------------------------

def _problem(description: str) -> dict[str, Any]:
    return {"description": description, "content": {PROBLEM: {"schema": PROBLEM_SCHEMA}}}


_HEADERS = {
    "ETag": {"description": "weak validator: data version and request", "schema": {"type": "string"}},
    "Cache-Control": {"description": CACHE_CONTROL, "schema": {"type": "string"}},
    "Link": {"description": "first/prev/next/last pages and alternate formats (RFC 8288)",
             "schema": {"type": "string"}},
}


def responses(*, item: bool = False) -> dict[int | str, dict[str, Any]]:
    """The ``responses=`` of a route built on this layer: the 200 schema comes from the route's
    ``response_model`` (JSON); this adds CSV and JSON-LD to it, the headers, 304 and the
    problems (404 for an item, 406, 422).

    >>> sorted(responses(item=True))
    [200, 304, 404, 406, 422]
    """
    headers = dict(_HEADERS) if item else {**_HEADERS, "X-Total-Count": {
        "description": "number of items over all pages", "schema": {"type": "integer"}}}
    documented: dict[int | str, dict[str, Any]] = {
        200: {"headers": headers, "content": {"text/csv": {"schema": {"type": "string"}},
                                               "application/ld+json": {"schema": {"type": "object"}}}},
        304: {"description": "Not modified: If-None-Match matches the ETag (no body)",
              "headers": {"ETag": _HEADERS["ETag"]}},
        406: _problem("No format matches the Accept header"),
        422: _problem("A query parameter is unknown, missing, repeated or does not fit its type"),
    }
    if item:
        documented[404] = _problem("No such resource")
    return documented
