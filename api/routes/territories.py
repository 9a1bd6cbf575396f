"""``/api/territories/{code}``: one territory (commune, EPCI, département, région) and what
touches it — its parents, its member communes, the conventions covering it in force at a date,
the Caf and the MSA caisse serving it, the facilities in it and the fundings they receive.

The detail embeds what is small and bounded: the parents, its Caf and MSA caisse and the first
:data:`EMBEDDED` conventions in force at ``date``. Everything that can be long is a paged
sub-resource — ``/members``, ``/conventions``, ``/institutions``, ``/facilities``,
``/fundings`` — whose URL and number of items the detail gives (``membersUrl``,
``membersTotal``…), in every format of :mod:`api.rest`.

The level: ``level`` names it; without it, the shape of the code says it (9 digits: the SIREN
of an EPCI; 5 characters: a commune; 2A, 2B, 971…976: a département; 2 digits: a département
or a région). When a code names territories of two levels — every région code is also a
département's: 84 is the département Vaucluse and the région Auvergne-Rhône-Alpes — the answer
is ``300 Multiple Choices`` (RFC 9110 §15.4.1) listing each with its URL, rather than a guess
(a code silently read at the wrong level gives a plausible, wrong answer nobody notices) or a
422 (the code is well formed: it names two things, and the server can say which).

``date`` (conventions in force that day) defaults to today; the answer then names the day
(``date``), its links carry it and its ETag depends on it, so that a cached answer is not
revalidated as current the next day.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from starlette.datastructures import QueryParams

from api import rest
from api.deps import StoreDep
from api.routes.facilities import FacilitiesPublic, facility_rows
from api.routes.fundings import FundingsPublic
from api.urls import UrlBuilder
from graph import named_queries as nq
from graph.errors import NotFoundError
from graph.named_queries import NamedQuery, get_named_query
from graph.store import GraphStore
from graph.vocab import concept

router = APIRouter(prefix="/api/territories", tags=["territories"])

EMBEDDED = 100  # items of a list embedded in a detail; the rest in its sub-resource
TERRITORY, PARENTS, MEMBERS, CONVENTIONS, INSTITUTIONS, FUNDINGS, TOTALS = map(get_named_query, (
    "territory", "territory-parents", "territory-members", "territory-conventions",
    "territory-institutions", "territory-fundings", "territory-totals"))
# The organisations a territory's page names as serving it: its Caf and MSA caisse (a CGSS in
# the overseas départements is both).
SERVING = tuple(concept("type-institution", k) for k in ("caf", "msa", "caisse-securite-sociale"))
_SHAPES = ((re.compile(r"^[0-9]{9}$"), ("epci",)),
           (re.compile(r"^([0-9]{5}|2[AB][0-9]{3})$"), ("commune",)),
           (re.compile(r"^(2[AB]|97[0-9])$"), ("departement",)),
           (re.compile(r"^[0-9]{2}$"), ("departement", "region")))

Code = Annotated[str, Path(pattern=nq.TOKEN, max_length=20, examples=["200066322"],
                           description="INSEE code of a commune, département or région, or SIREN "
                                       "of an EPCI")]
Level = Annotated[Literal["commune", "epci", "departement", "region"] | None, Query(
    description="level of the territory; without it, guessed from the code, and 300 when the "
                "code names two (84: département and région)")]
_DECLARED = {p.name: p for p in CONVENTIONS.params}
Date = rest.param_annotation(_DECLARED["date"])
InstitutionKind = rest.param_annotation(
    next(p for p in INSTITUTIONS.params if p.name == "kind"))


# -- the territory -----------------------------------------------------------------------------

def levels_for(code: str) -> tuple[str, ...]:
    """The levels a code can name, by its shape.

    >>> levels_for("200066322"), levels_for("2A004"), levels_for("84"), levels_for("974")
    (('epci',), ('commune',), ('departement', 'region'), ('departement',))
    >>> levels_for("1234")
    ()
    """
    return next((levels for shape, levels in _SHAPES if shape.match(code)), ())


def find(store: GraphStore, code: str, level: str | None) -> list[dict[str, object]]:
    """The rows of ``territory.rq`` for ``code``: at ``level``, else at each level its shape
    allows (two rows when it names a département and a région)."""
    levels = (level,) if level else levels_for(code)
    return [row for each in levels
            for row in rest.named_rows(store, TERRITORY, {"code": code, "level": each}).items]


def link(request: Request, path: str, **params: object) -> str:
    """The public URL of route ``path`` with the query ``params`` that are not ``None``."""
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return UrlBuilder(request).url(path) + (f"?{query}" if query else "")


class ChoicePublic(BaseModel):
    level: str
    code: str
    label: str
    url: str


class ChoicesPublic(BaseModel):
    """300: the code names territories of several levels; pick one by its ``url``."""

    detail: str
    choices: list[ChoicePublic]


CHOICES: dict[int | str, dict[str, Any]] = {300: {
    "model": ChoicesPublic,
    "description": "Multiple Choices: without `level`, the code names territories of several "
                   "levels (84: the département and the région); each choice has its URL",
    "headers": {"Link": {"description": "each choice, rel=\"alternate\"",
                         "schema": {"type": "string"}}}}}
NOT_FOUND = {404: rest.responses(item=True)[404]}


def resolve(request: Request, store: GraphStore, code: str, level: str | None,
            path: str | None = None) -> dict[str, object] | Response:
    """The territory row of ``code`` at ``level`` (or guessed), or a 300 answer listing the
    territories it may name: each choice is the URL of route ``path`` (default: the territory's
    page) with this request's parameters and ``level``.

    :raises NotFoundError: if no territory has that code at that level (404).
    """
    code = code.upper()  # 2a004 is 2A004
    found = find(store, code, level)
    if not found:
        at = f" at level {level}" if level else ""
        raise NotFoundError(f"no territory with code {code!r}{at}")
    if len(found) == 1:
        return found[0]
    params = dict(request.query_params)
    choices = [ChoicePublic(level=str(row["territoryLevel"]), code=code,
                            label=str(row["territoryLabel"]),
                            url=link(request, path or f"api/territories/{code}",
                                     **{**params, "level": row["territoryLevel"]}))
               for row in found]
    names = " or ".join(f"the {c.level} {c.label}" for c in choices)
    body = ChoicesPublic(detail=f"code {code!r} names {names}: say which with `level`",
                         choices=choices)
    return JSONResponse(body.model_dump(), status_code=300,
                        headers={"Link": ", ".join(f'<{c.url}>; rel="alternate"' for c in choices)})


def with_defaults(request: Request, **defaults: str) -> Request:
    """This request with ``defaults`` for the query parameters it lacks: an answer computed for
    a default (today) then names it in its links, and its ETag changes with it."""
    missing = [(k, v) for k, v in defaults.items() if k not in request.query_params]
    if not missing:
        return request
    query = str(QueryParams([*request.query_params.multi_items(), *missing]))
    return Request({**request.scope, "query_string": query.encode()}, request.receive)


def count(store: GraphStore, query: NamedQuery, values: dict[str, str | None]) -> int:
    """The number of rows of a named query for URL ``values``: its ``COUNT(*)`` alone (a
    one-row page first would evaluate the whole query twice).

    :raises ParameterError: for a value that does not fit its parameter (422).
    """
    bindings = query.bindings({k: v for k, v in values.items() if v not in (None, "")})
    return nq.count_solutions(store, query.sparql, bindings)


def shaped(request: Request, item: dict[str, object], lists: Iterable[str]) -> dict[str, object]:
    """A detail for its format: CSV is one row, so the embedded ``lists`` are left out (each is
    a sub-resource, or its own named query); in JSON-LD each of their rows is a node, its
    companion fields nested in the entity they describe (``parentLabel`` in ``parent``)."""
    fmt, lists = rest.negotiate(request), set(lists)
    if fmt == "csv":
        return {k: v for k, v in item.items() if k not in lists}
    if fmt == "jsonld":
        return {k: [rest.jsonld_node(row) for row in v]  # type: ignore[attr-defined]
                if k in lists else v for k, v in item.items()}
    return item


# -- models ------------------------------------------------------------------------------------

class ParentPublic(BaseModel):
    """A territory it belongs to; ``epciCommuneCount``: how many communes of an EPCI lie in it."""

    parent: str
    parentLevel: str
    parentCode: str
    parentLabel: str
    epciCommuneCount: int


class ServingPublic(BaseModel):
    """An organisation serving the territory: ``kind`` the IRI of its type-institution concept;
    ``relations``: self (it serves this territory), parent (a territory containing it), part (a
    territory in it), space-separated; ``places``: the names of those territories."""

    organisation: str
    organisationLabel: str
    kind: str
    relations: str
    places: str


class TerritoryConventionPublic(BaseModel):
    """A convention covering the territory: ``coverage`` full or partial, ``via`` the levels of
    its territories that relate to this one, ``kinds`` type-convention notations."""

    convention: str
    conventionLabel: str
    kinds: str | None = None
    coverage: str
    via: str
    viaLabel: str
    validFrom: str | None = None
    validUntil: str | None = None
    document: str | None = None


class TerritoryPublic(BaseModel):
    """One territory. ``population``: municipale (commune), totale (EPCI), the sum over the
    communes (département, région). Embedded: ``parents``, ``servedBy`` (its Caf and MSA
    caisse), ``conventions`` (in force at ``date``, the first 100). Each ``…Url`` is a paged
    sub-resource and ``…Total`` its number of items."""

    territory: str
    level: str
    code: str
    label: str
    population: int | None = None
    epciType: str | None = None
    epciTypeCode: str | None = None
    communeCount: int
    postalCodes: str | None = None
    date: str
    parents: list[ParentPublic]
    servedBy: list[ServingPublic]
    conventions: list[TerritoryConventionPublic]
    conventionsTotal: int
    conventionsUrl: str
    membersTotal: int
    membersUrl: str
    institutionsTotal: int
    institutionsUrl: str
    facilitiesTotal: int
    facilitiesUrl: str
    fundingsTotal: int
    fundingsUrl: str


class MemberPublic(BaseModel):
    commune: str
    communeCode: str
    communeLabel: str
    population: int | None = None
    epci: str | None = None
    epciSiren: str | None = None
    epciLabel: str | None = None
    departementCode: str | None = None


class MembersPublic(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[MemberPublic]


class TerritoryConventionsPublic(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[TerritoryConventionPublic]


class ServingsPublic(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[ServingPublic]


# -- routes ------------------------------------------------------------------------------------

def where(found: dict[str, object]) -> dict[str, str | None]:
    """The ``code`` and ``level`` of a territory row, as the territory queries take them."""
    return {"code": str(found["territoryCode"]), "level": str(found["territoryLevel"])}


def served_by(store: GraphStore, found: dict[str, object]) -> list[dict[str, object]]:
    """The Caf and MSA caisses serving the territory (``territory-institutions.rq``)."""
    rows = rest.named_rows(store, INSTITUTIONS, where(found)).items
    return [row for row in rows if row["kind"] in SERVING]


@router.get("/{code}", response_model=TerritoryPublic,
            responses={**rest.responses(item=True), **CHOICES},
            summary="A territory: parents, members, conventions in force, Caf and MSA, "
                    "institutions, facilities, fundings")
def territory(request: Request, store: StoreDep, code: Code, fmt: rest.FormatDep,
              level: Level = None, date: Date = None) -> Response:
    """``code``: INSEE code (commune, département, région) or SIREN (EPCI); ``level`` when the
    code is ambiguous (else 300); ``date``: the conventions in force that day (default today).
    Members, conventions, institutions, facilities and fundings are paged sub-resources (their
    ``…Url``)."""
    rest.reject_unknown(request, {"level", "date"})
    found = resolve(request, store, code, level)
    if isinstance(found, Response):
        return found
    day = date or dt.date.today().isoformat()
    request = with_defaults(request, date=day)
    if (unchanged := rest.not_modified(request, store)) is not None:
        return unchanged
    at = where(found)
    lv, cd = at["level"], at["code"]
    conventions = rest.named_rows(store, CONVENTIONS, {**at, "date": day}, rest.Page(1, EMBEDDED))
    base = f"api/territories/{cd}"
    totals = next(iter(rest.named_rows(store, TOTALS, at).items), {"facilities": 0, "fundings": 0})
    item: dict[str, object] = {
        "territory": found["territory"], "level": lv, "code": cd, "label": found["territoryLabel"],
        "population": found["population"], "epciType": found["epciType"],
        "epciTypeCode": found["epciTypeCode"], "communeCount": found["communeCount"],
        "postalCodes": found["postalCodes"] or None, "date": day,
        "parents": rest.named_rows(store, PARENTS, at).items,
        "servedBy": served_by(store, found),
        "conventions": conventions.items, "conventionsTotal": conventions.total,
        "conventionsUrl": link(request, f"{base}/conventions", level=lv, date=day),
        "membersTotal": found["communeCount"],
        "membersUrl": link(request, f"{base}/members", level=lv),
        "institutionsTotal": count(store, INSTITUTIONS, at),
        "institutionsUrl": link(request, f"{base}/institutions", level=lv),
        "facilitiesTotal": totals["facilities"],
        "facilitiesUrl": link(request, f"{base}/facilities", level=lv),
        "fundingsTotal": totals["fundings"],
        "fundingsUrl": link(request, f"{base}/fundings", level=lv),
    }
    lists = ("parents", "servedBy", "conventions")
    return rest.item_response(request, store, shaped(request, item, lists), id_field="territory")


SUB = {**rest.responses(), **NOT_FOUND, **CHOICES}


def _located(request: Request, store: GraphStore, code: str, level: str | None, sub: str,
             allowed: Iterable[str] = ()) -> dict[str, object] | Response:
    """The territory of a sub-resource route (or its 300), after checking the parameters."""
    rest.reject_unknown(request, {"level", *allowed})
    return resolve(request, store, code, level, f"api/territories/{code}/{sub}")


@router.get("/{code}/members", response_model=MembersPublic, responses=SUB,
            summary="The member communes of an EPCI, a département or a région")
def members(request: Request, store: StoreDep, code: Code, page: rest.PageDep,
            fmt: rest.FormatDep, level: Level = None) -> Response:
    """The current communes of the territory, by INSEE code, with population, EPCI and
    département; none for a commune."""
    found = _located(request, store, code, level, "members")
    if isinstance(found, Response):
        return found
    if (unchanged := rest.not_modified(request, store)) is not None:
        return unchanged
    rows = rest.named_rows(store, MEMBERS, where(found), page)
    return rest.list_response(request, store, rows, page, id_field="commune")


@router.get("/{code}/conventions", response_model=TerritoryConventionsPublic, responses=SUB,
            summary="The conventions covering a territory, in force at a date")
def conventions(request: Request, store: StoreDep, code: Code, page: rest.PageDep,
                fmt: rest.FormatDep, level: Level = None, date: Date = None) -> Response:
    """Conventions whose territory is this one, contains it or lies in it (``coverage`` full
    or partial), in force on ``date`` (default today). Every convention whatever its period,
    and more filters: ``/api/conventions?territory=…&level=…``."""
    found = _located(request, store, code, level, "conventions", {"date"})
    if isinstance(found, Response):
        return found
    day = date or dt.date.today().isoformat()
    request = with_defaults(request, date=day)
    if (unchanged := rest.not_modified(request, store)) is not None:
        return unchanged
    rows = rest.named_rows(store, CONVENTIONS, {**where(found), "date": day}, page)
    return rest.list_response(request, store, rows, page, id_field="convention")


@router.get("/{code}/institutions", response_model=ServingsPublic, responses=SUB,
            summary="The institutions serving a territory, a territory containing it or part of it")
def institutions(request: Request, store: StoreDep, code: Code, page: rest.PageDep,
                 fmt: rest.FormatDep, level: Level = None,
                 kind: InstitutionKind = None) -> Response:
    """Its Caf, MSA caisse, conseils départemental and régional, EPCI and commune as
    authorities…: ``relations`` says whether each serves the territory itself, one containing
    it or one in it; ``kind``: a type-institution notation."""
    found = _located(request, store, code, level, "institutions", {"kind"})
    if isinstance(found, Response):
        return found
    if (unchanged := rest.not_modified(request, store)) is not None:
        return unchanged
    rows = rest.named_rows(store, INSTITUTIONS, {**where(found), "kind": kind}, page)
    return rest.list_response(request, store, rows, page, id_field="organisation")


@router.get("/{code}/facilities", response_model=FacilitiesPublic, responses=SUB,
            summary="The facilities in a territory")
def facilities(request: Request, store: StoreDep, code: Code, page: rest.PageDep,
               fmt: rest.FormatDep, level: Level = None) -> Response:
    """``/api/facilities`` filtered by this territory (a facility known only by its EPCI lies
    in the départements and régions of the EPCI's communes)."""
    found = _located(request, store, code, level, "facilities")
    if isinstance(found, Response):
        return found
    if (unchanged := rest.not_modified(request, store)) is not None:
        return unchanged
    at = where(found)
    rows = facility_rows(store, {str(at["level"]): at["code"]}, page)
    return rest.list_response(request, store, rows, page, id_field="facility")


@router.get("/{code}/fundings", response_model=FundingsPublic, responses=SUB,
            summary="The fundings of the facilities in a territory")
def fundings(request: Request, store: StoreDep, code: Code, page: rest.PageDep,
             fmt: rest.FormatDep, level: Level = None) -> Response:
    """``/api/fundings`` filtered by this territory (a facility known only by its EPCI lies in
    the départements of the EPCI's communes)."""
    found = _located(request, store, code, level, "fundings")
    if isinstance(found, Response):
        return found
    if (unchanged := rest.not_modified(request, store)) is not None:
        return unchanged
    at = where(found)
    rows = rest.named_rows(store, FUNDINGS, {"code": at["code"], "level": at["level"]}, page)
    return rest.list_response(request, store, rows, page, id_field="funding")
