"""Tests of the records (data/records/*.yaml → /graph/record/{record}).

The seed records are checked against their documents (data/documents/*.txt) and against the
facts of /work/shared/DOMAIN.md. Broken records are seeds copied to tmp_path with one thing
broken (or the small files of tests/fixtures/); document.file stays relative to data/, so they
still point at the real documents.
"""

from __future__ import annotations

import copy
import hashlib
import shutil
from pathlib import Path

import pyoxigraph as ox
import pytest
import yaml
from rdflib import URIRef
from rdflib.namespace import RDF

from graph.errors import LoadError, ShapeViolationError
from graph.store import OxigraphStore
from loaders.pipeline import build_store, load_all
from loaders.records import load_record_file
from loaders.registry import Registry, build_registry
from loaders.validate import check_shapes, describe, referenced
from loaders.yaml_safe import MAX_BYTES

ROOT = Path(__file__).resolve().parents[1]
RECORDS = ROOT / "data" / "records"
DOCUMENTS = ROOT / "data" / "documents"
FIXTURES = Path(__file__).resolve().parent / "fixtures"

ID = "https://maillage.fr/id/"
ORG = ID + "organisation/"
CONV = ID + "convention/"
RECORD_GRAPH = "https://maillage.fr/graph/record/"
XSD = "http://www.w3.org/2001/XMLSchema#"
MLG = "https://maillage.fr/def/ontologie#"
GEO_DATASET = ID + "jeu-de-donnees/decoupage-administratif-6.0.0"
PREFIXES = """
PREFIX mlg: <https://maillage.fr/def/ontologie#>
PREFIX prov: <http://www.w3.org/ns/prov#>
PREFIX dcat: <http://www.w3.org/ns/dcat#>
PREFIX dct: <http://purl.org/dc/terms/>
PREFIX time: <http://www.w3.org/2006/time#>
PREFIX org: <http://www.w3.org/ns/org#>
PREFIX foaf: <http://xmlns.com/foaf/0.1/>
PREFIX schema: <https://schema.org/>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
"""

SEEDS = {
    "000-msa-mps-arize-leze.yaml": ("msa-mps-arize-leze", "seed-000-msa-mps-arize-leze"),
    "001-ctg-terres-des-confluences.yaml": ("ctg-terres-des-confluences",
                                            "seed-001-ctg-terres-des-confluences"),
    "002-ctg-charte-pays-de-grasse.yaml": ("ctg-charte-pays-de-grasse",
                                           "seed-002-ctg-charte-pays-de-grasse"),
    "003-pst-caese-2023-2026.yaml": ("pst-caese-2023-2026", "seed-003-pst-caese-2023-2026"),
    "004-charte-aire-a-l-argonne.yaml": ("charte-aire-a-l-argonne",
                                         "seed-004-charte-aire-a-l-argonne"),
}
# The 22 member communes the text of seed 001 lists, with their INSEE codes (COG 2026,
# Tarn-et-Garonne): Angeville, Boudou, Castelferrus, Castelmayran, Castelsarrasin, Caumont,
# Cordes-Tolosannes, Coutures, Durfort-Lacapelette, Fajolles, Garganvillar, Labourgade, Lafitte,
# La Ville Dieu du Temple, Lizac, Moissac, Montaïn, Montesquieu, Saint Aignan, Saint Arroumex,
# Saint Nicolas de la Grave, Saint-Porquier.
TERRES_DES_CONFLUENCES = [
    "82003", "82019", "82030", "82031", "82033", "82035", "82045", "82046", "82051", "82058",
    "82063", "82081", "82086", "82096", "82099", "82112", "82118", "82127", "82152", "82156",
    "82169", "82171",
]


@pytest.fixture(scope="module")
def registry(geography) -> Registry:
    return build_registry(geography)


def select(store: OxigraphStore, body: str) -> list[dict]:
    return store.query(PREFIXES + body).rows()


def seed(name: str) -> dict:
    return yaml.safe_load((RECORDS / name).read_text(encoding="utf-8"))


def write(folder: Path, name: str, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200),
                    encoding="utf-8")
    return path


def ntriples(g) -> set[str]:  # type: ignore[no-untyped-def]
    return set(g.serialize(format="nt", encoding="utf-8").decode().splitlines()) - {""}


def store_triples(store: OxigraphStore, graph: str) -> set[tuple[str, str, str]]:
    return {(str(q.subject), str(q.predicate), str(q.object))
            for q in store.raw.quads_for_pattern(None, None, None, ox.NamedNode(graph))}


# ----------------------------------------------------------------------------------------------
# The seed records
# ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_seed_record_loads(name: str, registry: Registry, store: OxigraphStore) -> None:
    record, document = SEEDS[name]
    loaded = load_record_file(RECORDS / name, registry)
    assert loaded.record.record == record
    assert loaded.record.document.key == document
    assert loaded.graph_uri == RECORD_GRAPH + record
    assert len(loaded.graph) > 300
    # the session store holds the same number of triples in that graph, derived from the document
    assert store.count(loaded.graph_uri) == len(loaded.graph)
    rows = select(store, f"SELECT ?d WHERE {{ GRAPH <{loaded.graph_uri}> {{ "
                         f"<{loaded.graph_uri}> prov:wasDerivedFrom ?d }} }}")
    assert [r["d"].value for r in rows] == [f"{ID}document/{document}"]


def test_all_seed_records_are_loaded(store: OxigraphStore) -> None:
    graphs = {g for g in store.graph_sizes() if g.startswith(RECORD_GRAPH)}
    assert graphs == {RECORD_GRAPH + record for record, _ in SEEDS.values()}
    assert sorted(p.name for p in RECORDS.glob("*.yaml")) == sorted(SEEDS)


@pytest.mark.parametrize("name", sorted(SEEDS))
def test_yaml_round_trip_of_a_seed_changes_nothing(name: str, tmp_path: Path,
                                                    registry: Registry) -> None:
    """Control for the broken-record tests: rewriting a seed with yaml.safe_dump (as they do)
    gives the same graph."""
    original = load_record_file(RECORDS / name, registry)
    rewritten = load_record_file(write(tmp_path, name, seed(name)), registry)
    assert ntriples(rewritten.graph) == ntriples(original.graph)


def test_loading_a_record_twice_gives_the_same_graph(registry: Registry) -> None:
    """Node IRIs (evidence, inferences, links) are derived from content, not random."""
    path = RECORDS / "003-pst-caese-2023-2026.yaml"
    first = ntriples(load_record_file(path, registry).graph)
    assert first == ntriples(load_record_file(path, registry).graph)
    assert not any("_:" in line for line in first)  # no blank nodes


def test_every_excerpt_is_at_its_offsets(store: OxigraphStore) -> None:
    rows = select(store, f"""SELECT DISTINCT ?g ?ev ?value ?start ?end ?file WHERE {{ GRAPH ?g {{
        ?ev a mlg:Evidence ; prov:value ?value ; mlg:startOffset ?start ; mlg:endOffset ?end ;
            prov:wasQuotedFrom ?doc .
        ?doc mlg:fileName ?file }}
        FILTER STRSTARTS(STR(?g), "{RECORD_GRAPH}") }}""")
    texts = {p.name: p.read_text(encoding="utf-8") for p in DOCUMENTS.glob("*.txt")}
    assert len(texts) == 5
    files = set()
    for r in rows:
        text = texts[r["file"].value]
        start, end = int(r["start"].value), int(r["end"].value)
        assert r["start"].datatype.value == XSD + "integer"
        assert 0 <= start < end <= len(text)
        assert text[start:end] == r["value"].value, r["ev"].value
        assert r["value"].language == "fr"
        files.add(r["file"].value)
    assert files == set(texts)
    assert len(rows) > 250
    # every evidence has exactly one value and one pair of offsets
    n = select(store, f"""SELECT (COUNT(DISTINCT ?ev) AS ?n) WHERE {{ GRAPH ?g {{ ?ev a mlg:Evidence }}
        FILTER STRSTARTS(STR(?g), "{RECORD_GRAPH}") }}""")
    assert int(n[0]["n"].value) == len(rows)


def test_documents_are_described_with_their_checksum(store: OxigraphStore) -> None:
    rows = select(store, f"""SELECT ?g ?doc ?file ?sha ?size WHERE {{ GRAPH ?g {{
        ?doc a mlg:SourceDocument ; mlg:fileName ?file ; mlg:sha256 ?sha ; dcat:byteSize ?size }}
        FILTER STRSTARTS(STR(?g), "{RECORD_GRAPH}") }}""")
    assert len(rows) == 5
    for r in rows:
        raw = (DOCUMENTS / r["file"].value).read_bytes()
        assert r["sha"].value == hashlib.sha256(raw).hexdigest()
        assert int(r["size"].value) == len(raw)


def test_evidence_points_to_the_document_of_its_graph(store: OxigraphStore) -> None:
    rows = select(store, f"""SELECT ?g ?node ?doc ?source WHERE {{ GRAPH ?g {{
        ?node mlg:evidence ?ev . ?ev a mlg:Evidence ; prov:wasQuotedFrom ?doc .
        ?g prov:wasDerivedFrom ?source }}
        FILTER STRSTARTS(STR(?g), "{RECORD_GRAPH}") }}""")
    assert len(rows) > 300
    wrong = [(r["node"].value, r["doc"].value) for r in rows if r["doc"] != r["source"]]
    assert wrong == []
    # each convention is derived from the document of its graph
    rows = select(store, f"""SELECT ?c ?doc ?source WHERE {{ GRAPH ?g {{
        ?c a mlg:Convention ; prov:wasDerivedFrom ?doc . ?g prov:wasDerivedFrom ?source }}
        FILTER STRSTARTS(STR(?g), "{RECORD_GRAPH}") }}""")
    assert {r["c"].value.removeprefix(CONV) for r in rows} == {
        "convention-actions-concertees-msa-mps-arize-leze-2022-2024",
        "convention-financement-msa-mps-arize-leze-2022", "ctg-cc-terres-des-confluences-2023-2027",
        "ctg-charte-ca-pays-de-grasse-2020-2023", "pst-caese-2023-2026", "pst-caese-2018-2022",
        "accord-partenarial-msa-caf-essonne-2014", "charte-cc-aire-a-l-argonne"}
    assert len(rows) == 8
    assert all(r["doc"] == r["source"] for r in rows)


def test_every_fact_node_carries_evidence(store: OxigraphStore) -> None:
    classes = ["mlg:Convention", "mlg:SigningEvent", "dct:PeriodOfTime", "mlg:Link", "mlg:Axis",
               "mlg:Objective", "mlg:Action", "mlg:GovernanceBody", "mlg:Commitment", "mlg:Phase",
               "mlg:Facility", "schema:MonetaryGrant", "org:Membership"]
    rows = select(store, f"""SELECT ?node ?cls WHERE {{ GRAPH ?g {{
        VALUES ?cls {{ {" ".join(classes)} }}
        ?node a ?cls FILTER NOT EXISTS {{ ?node mlg:evidence ?ev }} }}
        FILTER STRSTARTS(STR(?g), "{RECORD_GRAPH}") }}""")
    assert rows == []


def test_inferred_commune_of_the_creche_of_lezat(store: OxigraphStore) -> None:
    graph = RECORD_GRAPH + "msa-mps-arize-leze"
    creche = f"{ID}equipement/creche-lezat-sur-leze"
    rows = select(store, f"""SELECT ?commune ?prop ?basis ?src WHERE {{ GRAPH <{graph}> {{
        <{creche}> mlg:commune ?commune ; mlg:evidence ?inf .
        ?inf a mlg:Inference ; mlg:inferredProperty ?prop ; mlg:basis ?basis ;
             prov:wasDerivedFrom ?src }} }}""")
    assert len(rows) == 1
    row = rows[0]
    assert row["commune"].value == f"{ID}commune/09167"
    assert row["prop"].value == MLG + "commune"
    assert "09167" in row["basis"].value
    assert "Lézat-sur-Lèze" in row["basis"].value
    assert row["basis"].language == "fr"
    assert row["src"].value == GEO_DATASET
    # the facility also carries the excerpts that name it
    quotes = select(store, f"SELECT ?v WHERE {{ <{creche}> mlg:evidence/prov:value ?v }}")
    assert {q["v"].value for q in quotes} == {
        "deux crèches qui seront construites sur le territoire de la communauté de communes",
        "un premier prévu à Lézat-sur-Lèze"}


def test_every_inference_names_a_property_and_a_basis(store: OxigraphStore) -> None:
    rows = select(store, f"""SELECT ?inf (COUNT(DISTINCT ?p) AS ?np) (COUNT(DISTINCT ?b) AS ?nb)
        (SAMPLE(?b) AS ?basis) (SAMPLE(?p) AS ?prop) WHERE {{ GRAPH ?g {{
        ?x mlg:evidence ?inf . ?inf a mlg:Inference .
        OPTIONAL {{ ?inf mlg:inferredProperty ?p }} OPTIONAL {{ ?inf mlg:basis ?b }} }}
        FILTER STRSTARTS(STR(?g), "{RECORD_GRAPH}") }} GROUP BY ?inf""")
    assert len(rows) > 50
    for r in rows:
        assert int(r["np"].value) == 1, r["inf"].value
        assert int(r["nb"].value) == 1, r["inf"].value
        assert isinstance(r["prop"], ox.NamedNode)
        assert r["basis"].value.strip()


INFERRED_PROPERTY_CASES = [
    # (record, node, property whose value the record marks as inferred). The last three are
    # regressions: the inferred field used to be mapped to the wrong property.
    ("msa-mps-arize-leze", f"{ID}equipement/creche-le-fossat", MLG + "commune"),
    ("msa-mps-arize-leze", f"{ID}financement/msa-mps-creche-le-fossat", MLG + "coFunder"),
    ("ctg-terres-des-confluences", f"{CONV}ctg-cc-terres-des-confluences-2023-2027/signature",
     MLG + "location"),
    ("msa-mps-arize-leze", f"{ID}equipement/tiers-lieu-lezat-sur-leze", MLG + "facilityStatus"),
    ("ctg-terres-des-confluences", f"{ID}personne/dominique-briois/role/commune-82096",
     "http://www.w3.org/ns/org#organization"),
]


@pytest.mark.parametrize(("record", "node", "prop"), [
    pytest.param(r, n, p, id=n.rsplit("/", 2)[-2] + "/" + n.rsplit("/", 1)[-1])
    for r, n, p in INFERRED_PROPERTY_CASES
])
def test_inference_names_the_property_the_node_uses(store: OxigraphStore, record: str, node: str,
                                                     prop: str) -> None:
    """mlg:inferredProperty is "the property IRI whose value is inferred" (docs/model.md): the
    node carrying the inference must state a value with that property."""
    graph = RECORD_GRAPH + record
    rows = select(store, f"""SELECT ?p WHERE {{ GRAPH <{graph}> {{
        <{node}> mlg:evidence ?inf . ?inf a mlg:Inference ; mlg:inferredProperty ?p }} }}""")
    props = {r["p"].value for r in rows}
    assert props, "no inference on this node"
    rows = select(store, f"SELECT ?p WHERE {{ GRAPH <{graph}> {{ <{node}> ?p ?o }} }}")
    used = {r["p"].value for r in rows}
    assert prop in used
    assert prop in props


@pytest.mark.parametrize("link_property", [
    "signatory",
    "territory",
    "partner",  # regression: was mapped to mlg:signatory
    "representation",  # regression: was mapped to mlg:signatory
])
def test_inference_on_a_link_names_the_link_property(store: OxigraphStore, link_property: str) -> None:
    rows = select(store, f"""SELECT ?link ?p WHERE {{ GRAPH ?g {{
        ?link a mlg:Link ; mlg:linkProperty mlg:{link_property} ; mlg:evidence ?inf .
        ?inf a mlg:Inference ; mlg:inferredProperty ?p }}
        FILTER STRSTARTS(STR(?g), "{RECORD_GRAPH}") }}""")
    assert rows, "no inferred link of this kind in the seeds"
    assert {r["p"].value for r in rows} == {MLG + link_property}


def test_signatories_of_the_pst_caese_2023_2026(store: OxigraphStore) -> None:
    rows = select(store, f"SELECT ?o WHERE {{ <{CONV}pst-caese-2023-2026> mlg:signatory ?o }}")
    assert sorted(r["o"].value.removeprefix(ORG) for r in rows) == [
        "caf-91", "cd-91", "epci-200017846", "msa-ile-de-france"]


def test_signatories_of_the_ctg_terres_des_confluences(store: OxigraphStore) -> None:
    rows = select(store, f"SELECT ?o WHERE {{ <{CONV}ctg-cc-terres-des-confluences-2023-2027> "
                         "mlg:signatory ?o }")
    got = [r["o"].value.removeprefix(ORG) for r in rows]
    assert len(got) == 24
    assert set(got) == {f"commune-{c}" for c in TERRES_DES_CONFLUENCES} | {
        "caf-82", "epci-200066322"}
    # the commune authorities are minted from the geography, each serving its commune
    rows = select(store, f"""SELECT ?o ?c WHERE {{ GRAPH <{RECORD_GRAPH}ctg-terres-des-confluences> {{
        ?o a org:Organization ; mlg:institutionKind <https://maillage.fr/def/type-institution/commune> ;
           mlg:serves ?c }} }}""")
    assert {(r["o"].value.removeprefix(ORG), r["c"].value.removeprefix(ID)) for r in rows} == {
        (f"commune-{c}", f"commune/{c}") for c in TERRES_DES_CONFLUENCES}


def test_signing_of_the_ctg_terres_des_confluences(store: OxigraphStore) -> None:
    event = f"{CONV}ctg-cc-terres-des-confluences-2023-2027/signature"
    rows = select(store, f"""SELECT ?date ?time ?where ?venue WHERE {{
        <{CONV}ctg-cc-terres-des-confluences-2023-2027> mlg:signingEvent <{event}> .
        <{event}> a mlg:SigningEvent ; mlg:date ?date ; mlg:time ?time ; mlg:location ?where ;
                  mlg:venue ?venue }}""")
    assert len(rows) == 1
    r = rows[0]
    assert r["date"] == ox.Literal("2024-01-16", datatype=ox.NamedNode(XSD + "date"))
    assert r["time"] == ox.Literal("11:00:00", datatype=ox.NamedNode(XSD + "time"))
    assert r["where"].value == f"{ID}commune/82096"
    assert r["venue"] == ox.Literal("salle des mariages", language="fr")


def test_period_of_the_ctg_terres_des_confluences(store: OxigraphStore) -> None:
    conv = f"{CONV}ctg-cc-terres-des-confluences-2023-2027"
    rows = select(store, f"""SELECT ?start ?end ?duration ?from ?until WHERE {{
        <{conv}> dct:temporal ?p ; mlg:validFrom ?from ; mlg:validUntil ?until .
        ?p a dct:PeriodOfTime, time:Interval ; dcat:startDate ?start ; dcat:endDate ?end ;
           time:hasXSDDuration ?duration }}""")
    assert len(rows) == 1
    r = rows[0]
    assert r["start"] == ox.Literal("2023", datatype=ox.NamedNode(XSD + "gYear"))
    assert r["end"] == ox.Literal("2027", datatype=ox.NamedNode(XSD + "gYear"))
    assert r["duration"] == ox.Literal("P5Y", datatype=ox.NamedNode(XSD + "duration"))
    assert r["from"] == ox.Literal("2023-01-01", datatype=ox.NamedNode(XSD + "date"))
    assert r["until"] == ox.Literal("2027-12-31", datatype=ox.NamedNode(XSD + "date"))


def test_representatives_of_the_pst_caese(store: OxigraphStore) -> None:
    rows = select(store, f"""SELECT ?name ?org WHERE {{
        <{CONV}pst-caese-2023-2026> mlg:representation ?m .
        ?m org:member/foaf:name ?name ; org:organization ?org }}""")
    assert {(r["name"].value, r["org"].value.removeprefix(ORG)) for r in rows} == {
        ("Johann Mittelhausser", "epci-200017846"), ("Guillaume Lacroix", "caf-91"),
        ("Laurent Pilette", "msa-ile-de-france"), ("François Durovray", "cd-91")}


# ----------------------------------------------------------------------------------------------
# Broken records
# ----------------------------------------------------------------------------------------------


def _changed(name: str, change) -> dict:  # type: ignore[no-untyped-def]
    """A seed record as data, with ``change`` applied."""
    data = copy.deepcopy(seed(name))
    change(data)
    return data


def broken(tmp_path: Path, name: str, change) -> Path:  # type: ignore[no-untyped-def]
    return write(tmp_path, name, _changed(name, change))


def test_unknown_field_names_file_record_and_field(tmp_path: Path, registry: Registry) -> None:
    def typo(d: dict) -> None:
        signing = d["conventions"][0]["signing"]
        signing["dat"] = signing.pop("date")

    path = broken(tmp_path, "001-ctg-terres-des-confluences.yaml", typo)
    with pytest.raises(LoadError) as info:
        load_record_file(path, registry)
    message = str(info.value)
    assert str(path) in message
    assert info.value.file == str(path)
    assert "'ctg-terres-des-confluences'" in info.value.where
    assert info.value.where.endswith("conventions[0].signing.dat")


def test_unknown_top_level_field(tmp_path: Path, registry: Registry) -> None:
    def typo(d: dict) -> None:
        d["facilites"] = d.pop("facilities")

    path = broken(tmp_path, "000-msa-mps-arize-leze.yaml", typo)
    with pytest.raises(LoadError) as info:
        load_record_file(path, registry)
    assert info.value.where == "record 'msa-mps-arize-leze', facilites"


def test_excerpt_not_in_the_document(tmp_path: Path, registry: Registry) -> None:
    def invent(d: dict) -> None:
        d["facilities"][0]["excerpt"] = ["un premier prévu à Lézat-sur-Lèze",
                                         "une crèche de 500 places"]

    path = broken(tmp_path, "000-msa-mps-arize-leze.yaml", invent)
    with pytest.raises(LoadError) as info:
        load_record_file(path, registry)
    assert info.value.file == str(path)
    assert info.value.where == "record 'msa-mps-arize-leze', facilities[0].excerpt"
    assert "une crèche de 500 places" in info.value.reason
    assert "documents/000_133c3ae0a5ee5a7b.txt" in info.value.reason


def test_excerpt_with_another_apostrophe_is_not_verbatim(tmp_path: Path, registry: Registry) -> None:
    """The excerpt must be verbatim: the same words with an ordinary apostrophe are refused."""
    def respell(d: dict) -> None:
        d["organisations"][0]["excerpt"] = "par l'association Familles Rurales"

    path = broken(tmp_path, "001-ctg-terres-des-confluences.yaml", respell)
    with pytest.raises(LoadError) as info:
        load_record_file(path, registry)
    assert info.value.where.endswith("organisations[0].excerpt")


def test_unknown_commune_code(tmp_path: Path, registry: Registry) -> None:
    def wrong(d: dict) -> None:
        d["facilities"][0]["commune"] = "99999"

    path = broken(tmp_path, "000-msa-mps-arize-leze.yaml", wrong)
    with pytest.raises(LoadError) as info:
        load_record_file(path, registry)
    assert info.value.where == "record 'msa-mps-arize-leze', facilities[0].commune"
    assert "'99999'" in info.value.reason


def test_unknown_organisation_key(tmp_path: Path, registry: Registry) -> None:
    def wrong(d: dict) -> None:
        d["fundings"][0]["funder"] = "msa-midi-pyrenees-sud-ouest"

    path = broken(tmp_path, "000-msa-mps-arize-leze.yaml", wrong)
    with pytest.raises(LoadError) as info:
        load_record_file(path, registry)
    assert info.value.where == "record 'msa-mps-arize-leze', fundings[0].funder"
    assert "'msa-midi-pyrenees-sud-ouest'" in info.value.reason


def test_unknown_concept_notation(tmp_path: Path, registry: Registry) -> None:
    def wrong(d: dict) -> None:
        d["facilities"][0]["kind"] = "creche-geante"

    path = broken(tmp_path, "000-msa-mps-arize-leze.yaml", wrong)
    with pytest.raises(LoadError) as info:
        load_record_file(path, registry)
    assert info.value.where == "record 'msa-mps-arize-leze', facilities[0].kind"
    reason = info.value.reason
    assert "'creche-geante'" in reason
    assert "type-equipement" in reason
    for known in ("creche", "micro-creche", "eaje", "laep-itinerant", "relais-petite-enfance",
                  "centre-social", "tiers-lieu"):
        assert known in reason


def test_unknown_key_of_a_convention(tmp_path: Path, registry: Registry) -> None:
    def wrong(d: dict) -> None:
        d["fundings"][1]["convention"] = "convention-financement-inconnue"

    path = broken(tmp_path, "000-msa-mps-arize-leze.yaml", wrong)
    with pytest.raises(LoadError) as info:
        load_record_file(path, registry)
    assert info.value.where == "record 'msa-mps-arize-leze', fundings[1].convention"


def test_missing_document_file(tmp_path: Path, registry: Registry) -> None:
    def wrong(d: dict) -> None:
        d["document"]["file"] = "documents/absent.txt"

    path = broken(tmp_path, "002-ctg-charte-pays-de-grasse.yaml", wrong)
    with pytest.raises(LoadError) as info:
        load_record_file(path, registry)
    assert info.value.where == "record 'ctg-charte-pays-de-grasse', document.file"


# Regression (security): document.file was joined to data/ without any check.
def test_document_outside_data_is_refused(tmp_path: Path, registry: Registry) -> None:
    data = {"record": "probe", "document": {"key": "probe", "file": "../pyproject.toml",
                                            "title": "x", "type": "autre"},
            "organisations": [{"key": "probe-org", "label": "Probe", "kind": "autre",
                               "excerpt": 'name = "maillage"'}]}
    path = write(tmp_path, "probe.yaml", data)
    with pytest.raises(LoadError):
        load_record_file(path, registry)


def test_yaml_aliases_are_refused(registry: Registry) -> None:
    path = FIXTURES / "billion-laughs.yaml"
    with pytest.raises(LoadError) as info:
        load_record_file(path, registry)
    assert info.value.file == str(path)
    assert "aliases are not allowed" in info.value.reason


def test_a_single_alias_is_refused(tmp_path: Path, registry: Registry) -> None:
    text = (RECORDS / "002-ctg-charte-pays-de-grasse.yaml").read_text(encoding="utf-8")
    text = text.replace("  type: article de presse", "  type: &t article de presse\n  creator2: *t", 1)
    path = tmp_path / "alias.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(LoadError, match="aliases are not allowed"):
        load_record_file(path, registry)


def test_non_utf8_file_is_refused(tmp_path: Path, registry: Registry) -> None:
    path = FIXTURES / "not-utf8.yaml"
    with pytest.raises(LoadError) as info:
        load_record_file(path, registry)
    assert info.value.file == str(path)
    assert info.value.where == "file"
    assert "not UTF-8" in info.value.reason
    # control: the same text in UTF-8 loads
    good = tmp_path / "utf8.yaml"
    good.write_text(path.read_bytes().decode("latin-1"), encoding="utf-8")
    assert load_record_file(good, registry).record.record == "creche-lezat-latin1"


def test_file_over_the_size_limit_is_refused(tmp_path: Path, registry: Registry) -> None:
    text = (RECORDS / "002-ctg-charte-pays-de-grasse.yaml").read_text(encoding="utf-8")
    padding = "# padding\n" * (MAX_BYTES // 10 + 1)
    path = tmp_path / "big.yaml"
    path.write_text(text + padding, encoding="utf-8")
    assert path.stat().st_size > MAX_BYTES
    with pytest.raises(LoadError) as info:
        load_record_file(path, registry)
    assert info.value.where == "file"
    assert f"over the limit of {MAX_BYTES}" in info.value.reason


def test_two_funders_violate_the_shapes(registry: Registry, store: OxigraphStore) -> None:
    """The record format has a single `funder`; a graph with a second schema:funder (built
    from a good record) is refused by SHACL, and the report names the funding."""
    loaded = load_record_file(RECORDS / "000-msa-mps-arize-leze.yaml", registry)
    g = loaded.graph
    check_shapes(g, "good", describe(store, referenced(g)))  # control: conforms

    funding = URIRef(f"{ID}financement/msa-mps-creche-lezat-sur-leze")
    funder = URIRef("https://schema.org/funder")
    assert (funding, RDF.type, URIRef("https://schema.org/MonetaryGrant")) in g
    g.add((funding, funder, URIRef(f"{ORG}cd-09")))
    assert len(set(g.objects(funding, funder))) == 2
    with pytest.raises(ShapeViolationError) as info:
        check_shapes(g, "two-funders", describe(store, referenced(g)))
    report = info.value.report
    assert str(funding) in report
    assert "schema:funder must be exactly one" in report
    assert info.value.file == "two-funders"


# ----------------------------------------------------------------------------------------------
# Atomicity of whole loads
# ----------------------------------------------------------------------------------------------


def test_duplicate_record_names_are_refused(tmp_path: Path, registry: Registry,
                                            store: OxigraphStore) -> None:
    from loaders.pipeline import prepare_records

    a = tmp_path / "a.yaml"
    b = tmp_path / "b.yaml"
    shutil.copy(RECORDS / "002-ctg-charte-pays-de-grasse.yaml", a)
    shutil.copy(RECORDS / "002-ctg-charte-pays-de-grasse.yaml", b)
    with pytest.raises(LoadError) as info:
        prepare_records([a, b], registry, store)
    assert info.value.file == str(b)
    assert "same record name" in info.value.reason


def test_load_all_with_a_bad_record_writes_no_record(tmp_path: Path) -> None:
    """All records are checked before any is written: with a changed good record and a bad one,
    the graphs loaded before stay exactly as they were and the bad record has no graph."""
    good_name = "002-ctg-charte-pays-de-grasse.yaml"
    bad_name = "004-charte-aire-a-l-argonne.yaml"
    first = tmp_path / "first"
    first.mkdir()
    shutil.copy(RECORDS / good_name, first / good_name)

    store = OxigraphStore(None)
    load_all(store, records_folder=first)
    good_graph = RECORD_GRAPH + "ctg-charte-pays-de-grasse"
    bad_graph = RECORD_GRAPH + "charte-aire-a-l-argonne"
    before = store_triples(store, good_graph)
    assert len(before) > 300

    second = tmp_path / "second"
    changed = seed(good_name)
    changed["conventions"][0]["label"] = "Libellé modifié"
    write(second, good_name, changed)  # sorted first: would be written first if not atomic

    def wrong(d: dict) -> None:
        d["conventions"][0]["partners"][0]["organisation"] = "caf-inconnue"

    write(second, bad_name, _changed(bad_name, wrong))
    with pytest.raises(LoadError) as info:
        load_all(store, records_folder=second)
    assert info.value.file == str(second / bad_name)
    assert "conventions[0].partners[0].organisation" in info.value.where

    assert store_triples(store, good_graph) == before
    assert not any("Libellé modifié" in o for _, _, o in store_triples(store, good_graph))
    assert not store.raw.contains_named_graph(ox.NamedNode(bad_graph))
    assert {g for g in store.graph_sizes() if g.startswith(RECORD_GRAPH)} == {good_graph}


def snapshot(folder: Path) -> dict[str, tuple[int, str]]:
    """Every file of a directory tree with its size and SHA-256."""
    return {str(p.relative_to(folder)): (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_build_store_failure_leaves_the_store_untouched(tmp_path: Path) -> None:
    """build_store loads the full geography on disk (several seconds): this is the one test
    that builds stores."""
    good = tmp_path / "good"
    good.mkdir()
    shutil.copy(RECORDS / "002-ctg-charte-pays-de-grasse.yaml", good)
    path = tmp_path / "store"
    steps = build_store(path, records_folder=good)
    assert RECORD_GRAPH + "ctg-charte-pays-de-grasse" in {s.graph for s in steps}
    before = snapshot(path)
    assert before

    bad = tmp_path / "bad"
    bad.mkdir()
    shutil.copy(RECORDS / "002-ctg-charte-pays-de-grasse.yaml", bad)

    def wrong(d: dict) -> None:
        d["facilities"][0]["commune"] = "99999"

    write(bad, "000-msa-mps-arize-leze.yaml", _changed("000-msa-mps-arize-leze.yaml", wrong))
    with pytest.raises(LoadError, match=r"facilities\[0\]\.commune"):
        build_store(path, records_folder=bad)

    assert snapshot(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad", "good", "store"]  # no .new/.old

    reopened = OxigraphStore(path, read_only=True)
    records = {g for g in reopened.graph_sizes() if g.startswith(RECORD_GRAPH)}
    assert records == {RECORD_GRAPH + "ctg-charte-pays-de-grasse"}
    rows = reopened.query("SELECT (COUNT(*) AS ?n) WHERE { ?c a "
                          "<http://rdf.insee.fr/def/geo#Commune> }").rows()
    assert int(rows[0]["n"].value) == 34_969
