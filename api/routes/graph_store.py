"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol, indirect graph identification
(``?graph=IRI`` or ``?default``). Reads are open; PUT, POST and DELETE need the bearer token."""

from __future__ import annotations

from typing import Annotated

import pyoxigraph as ox
from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.auth import write_refusal
from api.errors import problem
from api.negotiation import GRAPH, choose
from graph.errors import LoadError

router = APIRouter(tags=["graph store"])

GraphParam = Annotated[str | None, Query(alias="graph", max_length=2000)]
DefaultParam = Annotated[str | None, Query(alias="default")]
PARSERS = {"text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
           "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/ld+json": ox.RdfFormat.JSON_LD,
           "text/n3": ox.RdfFormat.N3}


def _target(graph: str | None, default: str | None) -> ox.NamedNode | ox.DefaultGraph | Response:
    if (graph is None) == (default is None):
        return problem(400, "Bad request", "give exactly one of ?graph=IRI and ?default")
    if default is not None:
        return ox.DefaultGraph()
    try:
        return ox.NamedNode(graph)
    except ValueError:
        return problem(400, "Bad request", f"{graph!r} is not an IRI")


def _writable_target(request: Request, graph: str | None,
                     default: str | None) -> ox.NamedNode | ox.DefaultGraph | Response:
    """The graph a write addresses, or the refusal to send (no token, bad target)."""
    refusal = write_refusal(request)
    return refusal if refusal is not None else _target(graph, default)


def _exists(store, target) -> bool:  # type: ignore[no-untyped-def]
    return isinstance(target, ox.DefaultGraph) or store.raw.contains_named_graph(target)


def _read(request: Request, graph: str | None, default: str | None, head: bool) -> Response:
    target = _target(graph, default)
    if isinstance(target, Response):
        return target
    store = request.app.state.store
    if not _exists(store, target):
        return problem(404, "Not found", f"no graph {graph}")
    chosen = choose("graph", request.query_params.get("format"), request.headers.get("accept"))
    if chosen is None:
        return problem(406, "Not acceptable", "no RDF serialization matches the Accept header")
    fmt, media = chosen
    body = b"" if head else store.raw.dump(format=ox.RdfFormat.from_media_type(GRAPH[fmt]),
                                           from_graph=target)
    return Response(body, media_type=f"{media}; charset=utf-8", headers={"Vary": "Accept"})


@router.get("/store", summary="Graph Store: get a graph")
def get_graph(request: Request, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    return _read(request, graph, default, head=False)


@router.head("/store", summary="Graph Store: does a graph exist")
def head_graph(request: Request, graph: GraphParam = None, default: DefaultParam = None) -> Response:
    return _read(request, graph, default, head=True)


async def _write(request: Request, graph: str | None, default: str | None, replace: bool) -> Response:
    target = _writable_target(request, graph, default)
    if isinstance(target, Response):
        return target
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media not in PARSERS:
        return problem(415, "Unsupported media type",
                       f"send the graph as one of {', '.join(PARSERS)}")
    body = await request.body()
    store = request.app.state.store
    existed = _exists(store, target)

    def write() -> None:
        if replace and isinstance(target, ox.NamedNode):
            store.replace_graph(target.value, _as_ntriples(body, PARSERS[media]))
        else:
            if replace:
                store.raw.clear_graph(target)
            store.raw.load(body, format=PARSERS[media], to_graph=target)
            store.refresh()
    try:
        await run_in_threadpool(write)
    except (LoadError, SyntaxError, ValueError) as exc:
        return problem(400, "Bad request", f"the graph does not parse: {exc}")
    return Response(status_code=204 if existed else 201)


def _as_ntriples(body: bytes, fmt: ox.RdfFormat) -> bytes:
    """Parse ``body`` (raises on a syntax error) and give it back as N-Triples."""
    return ox.serialize([q.triple for q in ox.parse(body, format=fmt)], format=ox.RdfFormat.N_TRIPLES)


@router.put("/store", summary="Graph Store: replace a graph (token)")
async def put_graph(request: Request, graph: GraphParam = None,
                    default: DefaultParam = None) -> Response:
    return await _write(request, graph, default, replace=True)


@router.post("/store", summary="Graph Store: add to a graph (token)")
async def post_graph(request: Request, graph: GraphParam = None,
                     default: DefaultParam = None) -> Response:
    return await _write(request, graph, default, replace=False)


@router.delete("/store", summary="Graph Store: delete a graph (token)")
def delete_graph(request: Request, graph: GraphParam = None,
                 default: DefaultParam = None) -> Response:
    target = _writable_target(request, graph, default)
    if isinstance(target, Response):
        return target
    store = request.app.state.store
    if isinstance(target, ox.DefaultGraph):
        store.raw.clear_graph(target)
    elif not store.raw.contains_named_graph(target):
        return problem(404, "Not found", f"no graph {graph}")
    else:
        store.drop_graph(target.value)
    return Response(status_code=204)
