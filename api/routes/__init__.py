"""Routers, one module per noun. ``ROUTERS`` is the order the app includes them in: the
linked-data pages (``resources``) last, since they answer whole path prefixes."""

ROUTERS = ("sparql", "graph_store", "fundings", "queries", "resolve", "catalog", "rest_context",
           "territories", "institutions", "conventions", "facilities",
           "coverage", "resources")
