"""A deterministic synthetic scale-up of the records, for benchmarks: one CTG per EPCI, ~15,000
facilities and ~60,000 fundings over the real 2026 geography and institution registry.

Every synthetic record is shaped as :mod:`loaders.records` shapes a real one (``docs/model.md``):
its own named graph ``/graph/record/synthetique-{n}`` described in itself (``prov:Entity``,
``prov:wasDerivedFrom`` its ``mlg:SourceDocument``), a ``mlg:Convention`` (``mlg:conventionKind``,
``mlg:signatory`` the Caf and MSA caisse serving the EPCI's département and the EPCI as an
authority, each with its qualified ``mlg:Link``; ``mlg:territory`` the EPCI, ``dct:temporal`` a
period with ``mlg:validFrom``/``mlg:validUntil``), ``mlg:Facility`` nodes in member communes, and
``schema:MonetaryGrant`` fundings of each facility by the Caf, the MSA, the conseil
départemental and the EPCI (``schema:amount``/``schema:value``, ``mlg:underConvention``). Facts
carry ``mlg:evidence`` → ``mlg:Evidence`` (``prov:value``, ``prov:wasQuotedFrom``, character
offsets), quoting a synthetic document text; the ``mlg:SourceDocument`` gives that text's size
and SHA-256, but the text itself is not written anywhere.

Run: ``.venv/bin/python benchmarks/synthetic.py OUT.nq [--seed 0]`` (N-Quads, ~0.8 M quads).
Same seed, same bytes.
"""

from __future__ import annotations

import argparse
import hashlib
import math
import random
import sys
import time
from collections import Counter
from pathlib import Path

from graph.vocab import DCAT, DCTERMS, FOAF, GRAPH, ID, MLG, PROV, RDF, RDFS, SCHEMA, SOFTWARE, TIME, concept
from loaders import LOADER_VERSION
from loaders.geography import Geography, commune_uri, epci_uri, read_geography, with_article
from loaders.institutions import RegistryEntry, organisation_uri, registry_entries
from loaders.ntriples import iri, text, typed

FACILITIES = 15_000
SEIGNANX = "244000659"  # served by the Caf du Pays Basque et du Seignanx (see loaders.institutions)
# kind notation (type-equipement) → (weight, label as written before "de {commune}")
KINDS = {
    "creche": (30, "Crèche"),
    "micro-creche": (10, "Micro-crèche"),
    "relais-petite-enfance": (15, "Relais petite enfance"),
    "laep": (10, "Lieu d’accueil enfants-parents"),
    "centre-social": (15, "Centre social"),
    "espace-vie-sociale": (8, "Espace de vie sociale"),
    "accueil-loisirs": (12, "Accueil de loisirs"),
}
# funder role → (lowest, highest) amount in EUR, drawn in steps of 500 €
AMOUNTS = {"caf": (10_000, 150_000), "msa": (2_000, 30_000), "cd": (5_000, 80_000),
           "epci": (10_000, 200_000)}
NO_AMOUNT = 0.1  # share of fundings whose text gives no amount

_P = {name: iri(str(uri)) for name, uri in {
    "a": RDF.type, "label": RDFS.label, "title": DCTERMS.title, "dtype": DCTERMS.type,
    "temporal": DCTERMS.temporal, "derived": PROV.wasDerivedFrom,
    "attributed": PROV.wasAttributedTo, "value": PROV.value, "quoted": PROV.wasQuotedFrom,
    "loader": MLG.loaderVersion, "file": MLG.fileName, "sha": MLG.sha256,
    "bytes": DCAT.byteSize, "start_date": DCAT.startDate, "end_date": DCAT.endDate,
    "duration": TIME.hasXSDDuration, "kind": MLG.conventionKind, "signatory": MLG.signatory,
    "territory": MLG.territory, "domain": MLG.domain, "from": MLG.validFrom,
    "until": MLG.validUntil, "evidence": MLG.evidence, "start": MLG.startOffset,
    "end": MLG.endOffset, "link": MLG.link, "link_prop": MLG.linkProperty,
    "link_target": MLG.linkTarget, "facility_kind": MLG.facilityKind, "commune": MLG.commune,
    "funder": SCHEMA.funder, "funded": SCHEMA.fundedItem, "amount": SCHEMA.amount,
    "money": SCHEMA.value, "currency": SCHEMA.currency, "under": MLG.underConvention,
}.items()}
_C = {name: iri(str(uri)) for name, uri in {
    "SourceDocument": MLG.SourceDocument, "Entity": PROV.Entity, "Document": FOAF.Document,
    "Convention": MLG.Convention, "Period": DCTERMS.PeriodOfTime, "Interval": TIME.Interval,
    "Evidence": MLG.Evidence, "Link": MLG.Link, "Facility": MLG.Facility,
    "Grant": SCHEMA.MonetaryGrant, "Amount": SCHEMA.MonetaryAmount,
}.items()}


def _digest(*parts: str) -> str:
    """The node digest of ``loaders.records`` (evidence and link URIs)."""
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]


class _Record:
    """One synthetic record: quads of its graph, and the text its excerpts are quoted from."""

    def __init__(self, n: int) -> None:
        self.name = f"synthetique-{n}"
        self.graph = iri(f"{GRAPH}record/{self.name}")
        self.doc_key = f"synthetique-{n}"
        self.doc = iri(f"{ID}document/{self.doc_key}")
        self.lines: list[str] = []
        self.text: list[str] = []
        self.size = 0  # characters of the text so far
        self.quotes: dict[str, str] = {}  # excerpt → evidence node

    def add(self, s: str, p: str, o: str) -> None:
        self.lines.append(f"{s} {p} {o} {self.graph} .\n")

    def quote(self, sentence: str) -> str:
        """Append ``sentence`` to the document text; its ``mlg:Evidence`` node."""
        if sentence in self.quotes:
            return self.quotes[sentence]
        start = self.size
        self.text.append(sentence)
        self.size += len(sentence) + 1  # one newline after each sentence
        ev = iri(f"{ID}preuve/{_digest(self.doc_key, str(start), sentence)}")
        self.add(ev, _P["a"], _C["Evidence"])
        self.add(ev, _P["value"], text(sentence))
        self.add(ev, _P["quoted"], self.doc)
        self.add(ev, _P["start"], typed(start, "integer"))
        self.add(ev, _P["end"], typed(start + len(sentence), "integer"))
        self.quotes[sentence] = ev
        return ev

    def describe(self, title: str) -> None:
        """The source document and the graph's description of itself (as the loader writes)."""
        raw = "".join(f"{line}\n" for line in self.text).encode("utf-8")
        d = self.doc
        for cls in ("SourceDocument", "Entity", "Document"):
            self.add(d, _P["a"], _C[cls])
        self.add(d, _P["title"], text(title))
        self.add(d, _P["label"], text(title))
        self.add(d, _P["dtype"], text("convention"))
        self.add(d, _P["file"], text(f"{self.doc_key}.txt", None))
        self.add(d, _P["sha"], text(hashlib.sha256(raw).hexdigest(), None))
        self.add(d, _P["bytes"], typed(len(raw), "nonNegativeInteger"))
        g = self.graph
        self.add(g, _P["a"], _C["Entity"])
        self.add(g, _P["label"], text(f"Fiche {self.name}"))
        self.add(g, _P["derived"], d)
        self.add(g, _P["attributed"], iri(str(SOFTWARE)))
        self.add(g, _P["loader"], text(LOADER_VERSION, None))


def _funders(geo: Geography) -> tuple[dict[str, str], dict[str, str], dict[str, RegistryEntry]]:
    """Keys of the Caf (or the CSSM) and of the MSA caisse serving each département code, and
    the registry by key."""
    caf: dict[str, str] = {}
    msa: dict[str, str] = {}
    entries = {e.key: e for e in registry_entries(geo)}
    for e in sorted(entries.values(), key=lambda e: e.key):
        for territory in e.serves:
            if "/departement/" not in territory:
                continue
            code = territory.rsplit("/", 1)[-1]
            if e.kind in ("caf", "caisse-securite-sociale"):
                caf.setdefault(code, e.key)
            elif e.kind == "msa":
                msa.setdefault(code, e.key)
    return caf, msa, entries


def _allocate(total: int, weights: list[float]) -> list[int]:
    """``total`` split in proportion to ``weights`` (largest remainders), at least 1 each."""
    base = len(weights)
    scale = (total - base) / sum(weights)
    shares = [w * scale for w in weights]
    counts = [1 + int(s) for s in shares]
    order = sorted(range(base), key=lambda i: (-(shares[i] - int(shares[i])), i))
    for i in order[: total - sum(counts)]:
        counts[i] += 1
    return counts


def _euros(amount: int) -> str:
    return f"{amount:,}".replace(",", " ") + " €"


def synthetic_ntriples(geo: Geography, seed: int = 0) -> bytes:
    """The synthetic records as N-Quads (each record in its own named graph), UTF-8."""
    rng = random.Random(seed)
    caf_of, msa_of, registry = _funders(geo)
    communes = {c["code"]: c for c in geo.communes if c["type"] == "commune-actuelle"}
    epcis = sorted(geo.epci, key=lambda e: e["code"])
    members = [[communes[m["code"]] for m in e["membres"] if m["code"] in communes] for e in epcis]
    per_epci = _allocate(FACILITIES, [math.sqrt(e.get("populationTotale") or 1) for e in epcis])
    kinds, kind_weights = list(KINDS), [w for w, _ in KINDS.values()]
    chunks: list[str] = []
    for n, (epci, towns, count) in enumerate(zip(epcis, members, per_epci, strict=True)):
        rec = _Record(n)
        siren, epci_name = epci["code"], epci["nom"]
        dep = Counter(c["departement"] for c in towns).most_common(1)[0][0]
        caf = "caf-pays-basque-seignanx" if siren == SEIGNANX else caf_of[dep]
        msa = msa_of.get(dep)
        start = 2021 + rng.randrange(5)
        end = start + 4
        # the convention
        slug = f"ctg-synthetique-{siren}-{start}-{end}"
        conv = iri(f"{ID}convention/{slug}")
        signatories = [caf, *([msa] if msa else []), f"epci-{siren}"]
        names = [registry[key].label for key in signatories]
        signed = rec.quote(f"{', '.join(names[:-1])} et {names[-1]} signent la convention "
                           f"territoriale globale pour la période {start}-{end}.")
        rec.add(conv, _P["a"], _C["Convention"])
        rec.add(conv, _P["label"], text(f"CTG {start}-{end} de {epci_name}"))
        rec.add(conv, _P["kind"], iri(concept("type-convention", "ctg")))
        if msa and n % 3 == 0:
            rec.add(conv, _P["kind"], iri(concept("type-convention", "charte-avec-les-familles")))
        rec.add(conv, _P["derived"], rec.doc)
        rec.add(conv, _P["evidence"], signed)
        period = iri(f"{ID}convention/{slug}/periode")
        rec.add(conv, _P["temporal"], period)
        rec.add(period, _P["a"], _C["Period"])
        rec.add(period, _P["a"], _C["Interval"])
        rec.add(period, _P["start_date"], typed(f"{start:04d}", "gYear"))
        rec.add(period, _P["end_date"], typed(f"{end:04d}", "gYear"))
        rec.add(period, _P["duration"], typed("P5Y", "duration"))
        rec.add(period, _P["evidence"], signed)
        rec.add(conv, _P["from"], typed(f"{start:04d}-01-01", "date"))
        rec.add(conv, _P["until"], typed(f"{end:04d}-12-31", "date"))
        targets = [(_P["signatory"], iri(organisation_uri(key))) for key in signatories]
        targets.append((_P["territory"], iri(epci_uri(siren))))
        prop_iri = {_P["signatory"]: str(MLG.signatory), _P["territory"]: str(MLG.territory)}
        for prop, target in targets:
            rec.add(conv, prop, target)
            link = iri(f"{ID}convention/{slug}/lien/{_digest(prop_iri[prop], target[1:-1])}")
            rec.add(conv, _P["link"], link)
            rec.add(link, _P["a"], _C["Link"])
            rec.add(link, _P["link_prop"], prop)
            rec.add(link, _P["link_target"], target)
            rec.add(link, _P["evidence"], signed)
        for domain in ("petite-enfance", "parentalite", "animation-vie-sociale"):
            rec.add(conv, _P["domain"], iri(concept("domaine", domain)))
        # facilities and their fundings
        funders = [("caf", caf), ("msa", msa), ("cd", f"cd-{dep.lower()}"),
                   ("epci", f"epci-{siren}")]
        weights = [c.get("population") or 1 for c in towns]
        seen: Counter[str] = Counter()
        for i in range(count):
            kind = rng.choices(kinds, kind_weights)[0]
            town = rng.choices(towns, weights)[0]
            label = f"{KINDS[kind][1]} {with_article(town['nom'], town['typeLiaison'])}"
            seen[label] += 1
            if seen[label] > 1:
                label += f" ({seen[label]})"
            fac = iri(f"{ID}equipement/{kind}-synthetique-{n}-{i}")
            grants = []
            for role, key in funders:
                if key is None:
                    continue
                low, high = AMOUNTS[role]
                amount = None if rng.random() < NO_AMOUNT else 500 * rng.randint(low // 500,
                                                                                  high // 500)
                grants.append((role, key, amount))
            said = ", ".join(f"{registry[key].label} ({_euros(a) if a else 'montant à préciser'})"
                             for _, key, a in grants)
            ev = rec.quote(f"{label} ({town['nom']}) reçoit le soutien de : {said}.")
            rec.add(fac, _P["a"], _C["Facility"])
            rec.add(fac, _P["label"], text(label))
            rec.add(fac, _P["facility_kind"], iri(concept("type-equipement", kind)))
            rec.add(fac, _P["commune"], iri(commune_uri(town["code"])))
            rec.add(fac, _P["evidence"], ev)
            for role, key, amount in grants:
                grant = iri(f"{ID}financement/{kind}-synthetique-{n}-{i}-{role}")
                rec.add(grant, _P["a"], _C["Grant"])
                rec.add(grant, _P["label"], text(f"Financement : {label} ({key})"))
                rec.add(grant, _P["funder"], iri(organisation_uri(key)))
                rec.add(grant, _P["funded"], fac)
                if amount is not None:
                    money = iri(f"{ID}financement/{kind}-synthetique-{n}-{i}-{role}/montant")
                    rec.add(grant, _P["amount"], money)
                    rec.add(money, _P["a"], _C["Amount"])
                    rec.add(money, _P["money"], typed(f"{amount:.2f}", "decimal"))
                    rec.add(money, _P["currency"], text("EUR", None))
                rec.add(grant, _P["under"], conv)
                rec.add(grant, _P["evidence"], ev)
        rec.describe(f"Convention territoriale globale {start}-{end} de {epci_name} "
                     "(document synthétique)")
        chunks.append("".join(rec.lines))
    return "".join(chunks).encode("utf-8")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write the synthetic records as N-Quads.")
    parser.add_argument("out", type=Path, help="output file (.nq)")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    data = synthetic_ntriples(read_geography(), args.seed)
    args.out.write_bytes(data)
    quads = data.count(b"\n")
    print(f"{quads:,} quads, {len(data) / 1e6:.1f} MB, "
          f"{time.perf_counter() - t0:.1f} s → {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
