"""The project's vocabulary in one place: base URI, namespaces, URI builders."""

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, ORG, OWL, PROV, RDF, RDFS, SKOS, TIME, XSD

BASE = "https://maillage.fr/"

MLG = Namespace(BASE + "def/ontologie#")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
CV = Namespace("http://data.europa.eu/m8g/")
SCHEMA = Namespace("https://schema.org/")
WDT = Namespace("http://www.wikidata.org/prop/direct/")
EPCI_TYPE = Namespace("http://id.insee.fr/codes/geo/typeDEPCI/")
ID = Namespace(BASE + "id/")
DEF = Namespace(BASE + "def/")
GRAPH = Namespace(BASE + "graph/")
SOFTWARE = ID["logiciel/maillage"]

PREFIXES: dict[str, str] = {
    "mlg": str(MLG),
    "igeo": str(IGEO),
    "org": str(ORG),
    "cv": str(CV),
    "schema": str(SCHEMA),
    "foaf": str(FOAF),
    "prov": str(PROV),
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "dcat": str(DCAT),
    "time": str(TIME),
    "wdt": str(WDT),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
}

__all__ = [
    "BASE", "CV", "DCAT", "DCTERMS", "DEF", "EPCI_TYPE", "FOAF", "GRAPH", "ID", "IGEO", "MLG",
    "ORG", "OWL", "PREFIXES", "PROV", "RDF", "RDFS", "SCHEMA", "SKOS", "SOFTWARE", "TIME", "WDT",
    "XSD", "concept", "sparql_prefixes",
]


def concept(scheme: str, notation: str) -> str:
    """IRI of a SKOS concept: ``concept("type-equipement", "creche")``."""
    return f"{BASE}def/{scheme}/{notation}"


def sparql_prefixes() -> str:
    """PREFIX declarations for every namespace in :data:`PREFIXES`."""
    return "".join(f"PREFIX {p}: <{iri}>\n" for p, iri in PREFIXES.items())
