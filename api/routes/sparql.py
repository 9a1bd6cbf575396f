"""``/sparql``: SPARQL 1.1 Protocol queries by GET, POST form and POST direct."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import parse_qs

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool

from api.deps import SettingsDep, StoreDep
from api.errors import problem
from api.guard import check_query
from api.negotiation import choose
from graph.vocab import BASE

router = APIRouter(tags=["sparql"])

SERVICE_DESCRIPTION = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
[] a sd:Service ;
  sd:endpoint <{endpoint}> ;
  sd:supportedLanguage sd:SPARQL11Query ;
  sd:feature sd:UnionDefaultGraph ;
  sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>,
    <http://www.w3.org/ns/formats/SPARQL_Results_XML>, <http://www.w3.org/ns/formats/SPARQL_Results_CSV>,
    <http://www.w3.org/ns/formats/SPARQL_Results_TSV>, <http://www.w3.org/ns/formats/Turtle>,
    <http://www.w3.org/ns/formats/N-Triples>, <http://www.w3.org/ns/formats/JSON-LD>,
    <http://www.w3.org/ns/formats/RDF_XML> ;
  sd:defaultDataset [ a sd:Dataset ; void:uriSpace "{base}id/" ] .
"""

QueryParam = Annotated[list[str] | None, Query(alias="query")]
GraphParam = Annotated[list[str] | None, Query(alias="default-graph-uri")]
NamedParam = Annotated[list[str] | None, Query(alias="named-graph-uri")]


def _answer(request: Request, store: StoreDep, settings: SettingsDep, queries: list[str],
            default_graphs: list[str], named_graphs: list[str]) -> Response:
    if len(queries) != 1:
        return problem(400, "Bad request", "give exactly one query parameter"
                       f" (got {len(queries)})")
    check_query(queries[0], max_bytes=settings.max_query_bytes,
                max_depth=settings.max_query_depth)
    result = store.query(queries[0], default_graphs=default_graphs or None,
                         named_graphs=named_graphs or None)
    chosen = choose(result.kind, request.query_params.get("format"),
                    request.headers.get("accept"))
    if chosen is None:
        return problem(406, "Not acceptable",
                       f"no serialization of a {result.kind.upper()} result matches the Accept "
                       "header or format parameter")
    fmt, media = chosen
    charset = "; charset=utf-8" if not media.endswith("+xml") else ""
    return Response(result.serialize(fmt), media_type=media + charset,
                    headers={"Vary": "Accept"})


@router.get("/sparql", summary="SPARQL 1.1 query by GET (no query: the service description)")
def sparql_get(request: Request, store: StoreDep, settings: SettingsDep,
               query: QueryParam = None, default_graph_uri: GraphParam = None,
               named_graph_uri: NamedParam = None) -> Response:
    if not query:
        endpoint = str(request.url_for("sparql_get"))
        body = SERVICE_DESCRIPTION.format(endpoint=endpoint, base=BASE)
        return Response(body, media_type="text/turtle; charset=utf-8")
    return _answer(request, store, settings, query, default_graph_uri or [],
                   named_graph_uri or [])


@router.post("/sparql", summary="SPARQL 1.1 query by POST (form-encoded or direct)")
async def sparql_post(request: Request, store: StoreDep, settings: SettingsDep) -> Response:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return problem(400, "Bad request", "the request body is not UTF-8")
    url_params = parse_qs(request.url.query)
    if media == "application/x-www-form-urlencoded":
        form = parse_qs(text, keep_blank_values=True)
        queries = form.get("query", [])
        defaults = form.get("default-graph-uri", []) + url_params.get("default-graph-uri", [])
        named = form.get("named-graph-uri", []) + url_params.get("named-graph-uri", [])
    elif media == "application/sparql-query":
        queries = [text]
        defaults = url_params.get("default-graph-uri", [])
        named = url_params.get("named-graph-uri", [])
    else:
        return problem(415, "Unsupported media type",
                       "POST a query as application/x-www-form-urlencoded (query=...) or "
                       "application/sparql-query")
    # The store call blocks: run it in the thread pool, not on the event loop.
    return await run_in_threadpool(_answer, request, store, settings, queries, defaults, named)
