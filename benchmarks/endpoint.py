"""HTTP throughput of maillage's ``/sparql`` against the Oxigraph server and rdflib-endpoint, on
the same data, in one run.

Run: ``.venv/bin/python benchmarks/endpoint.py [--quick] [--vary] [--duration S] [--workdir DIR]``
(needs the ``bench`` extra and Debian's ``wrk``; see ``benchmarks/README.md``). The full run
takes 8-10 minutes, ``--quick`` about 4; ``--vary`` adds about 3 (full) or 1 (quick).

What it does, in order:

1. Builds one dataset as N-Quads: the shipped data (``loaders.pipeline.load_all`` into an
   in-memory store, dumped) plus the synthetic records of ``benchmarks/synthetic.py`` (seed 0).
2. Loads it into (a) a fresh on-disk maillage store (pyoxigraph ``bulk_load``, then
   ``optimize``, as ``maillage load`` does), served by ``python -m api.cli serve`` with the
   service's default settings (the caller's ``MAILLAGE_*`` variables are dropped;
   ``--maillage-workers`` sets ``MAILLAGE_QUERY_WORKERS``); (b) an Oxigraph server store
   (``oxigraph load``, then ``oxigraph optimize``), served by ``oxigraph serve-read-only
   --union-default-graph``, so that its default graph is the union of the named graphs, as
   maillage's is; (c) rdflib-endpoint, which parses the N-Quads file into an rdflib
   ``Dataset(default_union=True)`` at start. If rdflib-endpoint does not answer within
   ``--rdflib-load-limit`` seconds (default 120) it is skipped, with the reason printed.
   Every server binds 127.0.0.1 only; every process started is stopped at the end.
3. Checks that every server gives the same rows (count, and the values, numbers normalised)
   for each query, and prints them.
4. Measures each (query, clients, server) cell with ``wrk -t2 -cN -d{duration}s --latency``
   (a separate process; GET with the query URL-encoded, ``Accept:
   application/sparql-results+json``), after a warm-up of each (server, query); without wrk,
   with a Python load generator in a separate process (asyncio + httpx), and it says so. After
   each cell it waits for the server's processes to go idle (CPU time read from ``/proc``), so
   that queries still running when the load stops do not eat into the next cell. The machine
   may be shared: CPU used by other processes during a cell is measured (``/proc/stat`` less
   this run's own processes); before each cell the run waits for them to go quiet, measures a
   cell again once if they used more than 0.2 cores meanwhile (both within ``--quiet-wait``
   seconds over the whole run, default 120), and flags the cells where they still did.
5. Prints req/s, p50 and p99 and the ratios to the Oxigraph server and to rdflib-endpoint in
   the same cell, then the closing-note check of the issue: ``/sparql`` at ≥ 0.7× the Oxigraph
   server and ≥ 20× rdflib-endpoint on the lookup and partners queries at 8 clients.

The queries: ``lookup`` (every triple about commune 09167), ``partners`` (the named query for
``msa-midi-pyrenees-sud``: co-signatories through ``mlg:signatory``) and ``aggregation`` (MSA
fundings of crèches summed per EPCI). The same text is sent again and again, as the issue asks;
rdflib-endpoint (≥ 0.6) keeps the last 128 parsed queries, so it never parses them again.
``--vary`` adds ``lookup-varied`` (500 communes) and ``partners-varied`` (the 137 Caf, CSSM and
MSA caisses), each request taking the next variant (a wrk Lua script; the two wrk threads start
half-way apart), which is what a server sees when clients ask about different things.

The aggregation is the slow case for rdflib: it is checked and measured last (a running
rdflib query keeps a core busy), and only if one run of it answers within
``--rdflib-timeout`` seconds (default 60); otherwise its cells say why they are empty. A cell
lasts longer than ``--duration`` (up to 30 s) when the query is slow, so that each connection
completes about three requests: wrk counts only the requests completed within the cell.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import multiprocessing as mp
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from urllib.parse import quote, urlsplit

import httpx
import pyoxigraph as ox

from graph.named_queries import get_named_query
from graph.store import OxigraphStore, bind_values
from loaders.geography import commune_uri, read_geography
from loaders.institutions import registry_entries
from loaders.pipeline import load_all

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ACCEPT = "application/sparql-results+json"
SERVERS = ("maillage", "maillage-nocache", "oxigraph", "rdflib-endpoint")
CLOSING_CLIENTS = 8
CLOSING = {"oxigraph": 0.7, "rdflib-endpoint": 20.0}  # /sparql must reach these ratios
REQUEST_TIMEOUT = 30.0  # seconds, for wrk and the row checks

LOOKUP = "SELECT ?p ?o WHERE {{ <{commune}> ?p ?o }}"
AGGREGATION = """PREFIX mlg: <https://maillage.fr/def/ontologie#>
PREFIX schema: <https://schema.org/>
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?epci (SUM(?amount) AS ?total) (COUNT(?funding) AS ?fundings)
WHERE {
  ?funding a schema:MonetaryGrant ; schema:funder ?funder ; schema:fundedItem ?facility ;
    schema:amount/schema:value ?amount .
  ?funder mlg:institutionKind <https://maillage.fr/def/type-institution/msa> .
  ?facility mlg:facilityKind/skos:broader* <https://maillage.fr/def/type-equipement/creche> ;
    mlg:commune/mlg:memberOf ?epci .
}
GROUP BY ?epci
ORDER BY DESC(?total) ?epci"""
NUMERIC = ("integer", "decimal", "double", "float", "long", "int")


def lookup_query(code: str = "09167") -> str:
    return LOOKUP.format(commune=commune_uri(code))


def partners_query(organisation: str = "msa-midi-pyrenees-sud") -> str:
    """The named query ``partners`` bound to one organisation (header comments left out)."""
    named = get_named_query("partners")
    text = bind_values(named.sparql, named.bindings({"organisation": organisation}))
    return "\n".join(line for line in text.splitlines() if not line.startswith("#"))


def benchmark_queries(vary: bool) -> dict[str, list[str]]:
    """Query name → its variants (one, unless varied)."""
    queries = {"lookup": [lookup_query()], "partners": [partners_query()],
               "aggregation": [AGGREGATION]}
    if vary:
        geo = read_geography()
        codes = sorted(c["code"] for c in geo.communes if c["type"] == "commune-actuelle")
        step = len(codes) // 500
        queries["lookup-varied"] = [lookup_query(code) for code in codes[::step][:500]]
        keys = sorted(e.key for e in registry_entries(geo)
                      if e.kind in ("caf", "msa", "caisse-securite-sociale"))
        queries["partners-varied"] = [partners_query(key) for key in keys]
    return queries


# -- servers ---------------------------------------------------------------------------------

@dataclass
class Server:
    name: str
    endpoint: str  # URL to which ?query= is appended
    process: subprocess.Popen | None = None
    started: float = 0.0
    ready_s: float | None = None
    skipped: str | None = None  # why it is not measured

    def url(self, query: str) -> str:
        return f"{self.endpoint}?query={quote(query, safe='')}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(name: str, command: list[str], endpoint: str, log: Path,
          env: dict[str, str] | None = None) -> Server:
    """Start a server process in its own process group, output to ``log``."""
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                   env=env, start_new_session=True)
    return Server(name, endpoint, process, time.perf_counter())


def wait_ready(server: Server, limit: float) -> float | None:
    """Seconds from start to the first answered query; ``None`` past ``limit`` or if it died."""
    deadline = server.started + limit
    with httpx.Client(timeout=10) as client:
        while time.perf_counter() < deadline:
            if server.process is not None and server.process.poll() is not None:
                return None
            try:
                r = client.get(server.url("ASK { ?s ?p ?o }"), headers={"Accept": ACCEPT})
                if r.status_code == 200:
                    server.ready_s = time.perf_counter() - server.started
                    return server.ready_s
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
    return None


def _cpu_ticks(group: int) -> int:
    """CPU time (clock ticks) of the live processes of process group ``group``."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) == group:  # pgrp; utime and stime are fields 11 and 12 after ")"
            total += int(fields[11]) + int(fields[12])
    return total


def wait_idle(server: Server, limit: float = 90.0, window: float = 0.5) -> float:
    """Wait until the server's processes use under 5% of a core; seconds waited."""
    if server.process is None or not Path("/proc/self/stat").exists():
        return 0.0
    hz, t0 = os.sysconf("SC_CLK_TCK"), time.perf_counter()
    last = _cpu_ticks(server.process.pid)
    while time.perf_counter() - t0 < limit:
        time.sleep(window)
        now = _cpu_ticks(server.process.pid)
        if (now - last) / hz < 0.05 * window:
            break
        last = now
    return time.perf_counter() - t0


def _busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy (``/proc/stat``), 0 where unknown."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0
    user, nice, system, steal = fields[0], fields[1], fields[2], fields[7]  # irq time left out
    return (user + nice + system + steal) / os.sysconf("SC_CLK_TCK")


class ForeignLoad:
    """CPU used on the machine by processes other than this run (its servers, its load
    generator, itself) between ``start()`` and ``cores()``: another job sharing the machine
    makes every number here move, so cells measured beside one are flagged."""

    def __init__(self, servers: dict[str, Server]) -> None:
        self.servers = servers

    def _ours(self) -> float:
        hz = os.sysconf("SC_CLK_TCK")
        t = os.times()
        return (t.user + t.system + t.children_user + t.children_system
                + sum(_cpu_ticks(s.process.pid) for s in self.servers.values()
                      if s.process is not None and s.process.poll() is None) / hz)

    def start(self) -> None:
        self.t0, self.busy0, self.ours0 = time.perf_counter(), _busy_seconds(), self._ours()

    def cores(self) -> float:
        """Cores' worth of CPU used by others since ``start()``."""
        wall = time.perf_counter() - self.t0
        other = (_busy_seconds() - self.busy0) - (self._ours() - self.ours0)
        return max(0.0, other / wall) if wall > 0 else 0.0


def stop(server: Server) -> None:
    """Stop the server's process group (SIGTERM, then SIGKILL after 10 s)."""
    p = server.process
    if p is None or p.poll() is not None:
        return
    try:
        os.killpg(p.pid, signal.SIGTERM)
        p.wait(10)
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait(5)
    except ProcessLookupError:
        pass


# -- data ------------------------------------------------------------------------------------

def build_data(work: Path, times: dict[str, float]) -> tuple[Path, dict[str, int]]:
    """Write ``work/data.nq`` (shipped data + synthetic records); quad counts."""
    t0 = time.perf_counter()
    store = OxigraphStore(None)
    load_all(store)
    shipped = store.export("nq")
    del store
    times["shipped data: load_all in memory, dump N-Quads"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    synthetic = work / "synthetic.nq"
    subprocess.run([sys.executable, str(ROOT / "benchmarks" / "synthetic.py"), str(synthetic)],
                   check=True, cwd=ROOT, stderr=subprocess.DEVNULL)
    times["synthetic records: benchmarks/synthetic.py"] = time.perf_counter() - t0
    data = work / "data.nq"
    with data.open("wb") as out:
        out.write(shipped)
        with synthetic.open("rb") as handle:
            shutil.copyfileobj(handle, out)
    counts = {"shipped": shipped.count(b"\n"),
              "synthetic": sum(chunk.count(b"\n") for chunk in _chunks(synthetic))}
    synthetic.unlink()
    return data, counts


def _chunks(path: Path, size: int = 1 << 24) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(size):
            yield chunk


def load_maillage(data: Path, folder: Path) -> float:
    t0 = time.perf_counter()
    store = ox.Store(str(folder))
    store.bulk_load(path=str(data), format=ox.RdfFormat.N_QUADS)
    store.optimize()
    store.flush()
    del store
    gc.collect()  # close RocksDB before the server opens the store
    return time.perf_counter() - t0


def load_oxigraph(data: Path, folder: Path) -> float:
    t0 = time.perf_counter()
    for step in (["load", "--location", str(folder), "--file", str(data)],
                 ["optimize", "--location", str(folder)]):
        subprocess.run([str(BIN / "oxigraph"), *step], check=True, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL)
    return time.perf_counter() - t0


# -- answers ---------------------------------------------------------------------------------

def _norm(term: dict | None) -> str:
    if term is None:
        return ""
    value, datatype = term.get("value", ""), term.get("datatype", "")
    if datatype.rsplit("#", 1)[-1] in NUMERIC:
        try:
            return str(Decimal(value).normalize())
        except InvalidOperation:
            return value
    return value


def fetch_rows(server: Server, query: str, timeout: float) -> tuple[list[tuple[str, ...]], float]:
    """The rows of ``query`` on ``server`` (values, numbers normalised), and seconds taken."""
    t0 = time.perf_counter()
    r = httpx.get(server.url(query), headers={"Accept": ACCEPT}, timeout=timeout)
    r.raise_for_status()
    doc = r.json()
    names = doc["head"]["vars"]
    rows = [tuple(_norm(b.get(n)) for n in names) for b in doc["results"]["bindings"]]
    return sorted(rows), time.perf_counter() - t0


# -- load ------------------------------------------------------------------------------------

@dataclass
class Cell:
    rps: float | None = None
    p50: float | None = None  # ms
    p99: float | None = None  # ms
    requests: int = 0
    errors: int = 0
    notes: list[str] = field(default_factory=list)


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def _ms(text: str) -> float:
    number, unit = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text).groups()
    return float(number) * _UNITS[unit]


def parse_wrk(out: str) -> Cell:
    """req/s, p50, p99, requests and errors (non-2xx and socket errors) of wrk's report."""
    cell = Cell()
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    cell.rps = float(m.group(1)) if m else 0.0
    m = re.search(r"(\d+) requests in", out)
    cell.requests = int(m.group(1)) if m else 0
    if cell.requests:
        for pct, attr in (("50", "p50"), ("99", "p99")):
            m = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.MULTILINE)
            if m:
                setattr(cell, attr, _ms(m.group(1)))
    m = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    cell.errors += int(m.group(1)) if m else 0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        cell.errors += sum(int(x) for x in m.groups())
    return cell


_LUA = """local paths = {{
{paths}
}}
local count = 0
wrk.headers["Accept"] = "{accept}"
function setup(thread)
  thread:set("offset", count * math.floor(#paths / {threads}))
  count = count + 1
end
local i = 0
function request()
  i = i + 1
  return wrk.format("GET", paths[(offset + i) % #paths + 1])
end
"""


def run_wrk(urls: list[str], clients: int, seconds: float, timeout: float) -> Cell:
    """One wrk run; several URLs are taken in turn by a Lua script."""
    threads = min(2, clients)
    command = ["wrk", f"-t{threads}", f"-c{clients}", f"-d{max(1, round(seconds))}s",
               "--latency", f"--timeout={round(timeout)}s", "-H", f"Accept: {ACCEPT}"]
    with tempfile.TemporaryDirectory() as tmp:
        if len(urls) > 1:
            script = Path(tmp) / "paths.lua"
            paths = ",\n".join(f'  "{urlsplit(u).path}?{urlsplit(u).query}"' for u in urls)
            script.write_text(_LUA.format(paths=paths, accept=ACCEPT, threads=threads))
            command += ["-s", str(script)]
        out = subprocess.run([*command, urls[0]], capture_output=True, text=True, check=True,
                             timeout=seconds + timeout + 30).stdout
    return parse_wrk(out)


async def _generate(urls: list[str], clients: int, seconds: float, timeout: float) -> dict:
    latencies: list[float] = []
    errors = 0
    end = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as client:
        async def loop(k: int) -> None:
            nonlocal errors
            i = k * len(urls) // clients
            while time.perf_counter() < end:
                i += 1
                t0 = time.perf_counter()
                try:
                    r = await client.get(urls[i % len(urls)], headers={"Accept": ACCEPT})
                    await r.aread()
                    if r.status_code >= 400:
                        errors += 1
                        continue
                except httpx.HTTPError:
                    errors += 1
                    continue
                if time.perf_counter() <= end:
                    latencies.append((time.perf_counter() - t0) * 1000)
        await asyncio.gather(*(loop(k) for k in range(clients)))
    return {"latencies": latencies, "errors": errors, "elapsed": seconds}


def _loadgen_process(urls: list[str], clients: int, seconds: float, timeout: float,
                     out: mp.Queue) -> None:
    out.put(asyncio.run(_generate(urls, clients, seconds, timeout)))


def run_python_load(urls: list[str], clients: int, seconds: float, timeout: float) -> Cell:
    """The fallback load generator, in a separate process (asyncio + httpx)."""
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


Load = Callable[[list[str], int, float, float], Cell]


# -- report ----------------------------------------------------------------------------------

def _fmt(value: float | None, digits: int = 1) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def print_table(head: tuple[str, ...], rows: list[tuple[str, ...]]) -> None:
    width = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(head)]
    print(" | ".join(h.ljust(w) for h, w in zip(head, width, strict=True)))
    print("-|-".join("-" * w for w in width))
    for r in rows:
        print(" | ".join(c.ljust(w) for c, w in zip(r, width, strict=True)).rstrip())


Cells = dict[tuple[str, str, int], Cell]


def ratio(cells: Cells, server: str, query: str, clients: int, against: str) -> float | None:
    mine, theirs = cells.get((server, query, clients)), cells.get((against, query, clients))
    if not mine or not theirs or not mine.rps or not theirs.rps:
        return None
    return mine.rps / theirs.rps


# -- the run ---------------------------------------------------------------------------------

@dataclass
class Run:
    """One benchmark run: settings, servers and what was measured."""

    queries: dict[str, list[str]]
    clients: list[int]
    seconds: float
    warmup: float
    load: Load
    servers: dict[str, Server] = field(default_factory=dict)
    cells: Cells = field(default_factory=dict)
    single: dict[str, float] = field(default_factory=dict)  # fastest first run of each query
    first: dict[tuple[str, str], float] = field(default_factory=dict)  # (server, query) → s
    reference: dict[str, list] = field(default_factory=dict)  # maillage's rows, first variant
    notes: dict[tuple[str, str], str] = field(default_factory=dict)
    agreed: bool = True
    foreign: ForeignLoad | None = None
    quiet_budget: float = 0.0  # seconds left to wait for other jobs to finish

    def wait_quiet(self, limit: float = 15.0) -> None:
        """Wait (within the run's budget) until other jobs use under 0.2 cores for 1 s."""
        t0 = time.perf_counter()
        while self.quiet_budget > 0 and time.perf_counter() - t0 < limit:
            self.foreign.start()
            time.sleep(1.0)
            self.quiet_budget -= 1.0
            if self.foreign.cores() < 0.2:
                return

    @property
    def live(self) -> list[str]:
        return [s for s in SERVERS if s in self.servers and not self.servers[s].skipped]

    def check(self, name: str, query: str, timeout: float) -> tuple[str, ...]:
        """Rows of the first variants of ``query`` on server ``name`` against maillage's."""
        counts, same, took = [], True, 0.0
        for k, text in enumerate(self.queries[query][:3]):
            rows, t = fetch_rows(self.servers[name], text, timeout)
            took = t if k == 0 else took
            same &= rows == self.reference.setdefault(f"{query}#{k}", rows)
            counts.append(f"{len(rows):,}")
        self.agreed &= same
        self.first[(name, query)] = took
        self.single[query] = min(took, self.single.get(query, took))
        return (query, name, " / ".join(counts), f"{took * 1000:,.0f}", "yes" if same else "NO")

    def measure(self, names: list[str], query: str) -> None:
        """Warm each server up on ``query``, then each client count across the servers."""
        cores = os.cpu_count() or 1
        urls = {name: [self.servers[name].url(t) for t in self.queries[query]] for name in names}
        for name, variants in urls.items():
            self.load(variants, min(self.clients), self.warmup, REQUEST_TIMEOUT)
            wait_idle(self.servers[name])
        for n in self.clients:
            cell_s = min(30.0, max(self.seconds, 3 * n * self.single.get(query, 0) / cores))
            for name, variants in urls.items():
                for attempt in range(2):  # measured again once if other jobs shared the cell
                    self.wait_quiet()
                    self.foreign.start()
                    c = self.load(variants, n, cell_s, REQUEST_TIMEOUT)
                    others = self.foreign.cores()
                    drained = wait_idle(self.servers[name])
                    if others <= 0.2 or attempt or self.quiet_budget < cell_s:
                        break
                    self.quiet_budget -= cell_s  # a cell measured again counts as waiting
                    print(f"  ({name} {query} {n} clients: other jobs used {others:.1f} cores "
                          "meanwhile; measured again)", flush=True)
                self.cells[(name, query, n)] = c
                if cell_s > self.seconds:
                    c.notes.append(f"{cell_s:.0f} s cell")
                if c.requests < 2 * n:
                    c.notes.append("few requests: rate approximate")
                if drained > 2:
                    c.notes.append(f"busy {drained:.0f} s after the cell")
                if others > 0.2:
                    c.notes.append(f"other jobs on the machine used {others:.1f} cores")
                print(f"  {name:16} {query:16} {n:3} clients: {_fmt(c.rps)} req/s, "
                      f"p50 {_fmt(c.p50, 2)} ms, p99 {_fmt(c.p99, 2)} ms, "
                      f"{c.requests:,} requests, {c.errors} errors", flush=True)

    def report(self, loader: str, total: int) -> bool:
        print(f"\n{loader}, {self.seconds:g} s per cell, {total:,} quads; ratios are req/s over "
              "the other server's req/s in the same cell\n")
        table = []
        for query in self.queries:
            for n in self.clients:
                for name in SERVERS:
                    server, c = self.servers.get(name), self.cells.get((name, query, n))
                    if c is None:
                        why = (server.skipped if server and server.skipped
                               else self.notes.get((name, query), "left out (--no-rdflib)"))
                        table.append((name, query, str(n), "–", "–", "–", "–", "–", why))
                        continue
                    errors = [f"{c.errors} errors / {c.requests:,} requests"] if c.errors else []
                    table.append((name, query, str(n), _fmt(c.rps), _fmt(c.p50, 2),
                                  _fmt(c.p99, 2), _fmt(ratio(self.cells, name, query, n, "oxigraph"), 2),
                                  _fmt(ratio(self.cells, name, query, n, "rdflib-endpoint"), 1),
                                  ", ".join(c.notes + errors)))
        print_table(("server", "query", "clients", "req/s", "p50 ms", "p99 ms",
                     "ratio vs oxigraph", "ratio vs rdflib-endpoint", "note"), table)
        print(f"\nclosing note (lookup and partners, {CLOSING_CLIENTS} clients, same run):")
        passed = self.agreed
        for query in ("lookup", "partners", "lookup-varied", "partners-varied"):
            if query not in self.queries:
                continue
            for against, target in CLOSING.items():
                for name in ("maillage", "maillage-nocache"):
                    got = ratio(self.cells, name, query, CLOSING_CLIENTS, against)
                    ok = got is not None and got >= target
                    if "varied" not in query and name == "maillage":
                        passed &= ok
                    verdict = "pass" if ok else "FAIL" if got is not None else "not measured"
                    extra = (" (information: not in the closing note)"
                             if "varied" in query or name != "maillage" else "")
                    print(f"  {name} /sparql {query}: {_fmt(got, 2)}× {against} (needs ≥ "
                          f"{target:g}×): {verdict}{extra}")
        if not self.agreed:
            print("  the servers do not give the same rows: see the row check above")
        print(f"  → {'done' if passed else 'not done'}")
        return passed


def start_servers(run: Run, work: Path, data: Path, times: dict[str, float],
                  args: argparse.Namespace) -> None:
    """rdflib-endpoint first (its parse is timed alone), then maillage and Oxigraph."""
    if not args.no_rdflib:
        port = free_port()
        rdf = run.servers["rdflib-endpoint"] = start(
            "rdflib-endpoint", [str(BIN / "rdflib-endpoint"), "serve", str(data), "--host",
                                "127.0.0.1", "--port", str(port)],
            f"http://127.0.0.1:{port}/", work / "rdflib-endpoint.log")
        print("rdflib-endpoint: parsing the data…", flush=True)
        if wait_ready(rdf, args.rdflib_load_limit) is None:
            rdf.skipped = (f"not answering {args.rdflib_load_limit:g} s after start: skipped "
                           f"(see {work / 'rdflib-endpoint.log'})")
            stop(rdf)
        else:
            times["rdflib-endpoint: start, parse the N-Quads into memory"] = rdf.ready_s
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAILLAGE_")}
    env["MAILLAGE_STORE"] = str(work / "maillage-store")
    if args.maillage_workers is not None:
        env["MAILLAGE_WORKERS"] = str(args.maillage_workers)
    # The same store twice: default settings, and without the answer cache (every request
    # evaluated by the engine), so that both are measured in the same run.
    for name, extra in (("maillage", {}), ("maillage-nocache", {"MAILLAGE_RESULT_CACHE_MB": "0"})):
        if name == "maillage-nocache" and args.no_nocache:
            continue
        port = free_port()
        run.servers[name] = start(
            name, [sys.executable, "-m", "api.cli", "serve", "--host", "127.0.0.1",
                   "--port", str(port)],
            f"http://127.0.0.1:{port}/sparql", work / f"{name}.log", {**env, **extra})
    port = free_port()
    run.servers["oxigraph"] = start(
        "oxigraph", [str(BIN / "oxigraph"), "serve-read-only", "--location",
                     str(work / "oxigraph-store"), "--bind", f"127.0.0.1:{port}",
                     "--union-default-graph"],
        f"http://127.0.0.1:{port}/query", work / "oxigraph.log")
    for name in ("maillage", "maillage-nocache", "oxigraph"):
        if name not in run.servers:
            continue
        if wait_ready(run.servers[name], 120) is None:
            raise RuntimeError(f"{name} did not start: see {work / (name + '.log')}")
        times[f"{name} server: start to first answer"] = run.servers[name].ready_s


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, help="where data and stores go (default: a "
                        "temporary directory, removed at the end)")
    parser.add_argument("--duration", type=float, help="seconds per cell (default 10; 3 quick)")
    parser.add_argument("--clients", help="comma-separated connection counts (default 2,8,16; "
                        "2,8 quick)")
    parser.add_argument("--quick", action="store_true", help="3 s cells, 2 and 8 clients")
    parser.add_argument("--vary", action="store_true",
                        help="also measure lookup and partners with a different parameter on "
                             "each request")
    parser.add_argument("--no-rdflib", action="store_true", help="leave rdflib-endpoint out")
    parser.add_argument("--rdflib-load-limit", type=float, default=120.0)
    parser.add_argument("--rdflib-timeout", type=float, default=60.0,
                        help="longest single aggregation run for rdflib to be measured")
    parser.add_argument("--maillage-workers", type=int,
                        help="MAILLAGE_WORKERS (default: the service's default, one per core)")
    parser.add_argument("--no-nocache", action="store_true",
                        help="leave out maillage without its answer cache")
    parser.add_argument("--quiet-wait", type=float, default=120.0,
                        help="most seconds, over the run, spent waiting for other jobs on the "
                             "machine to go quiet or measuring cells again (default 120; 0: "
                             "never)")
    parser.add_argument("--loader", choices=("wrk", "python"),
                        help="load generator (default: wrk if installed)")
    args = parser.parse_args(argv)
    seconds = args.duration or (3.0 if args.quick else 10.0)
    clients = [int(c) for c in (args.clients or ("2,8" if args.quick else "2,8,16")).split(",")]
    loader = args.loader or ("wrk" if shutil.which("wrk") else "python")
    if loader == "python":
        print("wrk not found (apt-get install -y wrk): using the Python load generator "
              "(asyncio + httpx in a separate process), which tops out far below wrk: the "
              "fastest cells measure the generator, not the server.", flush=True)
    run = Run(benchmark_queries(args.vary), clients, seconds, 1.0 if args.quick else 2.0,
              run_wrk if loader == "wrk" else run_python_load)
    own_work = args.workdir is None
    work = Path(tempfile.mkdtemp(prefix="maillage-bench-")) if own_work else args.workdir
    work.mkdir(parents=True, exist_ok=True)
    t_run = time.perf_counter()
    times: dict[str, float] = {}
    try:
        print(f"work directory: {work}", flush=True)
        data, counts = build_data(work, times)
        total = counts["shipped"] + counts["synthetic"]
        print(f"dataset: {total:,} quads ({counts['shipped']:,} shipped + "
              f"{counts['synthetic']:,} synthetic), {data.stat().st_size / 1e6:,.0f} MB of "
              "N-Quads", flush=True)
        for folder in ("maillage-store", "oxigraph-store"):
            shutil.rmtree(work / folder, ignore_errors=True)
        times["maillage store: pyoxigraph bulk_load + optimize, on disk"] = load_maillage(
            data, work / "maillage-store")
        times["oxigraph store: `oxigraph load` + `oxigraph optimize`"] = load_oxigraph(
            data, work / "oxigraph-store")
        start_servers(run, work, data, times, args)
        run.foreign = ForeignLoad(run.servers)
        run.quiet_budget = args.quiet_wait
        run.foreign.start()
        time.sleep(2)
        if (others := run.foreign.cores()) > 0.2:
            print(f"warning: other jobs are using {others:.1f} of {os.cpu_count()} cores: "
                  "numbers will be low and noisy (cells measured beside them are flagged)")
        print()
        print_table(("step", "seconds"), [(k, f"{v:.1f}") for k, v in times.items()])

        # the same rows everywhere (rdflib's aggregation is checked at the end)
        print("\nrows per server (first variants), values compared with numbers normalised:")
        deferred = [("rdflib-endpoint", "aggregation")]
        checks = []
        for query in run.queries:
            for name in run.live:
                if (name, query) in deferred:
                    continue
                try:
                    checks.append(run.check(name, query, REQUEST_TIMEOUT))
                except (httpx.HTTPError, ValueError, KeyError) as exc:
                    run.agreed = False
                    checks.append((query, name, f"error: {exc}"[:80], "–", "NO"))
        print_table(("query", "server", "rows", "first run ms", "same rows as maillage"), checks)

        print(f"\nload: {loader}, {seconds:g} s per cell, {run.warmup:g} s warm-up per server "
              f"and query, clients {clients}", flush=True)
        for query in run.queries:
            run.measure([name for name in run.live if (name, query) not in deferred], query)
        for name, query in deferred:
            if name not in run.live:
                continue
            try:
                row = run.check(name, query, args.rdflib_timeout)
            except httpx.TimeoutException:
                run.notes[(name, query)] = (f"one run did not answer within "
                                            f"{args.rdflib_timeout:g} s: not measured")
                print(f"\n{name} {query}: {run.notes[(name, query)]}", flush=True)
                continue
            except (httpx.HTTPError, ValueError, KeyError) as exc:
                run.notes[(name, query)] = f"error: {exc}"[:80]
                run.agreed = False
                continue
            print(f"\n{name} {query}: {row[2]} rows, first run {row[3]} ms, same rows as "
                  f"maillage: {row[4]}", flush=True)
            if run.first[(name, query)] > seconds / 2:
                run.notes[(name, query)] = (f"one run takes {row[3]} ms, over half a "
                                            f"{seconds:g} s cell: not measured")
                continue
            run.measure([name], query)

        run.report(loader, total)
        print(f"\nwhole run: {time.perf_counter() - t_run:,.0f} s")
        return 0
    finally:
        for server in run.servers.values():
            stop(server)
        if own_work:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
