"""Tests of ontology/maillage.ttl, ontology/schemes.ttl and ontology/shapes.ttl.

They check that the files parse, that every term is labelled and defined in French and English,
that the contract of docs/model.md is declared, that the ontology is consistent under HermiT (and
that an inconsistency would be caught), that the shapes are valid SHACL, and that the shapes
accept a small valid graph and reject broken ones, naming the faulty nodes.
"""

from __future__ import annotations

import re
from pathlib import Path

import pyshacl
import pytest
from owlready2 import OwlReadyInconsistentOntologyError, World, sync_reasoner
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY_DIR = ROOT / "ontology"
ONTOLOGY_TTL = ONTOLOGY_DIR / "maillage.ttl"
SCHEMES_TTL = ONTOLOGY_DIR / "schemes.ttl"
SHAPES_TTL = ONTOLOGY_DIR / "shapes.ttl"
MODEL_MD = ROOT / "docs" / "model.md"

ONTOLOGY_IRI = URIRef("https://maillage.fr/def/ontologie")
DEF = "https://maillage.fr/def/"
ID = "https://maillage.fr/id/"

MLG = Namespace("https://maillage.fr/def/ontologie#")
SH = Namespace("http://www.w3.org/ns/shacl#")
DCT = Namespace("http://purl.org/dc/terms/")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
FOAF = Namespace("http://xmlns.com/foaf/0.1/")
IGEO = Namespace("http://rdf.insee.fr/def/geo#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")  # open namespace: no pytest warning

PREFIXES = {
    "mlg": "https://maillage.fr/def/ontologie#",
    "igeo": "http://rdf.insee.fr/def/geo#",
    "org": "http://www.w3.org/ns/org#",
    "cv": "http://data.europa.eu/m8g/",
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "prov": "http://www.w3.org/ns/prov#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "dcat": "http://www.w3.org/ns/dcat#",
    "time": "http://www.w3.org/2006/time#",
}

TURTLE_PREFIXES = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in PREFIXES.items()) + (
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
    "@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .\n"
    "@prefix wdt: <http://www.wikidata.org/prop/direct/> .\n"
    "@base <https://maillage.fr/id/> .\n"
)


# ----------------------------------------------------------------------------------------------
# Fixtures
# ----------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY_TTL, format="turtle")


@pytest.fixture(scope="module")
def schemes() -> Graph:
    return Graph().parse(SCHEMES_TTL, format="turtle")


@pytest.fixture(scope="module")
def shapes() -> Graph:
    return Graph().parse(SHAPES_TTL, format="turtle")


@pytest.fixture(scope="module")
def vocabulary(ontology: Graph, schemes: Graph) -> Graph:
    """The ontology and the concept schemes together, as the data graph sees them."""
    graph = Graph()
    graph += ontology
    graph += schemes
    return graph


@pytest.fixture(scope="module")
def model_md() -> str:
    return MODEL_MD.read_text(encoding="utf-8")


def curie(term: str) -> URIRef:
    prefix, local = term.split(":", 1)
    return URIRef(PREFIXES[prefix] + local)


def languages(graph: Graph, subject, predicate) -> set[str]:
    return {o.language for o in graph.objects(subject, predicate) if isinstance(o, Literal)}


# ----------------------------------------------------------------------------------------------
# (a) Parsing and ontology header
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [ONTOLOGY_TTL, SCHEMES_TTL, SHAPES_TTL], ids=lambda p: p.name)
def test_file_parses(path: Path) -> None:
    graph = Graph().parse(path, format="turtle")
    assert len(graph) > 100, f"{path.name} parsed to only {len(graph)} triples"


def test_ontology_header(ontology: Graph) -> None:
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in ontology
    assert {"fr", "en"} <= languages(ontology, ONTOLOGY_IRI, DCT.title)
    assert ontology.value(ONTOLOGY_IRI, DCT.description) is not None
    assert ontology.value(ONTOLOGY_IRI, OWL.versionInfo) == Literal("0.1.0")
    assert ontology.value(ONTOLOGY_IRI, DCT.license) == URIRef(
        "https://www.etalab.gouv.fr/licence-ouverte-open-licence/"
    )
    assert ontology.value(ONTOLOGY_IRI, DCT.created) is not None


# ----------------------------------------------------------------------------------------------
# (b) Labels and definitions in French and English
# ----------------------------------------------------------------------------------------------


def mlg_terms(graph: Graph) -> set[URIRef]:
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
    return {
        s
        for kind in kinds
        for s in graph.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and str(s).startswith(str(MLG))
    }


def test_mlg_terms_labelled_and_defined_in_fr_and_en(ontology: Graph) -> None:
    terms = mlg_terms(ontology)
    assert len(terms) > 60
    problems = []
    for term in sorted(terms):
        if not {"fr", "en"} <= languages(ontology, term, RDFS.label):
            problems.append(f"{term}: rdfs:label @fr and @en")
        if not {"fr", "en"} <= languages(ontology, term, SKOS.definition):
            problems.append(f"{term}: skos:definition @fr and @en")
        if ontology.value(term, RDFS.isDefinedBy) != ONTOLOGY_IRI:
            problems.append(f"{term}: rdfs:isDefinedBy the ontology")
    assert not problems, "\n".join(problems)


def test_concepts_and_schemes_labelled_and_defined_in_fr_and_en(schemes: Graph) -> None:
    nodes = set(schemes.subjects(RDF.type, SKOS.Concept)) | set(
        schemes.subjects(RDF.type, SKOS.ConceptScheme)
    )
    assert len(nodes) > 80
    problems = []
    for node in sorted(nodes):
        if not {"fr", "en"} <= languages(schemes, node, SKOS.prefLabel) | languages(
            schemes, node, RDFS.label
        ):
            problems.append(f"{node}: skos:prefLabel @fr and @en")
        if not {"fr", "en"} <= languages(schemes, node, SKOS.definition):
            problems.append(f"{node}: skos:definition @fr and @en")
    assert not problems, "\n".join(problems)


def test_every_mlg_term_used_is_declared(ontology: Graph, schemes: Graph, shapes: Graph) -> None:
    """A typo in a property name (in the ontology, schemes or shapes) must not go unnoticed."""
    declared = mlg_terms(ontology)
    used = set()
    for graph in (ontology, schemes, shapes):
        for triple in graph:
            used |= {t for t in triple if isinstance(t, URIRef) and str(t).startswith(str(MLG))}
    assert used - declared == set()


def test_property_kinds_are_exclusive(ontology: Graph) -> None:
    objects = set(ontology.subjects(RDF.type, OWL.ObjectProperty))
    datatypes = set(ontology.subjects(RDF.type, OWL.DatatypeProperty))
    annotations = set(ontology.subjects(RDF.type, OWL.AnnotationProperty))
    assert objects & datatypes == set()
    assert (objects | datatypes) & annotations == set()
    assert (MLG.memberOf, OWL.inverseOf, MLG.hasMember) in ontology


def test_loose_properties_have_no_domain(ontology: Graph) -> None:
    """A property used on several classes says so with schema:domainIncludes, never rdfs:domain
    (an OWL domain would type every subject, e.g. make a convention a grant)."""
    loose = set(ontology.subjects(SCHEMA.domainIncludes, None))
    assert {MLG.evidence, MLG.territory, MLG.offer, MLG.loaderVersion} <= loose
    assert [p for p in loose if ontology.value(p, RDFS.domain) is not None] == []


# ----------------------------------------------------------------------------------------------
# The contract of docs/model.md
# ----------------------------------------------------------------------------------------------


def model_mlg_terms(model_md: str) -> set[str]:
    return set(re.findall(r"\bmlg:[A-Za-z]+\b", model_md))


def model_classes(model_md: str) -> set[str]:
    prefixes = "|".join(p for p in PREFIXES if p != "mlg")
    return set(re.findall(rf"\b(?:mlg|{prefixes}):[A-Z][A-Za-z]*\b", model_md))


def model_schemes(model_md: str) -> dict[str, dict[str, str | None]]:
    """{scheme: {notation: broader notation or None}} from the concept-scheme table."""
    section = model_md.split("## Concept schemes", 1)[1]
    result: dict[str, dict[str, str | None]] = {}
    for line in section.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) != 2 or not cells[0].startswith("`"):
            continue
        scheme = re.findall(r"`([^`]+)`", cells[0])[0]
        notations: dict[str, str | None] = {}
        for item in re.split(r",\s*(?=`)", cells[1]):
            names = re.findall(r"`([^`]+)`", item)
            if not names:
                continue
            broader = re.search(r"broader `([^`]+)`", item)
            notations[names[0]] = broader.group(1) if broader else None
        result[scheme] = notations
    return result


def test_model_md_terms_declared(ontology: Graph, model_md: str) -> None:
    terms = model_mlg_terms(model_md)
    assert len(terms) > 60
    declared = mlg_terms(ontology)
    missing = sorted(t for t in terms if curie(t) not in declared)
    assert not missing, f"terms of docs/model.md not declared in maillage.ttl: {missing}"


def test_model_md_classes_declared(ontology: Graph, model_md: str) -> None:
    missing = sorted(c for c in model_classes(model_md) if (curie(c), RDF.type, OWL.Class) not in ontology)
    assert not missing, f"classes of docs/model.md not declared as owl:Class: {missing}"


def test_subclass_links_of_model_md(ontology: Graph) -> None:
    prov = Namespace(PREFIXES["prov"])
    expected = [
        (MLG.Convention, prov.Entity),
        (MLG.SigningEvent, prov.Activity),
        (MLG.Evidence, prov.Entity),
        (MLG.Inference, prov.Entity),
        (MLG.SourceDocument, prov.Entity),
        (MLG.SourceDocument, FOAF.Document),
        (MLG.Facility, SCHEMA.Place),
        (MLG.Amendment, MLG.Convention),
    ]
    for sub, sup in expected:
        assert (sub, RDFS.subClassOf, sup) in ontology, f"{sub} ⊑ {sup}"
    assert (
        MLG.Convention,
        SKOS.closeMatch,
        URIRef("http://data.europa.eu/a4g/ontology#Contract"),
    ) in ontology


def test_model_md_schemes_and_notations(schemes: Graph, model_md: str) -> None:
    expected = model_schemes(model_md)
    assert len(expected) == 9, expected.keys()
    problems = []
    for scheme, notations in expected.items():
        scheme_iri = URIRef(DEF + scheme)
        if (scheme_iri, RDF.type, SKOS.ConceptScheme) not in schemes:
            problems.append(f"missing scheme {scheme_iri}")
        if not {"fr", "en"} <= languages(schemes, scheme_iri, DCT.title):
            problems.append(f"{scheme_iri}: dct:title @fr and @en")
        in_scheme = set(schemes.subjects(SKOS.inScheme, scheme_iri))
        wanted = {URIRef(f"{DEF}{scheme}/{n}") for n in notations}
        if in_scheme != wanted:
            problems.append(
                f"{scheme}: extra {sorted(in_scheme - wanted)}, missing {sorted(wanted - in_scheme)}"
            )
        for notation, broader in notations.items():
            concept = URIRef(f"{DEF}{scheme}/{notation}")
            if (concept, RDF.type, SKOS.Concept) not in schemes:
                problems.append(f"{concept}: not a skos:Concept")
            if schemes.value(concept, SKOS.notation) != Literal(notation):
                problems.append(f"{concept}: skos:notation {notation!r}")
            if broader:
                if (concept, SKOS.broader, URIRef(f"{DEF}{scheme}/{broader}")) not in schemes:
                    problems.append(f"{concept}: skos:broader {broader}")
                if (concept, SKOS.topConceptOf, scheme_iri) in schemes:
                    problems.append(f"{concept}: has a broader concept, so is not a top concept")
            else:
                if (concept, SKOS.topConceptOf, scheme_iri) not in schemes:
                    problems.append(f"{concept}: skos:topConceptOf {scheme}")
                if (scheme_iri, SKOS.hasTopConcept, concept) not in schemes:
                    problems.append(f"{scheme}: skos:hasTopConcept {notation}")
            if scheme == "role" and (concept, RDF.type, ORG.Role) not in schemes:
                problems.append(f"{concept}: a role concept is also an org:Role")
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("concept", "alt_label"),
    [
        ("type-convention/ctg", "CTG"),
        ("type-equipement/eaje", "EAJE"),
        ("type-equipement/relais-petite-enfance", "RPE"),
        ("type-equipement/relais-petite-enfance", "relais assistants maternels"),
        ("type-equipement/laep", "LAEP"),
        ("type-institution/conseil-departemental", "Conseil général"),
    ],
)
def test_usual_variants_are_alt_labels(schemes: Graph, concept: str, alt_label: str) -> None:
    assert Literal(alt_label, lang="fr") in set(schemes.objects(URIRef(DEF + concept), SKOS.altLabel))


# ----------------------------------------------------------------------------------------------
# (c) and (d) Consistency under HermiT (owlready2)
# ----------------------------------------------------------------------------------------------


def reason(graph: Graph, tmp_path: Path) -> tuple[bool, list[str]]:
    """Run HermiT on `graph`: (consistent?, IRIs of classes equivalent to owl:Nothing)."""
    path = tmp_path / "ontology.nt"
    graph.serialize(destination=path, format="nt", encoding="utf-8")
    world = World()
    onto = world.get_ontology(path.as_uri()).load()
    try:
        with onto:
            sync_reasoner(world, infer_property_values=False, debug=0)
    except OwlReadyInconsistentOntologyError:
        return False, []
    nothing = "http://www.w3.org/2002/07/owl#Nothing"
    return True, sorted(c.iri for c in world.inconsistent_classes() if c.iri != nothing)


def test_ontology_and_schemes_consistent(vocabulary: Graph, tmp_path: Path) -> None:
    consistent, unsatisfiable = reason(vocabulary, tmp_path)
    assert consistent, "HermiT finds ontology + schemes inconsistent"
    assert unsatisfiable == [], f"classes equivalent to owl:Nothing: {unsatisfiable}"


THING = URIRef(ID + "test/thing")


@pytest.mark.parametrize(
    "extra",
    [
        # one individual of two disjoint classes
        [(THING, RDF.type, MLG.Convention), (THING, RDF.type, MLG.Facility)],
        [(THING, RDF.type, SCHEMA.MonetaryGrant), (THING, RDF.type, MLG.Convention)],
        [(THING, RDF.type, IGEO.Commune), (THING, RDF.type, URIRef(PREFIXES["cv"] + "PublicOrganisation"))],
        # a range axiom makes an organisation an EPCI territory, disjoint from organisations
        [
            (URIRef(ID + "commune/09167"), MLG.memberOf, URIRef(ID + "organisation/epci-200066223")),
            (URIRef(ID + "organisation/epci-200066223"), RDF.type, ORG.Organization),
        ],
    ],
    ids=["convention-facility", "grant-convention", "commune-public-organisation", "memberOf-range"],
)
def test_inconsistency_is_detected(vocabulary: Graph, tmp_path: Path, extra) -> None:
    graph = Graph()
    graph += vocabulary
    for triple in extra:
        graph.add(triple)
    consistent, _ = reason(graph, tmp_path)
    assert not consistent, f"HermiT did not find {extra} inconsistent"


def test_unsatisfiable_class_is_detected(vocabulary: Graph, tmp_path: Path) -> None:
    graph = Graph()
    graph += vocabulary
    bogus = URIRef(ID + "test/ConventionFacility")
    graph.add((bogus, RDF.type, OWL.Class))
    graph.add((bogus, RDFS.subClassOf, MLG.Convention))
    graph.add((bogus, RDFS.subClassOf, MLG.Facility))
    consistent, unsatisfiable = reason(graph, tmp_path)
    assert consistent
    assert unsatisfiable == [str(bogus)]


# ----------------------------------------------------------------------------------------------
# (e) The shapes graph
# ----------------------------------------------------------------------------------------------


def test_shapes_are_valid_shacl(shapes: Graph) -> None:
    shacl_shacl = Path(pyshacl.__file__).parent / "assets" / "shacl-shacl.ttl"
    conforms, _, text = pyshacl.validate(shapes, shacl_graph=Graph().parse(shacl_shacl, format="turtle"))
    assert conforms, text


def test_every_shape_is_named_and_has_a_message(shapes: Graph) -> None:
    problems = []
    node_shapes = set(shapes.subjects(RDF.type, SH.NodeShape))
    assert len(node_shapes) > 25
    for shape in node_shapes:
        targets = list(shapes.objects(shape, SH.targetClass)) + list(
            shapes.objects(shape, SH.targetSubjectsOf)
        )
        if not targets:
            problems.append(f"{shape}: no target")
        if shapes.value(shape, RDFS.label) is None:
            problems.append(f"{shape}: no rdfs:label")
        if shapes.value(shape, SH.message) is None:
            problems.append(f"{shape}: no sh:message")
    for shape in set(shapes.objects(None, SH.property)):
        path = shapes.value(shape, SH.path)
        if shapes.value(shape, SH.name) is None:
            problems.append(f"property shape on {path}: no sh:name")
        message = shapes.value(shape, SH.message)
        if message is None or message.language != "en":
            problems.append(f"property shape on {path}: no English sh:message")
        elif isinstance(path, URIRef) and re.split(r"[#/]", str(path))[-1] not in str(message):
            problems.append(f"property shape on {path}: the sh:message does not name the field")
    assert not problems, "\n".join(problems)


def test_every_class_of_model_md_has_a_shape(ontology: Graph, shapes: Graph, model_md: str) -> None:
    targeted = set(shapes.objects(None, SH.targetClass))

    def covered(cls: URIRef) -> bool:
        if cls in targeted:
            return True
        supers = set(ontology.transitive_objects(cls, RDFS.subClassOf))
        subs = set(ontology.transitive_subjects(RDFS.subClassOf, cls))
        return bool((supers | subs) & targeted)

    missing = sorted(c for c in model_classes(model_md) if not covered(curie(c)))
    assert not missing, f"classes of docs/model.md without a shape: {missing}"
    for cls in ("igeo:Commune", "mlg:Convention", "mlg:Facility", "schema:MonetaryGrant", "skos:Concept"):
        assert curie(cls) in targeted, cls


# ----------------------------------------------------------------------------------------------
# (f) Validating data
# ----------------------------------------------------------------------------------------------

VALID_DATA = (
    TURTLE_PREFIXES
    + """
<region/76> a igeo:Region ;
    igeo:codeINSEE "76"^^xsd:token ; igeo:nom "Occitanie"@fr ; rdfs:label "Occitanie"@fr ;
    wdt:P2585 "76" .

<departement/09> a igeo:Departement ;
    igeo:codeINSEE "09"^^xsd:token ; igeo:nom "Ariège"@fr ; rdfs:label "Ariège"@fr ;
    igeo:subdivisionDirecteDe <region/76> ; wdt:P2586 "09" .

<epci/200066223> a igeo:Intercommunalite ;
    mlg:siren "200066223"^^xsd:token ; igeo:nom "CC Arize Lèze"@fr ; rdfs:label "CC Arize Lèze"@fr ;
    igeo:typeDEPCI <http://id.insee.fr/codes/geo/typeDEPCI/CC> ; mlg:population 10512 ;
    wdt:P1616 "200066223" .

<commune/09167> a igeo:Commune ;
    igeo:codeINSEE "09167"^^xsd:token ; igeo:nom "Lézat-sur-Lèze"@fr ; rdfs:label "Lézat-sur-Lèze"@fr ;
    mlg:siren "210901672"^^xsd:token ; mlg:population 2456 ; mlg:postalCode "09210"^^xsd:token ;
    igeo:subdivisionDirecteDe <departement/09> ; mlg:region <region/76> ;
    mlg:memberOf <epci/200066223> ; wdt:P374 "09167" .

<organisation/msa-midi-pyrenees-sud> a org:Organization , cv:PublicOrganisation ;
    rdfs:label "MSA Midi-Pyrénées Sud"@fr ; skos:prefLabel "MSA Midi-Pyrénées Sud"@fr ;
    skos:altLabel "MSA MPS"@fr ; mlg:institutionKind <https://maillage.fr/def/type-institution/msa> ;
    mlg:serves <departement/09> ;
    schema:address [ a schema:PostalAddress ; schema:addressLocality "Foix" ] .

<organisation/epci-200066223> a cv:PublicOrganisation ;
    rdfs:label "CC Arize Lèze"@fr ; mlg:institutionKind <https://maillage.fr/def/type-institution/epci> ;
    mlg:siren "200066223"^^xsd:token ; mlg:serves <epci/200066223> .

<personne/jean-dupont> a foaf:Person ; foaf:name "Jean Dupont" ; schema:honorificPrefix "Monsieur" .

<personne/jean-dupont/role/epci-200066223> a org:Membership ;
    org:member <personne/jean-dupont> ; org:organization <organisation/epci-200066223> ;
    org:role <https://maillage.fr/def/role/president> ; mlg:roleLabel "président de la CC Arize-Lèze"@fr ;
    mlg:evidence <test/evidence-1> .

<document/seed-000> a mlg:SourceDocument ;
    dct:title "La MSA Midi-Pyrénées Sud et la CC Arize-Lèze signent deux conventions"@fr ;
    dct:type "article de presse" ; dct:creator "C.L." ; dct:issued "2022-07-01"^^xsd:date ;
    mlg:fileName "documents/000_133c3ae0a5ee5a7b.txt" ;
    mlg:sha256 "133c3ae0a5ee5a7b000000000000000000000000000000000000000000000000" .

<test/evidence-1> a mlg:Evidence ;
    prov:value "la MSA Midi-Pyrénées Sud et la communauté de communes Arize-Lèze ont signé"@fr ;
    prov:wasQuotedFrom <document/seed-000> ; mlg:startOffset 120 ; mlg:endOffset 196 .

<test/inference-1> a mlg:Inference ;
    mlg:inferredProperty mlg:commune ;
    mlg:basis "« Lézat-sur-Lèze » = commune 09167 (COG 2026)"@fr ;
    prov:wasDerivedFrom <https://maillage.fr/graph/geographie> .

<convention/cf-msa-mps-arize-leze-2022> a mlg:Convention ;
    rdfs:label "Convention de financement MSA MPS – CC Arize-Lèze 2022"@fr ;
    mlg:conventionKind <https://maillage.fr/def/type-convention/convention-financement> ;
    mlg:signatory <organisation/msa-midi-pyrenees-sud> , <organisation/epci-200066223> ;
    mlg:representation <personne/jean-dupont/role/epci-200066223> ;
    mlg:signingEvent <convention/cf-msa-mps-arize-leze-2022/signature> ;
    dct:temporal <convention/cf-msa-mps-arize-leze-2022/periode> ;
    mlg:validFrom "2022-01-01"^^xsd:date ; mlg:validUntil "2024-12-31"^^xsd:date ;
    mlg:territory <epci/200066223> ;
    mlg:domain <https://maillage.fr/def/domaine/petite-enfance> ;
    mlg:link <convention/cf-msa-mps-arize-leze-2022/lien/signataire-msa> ;
    prov:wasDerivedFrom <document/seed-000> ;
    mlg:evidence <test/evidence-1> .

<convention/cf-msa-mps-arize-leze-2022/lien/signataire-msa> a mlg:Link ;
    mlg:linkProperty mlg:signatory ; mlg:linkTarget <organisation/msa-midi-pyrenees-sud> ;
    mlg:evidence <test/evidence-1> .

<epci/200066223> mlg:writtenName "la communauté de communes Arize-Lèze"@fr .

<convention/cf-msa-mps-arize-leze-2022/periode> a dct:PeriodOfTime , time:Interval ;
    dcat:startDate "2022"^^xsd:gYear ; dcat:endDate "2024"^^xsd:gYear ;
    time:hasXSDDuration "P3Y"^^xsd:duration .

<convention/cf-msa-mps-arize-leze-2022/signature> a mlg:SigningEvent ;
    mlg:date "2022-07-01"^^xsd:date ; mlg:location <commune/09167> ;
    mlg:evidence <test/evidence-1> , <test/inference-1> .

<equipement/creche-lezat-sur-leze> a mlg:Facility ;
    rdfs:label "Crèche de Lézat-sur-Lèze"@fr ;
    mlg:facilityKind <https://maillage.fr/def/type-equipement/creche> ;
    mlg:commune <commune/09167> ;
    mlg:facilityStatus <https://maillage.fr/def/statut-equipement/projet> ;
    mlg:evidence <test/evidence-1> , <test/inference-1> .

<financement/msa-mps-creche-lezat-sur-leze> a schema:MonetaryGrant ;
    rdfs:label "Financement MSA Midi-Pyrénées Sud de la crèche de Lézat-sur-Lèze"@fr ;
    schema:funder <organisation/msa-midi-pyrenees-sud> ;
    schema:fundedItem <equipement/creche-lezat-sur-leze> ;
    schema:amount <financement/msa-mps-creche-lezat-sur-leze/montant> ;
    mlg:underConvention <convention/cf-msa-mps-arize-leze-2022> ;
    mlg:offer <https://maillage.fr/def/offre/grandir-en-milieu-rural> ;
    mlg:fundingStatus <https://maillage.fr/def/statut-financement/engage> ;
    mlg:coFunder <organisation/epci-200066223> ;
    mlg:evidence <test/evidence-1> .

<financement/msa-mps-creche-lezat-sur-leze/montant> a schema:MonetaryAmount ;
    schema:value "50000"^^xsd:decimal ; schema:currency "EUR" .
"""
)

GRANT = URIRef(ID + "financement/msa-mps-creche-lezat-sur-leze")
AMOUNT = URIRef(ID + "financement/msa-mps-creche-lezat-sur-leze/montant")
FACILITY = URIRef(ID + "equipement/creche-lezat-sur-leze")
COMMUNE = URIRef(ID + "commune/09167")
ORGANISATION = URIRef(ID + "organisation/epci-200066223")
CONVENTION = URIRef(ID + "convention/cf-msa-mps-arize-leze-2022")
LINK = URIRef(ID + "convention/cf-msa-mps-arize-leze-2022/lien/signataire-msa")


@pytest.fixture(scope="module")
def valid_data() -> Graph:
    return Graph().parse(data=VALID_DATA, format="turtle")


def validate(vocabulary: Graph, data: Graph, shapes: Graph) -> tuple[bool, list[dict], str]:
    data_graph = Graph()
    data_graph += vocabulary
    data_graph += data
    conforms, report, text = pyshacl.validate(
        data_graph, shacl_graph=shapes, inference="none", allow_warnings=False
    )
    results = [
        {
            "focus": report.value(r, SH.focusNode),
            "path": report.value(r, SH.resultPath),
            "message": str(report.value(r, SH.resultMessage)),
        }
        for r in report.subjects(RDF.type, SH.ValidationResult)
    ]
    return conforms, results, text


def test_valid_data_conforms(vocabulary: Graph, valid_data: Graph, shapes: Graph) -> None:
    conforms, _, text = validate(vocabulary, valid_data, shapes)
    assert conforms, text


def test_broken_grant_and_facility_rejected(vocabulary: Graph, valid_data: Graph, shapes: Graph) -> None:
    broken = Graph()
    broken += valid_data
    broken.add((GRANT, SCHEMA.funder, ORGANISATION))  # a second funder
    broken.set((AMOUNT, SCHEMA.value, Literal("-50000", datatype=XSD.decimal)))  # negative
    broken.remove((FACILITY, MLG.facilityKind, None))  # facility with no kind

    conforms, results, text = validate(vocabulary, broken, shapes)
    assert not conforms
    assert {r["focus"] for r in results} == {GRANT, AMOUNT, FACILITY}, text
    by_focus_path = {(r["focus"], r["path"]): r["message"] for r in results}
    assert "schema:funder must be exactly one" in by_focus_path[(GRANT, SCHEMA.funder)]
    assert (GRANT, SCHEMA.amount) in by_focus_path  # the grant's amount does not conform
    assert "xsd:decimal >= 0" in by_focus_path[(AMOUNT, SCHEMA.value)]
    assert "mlg:Facility" in by_focus_path[(FACILITY, MLG.facilityKind)]
    assert str(GRANT) in text
    assert str(FACILITY) in text


@pytest.mark.parametrize(
    ("mutation", "focus", "path"),
    [
        ("commune-code", COMMUNE, IGEO.codeINSEE),
        ("kind-from-wrong-scheme", ORGANISATION, MLG.institutionKind),
        ("convention-without-evidence", CONVENTION, MLG.evidence),
        ("facility-nowhere", FACILITY, None),
        ("written-name-not-fr", URIRef(ID + "epci/200066223"), MLG.writtenName),
        ("link-without-target", LINK, MLG.linkTarget),
    ],
)
def test_broken_data_rejected(
    vocabulary: Graph, valid_data: Graph, shapes: Graph, mutation: str, focus: URIRef, path
) -> None:
    broken = Graph()
    broken += valid_data
    if mutation == "commune-code":
        broken.set((COMMUNE, IGEO.codeINSEE, Literal("9167", datatype=XSD.token)))
    elif mutation == "kind-from-wrong-scheme":
        broken.set((ORGANISATION, MLG.institutionKind, URIRef(DEF + "type-convention/ctg")))
    elif mutation == "convention-without-evidence":
        broken.remove((CONVENTION, MLG.evidence, None))
    elif mutation == "facility-nowhere":
        broken.remove((FACILITY, MLG.commune, None))
    elif mutation == "written-name-not-fr":
        broken.add((URIRef(ID + "epci/200066223"), MLG.writtenName, Literal("CC Arize Leze")))
    elif mutation == "link-without-target":
        broken.remove((LINK, MLG.linkTarget, None))
    conforms, results, text = validate(vocabulary, broken, shapes)
    assert not conforms
    assert {(r["focus"], r["path"]) for r in results} == {(focus, path)}, text
    assert all(r["message"] for r in results)


def test_amendment_is_validated_as_convention(vocabulary: Graph, valid_data: Graph, shapes: Graph) -> None:
    """An mlg:Amendment typed only as such is still targeted (through rdfs:subClassOf)."""
    data = Graph()
    data += valid_data
    amendment = URIRef(ID + "convention/avenant-1")
    data.add((amendment, RDF.type, MLG.Amendment))
    data.add((amendment, MLG.amends, CONVENTION))
    conforms, results, _ = validate(vocabulary, data, shapes)
    assert not conforms
    assert {r["focus"] for r in results} == {amendment}
    assert {r["path"] for r in results} >= {MLG.conventionKind, RDFS.label, MLG.evidence}
