"""The store interface of maillage: one protocol, an embedded pyoxigraph backend."""

from graph.errors import BadQueryError, LoadError, MaillageError, NotFoundError
from graph.store import GraphStore, OxigraphStore, QueryResult, open_store

__all__ = [
    "BadQueryError",
    "GraphStore",
    "LoadError",
    "MaillageError",
    "NotFoundError",
    "OxigraphStore",
    "QueryResult",
    "open_store",
]
