"""The review area: drafts are inspected, accepted into the records or rejected, and may be loaded
into their own graphs, flagged unreviewed and kept out of the default dataset."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from api.cli import app
from graph.errors import LoadError, NotFoundError
from graph.named_queries import get_named_query
from graph.paths import DATA, RECORDS
from graph.store import OxigraphStore
from loaders import review
from loaders.geography import read_geography
from loaders.pipeline import DRAFT_GRAPHS, load_all
from loaders.registry import Registry, build_registry

SEED = RECORDS / "000-msa-mps-arize-leze.yaml"


@pytest.fixture(scope="module")
def registry() -> Registry:
    return build_registry(read_geography())


def make_draft(folder: Path, name: str = "article", change=None) -> Path:
    """A draft as `maillage extract` leaves it: the YAML and its text side by side."""
    folder.mkdir(parents=True, exist_ok=True)
    record = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    source = DATA / record["document"]["file"]
    shutil.copyfile(source, folder / f"{name}.txt")
    record["document"]["file"] = f"{name}.txt"
    record["record"] = f"brouillon-{name}"
    for funding in record["fundings"]:
        funding["confidence"] = 0.8
    if change:
        change(record)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(record, allow_unicode=True), encoding="utf-8")
    return path


def test_inspect_a_draft(tmp_path: Path, registry: Registry) -> None:
    draft = review.inspect(make_draft(tmp_path), registry)
    assert (draft.conventions, draft.facilities, draft.fundings) == (2, 4, 3)
    assert draft.lowest_confidence == 0.8
    assert draft.error is None


def test_a_broken_draft_says_why(tmp_path: Path, registry: Registry) -> None:
    def wrong(record: dict) -> None:
        record["fundings"][0]["excerpt"] = "une phrase absente du texte"
    draft = review.inspect(make_draft(tmp_path, change=wrong), registry)
    assert "fundings[0].excerpt" in draft.error


def test_accept_publishes_record_and_text(tmp_path: Path, registry: Registry) -> None:
    area, records = tmp_path / "review", tmp_path / "records"
    documents = records / "documents"
    make_draft(area)
    published = review.accept("article", registry, area, records, documents)
    assert published == records / "article.yaml"
    assert (documents / "article.txt").is_file()
    assert not (area / "article.yaml").exists()
    assert not (area / "article.txt").exists()
    assert yaml.safe_load(published.read_text("utf-8"))["document"]["file"] == "documents/article.txt"
    from loaders.records import load_record_file
    assert len(load_record_file(published, registry).graph) > 100


def test_accept_refuses_a_broken_draft_and_moves_nothing(tmp_path: Path, registry: Registry) -> None:
    def wrong(record: dict) -> None:
        record["facilities"][0]["commune"] = "99999"
    area, records = tmp_path / "review", tmp_path / "records"
    make_draft(area, change=wrong)
    with pytest.raises(LoadError, match="99999"):
        review.accept("article", registry, area, records, records / "documents")
    assert (area / "article.yaml").is_file()
    assert not records.exists()


def test_reject_deletes_the_draft(tmp_path: Path) -> None:
    make_draft(tmp_path)
    review.reject("article", tmp_path)
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(NotFoundError):
        review.reject("article", tmp_path)


def test_drafts_are_loaded_apart_and_flagged(tmp_path: Path) -> None:
    records = tmp_path / "records"
    records.mkdir()
    shutil.copy(SEED, records)

    def double(record: dict) -> None:  # a draft that would change the flagship answer
        record["fundings"][0]["amount"] = 99999
    make_draft(tmp_path / "review", change=double)
    store = OxigraphStore(None)
    load_all(store, records_folder=records, drafts_folder=tmp_path / "review")
    draft = DRAFT_GRAPHS + "brouillon-article"
    assert draft in store.graph_sizes()
    flag = store.query(f"ASK {{ GRAPH <{draft}> {{ <{draft}> "
                       "<https://maillage.fr/def/ontologie#reviewed> false } }",
                       named_graphs=[draft])
    assert bool(flag.raw)
    flagship = get_named_query("msa-creches")
    published = {r["amount"].value for r in flagship.run(store).rows()}
    assert published == {"50000", "27000"}  # the draft stays out of the default dataset
    with_draft = store.query(flagship.sparql, default_graphs=[*store.graph_sizes()],
                             named_graphs=[*store.graph_sizes()]).rows()
    assert "99999" in {r["amount"].value for r in with_draft}


def test_review_command_lists_shows_and_rejects(tmp_path: Path) -> None:
    runner = CliRunner()
    make_draft(tmp_path)
    listing = runner.invoke(app, ["review", "--dir", str(tmp_path)])
    assert listing.exit_code == 0, listing.output
    assert "article" in listing.output
    assert "yes" in listing.output
    shown = runner.invoke(app, ["review", "article", "--dir", str(tmp_path)])
    assert shown.exit_code == 0, shown.output
    assert "50.000€" in shown.output
    assert "inféré" in shown.output
    assert runner.invoke(app, ["review", "article", "--reject", "--dir", str(tmp_path)]).exit_code == 0
    assert not (tmp_path / "article.yaml").exists()
    missing = runner.invoke(app, ["review", "article", "--reject", "--dir", str(tmp_path)])
    assert missing.exit_code == 1
