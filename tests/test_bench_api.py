"""Smoke test of ``benchmarks/api.py``'s case table on the seed store: the URLs are picked, and
each served case's direct equivalent runs (no server, no load; the benchmark itself checks the
routes against it on the scaled graph)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from api.main import create_app
from api.settings import Settings
from benchmarks import api as bench
from graph.store import OxigraphStore

# Cases whose URLs the seed data alone answers with rows.
SEEDED = {"fundings-by-funder", "fundings-creche-msa", "partners", "conventions-commune"}


@pytest.fixture(scope="module")
def served(store: OxigraphStore) -> Callable[[str], bool]:
    """Whether the app serves a URL, by its OpenAPI document, as the benchmark reads it."""
    return bench.openapi_matcher(create_app(Settings(), store=store).openapi()["paths"])


def test_case_names_are_unique() -> None:
    names = [c.name for c in bench.CASES]
    assert len(names) == len(set(names))
    assert set(names) >= SEEDED


@pytest.mark.parametrize("case", bench.CASES, ids=lambda c: c.name)
def test_direct_equivalent_runs(case: bench.Case, store: OxigraphStore,
                                served: Callable[[str], bool]) -> None:
    variants = case.variants(store, 50)
    assert variants, f"{case.name}: nothing to vary over in the seed store"
    assert len({v.path for v in variants}) == len(variants)
    assert all(v.path.startswith("/api/") and v.direct for v in variants)
    if not all(served(v.path) for v in variants):
        pytest.skip(f"{variants[0].path} is not served yet")
    rows = [bench.run_direct(store, v) for v in variants]
    assert all(0 <= r.rows <= r.total for r in rows)
    if case.name in SEEDED:
        assert sum(r.rows for r in rows) > 0, f"{case.name}: no rows on the seed data"


def test_fixed_case_rows(store: OxigraphStore) -> None:
    by_name = {c.name: c for c in bench.CASES}
    [creche_msa] = by_name["fundings-creche-msa"].variants(store, 1)
    assert bench.run_direct(store, creche_msa) == bench.DirectRows(2, 2)  # Arize-Lèze's crèches
    [by_funder] = by_name["fundings-by-funder"].variants(store, 1)
    assert bench.run_direct(store, by_funder).rows >= 2


def test_the_direct_side_replays_every_query_of_the_route(store: OxigraphStore) -> None:
    detail, listing = "/api/institutions/msa-midi-pyrenees-sud", "/api/fundings?funder=caf-09"
    [institution, fundings] = bench.record_queries(store, [detail, listing])
    # the institution, its territories, and the totals of its partners, conventions (COUNT(*)
    # over their lists) and fundings (institution-fundings-total)
    assert len(institution) == 5
    assert sum("COUNT(*)" in sparql for sparql, _, _ in institution) == 2
    assert sum("COUNT(DISTINCT ?row)" in sparql for sparql, _, _ in institution) == 1
    assert any("msa-midi-pyrenees-sud" in str(b) for _, b, _ in institution)
    assert len(fundings) >= 1
    bench.replay(store, institution)
    with pytest.raises(RuntimeError, match="404"):
        bench.record_queries(store, ["/api/institutions/no-such-thing"])


def test_count_items() -> None:
    assert bench.count_items([1, 2]) == 2
    assert bench.count_items({"total": 3, "items": [1, 2, 3]}) == 3
    assert bench.count_items({"key": "caf-91"}) is None


def test_report(capsys: pytest.CaptureFixture[str]) -> None:
    """The table and the closing check, from made-up measurements."""
    by_name = {c.name: c for c in bench.CASES}
    variant = bench.Variant("/api/x", (bench.Direct("partners"),))
    lookup = bench.Measured(by_name["partners"], [variant], rows=[bench.DirectRows(3, 3)],
                            direct=[0.001, 0.001, 0.002],
                            cells={1: bench.Cell(rps=500, p50=1.2, p99=2.0, requests=1500),
                                   16: bench.Cell(rps=900, p50=15, p99=60, requests=2700,
                                                  notes=["@16: few requests"])})
    heavy = bench.Measured(by_name["fundings-by-funder"], [variant],
                           rows=[bench.DirectRows(100, 506)], direct=[2.0],
                           cells={1: bench.Cell(rps=0.5, p50=2100, p99=2200, requests=5)})
    skipped = bench.Measured(by_name["institution"], [], skipped="not served")
    assert not bench.report([lookup, heavy, skipped], [16], "wrk", 3)
    out = capsys.readouterr().out
    assert "100 of 506" in out
    assert "partners (lookup): p99 @16 60.0 ms: FAIL; ratio 1.20×: PASS" in out
    assert "fundings-by-funder (not a lookup): ratio 1.05×: PASS" in out
    assert "[1] partners: @16: few requests" in out
    assert "[2] institution: not served" in out
