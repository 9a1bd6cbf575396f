"""Records may name territories and organisations as written: the loader resolves them with the
record's context, records each resolution as an inference, and refuses ambiguous or unknown
names with the candidates."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rdflib import URIRef

from graph.errors import LoadError
from graph.paths import RECORDS
from graph.vocab import ID, MLG, RDF, SCHEMA
from loaders.geography import read_geography
from loaders.records import load_record_file
from loaders.registry import Registry, build_registry


@pytest.fixture(scope="module")
def registry() -> Registry:
    return build_registry(read_geography())


def seed_000() -> dict:
    return yaml.safe_load((RECORDS / "000-msa-mps-arize-leze.yaml").read_text(encoding="utf-8"))


def write(tmp_path: Path, record: dict) -> Path:
    path = tmp_path / "record.yaml"
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    return path


def with_names(record: dict, departement: str | None = "09") -> dict:
    """Seed 000 with names as written where it had codes and keys."""
    if departement:
        record["context"] = {"departement": departement}
    by_key = {f["key"]: f for f in record["facilities"]}
    by_key["creche-lezat-sur-leze"]["commune"] = "Lézat-sur-Lèze"
    by_key["creche-le-fossat"]["commune"] = "Le Fossat"
    by_key["batiment-accueil-enfants-cc-coeur-d-astarac-en-gascogne"]["territory"] = (
        "communauté de communes Cœur d’Astarac en Gascogne")
    for funding in record["fundings"]:
        funding["funder"] = "la MSA Midi-Pyrénées Sud"
        if funding.get("co_funders"):
            funding["co_funders"] = ["le conseil départemental de l’Ariège", "l’État",
                                     "Conseil régional d’Occitanie"]
    record["conventions"][0]["territories"][0]["epci"] = "CC Arize-Lèze"
    record["conventions"][0]["signatories"][1]["organisation"] = "la communauté de communes Arize-Lèze"
    return record


def test_names_give_the_same_facts_as_codes(tmp_path: Path, registry: Registry) -> None:
    by_code = load_record_file(RECORDS / "000-msa-mps-arize-leze.yaml", registry).graph
    by_name = load_record_file(write(tmp_path, with_names(seed_000())), registry).graph
    facts = [(MLG.commune, None), (SCHEMA.funder, None), (MLG.coFunder, None),
             (MLG.territory, None), (MLG.signatory, None)]
    for prop, _ in facts:
        assert set(by_name.subject_objects(prop)) == set(by_code.subject_objects(prop)), prop


def test_each_resolution_is_stated_as_inferred(tmp_path: Path, registry: Registry) -> None:
    g = load_record_file(write(tmp_path, with_names(seed_000())), registry).graph
    creche = URIRef(f"{ID}equipement/creche-le-fossat")
    bases = [str(g.value(inf, MLG.basis)) for inf in g.objects(creche, MLG.evidence)
             if (inf, RDF.type, MLG.Inference) in g and g.value(inf, MLG.inferredProperty) == MLG.commune]
    assert any("« Le Fossat » résolu en Le Fossat (09124)" in b for b in bases), bases


def test_an_ambiguous_name_is_refused_with_its_candidates(tmp_path: Path, registry: Registry) -> None:
    record = seed_000()
    record["facilities"][0]["commune"] = "Saint-Martin"
    with pytest.raises(LoadError) as caught:
        load_record_file(write(tmp_path, record), registry)
    message = str(caught.value)
    assert "facilities[0].commune" in message
    assert "ambiguous" in message
    assert "65392" in message
    assert "32389" in message


def test_context_settles_a_homonym(tmp_path: Path, registry: Registry) -> None:
    record = seed_000()
    record["context"] = {"departement": "65"}
    record["facilities"][0]["commune"] = "Saint-Martin"
    g = load_record_file(write(tmp_path, record), registry).graph
    assert (URIRef(f"{ID}equipement/creche-lezat-sur-leze"), MLG.commune,
            URIRef(f"{ID}commune/65392")) in g


def test_an_unknown_name_is_refused(tmp_path: Path, registry: Registry) -> None:
    record = seed_000()
    record["fundings"][0]["funder"] = "Caisse des Trifouillis-les-Oies"
    with pytest.raises(LoadError, match=r"fundings\[0\]\.funder.*unknown"):
        load_record_file(write(tmp_path, record), registry)


def test_a_commune_signs_by_name_as_an_authority(tmp_path: Path, registry: Registry) -> None:
    record = yaml.safe_load((RECORDS / "001-ctg-terres-des-confluences.yaml").read_text("utf-8"))
    record["context"] = {"departement": "82"}
    signatories = record["conventions"][0]["signatories"]
    moissac = next(s for s in signatories if s["organisation"] == "commune-82112")
    moissac["organisation"] = "Moissac"
    g = load_record_file(write(tmp_path, record), registry).graph
    conv = URIRef(f"{ID}convention/ctg-cc-terres-des-confluences-2023-2027")
    assert (conv, MLG.signatory, URIRef(f"{ID}organisation/commune-82112")) in g
