"""Entity resolver: build time, accuracy on tests/resolver_cases.yaml, throughput.

Run: ``.venv/bin/python benchmarks/resolver.py`` (about ten seconds). Single-threaded, pinned to
one core where the OS allows it. The baseline, measured in the same run, is what one would
write without an index: a linear scan of every known name with :mod:`difflib`
(``get_close_matches``) over a small sample of the same names.
"""

from __future__ import annotations

import datetime
import difflib
import os
import random
import statistics
import time
from collections import Counter
from pathlib import Path

import yaml

from loaders.geography import read_geography
from loaders.history import all_millesimes
from loaders.institutions import registry_entries
from loaders.normalize import normalize
from loaders.resolver import Resolution, Resolver

CASES = Path(__file__).resolve().parents[1] / "tests" / "resolver_cases.yaml"
N_NAMES = 30_000
N_BASELINE = 60
SEED = 2026


def outcome(resolution: Resolution) -> str:
    return resolution.best.identifier if resolution.best else resolution.verdict


def run_case(resolver: Resolver, case: dict) -> Resolution:
    return resolver.resolve(case["name"], case.get("kind"), departement=case.get("departement"),
                            region=case.get("region"), date=case.get("date"))


def table(title: str, header: tuple[str, ...], rows: list[tuple]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    print(f"\n{title}")
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))


def typo(rng: random.Random, name: str) -> str:
    if len(name) < 4:
        return name
    i = rng.randrange(1, len(name) - 1)
    return [name[:i] + name[i + 1:], name[:i] + "e" + name[i + 1:], name[:i] + "r" + name[i:],
            name[:i] + name[i + 1] + name[i] + name[i + 2:]][rng.randrange(4)]


def workload(geo, organisations, rng: random.Random) -> list[str]:
    """Real names (communes, EPCI, départements, organisations) and variants of them."""
    communes = [c["nom"] for c in geo.communes if c["type"] == "commune-actuelle"]
    epci = [e["nom"] for e in geo.epci]
    others = [d["nom"] for d in geo.departements] + [o.label for o in organisations]
    names: list[str] = []
    variants = [
        lambda n: n, lambda n: n, lambda n: n.upper(), lambda n: n.lower().replace("-", " "),
        lambda n: normalize(n), lambda n: typo(rng, n),
    ]
    while len(names) < N_NAMES:
        pool = rng.choice((communes, communes, communes, epci, others))
        name = rng.choice(pool)
        if pool is epci and name.startswith("CC "):
            name = rng.choice(("Communauté de communes ", "CdC ", "CC ")) + name[3:]
        names.append(rng.choice(variants)(name))
    rng.shuffle(names)
    return names


def main() -> None:
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        core = f"pinned to CPU {min(os.sched_getaffinity(0))}"
    except (AttributeError, OSError):
        core = "not pinned"
    t0 = time.perf_counter()
    geo = read_geography()
    millesimes = all_millesimes(geo)
    organisations = registry_entries(geo)
    t_read = time.perf_counter() - t0
    t0 = time.perf_counter()
    resolver = Resolver.build(geo, millesimes, organisations)
    t_build = time.perf_counter() - t0
    index = resolver.index
    table("Build", ("step", "time", "size"), [
        ("read geography, 6 millésimes, registry", f"{t_read:.2f} s", ""),
        ("build the index", f"{t_build:.2f} s",
         f"{len(index.exact):,} keys, {len(index.deletions):,} typo variants"),
    ])

    groups = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    rows, single_ok, single_n, homonym_resolved = [], 0, 0, 0
    for group, cases in groups.items():
        ok = sum(outcome(run_case(resolver, c)) == c["expect"] for c in cases)
        singles = [c for c in cases if c["expect"] not in ("ambiguous", "unknown")]
        s_ok = sum(outcome(run_case(resolver, c)) == c["expect"] for c in singles)
        in_list = sum(any(x.identifier == c["expect"] for x in run_case(resolver, c).candidates)
                      for c in singles)
        single_ok, single_n = single_ok + s_ok, single_n + len(singles)
        homonym_resolved += sum(
            run_case(resolver, c).verdict == "resolved" for c in cases
            if c["expect"] == "ambiguous" and not any(k in c for k in ("departement", "region")))
        rows.append((group, len(cases), f"{ok / len(cases):.1%}",
                     f"{s_ok}/{len(singles)}" if singles else "-",
                     f"{in_list}/{len(singles)}" if singles else "-"))
    total = sum(len(c) for c in groups.values())
    rows.append(("ALL", total, "", f"{single_ok}/{single_n} = {single_ok / single_n:.2%}", ""))
    table("Accuracy on tests/resolver_cases.yaml (expect = identifier | ambiguous | unknown)",
          ("group", "cases", "verdict+id ok", "top-1 (one answer)", "in candidates"), rows)
    print(f"homonyms without context resolved: {homonym_resolved} (must be 0)")

    rng = random.Random(SEED)
    names = workload(geo, organisations, rng)
    resolve = resolver.resolve
    for name in names[:2000]:  # warm up
        resolve(name)
    runs = []
    verdicts: Counter[str] = Counter()
    for _ in range(3):
        t0 = time.perf_counter()
        for name in names:
            resolve(name)
        runs.append(time.perf_counter() - t0)
    for name in names:
        verdicts[resolve(name).verdict] += 1
    elapsed = statistics.median(runs)
    rate = len(names) / elapsed
    per_name = []
    for name in names[:5000]:
        t0 = time.perf_counter()
        resolve(name)
        per_name.append(time.perf_counter() - t0)
    per_name.sort()

    known = sorted({normalize(c["nom"]) for c in geo.communes}
                   | {normalize(e["nom"]) for e in geo.epci}
                   | {normalize(o.label) for o in organisations})
    sample = names[:N_BASELINE]
    t0 = time.perf_counter()
    for name in sample:
        difflib.get_close_matches(normalize(name), known, n=5, cutoff=0.8)
    baseline = N_BASELINE / (time.perf_counter() - t0)
    table(f"Throughput: {len(names):,} shuffled names (real + variants), one thread, {core}",
          ("method", "names/s", "µs/name (median, p99)", "ratio"), [
              ("resolver (index)", f"{rate:,.0f}",
               f"{statistics.median(per_name) * 1e6:.1f}, {per_name[len(per_name) * 99 // 100] * 1e6:.1f}",
               f"{rate / baseline:,.0f}x"),
              (f"baseline: difflib scan of {len(known):,} names ({N_BASELINE} names)",
               f"{baseline:,.1f}", f"{1e6 / baseline:,.0f}", "1x"),
          ])
    print("verdicts on the workload: " + ", ".join(f"{k} {v:,}" for k, v in verdicts.most_common()))
    print(f"target ≥ 20,000 names/s: {'met' if rate >= 20_000 else 'NOT met'}"
          f" ({datetime.date.today().isoformat()})")


if __name__ == "__main__":
    main()
