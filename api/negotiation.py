"""Content negotiation: which serialization a client gets, from ``?format=`` or ``Accept``."""

from __future__ import annotations

# format key (as in graph.store) → media type, for each kind of result
TABULAR = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
}
GRAPH = {
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "xml": "application/rdf+xml",
    "trig": "application/trig",
    "nq": "application/n-quads",
}
ALIASES = {"application/json": "json", "text/plain": "nt", "application/xml": "xml",
           "text/xml": "xml", "turtle": "ttl", "json-ld": "jsonld", "ntriples": "nt",
           "rdfxml": "xml"}


def parse_accept(header: str | None) -> list[str]:
    """Media types of an ``Accept`` header, best first (ties keep their order).

    >>> parse_accept("text/csv;q=0.5, application/sparql-results+json")
    ['application/sparql-results+json', 'text/csv']
    """
    ranked = []
    for i, part in enumerate((header or "").split(",")):
        fields = [f.strip() for f in part.split(";")]
        if not fields[0]:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.startswith("q="):
                try:
                    q = float(f[2:])
                except ValueError:
                    q = 0.0
        if q > 0:
            ranked.append((-q, i, fields[0].lower()))
    return [media for _, _, media in sorted(ranked)]


def choose(kind: str, fmt: str | None, accept: str | None) -> tuple[str, str] | None:
    """(format key, media type) for a result of ``kind`` (``select``, ``ask``, ``graph``);
    ``None`` when nothing acceptable is on offer. ``?format=`` beats ``Accept``."""
    offer = GRAPH if kind == "graph" else TABULAR
    if kind == "ask":
        offer = {k: v for k, v in offer.items() if k in ("json", "xml")}
    default = next(iter(offer.items()))
    if fmt:
        key = ALIASES.get(fmt, fmt)
        if key in offer:
            return key, offer[key]
        media = {v: k for k, v in offer.items()}.get(fmt)
        return (media, fmt) if media else None
    by_media = {v: k for k, v in offer.items()}
    for media in parse_accept(accept) or ["*/*"]:
        if media in by_media:
            return by_media[media], media
        alias = ALIASES.get(media)
        if alias in offer:
            return alias, offer[alias]
        if media in ("*/*", "application/*", "text/*"):
            return default
    return None
