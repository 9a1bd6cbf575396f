"""Reading a source document into the one normalised text every offset refers to.

- text (``.txt``), Markdown (``.md``): decoded (UTF-8, else Windows-1252), NFC, line ends → ``\\n``;
- HTML (``.html``, ``.htm``): stripped to text by :func:`loaders.extract.htmltext.html_to_text`;
- PDF (``.pdf``): the text of each page (pypdf), pages joined with ``\\f``; the start offset of
  each page is kept in :attr:`SourceText.pages` so that evidence can name its page.

Nothing else is changed (no-break spaces, typographic apostrophes and OCR noise stay as they
are): excerpts are exact substrings of :attr:`SourceText.text`.

>>> normalise("a\\r\\nb\\rc")
'a\\nb\\nc'
"""

from __future__ import annotations

import bisect
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from graph.errors import LoadError
from loaders.extract.htmltext import html_to_text

MEDIA_TYPES = {".txt": "text/plain", ".text": "text/plain", ".md": "text/markdown",
               ".markdown": "text/markdown", ".html": "text/html", ".htm": "text/html",
               ".xhtml": "text/html", ".pdf": "application/pdf"}
MAX_BYTES = 50_000_000
_LINE_ENDS = re.compile(r"\r\n?|\u2028|\u2029|\x85")
# Control characters other than tab, newline and form feed carry nothing and break YAML.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


@dataclass(frozen=True)
class SourceText:
    """A document as text: what every excerpt and offset of a draft refers to."""

    text: str  # normalised: UTF-8, NFC, newlines kept, HTML stripped, PDF pages joined by "\f"
    pages: tuple[int, ...]  # start offset of each page (PDF), () otherwise
    media_type: str  # text/plain, text/markdown, text/html, application/pdf

    def page_of(self, offset: int) -> int | None:
        """The 1-based page holding ``offset`` (PDF), None for other documents.

        >>> SourceText("ab\\fcd", (0, 3), "application/pdf").page_of(4)
        2
        """
        if not self.pages:
            return None
        return bisect.bisect_right(self.pages, offset)


def normalise(text: str) -> str:
    """NFC, one kind of line end, no stray control characters."""
    text = _LINE_ENDS.sub("\n", text)
    text = _CONTROLS.sub(" ", text)
    return unicodedata.normalize("NFC", text)


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252 (old Office exports)."""
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        return raw.decode("cp1252", errors="replace")


def read_source(path: Path) -> SourceText:
    """Read ``path`` (text, Markdown, HTML or PDF, by its suffix) into its normalised text.

    :raises LoadError: if the file cannot be read, is too large, is of an unknown kind or is
        a PDF that cannot be parsed.
    """
    path = Path(path)
    media_type = MEDIA_TYPES.get(path.suffix.lower())
    if media_type is None:
        raise LoadError(str(path), "file", f"unknown kind of document {path.suffix!r} "
                        f"(expected one of {', '.join(sorted(MEDIA_TYPES))})")
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise LoadError(str(path), "file", f"{size} bytes is over the limit of {MAX_BYTES}")
        raw = path.read_bytes()
    except OSError as exc:
        raise LoadError(str(path), "file", f"cannot be read ({exc.strerror or exc})") from exc
    if media_type == "application/pdf":
        return _read_pdf(path, raw)
    text = decode(raw)
    if media_type == "text/html":
        text = html_to_text(text)
    return SourceText(normalise(text), (), media_type)


def _read_pdf(path: Path, raw: bytes) -> SourceText:
    try:
        from pypdf import PdfReader
        from pypdf.errors import PyPdfError
    except ImportError as exc:  # pragma: no cover - pypdf is a declared dependency
        raise LoadError(str(path), "file", "reading PDF needs the pypdf package") from exc
    try:
        reader = PdfReader(io.BytesIO(raw))
        if reader.is_encrypted:
            reader.decrypt("")
        texts = [normalise(page.extract_text() or "").replace("\f", "\n") for page in reader.pages]
    except (PyPdfError, ValueError, KeyError, TypeError, OSError) as exc:
        raise LoadError(str(path), "PDF", f"cannot be parsed ({exc})") from exc
    pages, parts, offset = [], [], 0
    for text in texts:
        pages.append(offset)
        parts.append(text)
        offset += len(text) + 1
    return SourceText("\f".join(parts), tuple(pages), "application/pdf")


__all__ = ["MEDIA_TYPES", "SourceText", "decode", "normalise", "read_source"]
