"""Reading YAML that may be hostile: bounded size, no anchors or aliases (no billion laughs),
plain data types only."""

from __future__ import annotations

from pathlib import Path

import yaml

from graph.errors import LoadError

MAX_BYTES = 2_000_000


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases are not allowed in records", event.start_mark
            )
        return super().compose_node(parent, index)


def read_yaml(path: Path, *, max_bytes: int = MAX_BYTES) -> object:
    """Parse one YAML document from ``path``.

    :raises LoadError: if the file is too large, is not UTF-8, uses aliases or does not parse.
    """
    size = path.stat().st_size
    if size > max_bytes:
        raise LoadError(str(path), "file", f"{size} bytes is over the limit of {max_bytes}")
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=_NoAliasLoader)
    except UnicodeDecodeError as exc:
        raise LoadError(str(path), "file", f"not UTF-8 ({exc.reason})") from exc
    except yaml.YAMLError as exc:
        raise LoadError(str(path), "YAML", str(exc).replace("\n", " ")) from exc
