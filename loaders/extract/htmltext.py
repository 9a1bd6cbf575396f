"""HTML → text: scripts, styles and other non-content elements dropped, block elements turned
into line breaks, entities decoded, runs of layout whitespace collapsed.

>>> html_to_text("<p>Le&nbsp;CTG<br>signée</p><script>x()</script><p>2024</p>")
'Le\\xa0CTG\\nsignée\\n2024'
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

SKIP = frozenset({"script", "style", "noscript", "template", "head", "svg", "iframe", "object",
                  "canvas", "select", "button"})
BLOCKS = frozenset({"address", "article", "aside", "blockquote", "br", "dd", "details", "div",
                    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1",
                    "h2", "h3", "h4", "h5", "h6", "header", "hr", "li", "main", "nav", "ol",
                    "p", "pre", "section", "summary", "table", "tbody", "td", "tfoot", "th",
                    "thead", "title", "tr", "ul", "body", "html", "caption"})
VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "area", "base", "col", "embed",
                  "source", "track", "wbr"})
_SPACES = re.compile(r"[ \t\r\n\f\v]+")  # layout whitespace only: no-break spaces are content
_BLANK_LINES = re.compile(r" *\n[ \n]*")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping: list[str] = []
        self.title: list[str] = []
        self.in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "title":
            self.in_title = True
        if tag in SKIP and tag not in VOID:
            self.skipping.append(tag)
        elif tag in BLOCKS and not self.skipping:
            self.parts.append("\n")
        if tag == "li" and not self.skipping:
            self.parts.append("- ")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS and not self.skipping:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self.in_title = False
        if self.skipping and tag == self.skipping[-1]:
            self.skipping.pop()
        elif tag in BLOCKS and not self.skipping:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if self.in_title:
            self.title.append(data)
        if not self.skipping:
            self.parts.append(_SPACES.sub(" ", data))


def html_to_text(markup: str) -> str:
    """The text content of an HTML page, one block per line; the ``<title>`` leads if the
    body does not start with it."""
    parser = _TextParser()
    parser.feed(markup)
    parser.close()
    body = _BLANK_LINES.sub("\n", "".join(parser.parts)).strip()
    body = "\n".join(line.strip() for line in body.split("\n"))
    title = _SPACES.sub(" ", "".join(parser.title)).strip()
    if title and not body.startswith(title):
        body = f"{title}\n{body}"
    return body


__all__ = ["html_to_text"]
