"""Answers shared by the workers of one server, so that an answer computed by one worker is
sent from memory by all of them.

Each worker keeps its own :class:`~api.executor.AnswerCache`; alone, a worker recomputes what
another has just computed, and with ``n`` workers a repeated URL is computed ``n`` times.
:class:`SharedAnswers` is the second tier: one file per answer in a private directory (on
tmpfs where there is one, so in memory) that ``maillage serve`` creates for its workers and
removes when it stops.

- A file is written whole and then renamed into place, so a reader sees an answer or none.
- Its name is a hash of the answer's key, which holds the data's version: after a write, the
  old answers are never read again, and age out.
- Each worker keeps the files it wrote (and those it found at start) within its share of the
  budget, oldest out first. A file two workers both wrote is counted by both: the directory
  stays under ``workers × budget``.
"""

from __future__ import annotations

import hashlib
import logging
import marshal
import os
from collections import OrderedDict
from collections.abc import Hashable
from pathlib import Path

log = logging.getLogger("maillage.answers")
SUFFIX = ".answer"


class SharedAnswers:
    """Values (tuples of bytes, str, ints and ``None``) by key, in ``directory``, at most
    ``max_bytes`` written by this process and ``max_entry_bytes`` per value."""

    def __init__(self, directory: Path, max_bytes: int, max_entry_bytes: int = 1 << 20) -> None:
        self.directory, self.max_bytes, self.max_entry_bytes = directory, max_bytes, max_entry_bytes
        self._mine: OrderedDict[str, int] = OrderedDict()
        self._bytes = 0
        for path in sorted(directory.glob(f"*{SUFFIX}"), key=_mtime):
            self._count(path.name, _size(path))
        self._evict()

    def get(self, key: Hashable) -> object | None:
        """The value kept for ``key``, or ``None``."""
        try:
            data = (self.directory / _name(key)).read_bytes()
        except OSError:
            return None
        try:
            return marshal.loads(data)
        except (EOFError, ValueError, TypeError):
            return None

    def put(self, key: Hashable, value: object) -> None:
        """Keep ``value`` for ``key`` unless it is over the per-entry limit (or cannot be
        written: the shared tier is an optimization, never an error)."""
        data = marshal.dumps(value)
        if len(data) > min(self.max_entry_bytes, self.max_bytes):
            return
        name = _name(key)
        temporary = self.directory / f".{name}.{os.getpid()}"
        try:
            temporary.write_bytes(data)
            os.replace(temporary, self.directory / name)
        except OSError as exc:
            log.warning("shared answer not written: %s", exc)
            return
        self._count(name, len(data))
        self._evict()

    def _count(self, name: str, size: int) -> None:
        self._bytes += size - self._mine.pop(name, 0)
        self._mine[name] = size

    def _evict(self) -> None:
        while self._bytes > self.max_bytes and self._mine:
            name, size = self._mine.popitem(last=False)
            self._bytes -= size
            (self.directory / name).unlink(missing_ok=True)


def _name(key: Hashable) -> str:
    # repr of str, bytes, ints and None is the same in every process (hash() is not)
    return hashlib.sha256(repr(key).encode()).hexdigest()[:40] + SUFFIX


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
