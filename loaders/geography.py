"""The official geography of France (Etalab's packaging of INSEE's COG) → `/graph/geographie`.

Loads the current communes, the EPCI with their members, the départements and régions of
metropolitan France and the DROM (101 and 18); communes of the collectivités d'outre-mer are
loaded too, without a département (they have none in the COG sense).
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from pathlib import Path

from graph.paths import GEOGRAPHY_2026
from graph.vocab import EPCI_TYPE, GRAPH, ID, IGEO, MLG, RDF, RDFS, WDT
from loaders.ntriples import TripleWriter, iri, text, typed
from loaders.provenance import MIT, describe_dataset, describe_graph, sha256_of

GEOGRAPHY_GRAPH = str(GRAPH["geographie"])
TERRITORY_ZONES = ("metro", "drom")
EPCI_TYPES = {"CC": "CC", "CA": "CA", "CU": "CU", "METRO": "Metro", "MET69": "Metro"}
# INSEE "type de nom en clair" (TNCC): the article used after "de" before a name.
LIAISON = {0: "de ", 1: "d’", 2: "du ", 3: "de la ", 4: "des ", 5: "de l’", 6: "des ",
           7: "de las ", 8: "de los "}


@dataclass(frozen=True)
class Geography:
    """The raw tables of one millésime."""

    version: str
    communes: list[dict]
    epci: list[dict]
    departements: list[dict]
    regions: list[dict]
    files: tuple[Path, ...]

    @property
    def dataset(self) -> str:
        return f"{ID}jeu-de-donnees/decoupage-administratif-{self.version}"


def read_geography(folder: Path = GEOGRAPHY_2026) -> Geography:
    """Read the vendored JSON tables of a millésime (``{communes,epci,...}.json.gz``)."""
    version = folder.name.rsplit("-", 1)[-1]
    files = tuple(folder / f"{name}.json.gz" for name in ("communes", "epci", "departements",
                                                          "regions"))
    tables = [json.loads(gzip.decompress(path.read_bytes())) for path in files]
    return Geography(version, *tables, files=files)


def commune_uri(code: str) -> str:
    return f"{ID}commune/{code}"


def epci_uri(siren: str) -> str:
    return f"{ID}epci/{siren}"


def departement_uri(code: str) -> str:
    return f"{ID}departement/{code}"


def region_uri(code: str) -> str:
    return f"{ID}region/{code}"


def with_article(name: str, liaison: int) -> str:
    """``with_article("Ariège", 5)`` → ``"de l’Ariège"``."""
    return LIAISON.get(liaison, "de ") + name


_A = iri(str(RDF.type))
_LABEL = iri(str(RDFS.label))
_NOM = iri(str(IGEO.nom))
_CODE = iri(str(IGEO.codeINSEE))
_PARENT = iri(str(IGEO.subdivisionDirecteDe))


def _named(out: TripleWriter, s: str, cls: str, name: str) -> None:
    out.add(s, _A, iri(str(cls)))
    out.add(s, _NOM, text(name))
    out.add(s, _LABEL, text(name))


def geography_triples(geo: Geography) -> TripleWriter:
    """All triples of the geography graph, provenance included."""
    out = TripleWriter()
    describe_dataset(out, geo.dataset, title=f"Découpage administratif {geo.version} (COG)",
                     version=geo.version, licence=MIT, publisher="Etalab / INSEE",
                     sha256=sha256_of(*geo.files))
    describe_graph(out, GEOGRAPHY_GRAPH, geo.dataset, "Géographie administrative de la France")
    regions = {r["code"] for r in geo.regions if r["zone"] in TERRITORY_ZONES}
    departements = {d["code"] for d in geo.departements if d["zone"] in TERRITORY_ZONES}
    for r in geo.regions:
        if r["code"] in regions:
            s = iri(region_uri(r["code"]))
            _named(out, s, IGEO.Region, r["nom"])
            out.add(s, _CODE, typed(r["code"], "token"))
            out.add(s, iri(str(WDT.P2585)), text(r["code"], None))
    for d in geo.departements:
        if d["code"] in departements:
            s = iri(departement_uri(d["code"]))
            _named(out, s, IGEO.Departement, d["nom"])
            out.add(s, _CODE, typed(d["code"], "token"))
            out.add(s, _PARENT, iri(region_uri(d["region"])))
            out.add(s, iri(str(WDT.P2586)), text(d["code"], None))
    member_of = iri(str(MLG.memberOf))
    # The départements and régions an EPCI's member communes lie in, stored on the EPCI: a
    # 2-step path from a département or région to the facilities known only by an EPCI, where
    # the 3-step one through every commune costs the queries ~70 ms (benchmarks, session 4).
    place = {c["code"]: (c["departement"], c["region"]) for c in geo.communes
             if c["type"] == "commune-actuelle" and c["departement"] in departements}
    for e in geo.epci:
        s = iri(epci_uri(e["code"]))
        _named(out, s, IGEO.Intercommunalite, e["nom"])
        out.add(s, iri(str(MLG.siren)), typed(e["code"], "token"))
        out.add(s, iri(str(IGEO.typeDEPCI)), iri(str(EPCI_TYPE[EPCI_TYPES[e["type"]]])))
        out.add(s, iri(str(WDT.P1616)), text(e["code"], None))
        if "populationTotale" in e:
            out.add(s, iri(str(MLG.population)), typed(e["populationTotale"], "integer"))
        for m in e["membres"]:
            out.add(iri(commune_uri(m["code"])), member_of, s)
        spanned = [place[m["code"]] for m in e["membres"] if m["code"] in place]
        for dep in sorted({dep for dep, _ in spanned}):
            out.add(s, iri(str(MLG.spansDepartement)), iri(departement_uri(dep)))
        for reg in sorted({reg for _, reg in spanned}):
            out.add(s, iri(str(MLG.spansRegion)), iri(region_uri(reg)))
    for c in geo.communes:
        if c["type"] != "commune-actuelle":
            continue
        s = iri(commune_uri(c["code"]))
        _named(out, s, IGEO.Commune, c["nom"])
        out.add(s, _CODE, typed(c["code"], "token"))
        out.add(s, iri(str(WDT.P374)), text(c["code"], None))
        if c["departement"] in departements:
            out.add(s, _PARENT, iri(departement_uri(c["departement"])))
            out.add(s, iri(str(MLG.region)), iri(region_uri(c["region"])))
        if "siren" in c:
            out.add(s, iri(str(MLG.siren)), typed(c["siren"], "token"))
        if "population" in c:
            out.add(s, iri(str(MLG.population)), typed(c["population"], "integer"))
        for cp in c.get("codesPostaux", ()):
            out.add(s, iri(str(MLG.postalCode)), typed(cp, "token"))
    return out


__all__ = ["GEOGRAPHY_GRAPH", "Geography", "commune_uri", "departement_uri", "epci_uri",
           "geography_triples", "read_geography", "region_uri", "with_article"]
