"""``GET /sparql`` without a query: the SPARQL Service Description, or the query page for a
browser. Queries and updates themselves are answered by :mod:`api.endpoint`."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

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


def _wants_html(accept: str | None) -> bool:
    """A browser: text/html ranked before every RDF type."""
    ranked = parse_accept(accept)
    return bool(ranked) and ranked[0] in ("text/html", "application/xhtml+xml")


@router.get("/sparql", summary="SPARQL 1.1 endpoint: the service description (Turtle), or the "
            "query page for a browser",
            description="Queries are sent per the SPARQL 1.1 Protocol: `GET /sparql?query=…`, "
            "`POST /sparql` form-encoded (`query=…` or `update=…`) or direct "
            "(`application/sparql-query`, `application/sparql-update`), with "
            "`default-graph-uri` / `named-graph-uri`. Those are answered by `api.endpoint`, "
            "ahead of this route, which serves the bare GET.")
def sparql_get(request: Request) -> Response:
    endpoint = str(request.url_for("sparql_get"))
    if _wants_html(request.headers.get("accept")):
        static = str(request.url_for("static", path="")).rstrip("/")
        return HTMLResponse(query_page(endpoint, static))
    update = ", sd:SPARQL11Update" if request.app.state.settings.update_token else ""
    body = SERVICE_DESCRIPTION.format(endpoint=endpoint, base=BASE, update=update)
    return Response(body, media_type="text/turtle; charset=utf-8")
