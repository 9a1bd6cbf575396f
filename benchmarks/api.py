"""Latency and throughput of the REST API (``/api/…``), beside the time of the same named queries
run directly on the store in the same run: the API layer's overhead as a ratio.

Run: ``.venv/bin/python benchmarks/api.py [--quick] [--duration S] [--clients 2,8,16]
[--workdir DIR]`` (Debian's ``wrk`` if installed; see ``benchmarks/README.md``). ``--quick``
(3 s cells, 1 and 16 clients) takes about 5 minutes with the store already built (the two
fundings lists take seconds per request on the scaled graph), plus ~25 s to build it.

What it does, in order:

1. Builds the scaled graph as ``benchmarks/endpoint.py`` does (its helpers are reused): the
   shipped data (``load_all``) plus ``benchmarks/synthetic.py``'s records (seed 0), ~1.54 M
   quads, into a fresh on-disk store (pyoxigraph ``bulk_load`` + ``optimize``). With
   ``--workdir DIR`` the store is kept and reused by the next run (``--rebuild`` to force).
2. Opens that store read-only in this process (the *direct* side) and serves it with
   ``python -m api.cli serve`` on 127.0.0.1 (the service's defaults: the caller's
   ``MAILLAGE_*`` variables are dropped, ``MAILLAGE_STORE`` set). Stopped at the end.
3. Takes the cases of :data:`CASES` whose route is in the server's ``/openapi.json`` (the others
   are skipped, with the reason printed). Each case is a route with its URLs (one, or up to
   ``--variants`` different ones chosen deterministically from the store: communes, EPCI,
   institutions, conventions…) and, for each URL, the **direct equivalent**: the named
   queries, parameter values and page window the route runs.
4. Checks each URL answers 200 with as many items as its direct equivalent gives rows (a
   detail route: one JSON object, and the direct equivalent finds the resource). A case that
   does not is a loud failure: the run stops (``--keep-going`` drops the case instead).
5. Records, for each URL, the queries its route sends the store (the app served once in this
   process over the same store, no cache: the lookup of the resource, the page, its count, a
   detail route's parts and totals — every one), then times their replay in this process,
   single-threaded, while the server is idle: ``store.query`` + ``QueryResult.rows()`` for
   each (every solution materialised as Python terms — what any Python caller of the store
   gets, and what every route starts from; turning the rows into JSON and sending them is the
   API layer's work). p50 over at least one pass over the URLs and ~2 s (1 s quick).
6. Loads the server from a separate process, ``wrk -t2 -cN --latency`` (a Lua script rotates
   through the URLs; ``Accept: application/json``) or, without wrk, ``endpoint.py``'s Python
   load generator: first 1 client (sequential requests: its p50 is the API time of one
   request, compared with the direct p50 for the ratio), then each ``--clients`` count. It
   waits for quiet CPU around each cell as ``endpoint.py`` does, and flags cells where other
   jobs used the machine.
7. Prints one table (case, lookup?, rows, direct p50, API p50 at 1 client, ratio, then req/s,
   p50 and p99 per client count) and the closing check of the issue: lookup routes p99
   < 50 ms at 16 clients, and API p50 / direct p50 ≤ 1.5 on every case — PASS/FAIL per case.

Adding a route to the benchmark is one entry in :data:`CASES`.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import re
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

ROOT = Path(__file__).resolve().parents[1]
if sys.path and Path(sys.path[0] or ".").resolve() == ROOT / "benchmarks":
    # Run as a script, this file's folder comes first on sys.path and the file would shadow the
    # project's `api` package: put the project root there instead (sibling scripts then import
    # as `benchmarks.*`, as they do under pytest).
    sys.path[0] = str(ROOT)

import httpx  # noqa: E402

from benchmarks import endpoint  # noqa: E402
from benchmarks.endpoint import Cell, ForeignLoad, Server  # noqa: E402
from graph.errors import MaillageError  # noqa: E402
from graph.named_queries import get_named_query, select_page  # noqa: E402
from graph.store import OxigraphStore  # noqa: E402

ACCEPT = "application/json"
VARIANTS = 200  # different URLs per varied case
CLOSING_CLIENTS = 16
LOOKUP_P99_MS = 50.0  # lookup routes: p99 under this at CLOSING_CLIENTS
MAX_RATIO = 1.5  # API p50 at 1 client / direct p50, every case
REQUEST_TIMEOUT = 30.0  # seconds
COVERAGE_DATE = "2025-06-30"
PAGE_SIZE = 100  # the REST layer's default page size (api.rest.DEFAULT_PAGE_SIZE)
STORE_DIR = "maillage-store"
MARKER = "api-bench-store.json"  # written once the store is complete: what a rerun reuses


# -- the cases -------------------------------------------------------------------------------

@dataclass(frozen=True)
class Direct:
    """One named query as a route runs it: its name, the parameter values (strings, as a user
    gives them; ``{v}`` is replaced by the variant's value) and, for a route that pages, the
    page it asks for (from 1, of ``page_size`` rows): when the named query is paged, the route
    runs ``LIMIT``/``OFFSET`` and a ``COUNT`` for the total (``select_page``), and so does the
    direct run. ``page=None``: every row."""

    query: str
    params: Mapping[str, str] = field(default_factory=dict)
    page: int | None = None
    page_size: int = PAGE_SIZE


@dataclass(frozen=True)
class Variant:
    """One URL (path and query string) and its direct equivalent."""

    path: str
    direct: tuple[Direct, ...]


Picker = Callable[[OxigraphStore, int], list[Variant]]  # store, most variants → URLs


@dataclass(frozen=True)
class Case:
    """A route to measure, and its URLs (the case runs when ``/openapi.json`` has a path that
    matches them). ``lookup`` marks a point lookup (a detail route or a small filtered list: the
    p99 target applies); ``resource``: the route answers one JSON object (a detail page) rather
    than a list with one item per row of its direct equivalent."""

    name: str
    lookup: bool
    variants: Picker
    resource: bool = False


def fixed(path: str, *direct: Direct) -> Picker:
    """One URL, always the same."""
    return lambda store, n: [Variant(path, direct)]


Values = Callable[[OxigraphStore, int], list[str] | list[dict[str, str]]]


def _fill(template: str, fields: Mapping[str, str], url: bool = False) -> str:
    for name, value in fields.items():
        template = template.replace(f"{{{name}}}", quote(value, safe="") if url else value)
    return template


def varied(values: Values, path: str, *direct: Direct) -> Picker:
    """One URL per value that ``values`` picks from the store (at most ``n``): ``{v}`` in
    ``path`` and in the direct equivalents' parameter values replaced by it (a value may also
    be a dict of fields: ``{"v": "09167", "level": "commune"}`` fills ``{v}`` and
    ``{level}``)."""
    def pick(store: OxigraphStore, n: int) -> list[Variant]:
        picked = [{"v": v} if isinstance(v, str) else v for v in values(store, n)]
        return [Variant(_fill(path, f, url=True),
                        tuple(Direct(d.query, {k: _fill(p, f) for k, p in d.params.items()},
                                     d.page, d.page_size) for d in direct))
                for f in picked]
    return pick


# Values to vary over, picked from the store itself (so the same table works on the seed store
# of the tests): sorted, then at most n evenly spaced (--variants, default VARIANTS).

_PREFIXES = """PREFIX mlg: <https://maillage.fr/def/ontologie#>
PREFIX igeo: <http://rdf.insee.fr/def/geo#>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""


def spread(values: Sequence[str], n: int) -> list[str]:
    """At most ``n`` of ``values``, evenly spaced, in order.

    >>> spread([str(i) for i in range(10)], 4)
    ['0', '2', '5', '7']
    """
    return list(values) if len(values) <= n else [values[i * len(values) // n] for i in range(n)]


def _column(store: OxigraphStore, where: str, key: bool = False) -> list[str]:
    """Sorted distinct values of ``?v`` (``key``: the last path segment of an IRI)."""
    rows = store.query(f"{_PREFIXES}SELECT DISTINCT ?v WHERE {{ {where} }}").rows()
    values = {r["v"].value.rsplit("/", 1)[-1] if key else r["v"].value for r in rows}
    return sorted(values)


def caisses(store: OxigraphStore, n: int) -> list[str]:
    """Keys of the Caf, CSSM and MSA caisses."""
    return spread(_column(store, """?v mlg:institutionKind/skos:notation ?kind .
        FILTER (?kind IN ("caf", "msa", "caisse-securite-sociale"))""", key=True), n)


def institutions(store: OxigraphStore, n: int) -> list[str]:
    """Keys of the organisations of any kind."""
    return spread(_column(store, "?v mlg:institutionKind ?kind", key=True), n)


def covered_communes(store: OxigraphStore, n: int) -> list[str]:
    """INSEE codes of current communes covered by a convention, on their own or through an
    EPCI (in the scaled graph, nearly every commune)."""
    return spread(_column(store, """?convention a mlg:Convention ; mlg:territory ?territory .
        ?commune mlg:memberOf? ?territory .
        ?commune a igeo:Commune ; igeo:codeINSEE ?v .
        FILTER NOT EXISTS { ?commune a mlg:FormerCommune }"""), n)


def territories(store: OxigraphStore, n: int) -> list[dict[str, str]]:
    """Half INSEE codes of current communes, half SIRENs of EPCI (``v``), with their
    ``level``."""
    communes = _column(store, """?c a igeo:Commune ; igeo:codeINSEE ?v .
        FILTER NOT EXISTS { ?c a mlg:FormerCommune }""")
    epci = _column(store, "?e a igeo:Intercommunalite ; mlg:siren ?v")
    return ([{"v": code, "level": "commune"} for code in spread(communes, n // 2)]
            + [{"v": siren, "level": "epci"} for siren in spread(epci, n - n // 2)])


def synthetic_conventions(store: OxigraphStore, n: int) -> list[str]:
    """Keys of the synthetic conventions (all conventions where there are none: seed data)."""
    keys = _column(store, "?v a mlg:Convention", key=True)
    return spread([k for k in keys if "synthetique" in k] or keys, n)


def facility_departements(store: OxigraphStore, n: int) -> list[str]:
    """Codes of the départements with a facility."""
    return spread(_column(store, """?f a mlg:Facility ;
        mlg:commune/igeo:subdivisionDirecteDe/igeo:codeINSEE ?v"""), n)


def departements(store: OxigraphStore, n: int) -> list[str]:
    return spread(_column(store, "?d a igeo:Departement ; igeo:codeINSEE ?v"), n)


# The table: one entry per measured route. Its Direct entries check the route's rows (a detail
# route: its main query finds the resource); the timed direct side is the queries the route
# itself sends, recorded (record_queries).
CASES: list[Case] = [
    Case("fundings-by-funder", lookup=False, variants=fixed(
        "/api/fundings?funder=msa-midi-pyrenees-sud",
        Direct("fundings", {"funder": "msa-midi-pyrenees-sud"}, page=1))),
    Case("fundings-creche-msa", lookup=False, variants=fixed(
        "/api/fundings?facility_kind=creche&funder_kind=msa",
        Direct("fundings", {"facilityKind": "creche", "funderKind": "msa"}, page=1))),
    Case("partners", lookup=True, variants=varied(
        caisses, "/api/queries/partners?organisation={v}",
        Direct("partners", {"organisation": "{v}"}, page=1))),
    Case("conventions-commune", lookup=True, variants=varied(
        covered_communes, "/api/queries/conventions-commune?communeCode={v}",
        Direct("conventions-commune", {"communeCode": "{v}"}, page=1))),
    Case("institution", lookup=True, resource=True, variants=varied(
        institutions, "/api/institutions/{v}", Direct("institution", {"organisation": "{v}"}))),
    Case("territory", lookup=True, resource=True, variants=varied(
        territories, "/api/territories/{v}?level={level}",
        Direct("territory", {"code": "{v}", "level": "{level}"}))),
    Case("convention", lookup=True, resource=True, variants=varied(
        synthetic_conventions, "/api/conventions/{v}", Direct("convention", {"convention": "{v}"}))),
    Case("facilities-creche-departement", lookup=True, variants=varied(
        facility_departements, "/api/facilities?kind=creche&departement={v}",
        # (one place given: the route runs territory-facilities)
        Direct("territory-facilities", {"facilityKind": "creche", "code": "{v}",
                                        "level": "departement"}, page=1))),
    Case("coverage-departement", lookup=False, variants=varied(
        departements, f"/api/coverage/epcis?departement={{v}}&date={COVERAGE_DATE}",
        Direct("api-coverage", {"departement": "{v}", "date": COVERAGE_DATE,
                                "until": "2025-12-30"}, page=1))),  # the default 6 months
]


def openapi_matcher(paths: Iterable[str]) -> Callable[[str], bool]:
    """Whether a URL (path and query string) is served by one of the OpenAPI ``paths``
    (templates: ``{name}`` is one path segment, ``{name:path}`` any rest).

    >>> served = openapi_matcher(["/api/fundings", "/api/institutions/{key}", "/id/{path}"])
    >>> served("/api/fundings?funder=caf-09"), served("/api/institutions/caf-09")
    (True, True)
    >>> served("/api/institutions"), served("/api/territories/09")
    (False, False)
    """
    def pattern(template: str) -> str:
        parts = re.split(r"(\{[^}]*\})", template)
        return "".join((".+" if p.endswith(":path}") else "[^/]+") if p.startswith("{")
                       else re.escape(p) for p in parts)
    regex = re.compile("|".join(f"(?:{pattern(t)})" for t in paths) or "(?!)")
    return lambda url: regex.fullmatch(urlsplit(url).path) is not None


# -- the direct side -------------------------------------------------------------------------

@dataclass(frozen=True)
class DirectRows:
    rows: int  # rows returned (the page, when paged)
    total: int  # rows over all pages


def run_direct(store: OxigraphStore, variant: Variant) -> DirectRows:
    """Run the variant's direct equivalent as its route does, the rows materialised
    (``QueryResult.rows()``); rows returned and in all, summed over its named queries.

    :raises NotFoundError: if a named query does not exist.
    :raises BadQueryError: if the parameters do not fit it (``ParameterError``).
    """
    rows = total = 0
    for d in variant.direct:
        named = get_named_query(d.query)
        bindings = named.bindings(dict(d.params))
        if d.page is not None and named.paged:
            result, count = select_page(store, named.sparql, bindings, d.page_size,
                                        (d.page - 1) * d.page_size)
            n = len(result.rows())
        else:
            n = count = len(store.query(named.sparql, bindings).rows())
        rows, total = rows + n, total + count
    return DirectRows(rows, total)


def time_direct(store: OxigraphStore, replays: list[list[Call]], budget: float,
                min_runs: int = 20, max_runs: int = 2000) -> list[float]:
    """Seconds of each direct run (a variant's recorded queries replayed), in turn over the
    variants: at least one pass and 3 runs; then until ``budget`` seconds and ``min_runs``
    runs (or 5 × ``budget``), at most ``max_runs``."""
    runs: list[float] = []
    t_start = time.perf_counter()
    while True:
        calls = replays[len(runs) % len(replays)]
        t0 = time.perf_counter()
        replay(store, calls)
        runs.append(time.perf_counter() - t0)
        elapsed = time.perf_counter() - t_start
        if len(runs) < max(3, len(replays)):
            continue
        if len(runs) >= max_runs or (elapsed >= budget
                                     and (len(runs) >= min_runs or elapsed >= 5 * budget)):
            return runs


Call = tuple[str, dict, dict]  # SPARQL, bindings, options: one query a route sent the store


class _Recorder:
    """The store as the app sees it, noting each query it is sent (and running it)."""

    def __init__(self, store: OxigraphStore) -> None:
        self._store, self.calls = store, []

    def query(self, sparql: str, bindings=None, **options):  # type: ignore[no-untyped-def]
        self.calls.append((sparql, dict(bindings or {}), options))
        return self._store.query(sparql, bindings, **options)

    def __getattr__(self, name: str) -> object:
        return getattr(self._store, name)


def record_queries(store: OxigraphStore, paths: list[str]) -> list[list[Call]]:
    """The queries each route sends the store for ``paths``, recorded by serving them once in
    this process (the app over ``store``, no cache): what the direct side replays.

    :raises RuntimeError: if a path does not answer 200.
    """
    from fastapi.testclient import TestClient

    from api.main import create_app
    from api.settings import Settings

    recorder = _Recorder(store)
    app = create_app(Settings(result_cache_mb=0), store=recorder)  # type: ignore[arg-type]
    recorded = []
    with TestClient(app) as client:
        for path in paths:
            recorder.calls = []
            answer = client.get(path)
            if answer.status_code != 200:
                raise RuntimeError(f"{path}: {answer.status_code} in process")
            recorded.append(list(recorder.calls))
    return recorded


def replay(store: OxigraphStore, calls: list[Call]) -> None:
    """Run a route's queries on the store, in order, their solutions read as Python terms."""
    for sparql, bindings, options in calls:
        result = store.query(sparql, bindings, **options)
        if result.kind == "select":
            result.rows()


# -- the API side ----------------------------------------------------------------------------

def count_items(body: object) -> int | None:
    """Items of a list answer: a JSON list, or an object's ``items`` list; ``None`` otherwise."""
    if isinstance(body, list):
        return len(body)
    if isinstance(body, dict) and isinstance(body.get("items"), list):
        return len(body["items"])
    return None


def check_variant(client: httpx.Client, base: str, case: Case, variant: Variant,
                  direct: DirectRows) -> str | None:
    """Why the route's answer does not match the direct rows, or ``None`` if it does."""
    r = client.get(base + variant.path, headers={"Accept": ACCEPT})
    if r.status_code != 200:
        return f"{variant.path}: HTTP {r.status_code} {r.text[:160]!r}"
    try:
        body = r.json()
    except ValueError:
        return f"{variant.path}: not JSON ({r.headers.get('content-type')})"
    if case.resource:
        if not isinstance(body, dict):
            return f"{variant.path}: not one JSON object"
        if direct.rows == 0:
            return f"{variant.path}: answered, but the direct equivalent finds no row"
        return None
    got = count_items(body)
    if got is None:
        return f"{variant.path}: no list of items in the answer"
    if got != direct.rows:
        return f"{variant.path}: {got} items, the direct equivalent gives {direct.rows} rows"
    total = body.get("total") if isinstance(body, dict) else None
    if isinstance(total, int) and total != direct.total:
        return f"{variant.path}: total {total}, the direct equivalent counts {direct.total}"
    return None


def run_wrk(urls: list[str], clients: int, seconds: float, timeout: float) -> Cell:
    """``endpoint.run_wrk`` with this benchmark's ``Accept`` (it reads its module's ``ACCEPT``
    when called)."""
    saved, endpoint.ACCEPT = endpoint.ACCEPT, ACCEPT
    try:
        return endpoint.run_wrk(urls, clients, seconds, timeout)
    finally:
        endpoint.ACCEPT = saved


def _loadgen_process(urls: list[str], clients: int, seconds: float, timeout: float,
                     out: mp.Queue) -> None:
    endpoint.ACCEPT = ACCEPT  # in the load generator's own process only
    endpoint._loadgen_process(urls, clients, seconds, timeout, out)


def run_python_load(urls: list[str], clients: int, seconds: float, timeout: float) -> Cell:
    """``endpoint.run_python_load`` (asyncio + httpx, a separate process) with this benchmark's
    ``Accept``."""
    ctx = mp.get_context("spawn")
    results: mp.Queue = ctx.Queue()
    process = ctx.Process(target=_loadgen_process, args=(urls, clients, seconds, timeout, results))
    process.start()
    try:
        got = results.get(timeout=seconds + timeout + 60)
    finally:
        process.join(10)
        if process.is_alive():
            process.kill()
    lat = sorted(got["latencies"])
    cell = Cell(rps=len(lat) / got["elapsed"], requests=len(lat), errors=got["errors"])
    if lat:
        cell.p50 = statistics.median(lat)
        cell.p99 = lat[min(len(lat) - 1, int(0.99 * len(lat)))]
    return cell


# -- the run ---------------------------------------------------------------------------------

@dataclass
class Measured:
    """What the run learnt about one case."""

    case: Case
    variants: list[Variant]
    rows: list[DirectRows] = field(default_factory=list)  # direct rows per variant
    replays: list[list[Call]] = field(default_factory=list)  # the route's queries per variant
    request_s: float = 0.0  # mean time of one API request during the check
    direct: list[float] = field(default_factory=list)  # seconds per direct run
    cells: dict[int, Cell] = field(default_factory=dict)  # clients → cell
    skipped: str | None = None
    notes: list[str] = field(default_factory=list)  # about the direct timing

    @property
    def direct_p50(self) -> float | None:  # ms
        return statistics.median(self.direct) * 1000 if self.direct else None

    @property
    def ratio(self) -> float | None:
        one, direct = self.cells.get(1), self.direct_p50
        return one.p50 / direct if one and one.p50 is not None and direct else None

    def rows_text(self) -> str:
        """Rows per URL (a range over varied URLs), and the total when pages leave some out."""
        if not self.rows:
            return "–"

        def span(values: list[int]) -> str:
            low, high = min(values), max(values)
            return f"{low:,}" if low == high else f"{low:,}–{high:,}"
        rows, totals = [r.rows for r in self.rows], [r.total for r in self.rows]
        text = span(rows) + (f" of {span(totals)}" if totals != rows else "")
        return f"{text} (×{len(self.rows)} URLs)" if len(self.rows) > 1 else text


class Quiet:
    """Waiting for other jobs on the machine to go quiet, within a budget for the whole run
    (as ``endpoint.Run.wait_quiet``)."""

    def __init__(self, foreign: ForeignLoad, budget: float) -> None:
        self.foreign, self.budget = foreign, budget

    def wait(self, limit: float = 15.0) -> None:
        t0 = time.perf_counter()
        while self.budget > 0 and time.perf_counter() - t0 < limit:
            self.foreign.start()
            time.sleep(1.0)
            self.budget -= 1.0
            if self.foreign.cores() < 0.2:
                return


def build_store(work: Path, rebuild: bool) -> tuple[Path, dict[str, int], dict[str, float]]:
    """The scaled store in ``work`` (reused if a previous run completed it); quad counts and
    step times."""
    folder, marker = work / STORE_DIR, work / MARKER
    times: dict[str, float] = {}
    if not rebuild and folder.is_dir() and marker.is_file():
        return folder, json.loads(marker.read_text()), times
    marker.unlink(missing_ok=True)
    data, counts = endpoint.build_data(work, times)
    shutil.rmtree(folder, ignore_errors=True)
    times["store: pyoxigraph bulk_load + optimize, on disk"] = endpoint.load_maillage(data, folder)
    data.unlink()
    marker.write_text(json.dumps(counts))
    return folder, counts, times


def start_server(work: Path, folder: Path, settings: Mapping[str, str] | None = None) -> Server:
    """``python -m api.cli serve`` on 127.0.0.1 over ``folder``, with the service's defaults
    (the caller's ``MAILLAGE_*`` variables dropped) but ``settings``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILLAGE_")}
    env.update(settings or {})
    env["MAILLAGE_STORE"] = str(folder)
    port = endpoint.free_port()
    server = endpoint.start("maillage", [sys.executable, "-m", "api.cli", "serve", "--host",
                                         "127.0.0.1", "--port", str(port)],
                            f"http://127.0.0.1:{port}/sparql", work / "maillage.log", env)
    if endpoint.wait_ready(server, 120) is None:
        endpoint.stop(server)
        raise RuntimeError(f"the server did not start: see {work / 'maillage.log'}")
    return server


def check_cases(measured: list[Measured], store: OxigraphStore, base: str) -> list[str]:
    """Direct rows of every variant, and the route's answer against them; the failures."""
    failures = []
    with httpx.Client(timeout=REQUEST_TIMEOUT) as client:
        for m in measured:
            if m.skipped:
                continue
            try:
                m.rows = [run_direct(store, v) for v in m.variants]
            except MaillageError as exc:
                m.skipped = (f"its direct equivalent does not run ({type(exc).__name__}: {exc}): "
                             f"update the case {m.case.name!r} in CASES")
                failures.append(f"{m.case.name}: {m.skipped}")
                continue
            t0 = time.perf_counter()
            problems = [p for v, n in zip(m.variants, m.rows, strict=True)
                        if (p := check_variant(client, base, m.case, v, n))]
            m.request_s = (time.perf_counter() - t0) / len(m.variants)
            if problems:
                m.skipped = (f"the route does not match its direct equivalent on "
                             f"{len(problems)}/{len(m.variants)} URLs, e.g. {problems[0]}")
                failures.append(f"{m.case.name}: {m.skipped}")
            print(f"  {m.case.name:32} {len(m.variants):4} URLs, rows {m.rows_text():18} "
                  f"{'MISMATCH' if problems else 'same as direct'}", flush=True)
    # The direct side: what each checked route sends the store, recorded by one app.
    checked = [m for m in measured if not m.skipped]
    recorded = iter(record_queries(store, [v.path for m in checked for v in m.variants]))
    for m in checked:
        m.replays = [next(recorded) for _ in m.variants]
    return failures


def time_case_direct(m: Measured, store: OxigraphStore, budget: float, quiet: Quiet) -> None:
    """The direct runs of one case; timed again once if other jobs used the machine."""
    for attempt in range(2):
        quiet.wait()
        quiet.foreign.start()
        t0 = time.perf_counter()
        m.direct = time_direct(store, m.replays, budget)
        spent, others = time.perf_counter() - t0, quiet.foreign.cores()
        if others <= 0.2 or attempt or quiet.budget < spent:
            break
        quiet.budget -= spent
        print(f"  ({m.case.name} direct: other jobs used {others:.1f} cores meanwhile; timed "
              "again)", flush=True)
    if others > 0.2:
        m.notes.append(f"direct: other jobs used {others:.1f} cores")
    print(f"  {m.case.name:32} p50 {m.direct_p50:10.2f} ms over {len(m.direct):,} runs",
          flush=True)


def wait_answering(url: str, limit: float = 60.0) -> float | None:
    """Seconds until ``url`` answers 200 (a worker retired or crashed by an earlier case may be
    restarting); ``None`` past ``limit``."""
    t0 = time.perf_counter()
    with httpx.Client(timeout=10) as client:
        while time.perf_counter() - t0 < limit:
            try:
                if client.get(url, headers={"Accept": ACCEPT}).status_code == 200:
                    return time.perf_counter() - t0
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
    return None


def measure(m: Measured, server: Server, base: str, clients: list[int], seconds: float,
            warmup: float, load: endpoint.Load, quiet: Quiet, *, warm_all: bool = False) -> None:
    """1 client, then each count in ``clients``; a cell is measured again once if other jobs
    used the machine meanwhile. The warm-up lasts ``warmup`` seconds or, with ``warm_all``, as
    long as one client takes to ask every URL once (through the same loader, so with the same
    headers: a response cache keys on them)."""
    urls = [base + v.path for v in m.variants]
    cores = os.cpu_count() or 1
    waited = wait_answering(f"{base}/openapi.json")
    if waited is None or waited > 2:
        print(f"  ({m.case.name}: the server took {endpoint._fmt(waited)} s to answer again "
              "before the case)", flush=True)
    if warm_all:
        warmup = max(warmup, min(120.0, 1.5 * len(urls) * m.request_s))
    load(urls, 1, warmup, REQUEST_TIMEOUT)
    endpoint.wait_idle(server)
    for n in dict.fromkeys([1, *clients]):
        each = n * m.request_s / min(n, cores)  # expected seconds per request at n clients
        if n > 1 and each > REQUEST_TIMEOUT / 2:
            m.cells[n] = Cell(notes=[f"@{n}: not measured (one request would take ~{each:.0f} s)"])
            print(f"  {m.case.name:32} {n:3} clients: not measured, one request would take "
                  f"~{each:.0f} s (the timeout is {REQUEST_TIMEOUT:g} s)", flush=True)
            continue
        # a slow route gets a longer cell, so that each connection completes ~3 requests
        cell_s = min(30.0, max(seconds, 3 * each))
        for attempt in range(2):
            quiet.wait()
            quiet.foreign.start()
            cell = load(urls, n, cell_s, REQUEST_TIMEOUT)
            others = quiet.foreign.cores()
            drained = endpoint.wait_idle(server)
            if others <= 0.2 or attempt or quiet.budget < cell_s:
                break
            quiet.budget -= cell_s
            print(f"  ({m.case.name} {n} clients: other jobs used {others:.1f} cores meanwhile; "
                  "measured again)", flush=True)
        if cell_s > seconds:
            cell.notes.append(f"@{n}: {cell_s:.0f} s cell")
        if cell.requests < 2 * n:
            cell.notes.append(f"@{n}: few requests")
        if drained > 2:
            cell.notes.append(f"@{n}: busy {drained:.0f} s after")
        if others > 0.2:
            cell.notes.append(f"@{n}: other jobs used {others:.1f} cores")
        if cell.errors:
            cell.notes.append(f"@{n}: {cell.errors} errors / {cell.requests:,}")
        m.cells[n] = cell
        print(f"  {m.case.name:32} {n:3} clients: {endpoint._fmt(cell.rps)} req/s, "
              f"p50 {endpoint._fmt(cell.p50, 2)} ms, p99 {endpoint._fmt(cell.p99, 2)} ms, "
              f"{cell.requests:,} requests, {cell.errors} errors", flush=True)


def report(measured: list[Measured], clients: list[int], loader: str, seconds: float) -> bool:
    """The table and the closing check; whether every measured case passes."""
    fmt = endpoint._fmt
    shown = list(dict.fromkeys(c for c in clients if c != 1))
    head = ("case", "lookup", "rows", "direct p50 ms", "API p50 ms @1", "ratio",
            *(f"{h} @{n}" for n in shown for h in ("req/s", "p50", "p99")), "note")
    table, footnotes = [], []
    for m in measured:
        if m.skipped:
            table.append((m.case.name, "yes" if m.case.lookup else "no", m.rows_text(),
                          "–", "–", "–", *("–" for _ in shown for _ in range(3)),
                          f"skipped [{len(footnotes) + 1}]"))
            footnotes.append(f"{m.case.name}: {m.skipped}")
            continue
        one = m.cells.get(1, Cell())
        per = []
        for n in shown:
            c = m.cells.get(n, Cell())
            per += [fmt(c.rps), fmt(c.p50, 2), fmt(c.p99, 2)]
        notes = m.notes + [note for n in (1, *shown) for note in m.cells.get(n, Cell()).notes]
        if notes:
            footnotes.append(f"{m.case.name}: {'; '.join(notes)}")
        table.append((m.case.name, "yes" if m.case.lookup else "no", m.rows_text(),
                      fmt(m.direct_p50, 2), fmt(one.p50, 2), fmt(m.ratio, 2), *per,
                      f"[{len(footnotes)}]" if notes else ""))
    print(f"\n{loader}, {seconds:g} s per cell; direct = the route's queries replayed + rows() in this "
          "process, single-threaded, server idle; ratio = API p50 @1 client / direct p50; "
          "times in ms\n")
    endpoint.print_table(head, table)
    for k, note in enumerate(footnotes, 1):
        print(f"[{k}] {note}")

    print(f"\nclosing check (lookup routes p99 < {LOOKUP_P99_MS:g} ms at {CLOSING_CLIENTS} "
          f"clients; API p50 @1 / direct p50 ≤ {MAX_RATIO:g}× on every case):")
    passed = True
    for m in measured:
        if m.skipped:
            print(f"  {m.case.name}: not measured ({m.skipped})")
            continue
        verdicts = []
        if m.case.lookup:
            cell = m.cells.get(CLOSING_CLIENTS)
            p99 = cell.p99 if cell else None
            ok = p99 is not None and p99 < LOOKUP_P99_MS and not cell.errors
            passed &= ok
            verdicts.append(f"p99 @{CLOSING_CLIENTS} {fmt(p99, 1)} ms: "
                            + ("PASS" if ok else "FAIL" if p99 is not None else
                               f"not measured (add {CLOSING_CLIENTS} to --clients)"))
        errors = m.cells[1].errors if 1 in m.cells else 0
        ok = m.ratio is not None and m.ratio <= MAX_RATIO and not errors
        passed &= ok
        if m.ratio is None:
            verdicts.append("ratio not measured (no request completed at 1 client)")
        else:
            verdicts.append(f"ratio {fmt(m.ratio, 2)}×: {'PASS' if ok else 'FAIL'}"
                            + (f" ({errors} errors at 1 client)" if errors else ""))
        print(f"  {m.case.name} ({'lookup' if m.case.lookup else 'not a lookup'}): "
              + "; ".join(verdicts))
    print(f"  → {'done' if passed else 'not done'}")
    return passed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="where the store goes, kept and reused by "
                        "the next run (default: a temporary directory, removed at the end)")
    parser.add_argument("--rebuild", action="store_true", help="rebuild the store in --workdir")
    parser.add_argument("--duration", type=float, help="seconds per cell (default 10; 3 quick)")
    parser.add_argument("--clients", help="comma-separated connection counts, besides 1 "
                        "(default 2,8,16; 16 quick)")
    parser.add_argument("--quick", action="store_true", help="3 s cells, 1 and 16 clients")
    parser.add_argument("--warm-all", action="store_true",
                        help="warm up on every URL of a case, not only for the warm-up seconds: "
                             "measures a server's answer cache once warm")
    parser.add_argument("--cases", help="comma-separated case names (default: all served)")
    parser.add_argument("--variants", type=int, default=VARIANTS,
                        help=f"URLs per varied case (default {VARIANTS})")
    parser.add_argument("--keep-going", action="store_true",
                        help="drop the cases whose route does not match its direct equivalent "
                             "instead of stopping")
    parser.add_argument("--quiet-wait", type=float, default=120.0,
                        help="most seconds, over the run, spent waiting for other jobs on the "
                             "machine to go quiet or measuring cells again (default 120)")
    parser.add_argument("--loader", choices=("wrk", "python"),
                        help="load generator (default: wrk if installed)")
    parser.add_argument("--server-env", action="append", default=[], metavar="MAILLAGE_X=V",
                        help="a setting for the server (repeatable; default: the service's "
                             "defaults), e.g. MAILLAGE_WORKERS=1")
    args = parser.parse_args(argv)
    settings = dict(e.split("=", 1) for e in args.server_env if "=" in e)
    if len(settings) != len(args.server_env) or any(not k.startswith("MAILLAGE_")
                                                     for k in settings):
        parser.error("--server-env takes MAILLAGE_NAME=VALUE")
    seconds = args.duration or (3.0 if args.quick else 10.0)
    clients = [int(c) for c in (args.clients or ("16" if args.quick else "2,8,16")).split(",")]
    loader = args.loader or ("wrk" if shutil.which("wrk") else "python")
    load = run_wrk if loader == "wrk" else run_python_load
    if loader == "python":
        print("wrk not found (apt-get install -y wrk): using the Python load generator "
              "(asyncio + httpx in a separate process), which tops out far below wrk: the "
              "fastest cells measure the generator, not the server.", flush=True)
    cases = CASES
    if args.cases:
        wanted = args.cases.split(",")
        unknown = set(wanted) - {c.name for c in CASES}
        if unknown:
            parser.error(f"unknown case(s) {', '.join(sorted(unknown))}")
        cases = [c for c in CASES if c.name in wanted]

    own_work = args.workdir is None
    work = Path(tempfile.mkdtemp(prefix="maillage-bench-api-")) if own_work else args.workdir
    work.mkdir(parents=True, exist_ok=True)
    t_run = time.perf_counter()
    server: Server | None = None
    try:
        print(f"work directory: {work}", flush=True)
        folder, counts, times = build_store(work, args.rebuild)
        if settings:
            print(f"server settings: {settings}")
        print(f"store: {folder} ({'built' if times else 'reused'}), "
              f"{counts['shipped'] + counts['synthetic']:,} quads ({counts['shipped']:,} "
              f"shipped + {counts['synthetic']:,} synthetic)", flush=True)
        store = OxigraphStore(folder, read_only=True)
        t0 = time.perf_counter()
        server = start_server(work, folder, settings)
        times["server: start to first answer"] = time.perf_counter() - t0
        base = server.endpoint.removesuffix("/sparql")
        served = openapi_matcher(httpx.get(f"{base}/openapi.json",
                                           timeout=REQUEST_TIMEOUT).json()["paths"])
        endpoint.print_table(("step", "seconds"), [(k, f"{v:.1f}") for k, v in times.items()])

        measured = []
        for case in cases:
            m = Measured(case, [])
            m.variants = case.variants(store, args.variants)
            if not m.variants:
                m.skipped = "no values to vary over in this store"
            elif not all(served(v.path) for v in m.variants):
                path = urlsplit(next(v.path for v in m.variants if not served(v.path))).path
                m.skipped = f"{path} is not served (no such path in /openapi.json)"
            measured.append(m)
        for m in measured:
            if m.skipped:
                print(f"skipped {m.case.name}: {m.skipped}")

        print("\nrow check (each URL answers 200 with as many items as its direct equivalent "
              "gives rows; a detail route: one object):", flush=True)
        failures = check_cases(measured, store, base)
        if failures:
            print("\n" + "!" * 78 + "\nROW CHECK FAILED: the route and its direct equivalent "
                  "disagree, so the ratio would compare different work:")
            for failure in failures:
                print(f"  - {failure}")
            print("!" * 78, flush=True)
            if not args.keep_going:
                print("stopping (--keep-going drops these cases and measures the others)")
                return 1
        live = [m for m in measured if not m.skipped]

        quiet = Quiet(ForeignLoad({"maillage": server}), args.quiet_wait)
        quiet.foreign.start()
        time.sleep(1)
        if (others := quiet.foreign.cores()) > 0.2:
            print(f"warning: other jobs are using {others:.1f} of {os.cpu_count()} cores: "
                  "numbers will be low and noisy (what was measured beside them is flagged)")
        budget = 1.0 if args.quick else 2.0
        endpoint.wait_idle(server)
        print(f"\ndirect: the route's queries replayed + rows(), single-threaded, ≥ {budget:g} s per case",
              flush=True)
        for m in live:
            time_case_direct(m, store, budget, quiet)
        warmup = 1.0 if args.quick else 2.0
        print(f"\nload: {loader}, {seconds:g} s per cell, {warmup:g} s warm-up per case"
              + (" (or as long as it takes to ask every URL once: --warm-all)" if args.warm_all
                 else "") + f", clients {[1, *clients]}", flush=True)
        # quickest first: a slow case can leave the server busy, or retire a worker past the
        # query time limit, and must not spill into the lookups
        for m in sorted(live, key=lambda m: m.direct_p50 or 0.0):
            measure(m, server, base, clients, seconds, warmup, load, quiet, warm_all=args.warm_all)

        report(measured, clients, loader, seconds)
        print(f"\nwhole run: {time.perf_counter() - t_run:,.0f} s")
        return 0
    finally:
        if server is not None:
            endpoint.stop(server)
        if own_work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
