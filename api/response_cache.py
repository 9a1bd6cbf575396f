"""Answers of ``GET /api/…`` kept per worker for the version of the data they were computed on.

A REST answer is a function of the data's version, the path and query string, and the few
headers it is negotiated on: the same request on the same data gets the same bytes. Repeats
are sent from memory (with ``304`` to a matching ``If-None-Match``) without routing,
validation or queries. Any write changes the version, so nothing stale is sent. The cache is
the worker's :class:`~api.executor.AnswerCache` (``MAILLAGE_RESULT_CACHE_MB``, shared with
``/sparql``); ``0`` turns both off. Under ``maillage serve``, an answer a worker computes is
also written to the workers' :class:`~api.shared_answers.SharedAnswers`, where the others
find it on their own first miss.
"""

from __future__ import annotations

from dataclasses import dataclass

# Request headers an answer may depend on: negotiation, compression, absolute URLs (host and
# proxy headers), CORS.
_KEYED = (b"accept", b"accept-encoding", b"host", b"forwarded", b"x-forwarded-host",
          b"x-forwarded-proto", b"x-forwarded-prefix", b"origin")
# Response headers a 304 repeats (RFC 9110 §15.4.5).
_FOR_304 = {b"etag", b"cache-control", b"vary", b"content-location", b"expires"}


@dataclass(frozen=True)
class Kept:
    """A whole 200 answer: headers, body, its ETag."""

    headers: list[tuple[bytes, bytes]]
    body: bytes
    etag: bytes | None


class ResponseCache:
    """ASGI middleware: serve repeated ``GET`` requests under ``prefixes`` from the cache."""

    def __init__(self, app, prefixes: tuple[str, ...] = ("/api/",)) -> None:  # type: ignore[no-untyped-def]
        self.app, self.prefixes = app, prefixes

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] != "http" or scope["method"] != "GET" or \
                not scope["path"].startswith(self.prefixes):
            await self.app(scope, receive, send)
            return
        state = scope["app"].state
        cache = state.answers
        headers = dict(scope["headers"])
        if cache is None or b"authorization" in headers:
            await self.app(scope, receive, send)
            return
        key = ("rest", state.store.version, scope["path"], scope["query_string"],
               *(headers.get(name) for name in _KEYED))
        kept = cache.get(key)
        shared = state.shared_answers
        if kept is None and shared is not None and (kept := _unpacked(shared.get(key))):
            cache.put(key, kept, _size(kept))
        if kept is not None:
            await _send_kept(send, kept, headers.get(b"if-none-match"))
            return
        start: dict = {}
        parts: list[bytes] = []
        complete = False

        async def keep(message) -> None:  # type: ignore[no-untyped-def]
            nonlocal complete
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                parts.append(message.get("body", b""))
                complete = not message.get("more_body", False)
            await send(message)

        await self.app(scope, receive, keep)
        if complete and start.get("status") == 200:
            body = b"".join(parts)
            out = list(start.get("headers", []))
            etag = next((v for k, v in out if k.lower() == b"etag"), None)
            kept = Kept(out, body, etag)
            cache.put(key, kept, _size(kept))
            if shared is not None:
                shared.put(key, (kept.headers, kept.body, kept.etag))


def _size(kept: Kept) -> int:
    return len(kept.body) + 64 * len(kept.headers)


def _unpacked(value: object) -> Kept | None:
    """A :class:`Kept` from its shared form ``(headers, body, etag)``, or ``None``."""
    if isinstance(value, tuple) and len(value) == 3 and isinstance(value[1], bytes):
        headers, body, etag = value
        return Kept([tuple(h) for h in headers], body, etag)
    return None


async def _send_kept(send, kept: Kept, if_none_match: bytes | None) -> None:  # type: ignore[no-untyped-def]
    if kept.etag is not None and if_none_match is not None and _matches(if_none_match, kept.etag):
        out = [(k, v) for k, v in kept.headers if k.lower() in _FOR_304]
        await send({"type": "http.response.start", "status": 304, "headers": out})
        await send({"type": "http.response.body", "body": b""})
        return
    await send({"type": "http.response.start", "status": 200, "headers": kept.headers})
    await send({"type": "http.response.body", "body": kept.body})


def _matches(header: bytes, etag: bytes) -> bool:
    """Weak comparison (RFC 9110 §13.1.2), ``*`` matching anything."""
    bare = etag.removeprefix(b"W/")
    tags = {t.strip().removeprefix(b"W/") for t in header.split(b",")}
    return b"*" in tags or bare in tags
