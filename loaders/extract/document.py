"""What a document is: its title, its type (article de presse, convention, diaporama,
délibération, autre), who signed it (a press article's byline) and when it was issued (a date
alone on its line in the head of the text, « Publié le … »).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from loaders.extract.dates import DateMention
from loaders.extract.kinds import KindMention
from loaders.extract.spans import Doc

CONVENTION = re.compile(r"entre les soussignes|il (?:a ete|est) convenu"
                        r"|^\s*(?:\*\*)?\s*article\s+(?:1|premier)\b|\bfait (?:a|en|le)\b.{0,40}$", re.M)
DELIBERATION = re.compile(r"\bdelibere\b|apres en avoir delibere|registre des deliberations"
                          r"|\bdeliberation n\s*[o°]")
SLIDES = re.compile(r"merci (?:pour|de) votre attention|^\s*(?:»|•|▪|➤|►|v)\s", re.M)
BYLINE = re.compile(r"(?:[A-Z]\.\s?){1,3}|(?:Par\s+)?[A-ZÀ-Þ][a-zà-ÿ]+(?:[- ][A-ZÀ-Þ][a-zà-ÿ]+){1,2}")
NOT_BYLINE = frozenset({"Merci", "Contact", "Social", "Article", "Fait", "Signé"})


@dataclass(frozen=True)
class DocumentInfo:
    """What :func:`describe` finds out about a document."""
    title: str | None  # as written (a heading), or None
    type: str
    creator: str | None
    creator_span: tuple[int, int] | None
    issued: dt.date | None
    issued_span: tuple[int, int] | None


def describe(doc: Doc, kinds: list[KindMention], dates: list[DateMention], pages: int = 0
             ) -> DocumentInfo:
    """Title, type, byline and issue date of ``doc`` (``pages``: its number of PDF pages)."""
    text, folded = doc.text, doc.folded
    creator, creator_span = _byline(doc)
    issued = next((d for d in dates if d.role in {"issued", "published"} and d.date), None)
    short_pages = pages >= 5 and len(text) / pages < 600  # a slide deck printed to PDF
    slides = len(SLIDES.findall(text)) >= 8 or "merci pour votre attention" in folded or short_pages
    if DELIBERATION.search(folded):
        kind = "délibération"
    elif len(CONVENTION.findall(folded)) >= 2:
        kind = "convention"
    elif slides:
        kind = "diaporama"
    elif creator or issued:
        kind = "article de presse"
    else:
        kind = "autre"
    return DocumentInfo(_title(doc, kinds), kind, creator, creator_span,
                        issued.date if issued else None, (issued.start, issued.end) if issued else None)


def is_heading(doc: Doc, line) -> bool:  # type: ignore[no-untyped-def]
    """A short line that is not a sentence nor a list's lead-in."""
    s, e = line.content
    raw = doc.text[s:line.end].rstrip(" *")
    return 0 < e - s <= 160 and not raw.endswith((".", ";", ",", ":")) and "," not in doc.text[s:e] \
        and not line.bullet


def _title(doc: Doc, kinds: list[KindMention]) -> str | None:
    """A heading among the first lines: one naming a convention, else the first line."""
    head = doc.lines[:12]
    for line in head:
        s, e = line.content
        if is_heading(doc, line) and any(s <= k.start < e and not k.generic for k in kinds):
            return doc.text[s:e]
    if head and is_heading(doc, head[0]):
        s, e = head[0].content
        return doc.text[s:e]
    return None


def _byline(doc: Doc) -> tuple[str | None, tuple[int, int] | None]:
    """A press article's signature: the last line, initials (« C.L. ») or a name."""
    if not doc.lines:
        return None, None
    last = doc.lines[-1]
    s, e = last.content
    line = doc.text[s:e].strip()
    if BYLINE.fullmatch(line) and line.split()[0] not in NOT_BYLINE:
        if line.startswith("Par "):
            return line[4:], (s + 4, e)
        return line, (s, e)
    return None, None


__all__ = ["DocumentInfo", "describe"]
