"""Thematic domains, as concepts of the ``domaine`` scheme (docs/model.md).

A domain word counts only where the text lists what the convention is about — a domain
context: a sentence naming « domaines », « en matière de », « champs d'intervention »; a line
of axes (« Axe 2 : … »); an item of a list whose lead-in speaks of objectives, axes,
orientations, domains, priorities or actions; the short lines under a slide heading on domains;
a funding sentence (for a convention de financement). « la politique du logement » in a
sentence about something else is not a domain of the convention.

>>> domains_of("la petite enfance, l’enfance, la jeunesse")
['petite-enfance', 'enfance', 'jeunesse']
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from loaders.extract.spans import Doc, Span, fold

LEXICON: tuple[tuple[str, str], ...] = (
    ("petite-enfance", r"petite[- ]enfance|jeunes? enfants?|accueil (?:du|des) (?:jeunes? )?enfants?"
                       r"|0[- ]?(?:a )?[36] ans|tout-petits|modes? d'accueil|creches?"),
    ("enfance", r"(?<!petite )(?<!petite-)(?<!l'aide sociale a l')\benfance\b"
                r"|(?<!jeunes )(?<!jeune )\benfants\b(?![- ]parents?)|periscolaire"),
    ("jeunesse", r"\bjeunesse\b|(?<!les )\bjeunes\b(?! enfants?)|\bles jeunes\b(?! enfants?)|adolescen\w+"),
    ("parentalite", r"(?<!grand-)(?<!grand )parentalite|fonction parentale|soutien aux parents"
                    r"|soutenir les parents"),
    ("animation-vie-sociale", r"animation (?:de la )?vie sociale|animation sociale"),
    ("acces-aux-droits", r"acces aux droits"),
    ("inclusion-numerique", r"inclusion numerique|mediation numerique|\bnumerique\b"),
    ("sante", r"\bsante\b|acces aux soins|\bsoins\b"),
    ("logement", r"\blogements?\b|\bhabitat\b"),
    ("mobilite", r"\bmobilites?\b|\btransports?\b"),
    ("accompagnement-socioprofessionnel", r"socio-?professionnel(?:le)?s?"),
    ("inclusion-sociale-professionnelle", r"(?:inclusion|insertion) sociale et professionnelle"
                                          r"|insertion professionnelle"),
    ("handicap", r"\bhandicap\w*"),
    ("loisirs-culture-sport", r"\bloisirs?\b|\bsports?\b|\bsporti\w+|(?:a la|la|et) culture\b"
                              r"(?! partagee| commune| de la)"),
    ("cadre-de-vie", r"cadre de vie"),
)
_LEX = re.compile("|".join(f"(?P<d{i}>{p})" for i, (_, p) in enumerate(LEXICON)))
_ARTICLE = re.compile(r"(?:\b(?:la|le|les|l')\s*)$")
CUE = re.compile(r"\bdomaines?\b|\ben matiere de\b|\bchamps? d'intervention\b|\bpriorites\b"
                 r"|\bthematiques? (?:retenues|prioritaires|suivantes)\b"
                 r"|\bpolitiques? (?:de la |du |de l')?(?:petite|enfance|jeunesse)")
AXIS_LINE = re.compile(r"\s*(?:\*\*)?\s*(?:axe|orientation|priorite|objectif)\s*(?:n[o°]\s*)?\d+\s*[:.)-]")
LIST_LEAD = re.compile(r"objectifs?|\baxes?\b|orientations?|domaines?|priorit|\bactions\b|\benjeux\b"
                       r"|fiches?-actions?")
HEADING = re.compile(r"domaines?|thematiques?")
FUNDING = re.compile(r"\bfinanc\w+|\bsubvention\w*")


@dataclass(frozen=True)
class DomainHit:
    """A domain named in a domain context."""
    start: int  # of the domain words as written (with their article)
    end: int
    domain: str
    context: Span  # the sentence or line that makes it a domain
    funding: bool = False  # found in a funding sentence only (for a convention de financement)


def domain_words(folded: str, start: int, end: int) -> list[DomainHit]:
    """Domain words in ``folded[start:end]``, in order, each once."""
    out: list[DomainHit] = []
    for m in _LEX.finditer(folded, start, end):
        i = next(int(k[1:]) for k, v in m.groupdict().items() if v)
        art = _ARTICLE.search(folded, max(start, m.start() - 4), m.start())
        s = art.start() if art else m.start()
        out.append(DomainHit(s, m.end(), LEXICON[i][0], (start, end)))
    return out


def domain_contexts(doc: Doc, *, funding: bool = False) -> list[Span]:
    """The spans of ``doc`` where domain words are domains (see the module docstring); with
    ``funding``, funding sentences too (after the others)."""
    folded = doc.folded
    spans: list[Span] = []
    money: list[Span] = []
    for s, e in doc.sentences:
        cue = CUE.search(folded, s, e)
        if cue:
            spans.append((cue.start(), e))
        elif AXIS_LINE.match(folded, s):
            spans.append((s, e))
        elif funding and FUNDING.search(folded, s, e):
            money.append((s, e))
    for i, line in enumerate(doc.lines):
        if line.bullet:
            intro = doc.intro_of(i)
            if intro is not None and LIST_LEAD.search(folded, intro.start, intro.end) and \
                    folded[intro.start:intro.end].rstrip(" *").endswith((":", "?")) | _ends_open(doc, intro):
                spans.append(line.content)
        elif HEADING.search(folded, line.start, line.end) and len(folded[line.start:line.end]) < 80:
            spans.extend(_slide_items(doc, i))
    return spans + [m for m in money if m not in spans]


def _ends_open(doc: Doc, line) -> bool:  # type: ignore[no-untyped-def]
    """A lead-in that ends with « : » (possibly trimmed off) or with no final stop."""
    raw_end = line.end
    tail = doc.text[line.content[1]:raw_end + 2]
    return ":" in tail or doc.text[line.content[1] - 1] not in ".!?"


def _slide_items(doc: Doc, heading: int) -> list[Span]:
    """Short lines under a heading, up to a double blank line or the next heading."""
    out: list[Span] = []
    prev_end = doc.lines[heading].end
    for line in doc.lines[heading + 1:]:
        gap = doc.text[prev_end:line.start]
        if gap.count("\n") > 2 or "\f" in gap:
            break
        if line.end - line.start > 60 or doc.text[line.content[1] - 1] in ":?":
            break
        out.append(line.content)
        prev_end = line.end
    return out


def find_domains(doc: Doc, *, funding: bool = False) -> list[DomainHit]:
    """Domains named in the domain contexts of ``doc`` (``funding``: see
    :func:`domain_contexts`; those hits are flagged)."""
    hits: dict[tuple[int, str], DomainHit] = {}
    plain = set(domain_contexts(doc))
    for s, e in domain_contexts(doc, funding=funding):
        for h in domain_words(doc.folded, s, e):
            if (h.start, h.domain) not in hits:
                hits[(h.start, h.domain)] = DomainHit(h.start, h.end, h.domain, h.context,
                                                      (s, e) not in plain)
    return sorted(hits.values(), key=lambda h: (h.start, h.domain))


def domains_of(text: str) -> list[str]:
    """The domains named in a sentence that is a domain context.

    >>> domains_of("dans les domaines de la petite enfance et du soutien à la parentalité")
    ['petite-enfance', 'parentalite']
    """
    folded = fold(text)
    return [h.domain for h in domain_words(folded, 0, len(folded))]


__all__ = ["LEXICON", "DomainHit", "domain_contexts", "domain_words", "domains_of", "find_domains"]
