"""Checks run on a SPARQL text before the engine sees it: size, nesting depth, and operations
that would make the server fetch URLs (``SERVICE``, ``LOAD``), which are refused."""

from __future__ import annotations

import re

from api.errors import QueryRefusedError
from graph.store import mask_sparql

_BRACKETS = re.compile(r"[{}()]")
_OPENERS = re.compile(r"[{(]")
_REMOTE = re.compile(r"\b(SERVICE|LOAD)\b", re.IGNORECASE)


def names_a_dataset(text: str) -> bool:
    """Whether the query has its own ``FROM`` / ``FROM NAMED`` clauses."""
    return re.search(r"\bFROM\b", mask_sparql(text), re.IGNORECASE) is not None


def check_query(text: str, *, max_bytes: int, max_depth: int) -> None:
    """Refuse a query that is too large, too deeply nested, or calls out to the network.

    >>> check_query("SELECT * WHERE { ?s ?p ?o }", max_bytes=100, max_depth=5)
    """
    size = len(text.encode("utf-8"))
    if size > max_bytes:
        raise QueryRefusedError(f"the query is {size} bytes; the limit is {max_bytes}")
    stripped = mask_sparql(text)
    if _REMOTE.search(stripped):
        raise QueryRefusedError("SERVICE and LOAD are not allowed on this endpoint")
    depth = deepest = 0
    if len(_OPENERS.findall(stripped)) > max_depth:  # else it cannot nest deeper than allowed
        for match in _BRACKETS.finditer(stripped):
            if match.group(0) in "{(":
                depth += 1
                deepest = max(deepest, depth)
            else:
                depth -= 1
    if deepest > max_depth:
        raise QueryRefusedError(f"the query nests {deepest} levels; the limit is {max_depth}")
