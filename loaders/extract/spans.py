"""The analysed document: its text, a folded copy for matching, its sentences, lines and list
items, and evidence (excerpts with their offsets) built from spans.

The folded copy has exactly the length of the text (one character for one character), so a
match found in it is a span of the text: lower case, accents off (OCR often drops them),
typographic apostrophes, dashes and no-break spaces made plain.

>>> fold("L’Été — Lézat")
"l'ete - lezat"
"""

from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass, field

Span = tuple[int, int]
MAX_EXCERPT = 300  # a longer sentence is cut down to the clauses around the match


def _fold_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for cp in range(0x41, 0x250):
        ch = chr(cp)
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        low = base.lower()
        if len(low) == 1 and low != ch:
            table[cp] = low
    for ch in "’‘ʼ`´′":
        table[ord(ch)] = "'"
    for ch in "‐‑‒–—―−":
        table[ord(ch)] = "-"
    for ch in "\u00a0\u202f\u2007\u2009\u200a\t":
        table[ord(ch)] = " "
    for ch in "«»“”„":
        table[ord(ch)] = '"'
    table[ord("Œ")] = "œ"
    return table


_TABLE = _fold_table()


def fold(text: str) -> str:
    """Same length as ``text``: lower case, no accents, plain apostrophes, dashes, spaces."""
    return text.translate(_TABLE)


_BREAK = re.compile(r"[.!?…]+[\"»”)]*(?=\s+[\"«“(\-–—]?\s*[A-ZÀ-ÖØ-Þ0-9])")
_NO_BREAK_BEFORE = re.compile(r"\b(?:[A-Z]|M|MM|Mme|Mmes|Mlle|Dr|Me|St|Ste|cf|art|etc|n°|No|p)$")
_LEAD = re.compile(r"[\s\-–—•▪➤►»>*·◦]*(?:#{1,6}\s+)?(?:\*\*)?\s*(?=\S)")  # bullets, Markdown
_LEAD_BULLET = re.compile(r"\s*(?:[\-–—•▪➤►»*·◦]|\d{1,2}\s*[).]|\d{1,2}/(?=\D)|[a-z]\))\s*")
_TRAIL = re.compile(r"\s*(?:\*\*)?\s*$")
_CLAUSE = re.compile(r"[,;:]\s|\s[–—-]\s|\(|\)")


@dataclass(frozen=True)
class Line:
    """One non-empty line: its span (trimmed), whether it is a list item, its content span
    (after the bullet)."""

    start: int
    end: int
    bullet: bool
    content: Span


@dataclass
class Doc:
    """A text prepared for the recognisers."""

    text: str
    folded: str = field(init=False)
    sentences: list[Span] = field(init=False)
    lines: list[Line] = field(init=False)

    def __post_init__(self) -> None:
        self.folded = fold(self.text)
        self.lines = _lines(self.text)
        self._line_starts = [ln.start for ln in self.lines]
        self.sentences = [s for ln in self.lines for s in _split_line(self.text, ln.content)]
        self._starts = [s for s, _ in self.sentences]

    # -- locating ------------------------------------------------------------------------
    def sentence_index(self, pos: int) -> int:
        """Index of the sentence holding (or nearest before) ``pos``."""
        return max(0, bisect.bisect_right(self._starts, pos) - 1)

    def sentence_at(self, pos: int) -> Span:
        """The sentence holding (or nearest before) ``pos``."""
        return self.sentences[self.sentence_index(pos)] if self.sentences else (0, len(self.text))

    def line_index(self, pos: int) -> int:
        """Index of the line holding (or nearest before) ``pos``."""
        return max(0, bisect.bisect_right(self._line_starts, pos) - 1)

    def line_at(self, pos: int) -> Line:
        """The line holding (or nearest before) ``pos``."""
        return self.lines[self.line_index(pos)]

    def intro_of(self, line_no: int) -> Line | None:
        """The nearest line before ``line_no`` that is not a list item (a list's lead-in)."""
        for i in range(line_no - 1, -1, -1):
            if not self.lines[i].bullet:
                return self.lines[i]
        return None

    def clause(self, start: int, end: int) -> Span:
        """The clause around ``[start, end)``: bounded by , ; : ( ) and dashes, inside the
        sentence."""
        s0, s1 = self.sentence_at(start)
        left = s0
        for m in _CLAUSE.finditer(self.text, s0, start):
            left = m.end()
        m = _CLAUSE.search(self.text, end, s1)
        right = m.start() if m else s1
        return _trim(self.text, left, max(right, end))

    # -- evidence ------------------------------------------------------------------------
    def excerpt(self, start: int, end: int) -> Span:
        """The sentence holding ``[start, end)``, trimmed; a long sentence is cut down to the
        clauses around the match."""
        s0, _ = self.sentence_at(start)
        _, s1 = self.sentence_at(max(start, end - 1))
        if s1 - s0 <= MAX_EXCERPT:
            return s0, s1
        left, right = start, end
        cuts = [m.start() for m in _CLAUSE.finditer(self.text, s0, s1)] + [s1]
        lefts = [s0] + [m.end() for m in _CLAUSE.finditer(self.text, s0, start)]
        while lefts and start - lefts[-1] > MAX_EXCERPT // 2 and len(lefts) > 1:
            lefts.pop()
        left = min(lefts[-1], start)
        rights = [c for c in cuts if c >= end]
        right = rights[0] if rights else s1
        for c in rights[1:]:
            if c - left > MAX_EXCERPT:
                break
            right = c
        return _trim(self.text, left, max(right, end))

    def evidence(self, spans: list[Span]) -> dict:
        """``{"excerpt": str | [str, ...], "offsets": [[start, end], ...]}`` for the excerpts of
        ``spans`` (each widened to its sentence), without repeats, in text order."""
        return evidence_of(self.text, [self.excerpt(s, e) for s, e in spans])


def evidence_of(text: str, spans: list[Span]) -> dict:
    """Evidence from exact spans (no widening): duplicates and spans inside others dropped."""
    kept: list[Span] = []
    for s, e in sorted(set(spans), key=lambda x: (x[0], -x[1])):
        if e <= s or any(k0 <= s and e <= k1 for k0, k1 in kept):
            continue
        kept.append((s, e))
    excerpts = [text[s:e] for s, e in kept]
    return {"excerpt": excerpts[0] if len(excerpts) == 1 else excerpts,
            "offsets": [[s, e] for s, e in kept]}


def _trim(text: str, start: int, end: int) -> Span:
    m = _LEAD.match(text, start, end)
    if m:
        start = m.end()
    while end > start and text[end - 1] in " \t\n\f,;:*(–—-":
        end -= 1
    if text.count("(", start, end) < text.count(")", start, end) and text[end - 1] == ")":
        end -= 1
    return start, end


def _physical(text: str) -> list[Span]:
    """Non-blank lines, trimmed; a line wrapped inside a sentence (no final punctuation, the
    next line directly below starting in lower case, as in PDF and OCR text) is joined to
    the next."""
    spans: list[Span] = []
    joinable = False
    for m in re.finditer(r"[^\n\f]+", text):
        s, e = m.start(), m.end()
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if s == e:
            joinable = False
            continue
        if (joinable and spans and text[s].islower() and text.count("\n", spans[-1][1], s) == 1
                and "\f" not in text[spans[-1][1]:s]):
            spans[-1] = (spans[-1][0], e)
        else:
            spans.append((s, e))
        joinable = text[e - 1] not in ".!?;:»\"”)"
    return spans


def _lines(text: str) -> list[Line]:
    out = []
    for s, e in _physical(text):
        b = _LEAD_BULLET.match(text, s, e)
        bullet = b is not None and b.end() > s
        cs, ce = _trim(text, b.end() if bullet else s, e)
        tail = _TRAIL.search(text, cs, ce)
        if tail and tail.start() > cs:
            ce = tail.start()
        if cs < ce:
            out.append(Line(s, e, bullet, (cs, ce)))
    return out


def _split_line(text: str, span: Span) -> list[Span]:
    start, end = span
    out = []
    for m in _BREAK.finditer(text, start, end):
        if _NO_BREAK_BEFORE.search(text, max(start, m.start() - 5), m.start()):
            continue
        out.append(_trim(text, start, m.end()))
        start = m.end()
    if start < end:
        out.append(_trim(text, start, end))
    return [s for s in out if s[0] < s[1]]


__all__ = ["MAX_EXCERPT", "Doc", "Line", "Span", "evidence_of", "fold"]
