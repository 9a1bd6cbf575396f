"""One URL builder: the IRIs the project mints (``https://maillage.fr/…``) ↔ the URLs of the host
that serves them.

An IRI keeps its value whatever host serves it: the route path ``/id/x`` names the IRI
``BASE + "id/x"``. Links in pages point to the serving host, found in this order:

1. the ``public_base`` setting (e.g. ``https://maillage.fr/``), when set: it wins, so a deployment
   behind a proxy can pin its public address and ignore client-supplied headers;
2. the proxy headers ``Forwarded`` (RFC 7239), then ``X-Forwarded-Proto`` / ``X-Forwarded-Host``
   / ``X-Forwarded-Prefix``, each validated (a bad value is ignored, never echoed);
3. the request's own scheme, ``Host`` and ASGI ``root_path``.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from starlette.requests import Request

from graph.vocab import BASE

_HOST = re.compile(r"^(?:[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?|\[[0-9A-Fa-f:.]{2,45}\])"
                   r"(?::[0-9]{1,5})?$")
_PREFIX = re.compile(r"^(?:/[A-Za-z0-9._~-]+)*/?$")
# Characters left as they are in a URL path built from an IRI (RFC 3986 sub-delims and ':@').
_SAFE = "/#-._~!$&'()*+,;=:@%"


def _first(value: str | None) -> str | None:
    """The first (client-most) value of a comma-separated proxy header."""
    return value.split(",")[0].strip().strip('"') or None if value else None


def _forwarded(header: str | None) -> dict[str, str]:
    """``proto``/``host`` of the first element of an RFC 7239 ``Forwarded`` header.

    >>> _forwarded('for=1.2.3.4;proto=https;host="data.example.org", for=5.6.7.8')
    {'for': '1.2.3.4', 'proto': 'https', 'host': 'data.example.org'}
    """
    first = (header or "").split(",")[0]
    pairs = (p.split("=", 1) for p in first.split(";") if "=" in p)
    return {k.strip().lower(): v.strip().strip('"') for k, v in pairs}


def public_base(request: Request) -> str:
    """The public URL under which this server's routes are reachable, ending with ``/``.

    >>> from starlette.requests import Request as R
    >>> from types import SimpleNamespace as NS
    >>> scope = {"type": "http", "scheme": "http", "server": ("testserver", 80), "path": "/",
    ...          "headers": [(b"host", b"testserver"), (b"x-forwarded-proto", b"https"),
    ...                      (b"x-forwarded-host", b"data.example.org")],
    ...          "app": NS(state=NS(settings=NS()))}
    >>> public_base(R(scope))
    'https://data.example.org/'
    """
    settings = request.app.state.settings
    configured = getattr(settings, "public_base", None)
    if configured:
        return str(configured).rstrip("/") + "/"
    headers = request.headers
    rfc = _forwarded(headers.get("forwarded"))
    proto = (rfc.get("proto") or _first(headers.get("x-forwarded-proto")) or "").lower()
    if proto not in ("http", "https"):
        proto = request.url.scheme
    host = rfc.get("host") or _first(headers.get("x-forwarded-host"))
    if not host or not _HOST.match(host):
        host = headers.get("host") or request.url.netloc
        if not _HOST.match(host):
            host = request.url.netloc
    prefix = _first(headers.get("x-forwarded-prefix")) or request.scope.get("root_path", "")
    if not _PREFIX.match(prefix):
        prefix = ""
    return f"{proto}://{host}{prefix.rstrip('/')}/"


class UrlBuilder:
    """Public URLs for one request: ``UrlBuilder(request).page(iri)``."""

    def __init__(self, request: Request) -> None:
        self.base = public_base(request)

    def url(self, path: str) -> str:
        """The public URL of a route path (``"sparql"``, ``"/dumps/maillage.nq.gz"``)."""
        return self.base + quote(path.lstrip("/"), safe=_SAFE)

    def page(self, iri: str) -> str:
        """Where an IRI is browsed: one of ours on this host, any other as it is."""
        if iri.startswith(BASE):
            return self.url(iri[len(BASE):])
        return iri

    def alternate(self, iri: str, suffix: str) -> str:
        """The URL of one serialization of a resource of ours: ``…/id/commune/09167.ttl``."""
        return self.page(iri) + "." + suffix

    @staticmethod
    def iri(path: str) -> str:
        """The IRI a route path names: ``iri("id/commune/09167")`` → ``BASE + "id/commune/09167"``."""
        return BASE + path.lstrip("/")
