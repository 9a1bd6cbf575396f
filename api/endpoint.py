"""``/sparql`` queries and updates (SPARQL 1.1 Protocol) as plain ASGI, in front of FastAPI.

Routing, dependency injection and the generic middlewares cost ~50 µs a request, as much as a
point lookup in the engine, so queries skip them: this layer parses the request, runs the
guard, hands the job to the :class:`~api.executor.QueryRunner` and writes the store's
serialization with its own CORS, gzip and conditional-request handling. Everything else —
the service description and query page (GET without a query), OPTIONS preflight, every other
path — goes on to the FastAPI app.
"""

from __future__ import annotations

import codecs
import gzip
import hashlib
import hmac
import json
import logging
import zlib
from dataclasses import dataclass
from urllib.parse import unquote_to_bytes

from starlette.concurrency import run_in_threadpool

from api.errors import PROBLEM, QueryRefusedError
from api.executor import Job, NotAcceptableError, QueryCrashedError, QueryTimeoutError, Stream, is_volatile
from api.guard import check_query, names_a_dataset
from graph.errors import BadQueryError, MaillageError

log = logging.getLogger("maillage.endpoint")
FORM = "application/x-www-form-urlencoded"
_CHUNK = 1 << 16
_GZIP_MIN = 1000


class ProtocolError(Exception):
    """A request answered with a problem document."""

    def __init__(self, status: int, title: str, detail: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail, self.headers = status, title, detail, headers or {}


_STATUS = ((BadQueryError, 400, "Bad request"), (QueryRefusedError, 400, "Query refused"),
           (NotAcceptableError, 406, "Not acceptable"),
           (QueryTimeoutError, 503, "Query time limit"),
           (QueryCrashedError, 400, "Query failed"), (MaillageError, 400, "Bad request"))


class SparqlEndpoint:
    """The ASGI middleware: ``/sparql`` queries and updates here, anything else to ``app``.
    Reads the app's state (``settings``, ``store``, ``runner``) from ``scope["app"]``."""

    def __init__(self, app, path: str = "/sparql") -> None:  # type: ignore[no-untyped-def]
        self.app, self.path = app, path

    async def __call__(self, scope, receive, send) -> None:  # type: ignore[no-untyped-def]
        if scope["type"] != "http" or scope["path"] != self.path or \
                scope["method"] not in ("GET", "POST"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        state = scope["app"].state
        try:
            body = b""
            if scope["method"] == "POST":
                body = await _read_body(receive, headers, state.settings.max_body_bytes)
            # The request as sent is the cache key: a repeated request skips parsing too.
            key = (state.store.version, scope["query_string"], body,
                   headers.get("content-type", "") if body else "", headers.get("accept"))
            hit = state.answers.get(key) if state.answers is not None else None
            if hit is not None:
                await _reply(send, state, scope, headers, hit)
            elif scope["method"] == "GET":
                params = parse_form(scope["query_string"])
                if "update" in params:
                    raise ProtocolError(405, "Method not allowed",
                                        "updates are sent by POST, never by GET", {"Allow": "POST"})
                if "query" not in params:  # the service description or the query page
                    await self.app(scope, receive, send)
                    return
                await self._query(state, scope, send, headers, key, params["query"],
                                  params.get("default-graph-uri", []),
                                  params.get("named-graph-uri", []), params)
            else:
                await self._post(state, scope, send, headers, key, body)
        except ProtocolError as refusal:
            await _problem(send, state, headers, refusal.status, refusal.title, refusal.detail,
                           refusal.headers)
        except MaillageError as exc:
            status, title = next((s, t) for cls, s, t in _STATUS if isinstance(exc, cls))
            extra = {"Retry-After": "5"} if status == 503 else {}
            await _problem(send, state, headers, status, title, str(exc), extra)

    async def _post(self, state, scope, send, headers: dict[str, str], key: tuple,  # type: ignore[no-untyped-def]
                    body: bytes) -> None:
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            raise ProtocolError(400, "Bad request", "the request body is not UTF-8") from None
        url = parse_form(scope["query_string"])
        media = headers.get("content-type", "").split(";")[0].strip().lower()
        if media == FORM:
            form = parse_form(body)
            if "update" in form and "query" in form:
                raise ProtocolError(400, "Bad request", "give a query or an update, not both")
            if "update" in form:
                using = form.get("using-graph-uri", []) + form.get("using-named-graph-uri", [])
                await self._update(state, send, headers, form["update"], using)
                return
            await self._query(state, scope, send, headers, key, form.get("query", []),
                              form.get("default-graph-uri", []) + url.get("default-graph-uri", []),
                              form.get("named-graph-uri", []) + url.get("named-graph-uri", []),
                              url)
        elif media == "application/sparql-query":
            await self._query(state, scope, send, headers, key, [text],
                              url.get("default-graph-uri", []), url.get("named-graph-uri", []),
                              url)
        elif media == "application/sparql-update":
            using = url.get("using-graph-uri", []) + url.get("using-named-graph-uri", [])
            await self._update(state, send, headers, [text], using)
        else:
            raise ProtocolError(415, "Unsupported media type",
                                "POST a query as application/x-www-form-urlencoded (query=...) "
                                "or application/sparql-query, an update as a form (update=...) "
                                "or application/sparql-update")

    async def _query(self, state, scope, send, headers: dict[str, str], key: tuple,  # type: ignore[no-untyped-def]
                     queries: list[str], defaults: list[str], named: list[str],
                     params: dict) -> None:
        if len(queries) != 1:
            raise ProtocolError(400, "Bad request",
                                f"give exactly one query parameter (got {len(queries)})")
        settings = state.settings
        job = Job(queries[0], tuple(defaults), tuple(named), params.get("format", [None])[0],
                  headers.get("accept"))
        check_query(job.sparql, max_bytes=settings.max_query_bytes,
                    max_depth=settings.max_query_depth)
        if (defaults or named) and names_a_dataset(job.sparql):
            raise ProtocolError(400, "Bad request", "the dataset is given twice: by "
                                "default-graph-uri / named-graph-uri and by FROM in the query")
        result = await state.runner.run(job, state.store)
        if isinstance(result, Stream):
            await _stream(send, state, headers, result, _etag(state.store.version, job))
            return
        tag = _etag(state.store.version, job)
        extra = [(b"etag", tag.encode()), (b"cache-control", b"public, max-age=60")]
        if result.truncated:
            limit = str(state.runner.max_rows).encode()
            extra += [(b"x-sparql-maxrows", limit), (b"x-result-truncated", b"true")]
        charset = "" if result.media_type.endswith("+xml") else "; charset=utf-8"
        extra.append((b"content-type", (result.media_type + charset).encode()))
        reply = Reply(tag, result.body, extra)
        if state.answers is not None and not is_volatile(job.sparql):
            state.answers.put(key, reply, len(result.body))
        await _reply(send, state, scope, headers, reply)

    async def _update(self, state, send, headers: dict[str, str],  # type: ignore[no-untyped-def]
                      updates: list[str], using: list[str]) -> None:
        _check_token(state.settings.update_token, headers.get("authorization", ""))
        if len(updates) != 1:
            raise ProtocolError(400, "Bad request", f"give exactly one update (got {len(updates)})")
        check_query(updates[0], max_bytes=state.settings.max_query_bytes,
                    max_depth=state.settings.max_query_depth)
        if using:
            raise ProtocolError(400, "Bad request", "using-graph-uri / using-named-graph-uri are not "
                                              "supported: name the graphs in the update")
        await run_in_threadpool(state.store.update, updates[0])
        await _send(send, state, headers, 204, [], b"")


def parse_form(data: bytes) -> dict[str, list[str]]:
    """``application/x-www-form-urlencoded`` fields (a query string or a form body), each
    name's values in order, blank values kept.

    >>> parse_form(b"query=SELECT+%3Fs+%7B%7D&default-graph-uri=a&default-graph-uri=b&x")
    {'query': ['SELECT ?s {}'], 'default-graph-uri': ['a', 'b'], 'x': ['']}

    :raises ProtocolError: when a decoded name or value is not UTF-8.
    """
    fields: dict[str, list[str]] = {}
    for pair in data.split(b"&"):
        if not pair:
            continue
        name, _, value = pair.partition(b"=")
        try:
            fields.setdefault(_unquote(name).decode(), []).append(_unquote(value).decode())
        except UnicodeDecodeError:
            raise ProtocolError(400, "Bad request", "a parameter is not UTF-8 once "
                                "percent-decoded") from None
    return fields


def _unquote(data: bytes) -> bytes:
    """Percent-decoding, ``+`` as a space. ``%XX`` becomes ``\\xXX`` for the C escape decoder
    (ten times faster than :mod:`urllib.parse` on a query full of escapes); text it cannot
    take (a stray ``%``) goes the slow way, which leaves it as it is."""
    plain = data.replace(b"+", b" ")
    if b"%" not in plain:
        return plain
    try:
        return codecs.escape_decode(plain.replace(b"\\", b"\\\\").replace(b"%", b"\\x"))[0]
    except ValueError:
        return unquote_to_bytes(plain)


def _check_token(token: str | None, given: str) -> None:
    if not token:
        raise ProtocolError(403, "Forbidden", "writes are disabled on this server (no update token "
                                        "is configured)")
    scheme, _, credentials = given.partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(credentials.strip(), token):
        raise ProtocolError(401, "Unauthorized", "writes need `Authorization: Bearer <token>`",
                      {"WWW-Authenticate": 'Bearer realm="maillage"'})


def _headers(scope) -> dict[str, str]:  # type: ignore[no-untyped-def]
    """Request headers, lower-cased names; repeated ones joined by commas (RFC 9110 §5.3)."""
    found: dict[str, str] = {}
    for name, value in scope["headers"]:
        key = name.decode("latin-1")
        text = value.decode("latin-1")
        found[key] = f"{found[key]}, {text}" if key in found else text
    return found


async def _read_body(receive, headers: dict[str, str], limit: int) -> bytes:  # type: ignore[no-untyped-def]
    declared = headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ProtocolError(413, "Content too large", f"the body is over {limit} bytes")
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            raise ProtocolError(400, "Bad request", "the client went away")
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise ProtocolError(413, "Content too large", f"the body is over {limit} bytes")
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


def _cors(state, headers: dict[str, str], vary: list[str]) -> list[tuple[bytes, bytes]]:  # type: ignore[no-untyped-def]
    """CORS response headers for a simple request from an allowed origin (the preflight goes
    to the app's CORS middleware)."""
    origin = headers.get("origin")
    if origin is None:
        return []
    allowed = state.settings.cors_origins
    if "*" in allowed:
        value = "*"
    elif origin in allowed:
        value = origin
        vary.append("Origin")
    else:
        return []
    return [(b"access-control-allow-origin", value.encode()),
            (b"access-control-expose-headers",
             b"ETag, Link, Location, X-SPARQL-MaxRows, X-Result-Truncated")]


async def _gzip(body: bytes) -> bytes:
    """Level 6; bodies over 256 KiB compressed off the event loop."""
    if len(body) > 1 << 18:
        return await run_in_threadpool(gzip.compress, body, 6)
    return gzip.compress(body, compresslevel=6)


def _etag(version: str, job: Job) -> str:
    key = json.dumps([job.sparql, job.default_graphs, job.named_graphs, job.fmt, job.accept])
    return f'W/"{version}-{hashlib.blake2b(key.encode(), digest_size=8).hexdigest()}"'


def _tags(header: str) -> set[str]:
    tags = {t.strip() for t in header.split(",") if t.strip()}
    return tags | {t.removeprefix("W/") for t in tags} | {f"W/{t}" for t in tags}


@dataclass
class Reply:
    """A query's answer as sent: ETag, body, headers; the gzipped body once asked for."""

    etag: str
    body: bytes
    headers: list[tuple[bytes, bytes]]
    gzipped: bytes | None = None


async def _reply(send, state, scope, headers: dict[str, str], reply: Reply) -> None:  # type: ignore[no-untyped-def]
    if scope["method"] == "GET" and reply.etag in _tags(headers.get("if-none-match", "")):
        await _send(send, state, headers, 304, [(b"etag", reply.etag.encode())], b"")
        return
    body, out, vary = reply.body, list(reply.headers), ["Accept"]
    if len(body) >= _GZIP_MIN:
        vary.append("Accept-Encoding")
        if "gzip" in headers.get("accept-encoding", ""):
            if reply.gzipped is None:
                reply.gzipped = await _gzip(body)
            body = reply.gzipped
            out.append((b"content-encoding", b"gzip"))
    await _send(send, state, headers, 200, out, body, vary)


async def _stream(send, state, headers: dict[str, str], stream: Stream, tag: str) -> None:  # type: ignore[no-untyped-def]
    """A large answer, sent as the store writes it (chunked). An error past the first byte
    can only cut the answer short: the connection is then closed without the last chunk."""
    out = [(b"etag", tag.encode()), (b"cache-control", b"public, max-age=60")]
    if stream.truncated:
        out += [(b"x-sparql-maxrows", str(stream.runner.max_rows).encode()),
                (b"x-result-truncated", b"true")]
    charset = "" if stream.media_type.endswith("+xml") else "; charset=utf-8"
    out.append((b"content-type", (stream.media_type + charset).encode()))
    vary = ["Accept", "Accept-Encoding"]
    out += _cors(state, headers, vary)
    out.append((b"vary", ", ".join(vary).encode()))
    packer = None
    if "gzip" in headers.get("accept-encoding", ""):
        packer = zlib.compressobj(6, zlib.DEFLATED, 31)  # 31: the gzip container
        out.append((b"content-encoding", b"gzip"))
    await send({"type": "http.response.start", "status": 200, "headers": out})
    try:
        async for chunk in stream.chunks():
            body = packer.compress(chunk) if packer else chunk
            if body:
                await send({"type": "http.response.body", "body": body, "more_body": True})
    except (MaillageError, OSError) as exc:
        log.warning("answer cut short: %s", exc)
        return
    await send({"type": "http.response.body", "body": packer.flush() if packer else b""})


async def _send(send, state, headers: dict[str, str], status: int,  # type: ignore[no-untyped-def]
                out: list[tuple[bytes, bytes]], body: bytes, vary: list[str] | None = None) -> None:
    out = out + _cors(state, headers, vary if vary is not None else [])
    if vary:
        out.append((b"vary", ", ".join(vary).encode()))
    if status in (204, 304):  # no body, no Content-Length (RFC 9110 §8.6, §15.4.5)
        await send({"type": "http.response.start", "status": status, "headers": out})
        await send({"type": "http.response.body", "body": b""})
        return
    out.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": out})
    if len(body) <= _CHUNK:
        await send({"type": "http.response.body", "body": body})
        return
    for start in range(0, len(body), _CHUNK):
        await send({"type": "http.response.body", "body": body[start:start + _CHUNK],
                    "more_body": start + _CHUNK < len(body)})


async def _problem(send, state, headers: dict[str, str], status: int, title: str, detail: str,  # type: ignore[no-untyped-def]
                   extra: dict[str, str]) -> None:
    body = json.dumps({"type": "about:blank", "title": title, "status": status,
                       "detail": detail}).encode()
    out = [(b"content-type", PROBLEM.encode()), (b"content-length", str(len(body)).encode())]
    out += [(k.lower().encode(), v.encode()) for k, v in extra.items()]
    out += _cors(state, headers, [])
    await send({"type": "http.response.start", "status": status, "headers": out})
    await send({"type": "http.response.body", "body": body})
