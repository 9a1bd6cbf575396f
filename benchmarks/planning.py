"""What each named query costs the engine before it reads any data: parsing and planning.

Run: ``.venv/bin/python benchmarks/planning.py [--store DIR]`` (seconds; with the scaled store
of ``benchmarks/api.py``, about a minute). For every
SELECT query of ``queries/``, bound with its header's examples as the REST operation binds
them, it times:

- **plan**: the query on an *empty* store — parsing, optimization (pyoxigraph's optimizer
  estimates sizes from the shape of the query, not from the data, so this is the same on any
  store) and an evaluation that finds nothing;
- **total** (with ``--store``): the same query on that store;

and prints them beside the query's number of ``OPTIONAL``s and variables. The baseline row,
measured in the same run, is a query of one triple pattern.

What it shows (pyoxigraph 0.5.13): planning grows about as the cube of the length of a chain of
``OPTIONAL``s — its type inference walks the whole left side again at every level, with maps
as large as the variables in scope — so a query of ~28 ``OPTIONAL``s and ~40 variables costs
~10 ms before it reads a triple, on every call (the engine keeps no plans). A ``UNION`` of the
same patterns in one ``OPTIONAL`` is linear.
"""

from __future__ import annotations

import argparse
import re
import statistics
import time
from pathlib import Path

import pyoxigraph as ox

from graph.named_queries import NamedQuery, named_queries
from graph.store import bind_values

BASELINE = "SELECT ?s WHERE { ?s <http://example.org/p> ?o }"


def median_ms(store: ox.Store, sparql: str, repeat: int) -> float:
    """Median of ``repeat`` runs (one run when the first takes over a second)."""
    times: list[float] = []
    while len(times) < repeat and sum(times) < 1.0:
        start = time.perf_counter()
        for _solution in store.query(sparql, use_default_graph_as_union=True):
            pass
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def bound_example(query: NamedQuery) -> str | None:
    """The query bound with its examples (required parameters without one: ``None``)."""
    values = {p.name: p.example for p in query.params if p.example is not None}
    if any(p.required and p.default is None and p.name not in values for p in query.params):
        return None
    return bind_values(query.sparql, query.bindings(values))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="an on-disk store, to time the queries on too")
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    empty = ox.Store()
    data = ox.Store.read_only(str(args.store)) if args.store else None
    rows = [("(baseline: one pattern)", 0, 1, median_ms(empty, BASELINE, args.repeat),
             median_ms(data, BASELINE, args.repeat) if data else None)]
    for name, query in sorted(named_queries().items()):
        sparql = bound_example(query) if query.form == "select" else None
        if sparql is None:
            continue
        body = re.sub(r"#[^\n]*", "", sparql)
        rows.append((name, body.count("OPTIONAL"), len(set(re.findall(r"[?$](\w+)", body))),
                     median_ms(empty, sparql, args.repeat),
                     median_ms(data, sparql, args.repeat) if data else None))
    print(f"{'query':32s} {'OPTIONALs':>9s} {'variables':>9s} {'plan ms':>8s} {'× base':>7s}"
          + (f" {'total ms':>9s} {'plan %':>7s}" if data else ""))
    base = rows[0][3]
    for name, optionals, variables, plan, total in sorted(rows, key=lambda r: -r[3]):
        # (total: the examples of the header, which may ask for much more than a lookup does)
        line = f"{name:32s} {optionals:9d} {variables:9d} {plan:8.2f} {plan / base:7.0f}"
        if total is not None:
            line += f" {total:9.2f} {min(100.0, 100 * plan / total):6.0f}%"
        print(line)


if __name__ == "__main__":
    main()
