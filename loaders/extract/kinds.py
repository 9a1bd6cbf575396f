"""Kinds of convention named in a text, as concepts of the ``type-convention`` scheme.

A CTG and a charte « avec les familles » written together (« Convention Territoriale Globale /
Charte Territoriale « avec les familles » ») make one joint mention with both kinds. A plural
(« des conventions territoriales globales ») speaks of conventions in general and is marked
``generic``. The projet social de territoire counts as a kind only where the text ties it to a
convention (same sentence) or in the title: a démarche « pour construire un projet social de
territoire » is not a convention.

>>> kinds_of("une Convention Territoriale Globale / Charte Territoriale avec les familles")
[('ctg', 'charte-avec-les-familles')]
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.extract.spans import Doc

PATTERNS: tuple[tuple[str, str], ...] = (
    ("convention-actions-concertees",
     r"conventions? (?:territoriales? )?d'actions? concertees?"),
    ("ctg", r"conventions? territoriales? globales?(?: de services aux familles)?|\bctg\b"),
    ("charte-avec-les-familles",
     r"chartes? territoriales?(?:\s*\"?\s*avec les familles\s*\"?)?"
     r"|chartes?\s*\"?\s*avec les familles\s*\"?"),
    ("convention-financement",
     r"conventions? (?:de financement|financieres?|d'objectifs et de financement)"),
    ("pst", r"projets? soci(?:al|aux) (?:de|du) territoire(?:\s*\(pst\))?|\bpst\b"),
    ("contrat-enfance-jeunesse", r"contrats? enfance[- ]jeunesse|\bcej\b"),
    ("accord-partenarial", r"accords? (?:partenarial|de partenariat|cadre de partenariat)"),
    ("avenant", r"\bavenants?\s+n\s*[o°]?\s*\d+|^\s*avenant\b"),
)
_PATTERN = re.compile("|".join(f"(?P<k{i}>{p})" for i, (_, p) in enumerate(PATTERNS)), re.MULTILINE)
_PLURAL = re.compile(r"^(?:conventions|chartes|contrats|accords|projets|avenants)\b")
_GENERIC_BEFORE = re.compile(r"\b(?:des|les|aux|de|ces|nos|vos|leurs|plusieurs|d'autres|autres)\s*$")
_BARE_CHARTE = re.compile(r"\bcharte\b(?!s)")
_TIED = re.compile(r"\bconventions?\b|\bcontrats?\b|\baccords?\b|\bsign\w*|\bavenant")
JOIN = re.compile(r"\s*(?:/|-|–|et|ou)\s*")
LABELS = {"ctg": "Convention territoriale globale",
          "charte-avec-les-familles": "Charte territoriale « avec les familles »",
          "pst": "Convention de projet social de territoire",
          "convention-actions-concertees": "Convention territoriale d’actions concertées",
          "convention-financement": "Convention de financement",
          "accord-partenarial": "Accord partenarial", "contrat-enfance-jeunesse":
          "Contrat enfance jeunesse", "avenant": "Avenant", "autre": "Convention"}
SHORT = {"ctg": "CTG", "charte-avec-les-familles": "Charte territoriale « avec les familles »",
         "pst": "Convention PST", "convention-actions-concertees":
         "Convention territoriale d’actions concertées", "convention-financement":
         "Convention de financement", "accord-partenarial": "Accord partenarial",
         "contrat-enfance-jeunesse": "CEJ", "avenant": "Avenant", "autre": "Convention"}


@dataclass(frozen=True)
class KindMention:
    """A kind of convention named in the text."""
    start: int
    end: int
    kinds: tuple[str, ...]
    generic: bool  # plural or general: conventions of this kind, not this one


def find_kinds(folded: str, sentences: list[tuple[int, int]] | None = None,
               title_end: int = 0) -> list[KindMention]:
    """Convention kinds named in ``folded``; ``sentences`` (spans) let the PST be checked
    against its sentence; ``title_end`` is where the title line ends."""
    raw: list[KindMention] = []
    for m in _PATTERN.finditer(folded):
        kind = next(PATTERNS[int(name[1:])][0] for name, v in m.groupdict().items() if v)
        words = m.group()
        generic = bool(_PLURAL.match(words)) or (
            kind in {"ctg", "pst"} and _GENERIC_BEFORE.search(folded[max(0, m.start() - 12):m.start()])
            is not None and words.startswith(("conventions", "projets")))
        kept = words.rstrip()
        if kept.endswith('"') and kept.count('"') % 2:
            kept = kept[:-1].rstrip()
        raw.append(KindMention(m.start(), m.start() + len(kept), (kind,), generic))
    pst = [k for k in raw if k.kinds == ("pst",) and not k.generic]
    if pst and sentences is not None and not any(
            k.start < title_end or _TIED.search(folded, *_sentence(sentences, k.start)) for k in pst):
        raw = [k for k in raw if k not in pst]
    elif pst and any(set(k.kinds) & {"ctg", "charte-avec-les-familles"} and not k.generic for k in raw):
        # a CTG or a charte is itself a « projet social de territoire »: not another convention
        raw = [k for k in raw if k not in pst or k.start < title_end]
    for m in _BARE_CHARTE.finditer(folded):  # « la charte » in a text about a charte territoriale
        if any(k.start <= m.start() < k.end for k in raw):
            continue
        if any("charte-avec-les-familles" in k.kinds for k in raw):
            raw.append(KindMention(m.start(), m.end(), ("charte-avec-les-familles",), False))
    raw.sort(key=lambda k: k.start)
    return _join(folded, raw)


def _sentence(sentences: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for s, e in sentences:
        if s <= pos < e:
            return s, e
    return pos, pos


def _join(folded: str, mentions: list[KindMention]) -> list[KindMention]:
    """A CTG and a charte side by side (« CTG / Charte territoriale ») are one convention."""
    out: list[KindMention] = []
    for k in mentions:
        prev = out[-1] if out else None
        if (prev is not None and not prev.generic and not k.generic
                and {prev.kinds[0], k.kinds[0]} == {"ctg", "charte-avec-les-familles"}
                and JOIN.fullmatch(folded[prev.end:k.start])):
            out[-1] = KindMention(prev.start, k.end, ("ctg", "charte-avec-les-familles"), False)
        else:
            out.append(k)
    return out


def kinds_of(text: str) -> list[tuple[str, ...]]:
    """The kinds named in ``text`` (generic mentions left out).

    >>> kinds_of("signeront la Convention Territoriale Globale")
    [('ctg',)]
    """
    doc = Doc(text)
    return [k.kinds for k in find_kinds(doc.folded, doc.sentences) if not k.generic]


__all__ = ["LABELS", "SHORT", "KindMention", "find_kinds", "kinds_of"]
