"""Turning SPARQL solutions into plain JSON values for the REST routes."""

from __future__ import annotations

from decimal import Decimal

import pyoxigraph as ox

_XSD = "http://www.w3.org/2001/XMLSchema#"
_INTEGERS = {f"{_XSD}{t}" for t in ("integer", "int", "long", "nonNegativeInteger")}


def plain(term: ox.NamedNode | ox.Literal | ox.BlankNode) -> object:
    """An IRI as its string, a number as a number, any other literal as its lexical form."""
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype in _INTEGERS:
            return int(term.value)
        if datatype == f"{_XSD}decimal":
            value = Decimal(term.value)
            return int(value) if value == value.to_integral_value() else float(value)
        if datatype in (f"{_XSD}double", f"{_XSD}float"):
            return float(term.value)
        return term.value
    return term.value


def plain_rows(rows: list[dict]) -> list[dict[str, object]]:
    """Rows of terms → rows of plain values."""
    return [{k: plain(v) for k, v in row.items()} for row in rows]
