"""Load and query timings of the national graph, against rdflib as the baseline in the same run.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/load.py``). Prints a table.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

from rdflib import Dataset

from graph.named_queries import get_named_query
from graph.store import OxigraphStore
from loaders.geography import GEOGRAPHY_GRAPH, geography_triples, read_geography
from loaders.pipeline import build_store, load_all

QUERIES = [("msa-creches", {}), ("fundings", {"funderKind": "msa", "facilityKind": "creche"}),
           ("partners", {"organisation": "caf-91"}), ("conventions-commune", {"communeCode": "82112"}),
           ("convention-communes", {"convention": "ctg-cc-terres-des-confluences-2023-2027"}),
           ("conventions-in-force", {"date": "2024-06-01", "departementCode": "82"})]


def timed(fn, repeat: int = 1) -> tuple[float, object]:
    runs, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), result


def main() -> None:
    rows: list[tuple[str, str, str, str]] = []
    t_read, geo = timed(read_geography)
    t_map, triples = timed(lambda: bytes(geography_triples(geo)))
    n = triples.count(b"\n")
    rows.append(("read vendored geography JSON", f"{t_read:.2f} s", "", ""))
    rows.append(("map geography to N-Triples", f"{t_map:.2f} s", f"{n:,} triples", ""))
    t_rdflib, _ = timed(lambda: Dataset().parse(data=triples, format="nt"))
    rows.append(("baseline: rdflib parse of the geography", f"{t_rdflib:.2f} s",
                 f"{n / t_rdflib:,.0f} triples/s", "1.00"))
    mem = OxigraphStore(None)
    t_mem, _ = timed(lambda: mem.replace_graph(GEOGRAPHY_GRAPH, triples))
    rows.append(("pyoxigraph in memory, new graph", f"{t_mem:.2f} s", f"{n / t_mem:,.0f} triples/s",
                 f"{t_rdflib / t_mem:.1f}x faster"))
    t_swap, _ = timed(lambda: mem.replace_graph(GEOGRAPHY_GRAPH, triples))
    rows.append(("pyoxigraph in memory, atomic replace", f"{t_swap:.2f} s",
                 f"{n / t_swap:,.0f} triples/s", f"{t_rdflib / t_swap:.1f}x faster"))
    with tempfile.TemporaryDirectory() as tmp:
        t_disk, _ = timed(lambda: build_store(Path(tmp) / "store"))
        rows.append(("`maillage load` (everything, on disk, swap)", f"{t_disk:.2f} s", "", ""))
    full = OxigraphStore(None)
    t_all, steps = timed(lambda: load_all(full))
    total = sum(s.triples for s in steps)
    rows.append(("load_all in memory (validation included)", f"{t_all:.2f} s", f"{total:,} triples",
                 ""))
    for name, params in QUERIES:
        query = get_named_query(name)
        t_q, result = timed(lambda q=query, p=params: q.run(full, p).rows(), repeat=20)
        rows.append((f"query {name}", f"{t_q * 1000:.1f} ms", f"{len(result)} rows", ""))
    width = [max(len(r[i]) for r in rows) for i in range(4)]
    head = ("step", "time", "size / rate", "vs rdflib")
    print(" | ".join(h.ljust(w) for h, w in zip(head, width, strict=True)))
    print("-|-".join("-" * w for w in width))
    for r in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(r, width, strict=True)))


if __name__ == "__main__":
    main()
