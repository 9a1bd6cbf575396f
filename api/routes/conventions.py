"""``/api/conventions``: the conventions (CTG, chartes, PST, conventions de financement…) and,
for one of them, everything the texts say about it.

``GET /api/conventions`` lists them, by kind, signatory, territory (code and level) and date in
force (``conventions.rq``, or ``territory-conventions.rq`` when a territory is given: the
conventions whose territory is it, contains it or lies in it, with how they cover it).

``GET /api/conventions/{key}`` is one of them (``convention.rq``: title, kinds, period as
written and validity, signing, territories, domains, lineage — the convention it follows, the
ones that follow it, the one it amends and its amendments —, how it is amended and evaluated,
its source document and excerpts) with its parts embedded: signatories and their
representatives, axes and objectives, actions, governance bodies, facilities, fundings and the
source excerpts of each fact. The parts of one convention are bounded by its text, so they are
embedded — the first :data:`EMBEDDED` of each —, and each is also a paged sub-resource
``/api/conventions/{key}/{part}`` (``…Url``, ``…Total``), the way to have it in CSV or page
through it. The communes it covers, which can be hundreds for a département-wide convention,
are a sub-resource only.

The item models are made from the columns the named queries project, so that the OpenAPI
document follows the ``.rq`` files.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, create_model

from api import rest
from api.deps import StoreDep
from api.routes.territories import CHOICES, NOT_FOUND, Level, link, resolve, shaped, where
from graph import named_queries as nq
from graph.errors import NotFoundError
from graph.named_queries import NamedQuery, ParameterError, get_named_query
from graph.store import GraphStore

router = APIRouter(prefix="/api/conventions", tags=["conventions"])

EMBEDDED = 100
LIST, IN_TERRITORY, ONE = map(get_named_query, ("conventions", "territory-conventions", "convention"))
_DECLARED = {p.name: p for p in LIST.params}
Kind, Signatory, Date = (rest.param_annotation(_DECLARED[n]) for n in ("kind", "signatory", "date"))
Territory = Annotated[str | None, Query(
    pattern=nq.TOKEN, max_length=20, examples=["82112"],
    description="code of a territory (INSEE code of a commune, département or région, SIREN of an "
                "EPCI) the conventions cover in whole or in part; with `level` when ambiguous")]
Key = Annotated[str, Path(pattern=nq.SLUG, max_length=120,
                          examples=["ctg-cc-terres-des-confluences-2023-2027"],
                          description="key of the convention")]
Value = str | int | float | None


# -- models made from the queries' columns -----------------------------------------------------

def row_model(name: str, *queries: NamedQuery, doc: str = "") -> type[BaseModel]:
    """A model of the rows of ``queries``: one field per column they project (the union, in
    order; each may be ``null``)."""
    columns = list(dict.fromkeys(c for q in queries for c in q.columns or ()))
    fields: dict[str, Any] = {f"c{i}": (Value, Field(None, alias=c)) for i, c in enumerate(columns)}
    return create_model(name, __config__=ConfigDict(populate_by_name=True), __doc__=doc or None,
                        **fields)


def page_model(name: str, item: type[BaseModel]) -> type[BaseModel]:
    """The JSON body of one page of ``item``."""
    return create_model(name, total=(int, ...), page=(int, ...), page_size=(int, ...),
                        items=(list[item], ...))  # type: ignore[valid-type]


@dataclass(frozen=True)
class Part:
    """A part of a convention: its sub-resource path, named query, the query's parameter that
    takes the convention key, the ``@id`` column of its rows, and whether it is embedded."""

    name: str
    query: NamedQuery
    param: str = "convention"
    id_field: str | None = None
    embedded: bool = True


PARTS = tuple(Part(*args) for args in (  # type: ignore[arg-type]
    ("signatories", get_named_query("convention-signatories")),
    ("axes", get_named_query("convention-axes")),
    ("actions", get_named_query("convention-actions"), "convention", "action"),
    ("governance", get_named_query("convention-governance"), "convention", "body"),
    ("facilities", get_named_query("convention-facilities"), "convention", "facility"),
    ("fundings", get_named_query("convention-fundings"), "convention", "funding"),
    ("sources", get_named_query("convention-sources"), "convention", "evidence"),
    ("communes", get_named_query("convention-communes"), "convention", "commune", False),
))
ROWS = {p.name: row_model(f"Convention{p.name.capitalize()}Row", p.query) for p in PARTS}

ConventionRowPublic = row_model(
    "ConventionRowPublic", LIST, IN_TERRITORY,
    doc="A convention: kinds (type-convention notations), validity, signing date, signatories "
        "and territories (names); with a territory, how it covers it (coverage full or partial, "
        "via).")
ConventionsPublic = page_model("ConventionsPublic", ConventionRowPublic)
_parts: dict[str, Any] = {}
for _p in PARTS:
    if _p.embedded:
        _parts[_p.name] = (list[ROWS[_p.name]], ...)  # type: ignore[name-defined]
    _parts[f"{_p.name}Total"], _parts[f"{_p.name}Url"] = (int, ...), (str, ...)
ConventionPublic = create_model(
    "ConventionPublic", __base__=row_model("ConventionFields", ONE),
    __doc__="One convention (the columns of convention.rq), its parts embedded (the first 100 "
            "of each), and for each part the URL and total of its paged sub-resource.",
    **_parts)


# -- routes ------------------------------------------------------------------------------------

@router.get("", response_model=ConventionsPublic, responses={**rest.responses(), **NOT_FOUND, **CHOICES},
            summary="Conventions, by kind, signatory, territory and date in force")
def conventions(request: Request, store: StoreDep, page: rest.PageDep, fmt: rest.FormatDep,
                kind: Kind = None, signatory: Signatory = None, territory: Territory = None,
                level: Level = None, date: Date = None) -> Response:
    """Every filter is optional and they combine. ``kind``: a type-convention notation (a joint
    CTG / charte matches either); ``signatory``: an organisation key; ``territory`` (+ ``level``
    when the code is ambiguous, else 300): the conventions whose territory is it, contains it or
    lies in it — the items then say how (``coverage`` full or partial, ``via``); an unknown
    territory is 404; ``date``: in force that day (a convention whose text gives no period is
    then left out)."""
    rest.reject_unknown(request, {"kind", "signatory", "territory", "level", "date"})
    if level and not territory:
        raise ParameterError("level", "parameter 'level' goes with 'territory'")
    given = {"kind": kind, "signatory": signatory, "date": date}
    if territory:
        found = resolve(request, store, territory, level, "api/conventions")
        if isinstance(found, Response):
            return found
        if (unchanged := rest.not_modified(request, store)) is not None:
            return unchanged
        rows = rest.named_rows(store, IN_TERRITORY, {**where(found), **given}, page)
    else:
        if (unchanged := rest.not_modified(request, store)) is not None:
            return unchanged
        rows = rest.named_rows(store, LIST, given, page)
    return rest.list_response(request, store, rows, page, id_field="convention")


def find(store: GraphStore, key: str) -> dict[str, object]:
    """The row of ``convention.rq`` for ``key``.

    :raises NotFoundError: if there is no convention of that key (404).
    """
    rows = rest.named_rows(store, ONE, {"convention": key}).items
    if not rows:
        raise NotFoundError(f"no convention {key!r}")
    return rows[0]


@router.get("/{key}", response_model=ConventionPublic, responses=rest.responses(item=True),
            summary="A convention: signatories, period, axes, actions, facilities, fundings, "
                    "governance, lineage, sources")
def convention(request: Request, store: StoreDep, key: Key, fmt: rest.FormatDep) -> Response:
    """The convention of key ``key``. Lists folded into one string by ``convention.rq``:
    ``kinds``, ``domains`` (notations, space-separated), ``territories``, ``issues`` (names,
    `` ; ``), ``successors``, ``amends``, ``amendments`` (IRIs, space-separated); ``excerpts``:
    the quotes that establish the convention itself. Its parts are embedded and are paged
    sub-resources (``…Url``)."""
    rest.reject_unknown(request, ())
    item: dict[str, object] = dict(find(store, key))
    if (unchanged := rest.not_modified(request, store)) is not None:
        return unchanged
    for part in PARTS:
        rows = rest.named_rows(store, part.query, {part.param: key},
                               rest.Page(1, EMBEDDED if part.embedded else 1))
        if part.embedded:
            item[part.name] = rows.items
        item[f"{part.name}Total"] = rows.total
        item[f"{part.name}Url"] = link(request, f"api/conventions/{key}/{part.name}")
    lists = [p.name for p in PARTS if p.embedded]
    return rest.item_response(request, store, shaped(request, item, lists), id_field="convention")


def add_part(part: Part) -> None:
    """The route ``GET /api/conventions/{key}/{part}``: one paged list of the convention's."""

    def sub(request: Request, store: StoreDep, key: Key, page: rest.PageDep,
            fmt: rest.FormatDep) -> Response:
        rest.reject_unknown(request, ())
        find(store, key)
        if (unchanged := rest.not_modified(request, store)) is not None:
            return unchanged
        rows = rest.named_rows(store, part.query, {part.param: key}, page)
        return rest.list_response(request, store, rows, page, id_field=part.id_field)

    sub.__name__ = f"convention_{part.name}"
    router.add_api_route(
        f"/{{key}}/{part.name}", sub, methods=["GET"],
        response_model=page_model(f"Convention{part.name.capitalize()}Page", ROWS[part.name]),
        responses={**rest.responses(), **NOT_FOUND},
        summary=f"The {part.name} of a convention ({part.query.name})",
        description=part.query.description.strip())


for _part in PARTS:
    add_part(_part)
