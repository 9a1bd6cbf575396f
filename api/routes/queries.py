"""``/api/queries``: the named queries of ``queries/`` as REST operations."""

from __future__ import annotations

import json

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.deps import StoreDep
from api.errors import problem
from api.negotiation import choose
from api.results import plain_rows
from graph.named_queries import get_named_query, named_queries

router = APIRouter(prefix="/api/queries", tags=["queries"])


@router.get("", summary="The named queries, with their parameters")
def list_queries() -> list[dict]:
    return [{"name": q.name, "summary": q.summary, "description": q.description.strip(),
             "tags": list(q.tags),
             "params": [{"name": p.name, "type": p.type, "required": p.required,
                         "description": p.description} for p in q.params]}
            for q in named_queries().values()]


@router.get("/{name}", summary="Run a named query; its parameters as query parameters")
def run_query(name: str, request: Request, store: StoreDep) -> Response:
    query = get_named_query(name)
    values = {k: v for k, v in request.query_params.items() if k != "format"}
    result = query.run(store, values)
    fmt = request.query_params.get("format")
    if fmt in (None, "", "rows"):
        body = {"query": name, "items": plain_rows(result.rows())}
        return Response(json.dumps(body, ensure_ascii=False), media_type="application/json")
    chosen = choose(result.kind, fmt, None)
    if chosen is None:
        return problem(406, "Not acceptable", f"unknown format {fmt!r}")
    return Response(result.serialize(chosen[0]), media_type=chosen[1])
