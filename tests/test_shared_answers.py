"""The workers of one server share the REST answers they compute (:mod:`api.shared_answers`):
what one worker computed, another sends without running a query; the directory stays within
its budget; a damaged file is a miss, not an error; ``maillage serve`` makes the directory
and removes it."""

from __future__ import annotations

import marshal
import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api.main import create_app
from api.serve import _shared_answers
from api.settings import Settings
from api.shared_answers import SUFFIX, SharedAnswers
from graph.store import OxigraphStore

URL = "/api/fundings?funder_kind=msa&facility_kind=creche"


def test_a_worker_sends_what_another_computed(store: OxigraphStore, tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    settings = Settings(shared_answers_dir=tmp_path)
    one, other = (TestClient(create_app(settings, store)) for _ in range(2))
    first = one.get(URL)
    assert first.status_code == 200
    assert len(list(tmp_path.glob(f"*{SUFFIX}"))) == 1
    queries: list[str] = []
    real = store.query
    monkeypatch.setattr(store, "query", lambda *a, **k: queries.append(a[0]) or real(*a, **k))
    again = other.get(URL)
    assert queries == []  # not computed again
    assert (again.content, again.headers) == (first.content, first.headers)
    assert other.get(URL, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    # a URL nobody asked for yet is computed, by the store
    assert other.get("/api/fundings?funder_kind=msa").status_code == 200
    assert queries


def test_without_a_directory_each_worker_computes(store: OxigraphStore,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    one, other = (TestClient(create_app(Settings(), store)) for _ in range(2))
    assert one.get(URL).status_code == 200
    queries: list[str] = []
    real = store.query
    monkeypatch.setattr(store, "query", lambda *a, **k: queries.append(a[0]) or real(*a, **k))
    assert other.get(URL).status_code == 200
    assert queries


def value(i: int) -> tuple:
    """An answer as it is shared: headers, body, ETag."""
    return [(b"etag", b"W/%d" % i)], b"x" * 1000, b"W/%d" % i


def test_the_directory_stays_within_the_budget(tmp_path: Path) -> None:
    size = len(marshal.dumps(value(0)))
    answers = SharedAnswers(tmp_path, max_bytes=3 * size)
    for i in range(5):
        answers.put(("rest", "v1", i), value(i))
    files = list(tmp_path.glob(f"*{SUFFIX}"))
    assert len(files) == 3
    assert sum(f.stat().st_size for f in files) <= 3 * size
    assert answers.get(("rest", "v1", 0)) is None  # oldest out first
    assert answers.get(("rest", "v1", 4)) == value(4)
    assert answers.get(("rest", "v2", 4)) is None  # another version, another key
    answers.put(("rest", "v1", "big"), ([], b"x" * 4 * size, None))
    assert answers.get(("rest", "v1", "big")) is None  # over the per-entry limit: not kept
    # a worker started later counts the files it finds, and keeps to its own share
    later = SharedAnswers(tmp_path, max_bytes=2 * size)
    assert len(list(tmp_path.glob(f"*{SUFFIX}"))) == 2
    later.put(("rest", "v1", 5), value(5))
    assert len(list(tmp_path.glob(f"*{SUFFIX}"))) == 2
    assert later.get(("rest", "v1", 5)) == value(5)


def test_a_damaged_file_is_a_miss(tmp_path: Path) -> None:
    answers = SharedAnswers(tmp_path, max_bytes=1 << 20)
    answers.put("k", ([], b"body", None))
    [path] = tmp_path.glob(f"*{SUFFIX}")
    path.write_bytes(path.read_bytes()[:5])
    assert answers.get("k") is None
    path.write_bytes(b"\x00not marshal")
    assert answers.get("k") is None


def test_serve_makes_the_directory_and_removes_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MAILLAGE_SHARED_ANSWERS_DIR", raising=False)
    with _shared_answers(Settings(), workers=2):
        directory = Path(os.environ["MAILLAGE_SHARED_ANSWERS_DIR"])
        assert directory.is_dir()
        assert directory.stat().st_mode & 0o077 == 0  # private to the server's user
        assert Settings().shared_answers_dir == directory  # what the workers read
    assert not directory.exists()
    assert "MAILLAGE_SHARED_ANSWERS_DIR" not in os.environ
    with _shared_answers(Settings(), workers=1):
        assert "MAILLAGE_SHARED_ANSWERS_DIR" not in os.environ
    with _shared_answers(Settings(result_cache_mb=0), workers=2):
        assert "MAILLAGE_SHARED_ANSWERS_DIR" not in os.environ
