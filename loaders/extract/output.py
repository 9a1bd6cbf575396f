"""Writing a draft: the normalised text and the YAML record side by side, so that the record
loads with :func:`loaders.records.load_record_file` (which looks for ``document.file`` beside
the record)."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import yaml

from loaders.extract.draft import extract
from loaders.extract.text import SourceText, read_source

OFFSETS = re.compile(r"(?m)^\s*(?:- )?offsets: \[\[[\d, \[\]]*\]\]$")

HEADER = ("# Draft written by `maillage extract`: review every item (excerpt, value, confidence,\n"
          "# inferred basis) before accepting it. Format: docs/records.md.\n")


class _Dumper(yaml.SafeDumper):
    """Plain YAML: no aliases, keys in the order written."""

    def ignore_aliases(self, data: object) -> bool:
        return True


def _str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    """Codes (« 09124 », « 200066223 ») are quoted: they are strings, whatever a YAML 1.1
    reader makes of leading zeros."""
    if data.isdigit():
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style='"')
    return dumper.represent_str(data)


def _list(dumper: yaml.SafeDumper, data: list) -> yaml.SequenceNode:
    """Offsets (``[[start, end], …]``) on one line."""
    pairs = all(isinstance(x, list) and all(isinstance(y, int) for y in x) for x in data)
    flow = bool(data) and (all(isinstance(x, int) for x in data) or pairs)
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


_Dumper.add_representer(str, _str)
_Dumper.add_representer(list, _list)


def dump(record: dict, source: SourceText | None = None) -> str:
    """The YAML text of a draft record; for a PDF ``source``, each ``offsets:`` line says in a
    comment which page(s) its excerpts are on (the record format has no field for it).

    >>> print(dump({"offsets": [[0, 3]]}, SourceText("abc\fdef", (0, 4), "application/pdf")), end="")
    # Draft written by `maillage extract`: review every item (excerpt, value, confidence,
    # inferred basis) before accepting it. Format: docs/records.md.
    offsets: [[0, 3]]  # p. 1
    """
    text = yaml.dump(record, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=10_000,
                     default_flow_style=False)
    if source is not None and source.pages:
        text = OFFSETS.sub(lambda m: _pages(m, source), text)
    return HEADER + text


def _pages(m: re.Match[str], source: SourceText) -> str:
    starts = [int(x) for x in re.findall(r"\[(\d+), \d+\]", m.group())]
    pages = sorted({p for s in starts if (p := source.page_of(s)) is not None})
    return f"{m.group()}  # p. {', '.join(map(str, pages))}" if pages else m.group()


def extract_file(path: Path, out_dir: Path, *, date_hint: dt.date | None = None) -> Path:
    """Extract ``path`` into ``out_dir``: ``<stem>.txt`` (the normalised text every offset
    refers to) and ``<stem>.yaml`` (the draft, whose ``document.file`` is ``<stem>.txt``).
    Returns the YAML path.

    :raises LoadError: if ``path`` cannot be read.
    """
    path, out_dir = Path(path), Path(out_dir)
    source = read_source(path)
    record = extract(source, name=path.stem, date_hint=date_hint)
    out_dir.mkdir(parents=True, exist_ok=True)
    with (out_dir / f"{path.stem}.txt").open("w", encoding="utf-8", newline="") as handle:
        handle.write(source.text)
    target = out_dir / f"{path.stem}.yaml"
    target.write_text(dump(record, source), encoding="utf-8")
    return target


__all__ = ["dump", "extract_file"]
