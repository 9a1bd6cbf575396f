"""The institution registry → `/graph/institutions`.

- one Caf per département (Pyrénées-Atlantiques: two; Mayotte: none, the CSSM instead),
  stated as inferred from the rule of the Caf network since 2011;
- the 35 MSA caisses and the départements each covers, from ``msa-caisses.csv``;
- one conseil départemental per département (inferred, one per département by law, with the
  collectivities that hold that role noted), one conseil régional per région, the État;
- every EPCI as an authority (``epci-{siren}``), serving its own territory.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from graph.paths import REFERENCE
from graph.vocab import CV, GRAPH, ID, MLG, ORG, PROV, RDF, RDFS, SKOS, concept
from loaders.geography import (
    TERRITORY_ZONES,
    Geography,
    departement_uri,
    epci_uri,
    region_uri,
    with_article,
)
from loaders.ntriples import TripleWriter, iri, text, typed
from loaders.provenance import LICENCE_OUVERTE, describe_dataset, describe_graph, sha256_of

INSTITUTIONS_GRAPH = str(GRAPH["institutions"])
MSA_CSV = REFERENCE / "msa-caisses.csv"
MSA_DATASET = f"{ID}jeu-de-donnees/msa-caisses-2026"
RULE_CAF = f"{ID}inference/une-caf-par-departement"
RULE_CD = f"{ID}inference/un-conseil-departemental-par-departement"
SEIGNANX = "244000659"  # CC du Seignanx (Landes), served by the Caf du Pays Basque et du Seignanx
# Départements whose conseil départemental role is held by another collectivity.
CD_NOTES = {
    "75": "Depuis 2019, la Ville de Paris exerce les compétences départementales (Conseil de Paris).",
    "2A": "Depuis 2018, la Collectivité de Corse exerce les compétences départementales.",
    "2B": "Depuis 2018, la Collectivité de Corse exerce les compétences départementales.",
    "67": "Depuis 2021, la Collectivité européenne d’Alsace exerce les compétences départementales.",
    "68": "Depuis 2021, la Collectivité européenne d’Alsace exerce les compétences départementales.",
    "972": "Depuis 2015, la Collectivité territoriale de Martinique exerce les compétences "
           "départementales et régionales.",
    "973": "Depuis 2015, la Collectivité territoriale de Guyane exerce les compétences "
           "départementales et régionales.",
}


# Former names of MSA caisses still met in texts (mergers of the 2010s).
MSA_FORMER_NAMES = {
    "msa-languedoc": ("MSA du Languedoc-Roussillon",),
    "msa-auvergne": ("MSA d’Auvergne",),
}


def organisation_uri(key: str) -> str:
    return f"{ID}organisation/{key}"


def slugify(name: str) -> str:
    """``slugify("Côtes Normandes")`` → ``"cotes-normandes"``."""
    plain = unicodedata.normalize("NFKD", name.replace("œ", "oe").replace("Œ", "Oe"))
    plain = "".join(ch for ch in plain if not unicodedata.combining(ch)).lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def msa_key(name: str) -> str:
    """Registry key of a MSA caisse: ``msa_key("MSA d'Ile-de-France")`` → ``"msa-ile-de-france"``."""
    rest = re.sub(r"^MSA\s+", "", name)
    rest = re.sub(r"^(d['’]|de la |de l['’]|des |du |de )", "", rest, flags=re.IGNORECASE)
    return "msa-" + slugify(rest)


def read_msa_caisses(path: Path = MSA_CSV) -> list[tuple[str, list[str]]]:
    """(name, département codes) of each caisse."""
    with path.open(encoding="utf-8", newline="") as handle:
        return [(row["caisse"], row["departements"].split(";")) for row in csv.DictReader(handle)]


@dataclass(frozen=True)
class RegistryEntry:
    """One organisation of the registry, as the resolver and the loaders see it."""

    key: str
    kind: str
    label: str
    alt_labels: tuple[str, ...]
    former_names: tuple[str, ...]
    serves: tuple[str, ...]  # territory URIs

    @property
    def uri(self) -> str:
        return organisation_uri(self.key)


class _Org:
    def __init__(self, out: TripleWriter) -> None:
        self.out = out
        self.entries: list[RegistryEntry] = []

    @property
    def keys(self) -> list[str]:
        return [e.key for e in self.entries]

    def add(self, key: str, kind: str, label: str, *, public: bool = True,
            alt: tuple[str, ...] = (), serves: tuple[str, ...] = (),
            evidence: str | None = None, note: str | None = None,
            former: tuple[str, ...] = ()) -> str:
        self.entries.append(RegistryEntry(key, kind, label, alt, former, serves))
        s = iri(organisation_uri(key))
        add = self.out.add
        add(s, iri(str(RDF.type)), iri(str(ORG.Organization)))
        if public:
            add(s, iri(str(RDF.type)), iri(str(CV.PublicOrganisation)))
        add(s, iri(str(MLG.institutionKind)), iri(concept("type-institution", kind)))
        add(s, iri(str(SKOS.prefLabel)), text(label))
        add(s, iri(str(RDFS.label)), text(label))
        for name in alt:
            add(s, iri(str(SKOS.altLabel)), text(name))
        for name in former:
            add(s, iri(str(SKOS.altLabel)), text(name))
            add(s, iri(str(SKOS.historyNote)), text(f"Ancien nom : {name}"))
        for territory in serves:
            add(s, iri(str(MLG.serves)), iri(territory))
        if evidence:
            add(s, iri(str(MLG.evidence)), iri(evidence))
        if note:
            add(s, iri(str(SKOS.note)), text(note))
        return s


def _rule(out: TripleWriter, rule: str, basis: str, dataset: str) -> None:
    r = iri(rule)
    out.add(r, iri(str(RDF.type)), iri(str(MLG.Inference)))
    out.add(r, iri(str(MLG.inferredProperty)), iri(str(MLG.serves)))
    out.add(r, iri(str(MLG.basis)), text(basis))
    out.add(r, iri(str(PROV.wasDerivedFrom)), iri(dataset))


def institutions_triples(geo: Geography, msa_csv: Path = MSA_CSV) -> TripleWriter:
    """All triples of the institution registry."""
    return _build(geo, msa_csv).out


def institutions_keys(geo: Geography, msa_csv: Path = MSA_CSV) -> list[str]:
    """Keys of every organisation of the registry (``caf-82``, ``msa-ile-de-france``…)."""
    return _build(geo, msa_csv).keys


def registry_entries(geo: Geography, msa_csv: Path = MSA_CSV) -> list[RegistryEntry]:
    """Every organisation of the registry with its labels and the territories it serves."""
    return _build(geo, msa_csv).entries


def _build(geo: Geography, msa_csv: Path) -> _Org:
    out = TripleWriter()
    org = _Org(out)
    describe_dataset(out, MSA_DATASET, title="Caisses de MSA et départements couverts",
                     version="2026", licence=LICENCE_OUVERTE, publisher="MSA",
                     sha256=sha256_of(msa_csv))
    describe_graph(out, INSTITUTIONS_GRAPH, MSA_DATASET, "Registre des institutions")
    out.add(iri(INSTITUTIONS_GRAPH), iri(str(PROV.wasDerivedFrom)), iri(geo.dataset))
    _rule(out, RULE_CAF, "Une Caf par département depuis les fusions de 2011 ; exceptions : "
          "deux Caf dans les Pyrénées-Atlantiques (Béarn et Soule ; Pays Basque et Seignanx, qui "
          "sert aussi le Seignanx dans les Landes), aucune à Mayotte (CSSM).", geo.dataset)
    _rule(out, RULE_CD, "Un conseil départemental par département (loi du 17 mai 2013 ; "
          "« conseil général » avant 2015).", geo.dataset)
    for d in geo.departements:
        if d["zone"] not in TERRITORY_ZONES:
            continue
        code, name = d["code"], d["nom"]
        of = with_article(name, d["typeLiaison"])
        dep = departement_uri(code)
        if code == "64":
            org.add("caf-bearn-soule", "caf", "Caf du Béarn et de la Soule",
                    alt=("Caisse d’allocations familiales du Béarn et de la Soule",),
                    serves=(dep,), evidence=RULE_CAF)
            org.add("caf-pays-basque-seignanx", "caf", "Caf du Pays Basque et du Seignanx",
                    alt=("Caisse d’allocations familiales du Pays Basque et du Seignanx",),
                    serves=(dep, epci_uri(SEIGNANX)), evidence=RULE_CAF)
        elif code == "976":
            org.add("cssm", "caisse-securite-sociale", "Caisse de sécurité sociale de Mayotte",
                    alt=("CSSM",), serves=(dep,), evidence=RULE_CAF,
                    note="Mayotte n’a pas de Caf : la CSSM verse les prestations familiales.")
        else:
            org.add(f"caf-{code.lower()}", "caf", f"Caf {of}",
                    alt=(f"Caisse d’allocations familiales {of}", f"Caf {code}", f"CAF {code}"),
                    serves=(dep,), evidence=RULE_CAF)
        org.add(f"cd-{code.lower()}", "conseil-departemental", f"Conseil départemental {of}",
                alt=(f"Département {of}", f"Conseil général {of}", f"CD {code}"),
                serves=(dep,), evidence=RULE_CD, note=CD_NOTES.get(code))
    for name, codes in read_msa_caisses(msa_csv):
        key = msa_key(name)
        org.add(key, "msa", name,
                alt=(name.replace("MSA", "Mutualité sociale agricole", 1),),
                serves=tuple(departement_uri(c) for c in codes),
                former=MSA_FORMER_NAMES.get(key, ()))
    for r in geo.regions:
        if r["zone"] in TERRITORY_ZONES:
            of = with_article(r["nom"], r["typeLiaison"])
            org.add(f"conseil-regional-{r['code'].lower()}", "conseil-regional", f"Conseil régional {of}",
                    alt=(f"Région {r['nom']}",), serves=(region_uri(r["code"]),))
    org.add("etat", "etat", "État", alt=("l’État", "Préfecture"))
    for e in geo.epci:
        s = org.add(f"epci-{e['code']}", "epci", e["nom"], serves=(epci_uri(e["code"]),))
        out.add(s, iri(str(MLG.siren)), typed(e["code"], "token"))
    return org


__all__ = [
    "INSTITUTIONS_GRAPH",
    "RegistryEntry",
    "institutions_keys",
    "institutions_triples",
    "msa_key",
    "organisation_uri",
    "read_msa_caisses",
    "registry_entries",
    "slugify",
]
