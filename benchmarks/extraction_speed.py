"""Extractor throughput: documents per second on a few hundred generated variants of the seeds.

Run: ``.venv/bin/python benchmarks/extraction_speed.py [--n 300]``. Target: ≥ 50 documents/s on
one core for 3-5 kB texts.

The corpus is deterministic (seeded): each variant takes one of the five seed texts and
- swaps its EPCI for another real EPCI of the same type (CC, CA), its communes for that EPCI's
  member communes, its département, Caf and MSA for those that serve the new EPCI (2026
  geography, ``msa-caisses.csv``), and the neighbouring EPCI of seed 000 for another one;
- shifts its years, redraws its days, months, amounts and numbers of places;
- shuffles its paragraphs (the first stays first);
- drops lines or pads with neutral sentences to a size drawn in 3.15-5 kB (UTF-8 bytes), so
  that every variant is 3-5 kB.

The variants are written to a temporary folder and each timed document is
``extract(read_source(path), name=path.stem)``, single-threaded, pinned to one core where the
OS allows it; the first call on each seed (building indexes) is timed apart as the warm-up.
Baselines measured in the same run on the same files: reading and folding the text
(:func:`loaders.normalize.fold`), and a regex-only pass (dates, years, amounts, EPCI phrases,
capitalised names) — the floor any extractor pays.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from loaders.geography import read_geography
from loaders.institutions import read_msa_caisses
from loaders.normalize import fold

ROOT = Path(__file__).resolve().parents[1]
SEED = 2026
MONTHS = ("janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
          "octobre", "novembre", "décembre")
_DAY_MONTH = re.compile(r"\b(\d{1,2})(er|e)? (" + "|".join(MONTHS) + r")\b")
_YEAR = re.compile(r"\b(20[0-3]\d)\b")
_AMOUNT = re.compile(r"\b\d{1,3}(?:[.\u00a0\u202f ]\d{3})+ ?€")
_PLACES = re.compile(r"\b(\d{1,3}) places")
_EPCI_TYPE = re.compile(r"^(CC|CA|CU|Métropole)\s+(du |de la |de l'|de l’|des |de |d'|d’)?",
                        re.IGNORECASE)

# What each seed names, by role: the EPCI (as written, type words excluded), its communes, its
# département, its MSA caisse; and extra literal swaps built from the new names.
SEEDS: dict[str, dict] = {
    "000": {"type": "CC", "epci": ["Arize-Lèze"], "communes": ["Lézat-sur-Lèze"],
            "communes_at": ["au Fossat", "Au Fossat"], "msa": ["MSA Midi-Pyrénées Sud"],
            "other_epci": ["Cœur d’Astarac en Gascogne"], "other_dep": ["le Gers"]},
    "001": {"type": "CC", "epci": ["Terres des Confluences"], "dep": ["Tarn et Garonne"],
            "communes": ["Angeville", "Boudou", "Castelferrus", "Castelmayran", "Castelsarrasin",
                         "Caumont", "Cordes-Tolosannes", "Coutures", "Durfort-Lacapelette",
                         "Fajolles", "Garganvillar", "Labourgade", "Lafitte",
                         "La Ville Dieu du Temple", "Ville Dieu du Temple", "Lizac", "Moissac",
                         "Montaïn", "Montesquieu", "Saint Aignan", "Saint Arroumex",
                         "Saint Nicolas de la Grave", "Saint-Porquier"]},
    "002": {"type": "CA", "epci": ["Pays de Grasse"], "dep": ["Alpes-Maritimes"],
            "msa": ["MSA Provence Azur"]},
    "003": {"type": "CA", "dep": ["Essonne"], "communes": ["Étampes"],
            "epci": ["Etampois Sud Essonne", "Etampois Sud-Essonne", "Étampois Sud-Essonne"],
            "msa": ["MSA d'Ile-de-France", "MSA-IDF", "MSA IDF"],
            "msa_long": ["Mutualité Sociale Agricole d'Ile-de-France"],
            "dep_code": ["CAF 91", "CD 91"]},
    "004": {"type": "CC", "epci": ["U’ Aire a I’Argonne"]},
}
FILLER = [
    "La démarche s’appuie sur un diagnostic partagé avec l’ensemble des partenaires du territoire.",
    "Les familles et les habitants sont associés à chacune des étapes du projet.",
    "Un bilan annuel permettra de mesurer l’avancée des actions engagées.",
    "Les élus ont salué la qualité du travail mené par les équipes techniques.",
    "Cette coopération vise à simplifier les démarches des usagers et à renforcer l’accès aux services.",
    "Les actions seront ajustées au fil de l’eau selon les besoins exprimés par les familles.",
    "Plusieurs réunions publiques ont été organisées pour recueillir l’avis des habitants.",
    "Le projet s’inscrit dans la continuité des engagements pris lors des précédentes années.",
    "Les partenaires se retrouveront régulièrement pour faire le point sur le plan d’actions.",
    "Un effort particulier sera porté sur les publics les plus éloignés des services.",
    "La coordination entre les acteurs locaux reste la clé de la réussite de cette démarche.",
    "Des temps d’échange seront proposés aux professionnels de l’enfance et de la jeunesse.",
]


def strip_type(name: str) -> str:
    """« CC du Pays de Lure » → « Pays de Lure »: the EPCI name as the seeds write it after their
    own type words."""
    return _EPCI_TYPE.sub("", name, count=1)


class Geo:
    """The names a variant draws from: EPCI by type, members, départements, MSA caisses."""

    def __init__(self) -> None:
        geo = read_geography()
        commune_dep = {c["code"]: c["departement"] for c in geo.communes
                       if c.get("type") == "commune-actuelle"}
        self.departements = {d["code"]: d["nom"] for d in geo.departements}
        self.msa = {dep: name for name, deps in read_msa_caisses() for dep in deps}
        self.epci: dict[str, list[tuple[str, list[str], str]]] = {}
        for e in geo.epci:
            members = [m["nom"] for m in e["membres"]]
            dep = commune_dep.get(e["membres"][0]["code"]) if e["membres"] else None
            if dep in self.msa and len(members) >= 2:
                self.epci.setdefault(e["type"], []).append((e["nom"], members, dep))


def day(n: int) -> str:
    return "1er" if n == 1 else str(n)


def variant(rng: random.Random, seed: str, text: str, geo: Geo) -> str:
    spec = SEEDS[seed]
    name, members, dep = rng.choice(geo.epci[spec["type"]])
    other, _, other_dep = rng.choice(geo.epci["CC"])
    swaps: dict[str, str] = {}
    swaps.update(dict.fromkeys(spec.get("epci", []), strip_type(name)))
    swaps.update({old: members[i % len(members)] for i, old in enumerate(spec.get("communes", []))})
    swaps.update(dict.fromkeys(spec.get("communes_at", []), f"à {members[-1]}"))
    swaps.update(dict.fromkeys(spec.get("dep", []), geo.departements[dep]))
    swaps.update(dict.fromkeys(spec.get("msa", []), geo.msa[dep]))
    swaps.update(dict.fromkeys(spec.get("msa_long", []),
                               geo.msa[dep].replace("MSA", "Mutualité Sociale Agricole", 1)))
    swaps.update({old: f"{old[:-3]} {dep}" for old in spec.get("dep_code", [])})
    swaps.update(dict.fromkeys(spec.get("other_epci", []), strip_type(other)))
    swaps.update(dict.fromkeys(spec.get("other_dep", []), geo.departements[other_dep]))
    pattern = re.compile("|".join(re.escape(k) for k in sorted(swaps, key=len, reverse=True)))
    text = pattern.sub(lambda m: swaps[m.group(0)], text)

    shift = rng.randint(-3, 3)
    text = _YEAR.sub(lambda m: str(int(m.group(1)) + shift), text)
    text = _DAY_MONTH.sub(lambda m: f"{day(rng.randint(1, 28))} {rng.choice(MONTHS)}", text)
    text = _AMOUNT.sub(lambda m: f"{rng.randrange(5, 400) * 1000:,}".replace(",", ".") + "€", text)
    text = _PLACES.sub(lambda m: f"{rng.randint(8, 90)} places", text)
    return resize(rng, *shuffle(rng, text), rng.randint(3150, 5000))


def shuffle(rng: random.Random, text: str) -> tuple[str, list[str]]:
    """(separator, paragraphs): blank-line paragraphs when the text has them, else lines; the
    first stays first, the others are shuffled."""
    sep = "\n\n" if text.count("\n\n") >= 4 else "\n"
    parts = [p for p in text.split(sep) if p.strip()]
    rest = parts[1:]
    rng.shuffle(rest)
    return sep, [parts[0], *rest]


def resize(rng: random.Random, sep: str, parts: list[str], target: int) -> str:
    """Drop paragraphs (never the first) while over ``target`` UTF-8 bytes, then add neutral
    sentences while one more fits: the size ends within a sentence of ``target``."""
    parts = list(parts)
    size = len(sep.join(parts).encode())
    while size > target and len(parts) > 2:
        size -= len(parts.pop(rng.randrange(1, len(parts))).encode()) + len(sep)
    filler = rng.sample(FILLER, len(FILLER))
    for i in range(1000):
        sentence = filler[i % len(filler)]
        if size + len(sentence.encode()) + len(sep) > target:
            break
        parts.append(sentence)
        size += len(sentence.encode()) + len(sep)
    return sep.join(parts)


def build_corpus(n: int, folder: Path) -> list[Path]:
    rng = random.Random(SEED)
    geo = Geo()
    seeds = sorted((ROOT / "data" / "documents").glob("*.txt"))
    paths = []
    for i in range(n):
        src = seeds[i % len(seeds)]
        text = variant(rng, src.name[:3], src.read_text(encoding="utf-8"), geo)
        path = folder / f"{i:04d}_{src.stem}.txt"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def timed(fn: Callable[[Path], object], paths: list[Path], repeat: int) -> tuple[float, list[float]]:
    """(median seconds for the whole corpus, per-document seconds of the last pass)."""
    runs, per_doc = [], []
    for _ in range(repeat):
        per_doc = []
        t0 = time.perf_counter()
        for path in paths:
            t = time.perf_counter()
            fn(path)
            per_doc.append(time.perf_counter() - t)
        runs.append(time.perf_counter() - t0)
    return statistics.median(runs), sorted(per_doc)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--n", type=int, default=300, help="number of variants (default 300)")
    ap.add_argument("--repeat", type=int, default=3, help="timed passes; the median is kept")
    ap.add_argument("--keep", type=Path, help="write the corpus here and keep it")
    args = ap.parse_args()
    try:
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
        core = f"pinned to CPU {min(os.sched_getaffinity(0))}"
    except (AttributeError, OSError):
        core = "not pinned"

    from loaders.extract import extract, read_source

    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        t0 = time.perf_counter()
        paths = build_corpus(args.n, folder)
        t_build = time.perf_counter() - t0
        sizes = [p.stat().st_size for p in paths]

        t0 = time.perf_counter()
        for seed in sorted((ROOT / "data" / "documents").glob("*.txt")):
            extract(read_source(seed), name=seed.stem)
        warm = time.perf_counter() - t0

        def run_extractor(path: Path) -> object:
            return extract(read_source(path), name=path.stem)

        def read_fold(path: Path) -> object:
            return fold(path.read_text(encoding="utf-8"))

        regexes = [_DAY_MONTH, _YEAR, _AMOUNT, _PLACES,
                   re.compile(r"[Cc]ommunauté (?:de communes|d[’']agglomération) [A-ZÉÈ][^,.;\n]+"),
                   re.compile(r"\b(?:Caf|CAF|MSA|Caisse d[’']Allocations Familiales)\b[^,.;\n]{0,60}"),
                   re.compile(r"\b[A-ZÉÈ][a-zéèêëîïôûç]+(?:[- ][A-ZÉÈ][a-zéèêëîïôûç]+)+")]

        def regex_pass(path: Path) -> object:
            text = path.read_text(encoding="utf-8")
            return [r.findall(text) for r in regexes]

        total, per_doc = timed(run_extractor, paths, args.repeat)
        rate = len(paths) / total
        rows = [("extract(read_source(path))", rate, per_doc)]
        for label, fn in (("baseline: read + fold the text", read_fold),
                          ("baseline: regex-only pass (7 patterns)", regex_pass)):
            t, docs = timed(fn, paths, args.repeat)
            rows.append((label, len(paths) / t, docs))

    print(f"Corpus: {len(paths)} variants of the 5 seeds (seed {SEED}), built in {t_build:.2f} s; "
          f"size {min(sizes):,}-{max(sizes):,} bytes, mean {statistics.mean(sizes):,.0f}")
    print(f"Warm-up: first extract() on the 5 seeds {warm:.2f} s (index building, imports)")
    print(f"\nThroughput, one thread, {core}, median of {args.repeat} passes")
    header = ("method", "documents/s", "ms/doc (median, p99)", "extractor time / this")
    table = [(label, f"{r:,.1f}",
              f"{statistics.median(d) * 1e3:.2f}, {d[min(len(d) - 1, len(d) * 99 // 100)] * 1e3:.2f}",
              "1x" if i == 0 else f"{r / rate:,.1f}x")
             for i, (label, r, d) in enumerate(rows)]
    widths = [max(len(str(x)) for x in col) for col in zip(header, *table, strict=True)]
    for row in (header, tuple("-" * w for w in widths), *table):
        print("  ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))
    kb = statistics.mean(sizes) / 1000
    print(f"\n{rate * kb:,.0f} kB/s; target ≥ 50 documents/s: {'met' if rate >= 50 else 'NOT met'}")


if __name__ == "__main__":
    main()
