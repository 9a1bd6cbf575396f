"""Writes (SPARQL Update, Graph Store PUT/POST/DELETE) need the bearer token from settings;
with no token set, writes are disabled."""

from __future__ import annotations

import hmac

from fastapi import Request

from api.errors import problem


def write_refusal(request: Request):  # type: ignore[no-untyped-def]
    """``None`` when the request may write, else the problem response to send."""
    token = request.app.state.settings.update_token
    if not token:
        return problem(403, "Forbidden", "writes are disabled on this server (no update token "
                                         "is configured)")
    given = request.headers.get("authorization", "")
    scheme, _, credentials = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(credentials.strip(), token):
        response = problem(401, "Unauthorized", "writes need `Authorization: Bearer <token>`")
        response.headers["WWW-Authenticate"] = 'Bearer realm="maillage"'
        return response
    return None
