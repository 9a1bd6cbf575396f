"""``/sparql``: the SPARQL 1.1 Protocol — queries by GET, POST form and POST direct; updates by
POST form and POST direct, with the bearer token only."""

from __future__ import annotations

from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from api.auth import write_refusal
from api.errors import problem
from api.executor import Job
from api.guard import check_query, names_a_dataset
from api.negotiation import parse_accept
from api.query_page import query_page
from graph.vocab import BASE

router = APIRouter(tags=["sparql"])

SERVICE_DESCRIPTION = """@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
@prefix void: <http://rdfs.org/ns/void#> .
[] a sd:Service ;
  sd:endpoint <{endpoint}> ;
  sd:supportedLanguage sd:SPARQL11Query{update} ;
  sd:feature sd:UnionDefaultGraph ;
  sd:resultFormat <http://www.w3.org/ns/formats/SPARQL_Results_JSON>,
    <http://www.w3.org/ns/formats/SPARQL_Results_XML>, <http://www.w3.org/ns/formats/SPARQL_Results_CSV>,
    <http://www.w3.org/ns/formats/SPARQL_Results_TSV>, <http://www.w3.org/ns/formats/Turtle>,
    <http://www.w3.org/ns/formats/N-Triples>, <http://www.w3.org/ns/formats/JSON-LD>,
    <http://www.w3.org/ns/formats/RDF_XML>, <http://www.w3.org/ns/formats/TriG>,
    <http://www.w3.org/ns/formats/N-Quads> ;
  sd:defaultDataset [ a sd:Dataset ; void:uriSpace "{base}id/" ] .
"""
FORM = "application/x-www-form-urlencoded"


def _wants_html(accept: str | None) -> bool:
    """A browser: text/html ranked before every RDF type."""
    ranked = parse_accept(accept)
    return bool(ranked) and ranked[0] in ("text/html", "application/xhtml+xml")


def _run_query(request: Request, queries: list[str], defaults: list[str],
               named: list[str]) -> Response:
    settings = request.app.state.settings
    if len(queries) != 1:
        return problem(400, "Bad request",
                       f"give exactly one query parameter (got {len(queries)})")
    check_query(queries[0], max_bytes=settings.max_query_bytes,
                max_depth=settings.max_query_depth)
    if (defaults or named) and names_a_dataset(queries[0]):
        return problem(400, "Bad request", "the dataset is given twice: by default-graph-uri / "
                                           "named-graph-uri and by FROM in the query")
    job = Job(queries[0], tuple(defaults), tuple(named), request.query_params.get("format"),
              request.headers.get("accept"))
    result = request.app.state.executor.run(job)
    charset = "" if result.media_type.endswith("+xml") else "; charset=utf-8"
    return Response(result.body, media_type=result.media_type + charset,
                    headers={"Vary": "Accept"})


def _run_update(request: Request, updates: list[str], using: list[str]) -> Response:
    refusal = write_refusal(request)
    if refusal is not None:
        return refusal
    settings = request.app.state.settings
    if len(updates) != 1:
        return problem(400, "Bad request", f"give exactly one update (got {len(updates)})")
    check_query(updates[0], max_bytes=settings.max_query_bytes,
                max_depth=settings.max_query_depth)
    if using:
        return problem(400, "Bad request", "using-graph-uri / using-named-graph-uri are not "
                                           "supported: name the graphs in the update")
    request.app.state.store.update(updates[0])
    return Response(status_code=204)


@router.get("/sparql", summary="SPARQL 1.1 query by GET (no query: the service description)")
def sparql_get(request: Request) -> Response:
    params = parse_qs(request.url.query, keep_blank_values=True)
    if "update" in params:
        return problem(405, "Method not allowed", "updates are sent by POST, never by GET",
                       headers={"Allow": "POST"})
    if "query" not in params:
        endpoint = str(request.url_for("sparql_get"))
        if _wants_html(request.headers.get("accept")):
            static = str(request.url_for("static", path="")).rstrip("/")
            return HTMLResponse(query_page(endpoint, static))
        update = ", sd:SPARQL11Update" if request.app.state.settings.update_token else ""
        body = SERVICE_DESCRIPTION.format(endpoint=endpoint, base=BASE, update=update)
        return Response(body, media_type="text/turtle; charset=utf-8")
    return _run_query(request, params["query"], params.get("default-graph-uri", []),
                      params.get("named-graph-uri", []))


@router.post("/sparql", summary="SPARQL 1.1 query or update by POST (form-encoded or direct)")
async def sparql_post(request: Request) -> Response:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    limit = request.app.state.settings.max_body_bytes
    body = await request.body()
    if len(body) > limit:
        return problem(413, "Content too large", f"the body is over {limit} bytes")
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return problem(400, "Bad request", "the request body is not UTF-8")
    url = parse_qs(request.url.query, keep_blank_values=True)
    if media == FORM:
        form = parse_qs(text, keep_blank_values=True)
        if "update" in form and "query" in form:
            return problem(400, "Bad request", "give a query or an update, not both")
        if "update" in form:
            using = form.get("using-graph-uri", []) + form.get("using-named-graph-uri", [])
            return await run_in_threadpool(_run_update, request, form["update"], using)
        return await run_in_threadpool(
            _run_query, request, form.get("query", []),
            form.get("default-graph-uri", []) + url.get("default-graph-uri", []),
            form.get("named-graph-uri", []) + url.get("named-graph-uri", []))
    if media == "application/sparql-query":
        return await run_in_threadpool(_run_query, request, [text],
                                       url.get("default-graph-uri", []),
                                       url.get("named-graph-uri", []))
    if media == "application/sparql-update":
        using = url.get("using-graph-uri", []) + url.get("using-named-graph-uri", [])
        return await run_in_threadpool(_run_update, request, [text], using)
    return problem(415, "Unsupported media type",
                   "POST a query as application/x-www-form-urlencoded (query=...) or "
                   "application/sparql-query, an update as a form (update=...) or "
                   "application/sparql-update")
