"""Extractor accuracy: per-field precision, recall and F1 of drafts against hand-written records.

Run: ``.venv/bin/python benchmarks/extraction.py [--check] [-v]``. Runs
``extract(read_source(path), name=path.stem)`` on every document of ``--docs`` that has a record
in ``--gold`` (matched by the file name in the record's ``document.file``), scores each draft
with :mod:`loaders.extract_eval` (the fields and how each is compared are defined there) and
prints one row per field, the overall micro-average, and the overall F1 of each document.
``--drafts DIR`` scores draft files already written (e.g. by ``maillage extract``) instead.

With ``--check`` the exit status is 1 when the overall F1 is under ``--min-overall`` or the F1 of
a critical field (fundings, territory, signing_date) under ``--min-critical``; 2 when there is
nothing to score or the extractor cannot be imported.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Mapping
from pathlib import Path

from loaders.extract_eval import CRITICAL, FIELDS, Counts, aggregate, differences, read_gold, score

ROOT = Path(__file__).resolve().parents[1]


def table(header: tuple[str, ...], rows: list[tuple]) -> None:
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows, strict=True)]
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths, strict=True)))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))


def prf(c: Counts) -> tuple[str, ...]:
    return f"{c.precision:.3f}", f"{c.recall:.3f}", f"{c.f1:.3f}", str(c.tp), str(c.fp), str(c.fn)


def drafts_by_running(docs: list[Path]) -> dict[str, tuple[Mapping, float, str]]:
    """Run the extractor on each document: name → (draft, seconds, error)."""
    from loaders.extract import extract, read_source

    out = {}
    for path in docs:
        t0 = time.perf_counter()
        try:
            draft, error = extract(read_source(path), name=path.stem), ""
        except Exception as exc:  # one failing document is reported, not fatal to the others
            draft, error = {}, f"{type(exc).__name__}: {exc}"
        out[path.name] = (draft, time.perf_counter() - t0, error)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=Path, default=ROOT / "data" / "documents")
    ap.add_argument("--gold", type=Path, default=ROOT / "data" / "records")
    ap.add_argument("--drafts", type=Path, help="score draft records in this folder instead")
    ap.add_argument("--check", action="store_true", help="exit 1 below the floors")
    ap.add_argument("--min-overall", type=float, default=0.9)
    ap.add_argument("--min-critical", type=float, default=0.95)
    ap.add_argument("--no-resolve", action="store_true",
                    help="score names given instead of codes as misses (no name resolver)")
    ap.add_argument("-v", "--verbose", action="store_true", help="list missed and extra facts")
    args = ap.parse_args(argv)

    gold = read_gold(args.gold)
    if args.drafts:
        found = read_gold(args.drafts)
        runs = {name: (found.get(name, {}), 0.0, "" if name in found else "no draft")
                for name in sorted(gold)}
        source = f"drafts in {args.drafts}"
    else:
        docs = sorted(p for p in args.docs.iterdir() if p.is_file() and not p.name.startswith("."))
        for p in docs:
            if p.name not in gold:
                print(f"skipped {p.name}: no record in {args.gold}", file=sys.stderr)
        docs = [p for p in docs if p.name in gold]
        try:
            runs = drafts_by_running(docs)
        except ImportError as exc:
            print(f"cannot import the extractor: {exc}", file=sys.stderr)
            return 2
        source = f"extract() on {args.docs}"
    for name in sorted(set(gold) - set(runs)):
        print(f"record for {name} has no document in {args.docs}", file=sys.stderr)
    if not runs:
        print("nothing to score", file=sys.stderr)
        return 2

    resolve = not args.no_resolve
    per_doc = {name: score(gold[name], draft, resolve=resolve) for name, (draft, _, _) in runs.items()}
    total = aggregate(per_doc.values())
    times = [t for _, t, _ in runs.values()]
    print(f"Extraction: {len(runs)} documents, {source}, gold {args.gold}")
    if sum(times):
        print(f"extractor time {sum(times):.2f} s, of which the first document {times[0]:.2f} s "
              f"(builds the indexes); see benchmarks/extraction_speed.py for throughput")
    print()
    table(("field", "P", "R", "F1", "tp", "fp", "fn"),
          [(f + (" *" if f in CRITICAL else ""), *prf(total[f])) for f in FIELDS]
          + [("overall", *prf(total["overall"]))])
    print("* critical field")
    print()
    rows = []
    for name, (_, t, error) in runs.items():
        overall = aggregate([per_doc[name]])["overall"]
        rows.append((name, *prf(overall), f"{t * 1000:.0f} ms", error))
    table(("document", "P", "R", "F1", "tp", "fp", "fn", "time", "error"), rows)

    if args.verbose:
        for name, (draft, _, _) in runs.items():
            print(f"\n{name}")
            for f, (missing, extra) in differences(gold[name], draft, resolve=resolve).items():
                for fact in sorted(missing, key=repr):
                    print(f"  {f:16} missing {fact}")
                for fact in sorted(extra, key=repr):
                    print(f"  {f:16} extra   {fact}")

    failures = [f"{f} F1 {total[f].f1:.3f} < {args.min_critical}"
                for f in CRITICAL if total[f].f1 < args.min_critical]
    if total["overall"].f1 < args.min_overall:
        failures.insert(0, f"overall F1 {total['overall'].f1:.3f} < {args.min_overall}")
    print()
    print(f"floors: overall F1 ≥ {args.min_overall}, {', '.join(CRITICAL)} F1 ≥ {args.min_critical}: "
          + ("met" if not failures else "NOT met — " + "; ".join(failures)))
    return 1 if args.check and failures else 0


if __name__ == "__main__":
    sys.exit(main())
