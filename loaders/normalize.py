"""Normalization of French place and institution names, as written in texts, for matching.

Two levels:

- :func:`normalize` — what any two spellings of one name share: case, accents, ligatures
  (œ/æ), apostrophes, hyphens and dots, "St"/"Ste", a leading article or preposition;
- :func:`analyse` — the matching keys the resolver uses on top of it: the words naming the kind
  of a body (communauté de communes / CC / CdC / codecom, communauté d'agglomération / CA /
  agglo, communauté urbaine, métropole, Caisse d'allocations familiales / Caf, Mutualité sociale
  agricole / MSA, conseil départemental / conseil général / CD / CG, conseil régional) are
  rewritten to one canonical token, then a *skeleton* (no articles, no one-letter words: OCR
  noise such as "U’ Aire a I’Argonne") and the name without its EPCI type words.

Both run on every query: they are written for speed (a translation table for accented Latin
letters, NFKD only for the rare other characters).
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

ARTICLES = frozenset({"le", "la", "les", "l"})
# A leading "au/aux/du/des" is a preposition fused with an article: keep the article it implies,
# so that "au Fossat" meets "Le Fossat" exactly.
CONTRACTIONS = {"au": "le", "aux": "les", "du": "le", "des": "les"}
PREPOSITIONS = frozenset({"a", "de", "d"})
# Words dropped after a type word ("CA du Pays de Grasse" → "ca pays de grasse").
LINK_WORDS = frozenset({"le", "la", "les", "l", "de", "du", "des", "d", "a", "au", "aux"})
SKELETON_DROP = LINK_WORDS | {"en", "et"}
SAINTS = {"st": "saint", "ste": "sainte", "sts": "saints", "stes": "saintes"}
EPCI_TYPES = frozenset({"cc", "ca", "cu", "metropole"})
TYPE_WORDS = EPCI_TYPES | {"caf", "msa", "cd", "cr", "departement", "region", "prefecture"}

_PHRASES: dict[tuple[str, ...], str] = {
    ("communaute", "de", "communes"): "cc", ("communaute", "des", "communes"): "cc",
    ("communaute", "communes"): "cc", ("com", "com"): "cc", ("comcom",): "cc", ("cdc",): "cc",
    ("codecom",): "cc",
    ("communaute", "d", "agglomeration"): "ca", ("communaute", "de", "l", "agglomeration"): "ca",
    ("communaute", "agglomeration"): "ca", ("communaute", "d", "agglo"): "ca",
    ("agglomeration",): "ca", ("agglo",): "ca",
    ("communaute", "urbaine"): "cu",
    ("caisse", "d", "allocations", "familiales"): "caf",
    ("caisse", "des", "allocations", "familiales"): "caf",
    ("caisse", "de", "allocations", "familiales"): "caf",
    ("caisse", "d", "allocation", "familiale"): "caf",
    ("caisse", "allocations", "familiales"): "caf",
    ("mutualite", "sociale", "agricole"): "msa",
    ("conseil", "departemental"): "cd", ("conseil", "general"): "cd", ("cg",): "cd",
    ("conseil", "regional"): "cr",
}
# first word → phrases starting with it, longest first
_BY_FIRST: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _phrase, _token in sorted(_PHRASES.items(), key=lambda item: -len(item[0])):
    _BY_FIRST.setdefault(_phrase[0], []).append((_phrase, _token))


VOCABULARY = frozenset({w for phrase in _PHRASES for w in phrase if len(w) >= 5}
                       | {"metropole", "departement", "region", "codecom", "prefecture"})
_AFTER = frozenset({phrase[-1] for phrase in _PHRASES} | TYPE_WORDS | VOCABULARY)


def _fold_char(ch: str) -> str:
    base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    return base if base.isascii() else ""


_TABLE = {cp: _fold_char(chr(cp)) for cp in range(0xC0, 0x250)}
_TABLE.update({ord("œ"): "oe", ord("æ"): "ae", ord("ß"): "ss", ord("ø"): "o", ord("đ"): "d",
               ord("ł"): "l", ord("ı"): "i"})
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=[0-9])")
_DIGIT = re.compile(r"[0-9]")
_NOT_WORD = re.compile(r"[\W_]+")


def fold(text: str) -> str:
    """Case, accents, ligatures and punctuation folded away; words separated by one space.

    >>> fold("Cœur d’Astarac-en-Gascogne")
    'coeur d astarac en gascogne'
    >>> fold("CD91")
    'cd 91'
    """
    s = text.casefold().translate(_TABLE)
    if not s.isascii():
        s = "".join(c for c in unicodedata.normalize("NFKD", s) if not unicodedata.combining(c))
    s = _NOT_ALNUM.sub(" ", s)
    if _DIGIT.search(s):
        s = _LETTER_DIGIT.sub(" ", s)
    return s.strip()


def accented(name: str) -> str:
    """Like :func:`normalize` but keeping the accents: tells "Montaïn" from "Montain".

    >>> accented("Montaïn"), accented("MONTAIN")
    ('montaïn', 'montain')
    """
    words = [SAINTS.get(w, w) for w in _NOT_WORD.sub(" ", name.casefold()).split()]
    return " ".join(split_article(words)[1])


def tokens(name: str) -> list[str]:
    """The words of a name, folded, with "st"/"ste" spelled out.

    >>> tokens("St-Nicolas-de-la-Grave")
    ['saint', 'nicolas', 'de', 'la', 'grave']
    """
    return [SAINTS.get(w, w) for w in fold(name).split()]


def split_article(words: list[str]) -> tuple[str, list[str]]:
    """Strip the leading prepositions and article; return (the article, the remaining words).

    The article is kept apart, not lost: it separates "Le Port" from "Port".

    >>> split_article(["au", "fossat"])
    ('le', ['fossat'])
    >>> split_article(["de", "l", "essonne"])
    ('l', ['essonne'])
    """
    i, article, last = 0, "", len(words) - 1
    while i < last:
        w = words[i]
        if w in PREPOSITIONS:
            i += 1
        elif w in CONTRACTIONS or w in ARTICLES:
            article = CONTRACTIONS.get(w, w)
            i += 1
            break
        else:
            break
    return article, words[i:]


def normalize(name: str) -> str:
    """The comparable form of a name: folded, "St" spelled out, leading article dropped.

    >>> normalize("Saint Nicolas de la Grave") == normalize("St-Nicolas-de-la-Grave")
    True
    >>> normalize("la Ville Dieu du Temple")
    'ville dieu du temple'
    >>> normalize("l’Essonne")
    'essonne'
    """
    return " ".join(split_article(tokens(name))[1])


class Analysed(NamedTuple):
    """The matching keys of one name (see :func:`analyse`)."""

    article: str  # leading article ("", le, la, les, l)
    key: str  # normalized, type words canonical
    skeleton: str  # key without link words and one-letter words
    untyped: str  # key without EPCI type words ("" when it had none)
    words: tuple[str, ...]  # the words of key


def canonical_words(words: list[str]) -> list[str]:
    """Rewrite type phrases to one token and drop the link words right after a type word.

    >>> canonical_words("communaute d agglomeration du pays de grasse".split())
    ['ca', 'pays', 'de', 'grasse']
    """
    out: list[str] = []
    i, n = 0, len(words)
    while i < n:
        w = words[i]
        for phrase, token in _BY_FIRST.get(w, ()):
            if tuple(words[i:i + len(phrase)]) == phrase:
                w, i = token, i + len(phrase)
                break
        else:
            i += 1
        out.append(w)
        if w in TYPE_WORDS:
            while i < n - 1 and words[i] in LINK_WORDS:
                i += 1
    return out


def skeleton_of(words: list[str] | tuple[str, ...]) -> str:
    """The words that carry the name: no link words, no one-letter words (digits are kept)."""
    return " ".join(w for w in words if w not in SKELETON_DROP and (len(w) > 1 or w.isdigit()))


def analyse(name: str) -> Analysed:
    """All matching keys of a name.

    >>> a = analyse("la CC de U’ Aire a I’Argonne")
    >>> a.key, a.skeleton, a.untyped
    ('cc u aire a i argonne', 'cc aire argonne', 'u aire a i argonne')
    >>> analyse("Caisse des Allocations Familiales de l'Essonne").key
    'caf essonne'
    """
    article, words = split_article(canonical_words(tokens(name)))
    untyped = ""
    if len(words) > 1 and not EPCI_TYPES.isdisjoint(words):
        rest = [w for w in words if w not in EPCI_TYPES]
        untyped = " ".join(split_article(rest)[1]) if rest else ""
    return Analysed(article, " ".join(words), skeleton_of(words), untyped, tuple(words))


def within_one(a: str, b: str) -> bool:
    """True if ``a`` and ``b`` differ by at most one insertion, deletion, substitution or
    transposition of adjacent characters.

    >>> within_one("lezat", "lzeat"), within_one("lezat", "lezar"), within_one("lezat", "lez")
    (True, True, False)
    """
    la, lb = len(a), len(b)
    if la < lb:
        a, b, la, lb = b, a, lb, la
    if la - lb > 1:
        return False
    i = 0
    while i < lb and a[i] == b[i]:
        i += 1
    if la != lb:
        return a[i + 1:] == b[i:]
    if i == la or a[i + 1:] == b[i + 1:]:
        return True
    return i + 1 < la and a[i] == b[i + 1] and a[i + 1] == b[i] and a[i + 2:] == b[i + 2:]


def repair(name: str) -> str | None:
    """The name with one-character typos corrected in the words that say what kind of body it
    is ("Communauté de communs", "Caisse d'allocations familliales"), and in a short link word
    right after one of them ("communes eu Golfe", "Communauté se communes"); None if nothing
    was corrected.

    >>> repair("Communauté de communs eu Golfe")
    'communaute de communes de golfe'
    """
    words = tokens(name)
    changed = False
    for i, w in enumerate(words):
        if len(w) >= 5 and w not in VOCABULARY:
            for v in VOCABULARY:
                if within_one(w, v):
                    words[i], changed = v, True
                    break
    for i in range(1, len(words) - 1):
        w = words[i]
        if (len(w) == 2 and w not in LINK_WORDS and words[i - 1] in _AFTER
                and any(within_one(w, link) for link in ("de", "du", "la", "le"))):
            words[i], changed = "de", True
    return " ".join(words) if changed else None


def initials(words: list[str] | tuple[str, ...]) -> str:
    """First letters of the words that carry a name: ``("pays", "de", "grasse")`` → ``"pg"``."""
    return "".join(w[0] for w in words if w not in SKELETON_DROP and len(w) > 1 and w.isalpha())


__all__ = ["Analysed", "accented", "analyse", "canonical_words", "fold", "initials", "normalize", "repair",
           "skeleton_of", "split_article", "tokens", "within_one"]
