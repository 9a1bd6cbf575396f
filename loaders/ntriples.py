"""A small N-Triples writer: fast enough for the national geography, escaping done by pyoxigraph."""

from __future__ import annotations

import pyoxigraph as ox

from graph.vocab import XSD

_XSD = {name: ox.NamedNode(str(XSD[name])) for name in ("token", "integer", "date", "decimal")}


def iri(value: str) -> str:
    """An IRI in N-Triples syntax."""
    return str(ox.NamedNode(value))


def text(value: str, lang: str | None = "fr") -> str:
    """A string literal (``@fr`` by default; ``lang=None`` for a plain string)."""
    return str(ox.Literal(value, language=lang) if lang else ox.Literal(value))


def typed(value: object, datatype: str) -> str:
    """A literal of an XSD datatype named by its local name (``token``, ``integer``, ``date``…)."""
    node = _XSD.get(datatype) or ox.NamedNode(str(XSD[datatype]))
    return str(ox.Literal(str(value), datatype=node))


class TripleWriter:
    """Collects triples as N-Triples lines; ``bytes()`` gives the document."""

    def __init__(self) -> None:
        self._lines: list[str] = []

    def add(self, subject: str, predicate: str, obj: str) -> None:
        """Add one triple; all three arguments are already in N-Triples syntax."""
        self._lines.append(f"{subject} {predicate} {obj} .\n")

    def __len__(self) -> int:
        return len(self._lines)

    def __bytes__(self) -> bytes:
        return "".join(self._lines).encode("utf-8")
