"""``/api/context.jsonld``: the published JSON-LD context of the REST answers (the
``@context`` of every ``format=jsonld`` answer points here). A static file, versioned with the
code: terms are only ever added, never re-mapped, so a document stays readable."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.rest import CONTEXT_FILE

router = APIRouter(prefix="/api", tags=["linked data"])

_MEDIA = "application/ld+json"


@router.get("/context.jsonld", summary="The JSON-LD context of the REST answers",
            response_class=Response,
            responses={200: {"content": {_MEDIA: {"schema": {"type": "object",
                                                             "required": ["@context"]}}}},
                       304: {"description": "Not modified: If-None-Match matches the ETag"}})
def jsonld_context(request: Request) -> Response:
    body = CONTEXT_FILE.read_bytes()
    tag = f'"{hashlib.sha256(body).hexdigest()[:32]}"'
    headers = {"ETag": tag, "Cache-Control": "public, max-age=86400"}
    match = request.headers.get("if-none-match", "")
    if tag in [t.strip().removeprefix("W/") for t in match.split(",")] or match.strip() == "*":
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=_MEDIA, headers=headers)
