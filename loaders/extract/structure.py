"""The structure a convention text gives itself: axes (« Axe 2 : Agir en faveur de l'inclusion
sociale et professionnelle » and the items under it), objectives and issues (the items of a list
whose lead-in speaks of « objectifs » or « enjeux »), axes listed under a lead-in speaking of
« axes ». When the same axes are numbered twice (a preamble recalling a previous convention's
axes, then the convention's own), the set with objectives under it, else the last, is kept.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.extract.spans import Doc, Span

AXIS = re.compile(r"\s*(?:\*\*)?\s*(?:axe|orientation)\s*(?:n\s*[o°]\s*)?(?P<n>\d{1,2})\s*[:.)–-]\s*")
NUMBERING = re.compile(r"\s*(?:\d{1,2}\s*[).]|[a-z]\))\s*")
OBJECTIVES = re.compile(r"\bobjectifs?\b|\bpermettant de\s*:?\s*$|\bvis(?:e|ant) a\s*:?\s*$"
                        r"|\ba pour (?:but|ambition|finalite)s? de\s*:?\s*$")
ISSUES = re.compile(r"\benjeux\b")
AXES = re.compile(r"\baxes\b")


@dataclass
class Labelled:
    """An axis, objective or issue, with its rank when the text ranks it."""
    rank: int | None
    label: str
    span: Span
    objectives: list[Labelled] = field(default_factory=list)


@dataclass
class Structure:
    """The axes, objectives and issues of a text."""
    axes: list[Labelled] = field(default_factory=list)
    objectives: list[Labelled] = field(default_factory=list)
    issues: list[Labelled] = field(default_factory=list)


def _label(doc: Doc, span: Span) -> tuple[str, Span]:
    s, e = span
    m = NUMBERING.match(doc.folded, s, e)
    if m:
        s = m.end()
    text = doc.text[s:e].strip(" *.;,:")
    return (text[:1].upper() + text[1:], span) if text else ("", span)


def find_structure(doc: Doc) -> Structure:
    """Axes (with their objectives), objectives and issues of ``doc``."""
    out = Structure()
    numbered: list[list[Labelled]] = [[]]
    current: Labelled | None = None
    for i, line in enumerate(doc.lines):
        m = AXIS.match(doc.folded, line.content[0], line.content[1])
        if m:
            rank = int(m["n"])
            if numbered[-1] and rank <= (numbered[-1][-1].rank or 0):
                numbered.append([])
            label = doc.text[m.end():line.content[1]].strip(" *.;,:")
            current = Labelled(rank, label[:1].upper() + label[1:], line.content)
            numbered[-1].append(current)
            continue
        if line.bullet and current is not None:
            label, span = _label(doc, line.content)
            if label:
                current.objectives.append(Labelled(len(current.objectives) + 1, label, span))
            continue
        current = None
        if not line.bullet:
            continue
        intro = doc.intro_of(i)
        if intro is None or AXIS.match(doc.folded, intro.content[0], intro.content[1]):
            continue
        label, span = _label(doc, line.content)
        if not label:
            continue
        lead = doc.folded[intro.start:intro.end]
        target = (out.issues if ISSUES.search(lead) else out.objectives if OBJECTIVES.search(lead)
                  else out.axes if AXES.search(lead) else None)
        if target is not None:
            target.append(Labelled(len(target) + 1, label, span))
    sets = [s for s in numbered if s]
    if sets:
        with_objectives = [s for s in sets if any(a.objectives for a in s)]
        out.axes = (with_objectives or sets)[-1]
    for item in out.issues:  # enjeux are not ranked
        item.rank = None
    return out


__all__ = ["Labelled", "Structure", "find_structure"]
