"""Accepted drafts answer the flagship question exactly as the hand-written records do."""

from __future__ import annotations

from pathlib import Path

from graph.named_queries import get_named_query
from graph.paths import DATA
from graph.store import OxigraphStore
from loaders.extract import extract_file
from loaders.pipeline import load_all

KEYS = ("funderLabel", "communeCode", "communeLabel", "epciSiren", "epciLabel", "amount")


def flagship(store: OxigraphStore) -> set[tuple[str, ...]]:
    return {tuple(r[k].value for k in KEYS) for r in get_named_query("msa-creches").run(store).rows()}


def test_drafts_of_the_seeds_answer_the_flagship(tmp_path: Path, store: OxigraphStore) -> None:
    for document in sorted((DATA / "documents").glob("*.txt")):
        extract_file(document, tmp_path)
    from_drafts = OxigraphStore(None)
    load_all(from_drafts, records_folder=tmp_path)
    expected = {("MSA Midi-Pyrénées Sud", "09167", "Lézat-sur-Lèze", "200066223", "CC Arize Lèze",
                 "50000"),
                ("MSA Midi-Pyrénées Sud", "09124", "Le Fossat", "200066223", "CC Arize Lèze",
                 "27000")}
    assert flagship(store) == expected  # the hand-written records
    assert flagship(from_drafts) == expected
