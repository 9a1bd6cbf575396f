"""Geography through time → `/graph/geographie-historique`.

From the millésimes 2021 → today (the COG of 1 January of each year):

- every (EPCI, commune) membership as a ``mlg:EpciMembership`` with the millésimes it is seen
  in (``mlg:millesime``), and ``mlg:validFrom`` / ``mlg:validUntil`` where it starts or ends
  inside the window (a membership seen in the first millésime has no known start);
- the names of communes and EPCI that changed, as ``mlg:NameVersion`` with their millésimes;
- communes that no longer exist (``mlg:FormerCommune``) and EPCI that no longer exist
  (``mlg:FormerEpci``), with the last millésime they are seen in and, for a commune merged into
  a commune nouvelle, its successor;
- today's communes déléguées and associées (``igeo:CommuneDeleguee``, ``igeo:CommuneAssociee``,
  URIs ``/id/commune-deleguee/{code}``, ``/id/commune-associee/{code}``), each a
  ``igeo:subdivisionDirecteDe`` of its current commune.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from graph.vocab import GRAPH, ID, IGEO, MLG, RDF, RDFS
from loaders.geography import commune_uri, epci_uri
from loaders.history import HISTORY, Millesime
from loaders.ntriples import TripleWriter, iri, text, typed
from loaders.provenance import MIT, describe_dataset, describe_graph, sha256_of

HISTORY_GRAPH = str(GRAPH["geographie-historique"])
HISTORY_DATASET = f"{ID}jeu-de-donnees/decoupage-administratif-millesimes"
DELEGATED_KINDS = {"commune-deleguee": ("commune-deleguee", IGEO.CommuneDeleguee),
                   "commune-associee": ("commune-associee", IGEO.CommuneAssociee)}

_A = iri(str(RDF.type))
_LABEL = iri(str(RDFS.label))


def _years_literals(out: TripleWriter, s: str, years: list[int], first: int, last: int) -> None:
    """``mlg:millesime`` for each year; validity bounds where they fall inside the window."""
    for y in years:
        out.add(s, iri(str(MLG.millesime)), typed(y, "gYear"))
    if years[0] > first:
        out.add(s, iri(str(MLG.validFrom)), typed(f"{years[0]}-01-01", "date"))
    if years[-1] < last:
        out.add(s, iri(str(MLG.validUntil)), typed(f"{years[-1]}-12-31", "date"))


def history_triples(millesimes: Sequence[Millesime]) -> TripleWriter:
    """All triples of the historical geography graph."""
    out = TripleWriter()
    first, last = millesimes[0].year, millesimes[-1].year
    describe_dataset(out, HISTORY_DATASET,
                     title=f"Découpage administratif, millésimes {first}-{last} (COG)",
                     version=", ".join(f"{m.year}: {m.version}" for m in millesimes),
                     licence=MIT, publisher="Etalab / INSEE",
                     sha256=sha256_of(*sorted(HISTORY.glob("*.json.gz"))))
    describe_graph(out, HISTORY_GRAPH, HISTORY_DATASET, "Géographie administrative dans le temps")
    for m in millesimes:
        out.add(iri(HISTORY_GRAPH), iri("http://www.w3.org/ns/prov#wasDerivedFrom"),
                iri(m.dataset))
    current = millesimes[-1]
    current_communes = {c.code for c in current.communes if c.type == "commune-actuelle"}
    current_epci = {e.siren for e in current.epci}
    chef_lieu = {c.code: c.chef_lieu for c in current.communes if c.chef_lieu}

    memberships: dict[tuple[str, str], list[int]] = defaultdict(list)
    commune_names: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    epci_names: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    commune_seen: dict[str, list[int]] = defaultdict(list)
    epci_seen: dict[str, list[int]] = defaultdict(list)
    for m in millesimes:
        for c in m.communes:
            if c.type == "commune-actuelle":
                commune_names[c.code][c.name].append(m.year)
                commune_seen[c.code].append(m.year)
        for e in m.epci:
            epci_names[e.siren][e.name].append(m.year)
            epci_seen[e.siren].append(m.year)
            for code in e.members:
                memberships[(e.siren, code)].append(m.year)

    latest_name = {code: max(names, key=lambda n: names[n][-1]) for code, names in
                   commune_names.items()}
    for code, years in sorted(commune_seen.items()):
        if code in current_communes:
            continue
        s = iri(commune_uri(code))
        out.add(s, _A, iri(str(MLG.FormerCommune)))
        out.add(s, iri(str(IGEO.codeINSEE)), typed(code, "token"))
        out.add(s, _LABEL, text(latest_name[code]))
        out.add(s, iri(str(IGEO.nom)), text(latest_name[code]))
        out.add(s, iri(str(MLG.validUntil)), typed(f"{years[-1]}-12-31", "date"))
        successor = chef_lieu.get(code)
        if successor and successor in current_communes:
            out.add(s, iri(str(MLG.successor)), iri(commune_uri(successor)))
    for siren, years in sorted(epci_seen.items()):
        if siren in current_epci:
            continue
        s = iri(epci_uri(siren))
        name = max(epci_names[siren], key=lambda n: epci_names[siren][n][-1])
        out.add(s, _A, iri(str(MLG.FormerEpci)))
        out.add(s, iri(str(MLG.siren)), typed(siren, "token"))
        out.add(s, _LABEL, text(name))
        out.add(s, iri(str(IGEO.nom)), text(name))
        out.add(s, iri(str(MLG.validUntil)), typed(f"{years[-1]}-12-31", "date"))

    for (siren, code), years in sorted(memberships.items()):
        s = iri(f"{ID}epci/{siren}/membre/{code}")
        out.add(s, _A, iri(str(MLG.EpciMembership)))
        out.add(s, iri(str(MLG.epci)), iri(epci_uri(siren)))
        out.add(s, iri(str(MLG.member)), iri(commune_uri(code)))
        _years_literals(out, s, years, first, last)

    for base, names in (("commune", commune_names), ("epci", epci_names)):
        for code, variants in sorted(names.items()):
            if len(variants) < 2:
                continue
            entity = iri(f"{ID}{base}/{code}")
            for i, (name, years) in enumerate(sorted(variants.items(), key=lambda kv: kv[1][0])):
                s = iri(f"{ID}{base}/{code}/nom/{i + 1}")
                out.add(entity, iri(str(MLG.nameVersion)), s)
                out.add(s, _A, iri(str(MLG.NameVersion)))
                out.add(s, iri(str(MLG.name)), text(name))
                _years_literals(out, s, years, first, last)

    for c in current.communes:
        if c.type not in DELEGATED_KINDS:
            continue
        segment, cls = DELEGATED_KINDS[c.type]
        s = iri(f"{ID}{segment}/{c.code}")
        out.add(s, _A, iri(str(cls)))
        out.add(s, iri(str(IGEO.codeINSEE)), typed(c.code, "token"))
        out.add(s, _LABEL, text(c.name))
        out.add(s, iri(str(IGEO.nom)), text(c.name))
        if c.chef_lieu:
            out.add(s, iri(str(IGEO.subdivisionDirecteDe)), iri(commune_uri(c.chef_lieu)))
    return out


__all__ = ["HISTORY_GRAPH", "history_triples"]
