"""Proper names as written: the capitalised words (with their link words) that follow a type
word or a preposition — « Tarn et Garonne », « Midi-Pyrénées Sud », « Saint Nicolas de la
Grave », « U’ Aire a I’Argonne » (OCR). A name never crosses a line, a comma or a bracket.

>>> text = "la Caf de Tarn et Garonne, la Communauté"
>>> s, e = name_at(text, 7)
>>> text[s:e]
'Tarn et Garonne'
"""

from __future__ import annotations

import re

from loaders.extract.spans import Span

WORD = re.compile(r"[^\W_]+(?:[-‐][^\W_]+)*['’]?")
LINKS = frozenset({"de", "du", "des", "la", "le", "les", "d'", "d’", "l'", "l’", "et", "en", "sur",
                   "sous", "lès", "lez", "à", "a", "aux", "au", "y", "on", "of"})
# Capitalised words that start something else: a new body, a person, a sentence.
STOP = frozenset({"madame", "monsieur", "mme", "mlle", "m", "mm", "caisse", "caf", "msa",
                  "mutualité", "conseil", "communauté", "département", "région", "préfecture",
                  "état", "etat", "cc", "ca", "cu", "président", "présidente", "directeur",
                  "directrice", "maire", "ci-après", "représentée", "représenté", "article",
                  "convention", "charte", "ctg", "pst", "et", "pour", "avec", "entre", "dont",
                  "qui", "que", "par", "ou", "il", "elle", "ils", "elles", "nous", "vous", "ce",
                  "cette", "ces", "son", "sa", "ses", "leur", "leurs", "un", "une",
                  "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août",
                  "septembre", "octobre", "novembre", "décembre"})
MAX_WORDS = 9
# Type words that may end a name (« Decazeville Communauté », « Grand Poitiers Communauté »).
INSIDE = frozenset({"communauté", "agglomération", "agglo", "métropole"})
ARTICLES = frozenset({"le", "la", "les", "l'", "l’"})


def is_capitalised(word: str) -> bool:
    """Whether a word starts with a capital letter (or is a code such as « 4B »)."""
    return word[:1].isupper() or (word[:1].isdigit() and any(c.isalpha() for c in word))


def name_at(text: str, pos: int, *, limit: int | None = None, skip_links: bool = True,
            max_words: int = MAX_WORDS, stop: frozenset[str] = STOP) -> Span | None:
    """The proper name starting at ``pos`` (after spaces; leading link words are skipped when
    ``skip_links``, OCR debris such as « U’ » always), or None. It ends on its last capitalised
    word; a word of ``stop`` ends it."""
    end_limit = len(text) if limit is None else limit
    start = last = lead = None
    links = words = 0
    prev_end = pos
    for m in WORD.finditer(text, pos, end_limit):
        gap = text[prev_end:m.start()]
        dash = gap.strip() in {"-", "–"} and len(gap) <= 3 and start is not None and last == prev_end
        if (gap.strip() and not dash) or "\n" in gap or "\f" in gap:
            break
        if dash and not is_capitalised(m.group()):
            break  # « Andaine - Passais », not « Moissac - la ville »
        word = m.group()
        low = word.lower()
        elided = _is_elided_link(word)
        if start is None and elided and word[0].isupper():
            lead = m.start() if lead is None else lead  # « L'Isle-Adam », OCR debris « U’ Aire »
        elif is_capitalised(word) and not elided and (
                low.rstrip("'’") not in stop or (low in INSIDE and last == prev_end and links == 0)):
            start = m.start() if start is None else start
            last = m.end()
            links = 0
            words += 1
        elif low in LINKS or elided:
            if start is None and not skip_links:
                return None
            if start is not None:
                links += 1
                if links > 2:
                    break
        else:
            break
        prev_end = m.end()
        if words >= max_words:
            break
    if start is None or last is None or text[start:last].lower() in ARTICLES:
        return None
    return (start if lead is None else lead), last


def _is_elided_link(word: str) -> bool:
    """« d’ », « l’ », and OCR debris such as « U’ », « I’ »."""
    return len(word) == 2 and word[1] in "'’"


def shrink(text: str, span: Span) -> list[Span]:
    """``span`` and its shorter forms, dropping words from the right down to one word:
    « Essonne et la Mutualité » → « Essonne et la Mutualité », « Essonne »."""
    start, end = span
    out = [span]
    words = list(WORD.finditer(text, start, end))
    for m in reversed(words[:-1]):
        if is_capitalised(m.group()) and not _is_elided_link(m.group()):
            out.append((start, m.end()))
    return out


def of_phrase(written: str) -> str:
    """« de » before a name: « Le Conseil départemental » → « du Conseil départemental »,
    « La Caf » → « de la Caf », « Moissac » → « de Moissac ».

    >>> of_phrase("Le Fossat")
    'du Fossat'
    """
    for art, prep in (("Les ", "des "), ("Le ", "du "), ("La ", "de la "), ("L'", "de l'"),
                      ("L’", "de l’"), ("les ", "des "), ("le ", "du "), ("la ", "de la "),
                      ("l'", "de l'"), ("l’", "de l’")):
        if written.startswith(art):
            return prep + written[len(art):]
    if written[:1].lower() in "aeiouyéèêàâîïôûh":
        return f"d’{written}"
    return f"de {written}"


__all__ = ["LINKS", "WORD", "is_capitalised", "name_at", "of_phrase", "shrink"]
