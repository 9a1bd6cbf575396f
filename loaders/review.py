"""The review area: drafts written by ``maillage extract`` wait here (``data/review/`` by
default, one ``<stem>.yaml`` and its normalised ``<stem>.txt``) until a person accepts them into
``data/records/`` or rejects them."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from graph.errors import LoadError, NotFoundError, ShapeViolationError
from graph.paths import DATA, RECORDS
from graph.store import OxigraphStore
from loaders.geography import read_geography
from loaders.pipeline import load_reference
from loaders.records import load_record_file
from loaders.registry import Registry
from loaders.validate import check_shapes, describe, referenced
from loaders.yaml_safe import read_yaml

REVIEW = DATA / "review"
DOCUMENTS = DATA / "documents"


@dataclass(frozen=True)
class Draft:
    """One draft and what a reviewer needs to know first."""

    name: str
    path: Path
    conventions: int
    facilities: int
    fundings: int
    lowest_confidence: float | None
    error: str | None  # why it would not load, if it would not


def _items(node: object) -> list[dict]:
    """Every dict in a record that carries an excerpt (its facts)."""
    found: list[dict] = []
    if isinstance(node, dict):
        if "excerpt" in node:
            found.append(node)
        for value in node.values():
            found.extend(_items(value))
    elif isinstance(node, list):
        for value in node:
            found.extend(_items(value))
    return found


@cache
def reference_store() -> OxigraphStore:
    """An in-memory store with the geography and institutions, to validate drafts against."""
    store = OxigraphStore(None)
    for _ in load_reference(store, read_geography()):
        pass
    return store


def validate_draft(path: Path, registry: Registry) -> None:
    """Load a draft as the pipeline would (references, excerpts, SHACL with its context).

    :raises LoadError: naming the file, the record and the field, or the shape violated.
    """
    graph = load_record_file(path, registry).graph
    check_shapes(graph, str(path), describe(reference_store(), referenced(graph)))


def summary(exc: LoadError) -> str:
    """One line for a reviewer: the SHACL messages, or the loader's message."""
    if isinstance(exc, ShapeViolationError):
        messages = sorted({line.split("Message:", 1)[1].strip()
                           for line in exc.report.splitlines() if "Message:" in line})
        return "SHACL: " + "; ".join(messages[:3])
    return str(exc).splitlines()[0]


def draft_files(folder: Path = REVIEW) -> list[Path]:
    return sorted(folder.glob("*.yaml")) if folder.is_dir() else []


def inspect(path: Path, registry: Registry) -> Draft:
    """Counts, the lowest confidence, and whether the draft loads (references, excerpts, SHACL)."""
    raw = read_yaml(path)
    record = raw if isinstance(raw, dict) else {}
    confidences = [i["confidence"] for i in _items(record) if i.get("confidence") is not None]
    error = None
    try:
        validate_draft(path, registry)
    except LoadError as exc:
        error = summary(exc)
    return Draft(path.stem, path, len(record.get("conventions") or []),
                 len(record.get("facilities") or []), len(record.get("fundings") or []),
                 min(confidences) if confidences else None, error)


def accept(name: str, registry: Registry, folder: Path = REVIEW, records: Path = RECORDS,
           documents: Path = DOCUMENTS) -> Path:
    """Publish a draft: its text goes to ``documents/``, the record to ``records/`` (pointing at
    the text there). Refused, with nothing moved, if the draft does not load.

    :raises NotFoundError: if there is no such draft.
    :raises LoadError: if it does not load (references, excerpts, shapes) or would overwrite.
    """
    path = folder / f"{name}.yaml"
    if not path.is_file():
        raise NotFoundError(f"no draft {name!r} in {folder}")
    validate_draft(path, registry)
    record = read_yaml(path)
    text = (path.parent / record["document"]["file"]).resolve()
    target_text = documents / text.name
    target = records / path.name
    for existing in (target, target_text):
        if existing.exists():
            raise LoadError(str(path), "accept", f"{existing} exists already")
    record["document"]["file"] = f"{documents.name}/{text.name}"
    documents.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(text, target_text)
    target.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), encoding="utf-8")
    path.unlink()
    text.unlink()
    return target


def reject(name: str, folder: Path = REVIEW) -> None:
    """Delete a draft and its text.

    :raises NotFoundError: if there is no such draft.
    """
    path = folder / f"{name}.yaml"
    if not path.is_file():
        raise NotFoundError(f"no draft {name!r} in {folder}")
    record = read_yaml(path)
    text = path.parent / str((record or {}).get("document", {}).get("file", f"{name}.txt"))
    path.unlink()
    if text.resolve().is_relative_to(folder.resolve()) and text.is_file():
        text.unlink()
