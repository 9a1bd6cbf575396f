"""``/api/queries``: the named queries of ``queries/*.rq``, each its own REST operation.

``GET /api/queries`` lists them; ``GET /api/queries/{name}`` runs one, one path per file, made
from its ``#+`` header when this module is imported (that is, when the app is built): summary,
description, tags, typed query parameters (an enum of notations for a concept, a pattern for a
key, a code or a year, ``format: date`` for a date, an integer with its bounds), defaults,
examples, required flags, and ``page``/``page_size`` when the query is paged. FastAPI checks
the parameters against that schema and the named query checks them again before binding them
by ``VALUES`` (422 either way); answers go through :mod:`api.rest` (JSON, CSV, JSON-LD, paging,
caching). An unknown name has no route: 404.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, create_model
from starlette.concurrency import run_in_threadpool

from api import rest
from api.deps import StoreDep, guarded_store
from api.negotiation import GRAPH, TABULAR, choose
from graph.named_queries import NamedQuery, named_queries

router = APIRouter(prefix="/api/queries", tags=["queries"])

Value = str | int | float | None


class ParamPublic(BaseModel):
    name: str
    type: str
    required: bool
    description: str
    default: str | None = None
    example: str | None = None


class QueryPublic(BaseModel):
    """A named query: its operation is ``GET path``."""

    name: str
    path: str
    summary: str
    description: str
    tags: list[str]
    paginate: bool
    params: list[ParamPublic]


@router.get("", response_model=list[QueryPublic], summary="The named queries, with their parameters")
def list_queries() -> list[QueryPublic]:
    return [QueryPublic(name=q.name, path=f"{router.prefix}/{q.name}", summary=q.summary,
                        description=q.description.strip(), tags=list(q.tags), paginate=q.paged,
                        params=[ParamPublic(name=p.name, type=p.type, required=p.required,
                                            description=p.description, default=p.default,
                                            example=p.example) for p in q.params])
            for q in named_queries().values()]


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.replace("_", "-").split("-"))


def page_model(query: NamedQuery) -> type[BaseModel] | None:
    """The JSON body of a paged answer: its items have one field per projected column."""
    if query.columns is None:
        return None
    fields: dict[str, Any] = {f"c{i}": (Value, Field(None, alias=c))
                              for i, c in enumerate(query.columns)}
    item = create_model(f"{_camel(query.name)}Row", __config__=ConfigDict(populate_by_name=True),
                        **fields)
    return create_model(f"{_camel(query.name)}Page", total=(int, ...), page=(int, ...),
                        page_size=(int, ...), items=(list[item], ...))  # type: ignore[valid-type]


def operation(query: NamedQuery):  # type: ignore[no-untyped-def]
    """The endpoint function of one named query. It takes the request alone and reads its
    parameters itself (:func:`api.rest.query_values`; the named query checks them when it binds
    them): FastAPI's dependency solving cost 50–100 µs of the ~430 µs a small request spends
    on the event loop (measured in process, session 5). OpenAPI documents the parameters from
    :func:`parameters`."""

    async def run(request: Request) -> Response:
        values = rest.query_values(request, query.params)
        store = guarded_store(request)
        if query.form != "select" or query.columns is None:
            return await run_in_threadpool(_other_form, request, store, query, values)
        page = rest.page_from(request) if query.paged else None
        if (unchanged := rest.not_modified(request, store)) is not None:
            return unchanged
        rows = await rest.fetch_rows(store, query, values, page)
        return rest.list_response(request, store, rows, page, id_field=query.id)

    run.__name__ = f"query_{query.name.replace('-', '_')}"
    return run


def parameters(query: NamedQuery) -> list[dict[str, Any]]:
    """The OpenAPI parameters of a named query's operation: its own (required unless it has a
    default), ``format`` for a SELECT, ``page`` and ``page_size`` when it is paged."""
    own = [rest.query_parameter(p.name, p.description, rest.param_schema(p),
                                required=p.required and p.default is None) for p in query.params]
    common = [rest.FORMAT_PARAMETER] if query.form == "select" else []
    return own + common + (list(rest.PAGE_PARAMETERS) if query.paged else [])


def _other_form(request: Request, store: StoreDep, query: NamedQuery,
                values: dict[str, str | None]) -> Response:
    """ASK, CONSTRUCT, DESCRIBE (and a ``SELECT *``, whose columns are not known in advance):
    the store's own serializations, negotiated."""
    result = query.run(store, {k: v for k, v in values.items() if v})
    chosen = choose(result.kind, request.query_params.get("format"), request.headers.get("accept"))
    if chosen is None:
        from api.executor import NotAcceptableError

        raise NotAcceptableError(f"no serialization of a {result.kind.upper()} result matches")
    return Response(result.serialize(chosen[0]), media_type=chosen[1])


def add_operation(router: APIRouter, query: NamedQuery) -> None:
    """Add the operation ``GET {router.prefix}/{query.name}`` of one named query to ``router``."""
    description = query.description.strip()
    if query.paged:
        description += ("\n\nPaged: `page`, `page_size`; `Link` and `X-Total-Count` headers. "
                        "Formats: JSON, CSV, JSON-LD (`format` or `Accept`).")
    model = page_model(query) if query.form == "select" else None
    if model is not None:
        responses = rest.responses()
    else:  # ASK, CONSTRUCT, DESCRIBE, SELECT *: the store's serializations
        offer = GRAPH if query.form in ("construct", "describe") else TABULAR
        responses = {200: {"content": {m: {"schema": {"type": "string"}} for m in offer.values()}},
                     **{k: v for k, v in rest.responses().items() if k in (406, 422)}}
    router.add_api_route(
        f"/{query.name}", operation(query), methods=["GET"], summary=query.summary,
        description=description, tags=list(query.tags) or ["queries"],
        response_model=model, responses=responses, operation_id=f"query_{query.name}",
        openapi_extra={"parameters": parameters(query)})


for _query in named_queries().values():
    add_operation(router, _query)
