"""The entity resolver: a name as written in a text → ranked candidates and a verdict.

>>> r = default_resolver()
>>> r.resolve("communauté de communes Arize-Lèze").best.identifier
'200066223'
>>> r.resolve("Saint-Martin").verdict
'ambiguous'
>>> r.resolve("Caumont", "commune", departement="82").best.identifier
'82035'

How a name is matched, in order (the first step that finds something wins):

1. its normalized key (:func:`loaders.normalize.analyse`), exactly — official names, alternative
   and former names, acronyms, codes; when the leading article tells homonyms apart ("Le Port"
   and "Port") it is used;
2. its skeleton (no link words, no one-letter OCR debris), then, when it names an EPCI type
   (CC, CA…), the name without it, among EPCI only; "la commune de X", "la ville de X" → X;
3. a bare type word ("la Caf", "le Département", "la région") is resolved only by the context;
4. one-character typos (symmetric delete over the keys, checked by an edit distance); a typo
   in a short name (under 8 letters) or one correctable in two ways only gives suggestions;
5. one-character typos in the type words themselves ("Communauté de communs …").

Context: ``kind`` filters strictly; ``date`` keeps only the forms valid in that year's millésime
(clamped to 2021-2026) and lets a former name score as the official one; ``departement`` and
``region`` prefer what lies in them and fall back, with a lower score and a note, on what lies
elsewhere (a convention in the Ariège may name an EPCI of the Gers).

Verdict: ``resolved`` when one entity scores above :data:`RESOLVE_AT` and no other within
:data:`TIE` of it; ``ambiguous`` when several do (homonyms, without a context that separates
them); ``unknown`` when nothing scores :data:`RESOLVE_AT` or more (the candidates, if any,
are mere suggestions) and for a bare type word without context ("la région" alone: too vague).
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

from loaders.geography import Geography, read_geography
from loaders.history import Millesime, all_millesimes
from loaders.institutions import RegistryEntry, registry_entries
from loaders.normalize import (
    Analysed,
    accented,
    analyse,
    repair,
    skeleton_of,
    split_article,
    within_one,
)
from loaders.resolver_index import GENERIC, Entity, Form, Index, build_index

Kind = Literal["commune", "epci", "departement", "region", "caf", "msa", "conseil-departemental",
               "conseil-regional", "institution"]
Verdict = Literal["resolved", "ambiguous", "unknown"]
INSTITUTIONS = frozenset({"caf", "msa", "conseil-departemental", "conseil-regional", "etat",
                          "caisse-securite-sociale"})
KINDS: dict[str, frozenset[str]] = {
    "commune": frozenset({"commune"}), "epci": frozenset({"epci"}),
    "departement": frozenset({"departement"}), "region": frozenset({"region"}),
    "caf": frozenset({"caf", "caisse-securite-sociale"}), "msa": frozenset({"msa"}),
    "conseil-departemental": frozenset({"conseil-departemental"}),
    "conseil-regional": frozenset({"conseil-regional"}), "institution": INSTITUTIONS,
}
EPCI_ONLY, COMMUNE_ONLY = KINDS["epci"], KINDS["commune"]
DESIGNATORS = frozenset({"commune", "ville", "village", "mairie"})
RESOLVE_AT = 0.7  # below this, candidates are only suggestions (verdict unknown)
TIE = 0.05  # candidates this close to the best are homonyms: no guessing
SKELETON, UNTYPED, OUT_OF_CONTEXT, GENERIC_SCORE = 0.95, 0.95, 0.9, 0.8
FUZZY, FUZZY_SHORT, FUZZY_LONG, TWO_WAYS = 0.85, 0.65, 8, 0.8  # typo: factor, short factor, long
MISMATCH = 0.1  # an exact key whose article or accents differ from what was written
MAX_CANDIDATES = 10
_PARENS = re.compile(r"\(([^)]*)\)")
_DEP_CODE = re.compile(r"\d{2,3}|2[ABab]")


@dataclass(frozen=True)
class Candidate:
    """One thing a name may designate."""

    kind: str
    identifier: str  # INSEE code, SIREN, or registry key (caf-82, msa-ile-de-france, etat…)
    name: str  # official current name
    uri: str
    score: float  # 0..1
    departements: tuple[str, ...]  # département codes it lies in or serves
    matched: str  # the form that matched (official, alternative or former name, acronym…)
    note: str = ""


@dataclass(frozen=True)
class Resolution:
    """The verdict on one name, with its ranked candidates."""

    name: str
    verdict: Verdict
    candidates: tuple[Candidate, ...]

    @property
    def best(self) -> Candidate | None:
        """The candidate when the name is resolved, else None."""
        return self.candidates[0] if self.verdict == "resolved" else None


Hit = tuple[float, Form, str]  # score, form, extra note


class Resolver:
    """Names → entities, over an index built once (:meth:`build`)."""

    def __init__(self, index: Index) -> None:
        self.index = index
        self.first_year, self.last_year = index.years

    @classmethod
    def build(cls, geo: Geography, millesimes: Sequence[Millesime] | None = None,
              organisations: Sequence[RegistryEntry] | None = None) -> Resolver:
        """Index the geography (all millésimes) and the registry; a second or two."""
        return cls(build_index(geo, all_millesimes(geo) if millesimes is None else millesimes,
                               registry_entries(geo) if organisations is None else organisations))

    def resolve(self, name: str, kind: str | None = None, *, departement: str | None = None,
                region: str | None = None, date: datetime.date | None = None) -> Resolution:
        """Resolve ``name``, optionally of ``kind``, in the context of a département, a région,
        a date.

        :raises ValueError: if ``kind`` is not one of :data:`Kind`.
        """
        kinds = None if kind is None else KINDS.get(kind)
        if kind is not None and kinds is None:
            raise ValueError(f"unknown kind {kind!r}; expected one of {', '.join(KINDS)}")
        text = name
        if "(" in name:  # "Caumont (82)": a département in parentheses is a context
            for inner in _PARENS.findall(name):
                if departement is None and _DEP_CODE.fullmatch(inner.strip()):
                    departement = inner.strip()
            text = _PARENS.sub(" ", name)
        a = analyse(text)
        if not a.key:
            return Resolution(name, "unknown", ())
        year = None if date is None else min(max(date.year, self.first_year), self.last_year)
        dep = _code(departement)
        reg = _code(region)
        if a.key in GENERIC and a.key not in self.index.exact:
            return self._generic(name, a.key, kind, dep, reg)
        hits = self._contextual(self._strong(text, a, kinds, year), dep, reg)
        # A name that exists (as another kind, or in another year) is no typo: no correction.
        if hits is None and a.key not in self.index.exact:
            hits = self._contextual(self._fuzzy(a, kinds, year, (dep, reg)), dep, reg)
        if hits is None:
            fixed = repair(text)
            if fixed is not None:
                hits = self._contextual(self._strong(fixed, analyse(fixed), kinds, year, FUZZY),
                                        dep, reg)
        return _decide(name, hits or [])

    # -- matching steps -------------------------------------------------------------------
    def _strong(self, text: str, a: Analysed, kinds: frozenset[str] | None, year: int | None,
                factor: float = 1.0) -> Iterator[list[Hit]]:
        exact = self.index.exact
        hits = _filter(exact.get(a.key, ()), kinds, year, factor)
        if len(hits) > 1:  # "Le Port" ≠ "Port": the article decides when it can
            hits = _prefer(hits, lambda f: f.article == a.article)
        if len(hits) > 1 and not text.isascii():  # so do accents, when they are written
            written = accented(text)
            hits = _prefer(hits, lambda f: accented(f.matched) == written)
        yield hits
        yield _filter(self.index.skeleton.get(a.skeleton, ()), kinds, year, factor * SKELETON)
        if a.untyped and (kinds is None or "epci" in kinds):
            yield _filter(exact.get(a.untyped, ()), EPCI_ONLY, year, factor * UNTYPED)
            yield _filter(self.index.skeleton.get(skeleton_of(a.untyped.split()), ()), EPCI_ONLY,
                          year, factor * UNTYPED * SKELETON)
        if len(a.words) > 1 and a.words[0] in DESIGNATORS and (kinds is None or "commune" in kinds):
            key = " ".join(split_article(list(a.words[1:]))[1])  # "la commune de Moissac"
            yield _filter(exact.get(key, ()), COMMUNE_ONLY, year, factor * UNTYPED)

    def _fuzzy(self, a: Analysed, kinds: frozenset[str] | None, year: int | None,
               context: tuple[str | None, str | None]) -> Iterator[list[Hit]]:
        yield self._near(a.key, kinds, year, 1.0, context)
        if a.untyped and (kinds is None or "epci" in kinds):
            yield self._near(a.untyped, EPCI_ONLY, year, UNTYPED, context)

    def _near(self, key: str, kinds: frozenset[str] | None, year: int | None, factor: float,
              context: tuple[str | None, str | None]) -> list[Hit]:
        """Forms one edit away from ``key``. Among the 35,000 communes, a typo in a short name
        (under :data:`FUZZY_LONG` letters) outside the context, or a typo that could be
        corrected in two ways, only yields suggestions (scores below :data:`RESOLVE_AT`)."""
        if len(key) < 4:
            return []
        deletions = self.index.deletions
        found: set[str] = set()
        for variant in (key, *(key[:i] + key[i + 1:] for i in range(len(key)))):
            keys = deletions.get(variant)
            if keys is None:
                continue
            if isinstance(keys, str):
                found.add(keys)
            else:
                found.update(keys)
        found.discard(key)
        exact = self.index.exact
        crowded = kinds is None or "commune" in kinds
        dep, reg = context
        corrections: list[list[Hit]] = []
        for near in found:
            if within_one(key, near):
                more = _filter(exact[near], kinds, year, factor * FUZZY)
                if crowded and max(len(key), len(near)) < FUZZY_LONG:
                    more = [h if (dep or reg) and _inside(h[1].entity, dep, reg)
                            else (h[0] * FUZZY_SHORT / FUZZY, h[1], h[2]) for h in more]
                if more:
                    corrections.append(more)
        hits = [(s, f, "nom approché (une faute de frappe ?)") for more in corrections for s, f, _ in more]
        if dep or reg:  # two ways of correcting: count those in the context, if any
            inside = [m for m in corrections if any(_inside(h[1].entity, dep, reg) for h in m)]
            corrections = inside or corrections
        if len(corrections) > 1:
            hits = [(s * TWO_WAYS, f, note) for s, f, note in hits]
        return hits

    def _contextual(self, levels: Iterator[list[Hit]], dep: str | None, reg: str | None
                    ) -> list[Hit] | None:
        """The first level with hits in the context; else the first level with hits, marked as
        out of context; None when no level has hits."""
        fallback: list[Hit] | None = None
        for hits in levels:
            if not hits:
                continue
            if dep is None and reg is None:
                return hits
            inside = [h for h in hits if _inside(h[1].entity, dep, reg)]
            if inside:
                return inside
            if fallback is None:
                where = f"département {dep}" if dep else f"région {reg}"
                fallback = [(s * OUT_OF_CONTEXT, f, f"hors du contexte ({where})")
                            for s, f, _ in hits]
        return fallback

    def _generic(self, name: str, key: str, kind: str | None, dep: str | None, reg: str | None
                 ) -> Resolution:
        """A bare type word ("la Caf", "le Département"): only the context can say which."""
        allowed = KINDS[kind] if kind else None
        kinds = [k for k in GENERIC[key] if allowed is None or k in allowed]
        if not kinds or (dep is None and reg is None):
            return Resolution(name, "unknown", ())
        where = f"département {dep}" if dep else f"région {reg}"
        entities = [e for e in self.index.by_kind.get(kinds[0], ()) if _inside(e, dep, reg)
                    and (e.departements or e.regions)]
        candidates = tuple(
            Candidate(e.kind, e.identifier, e.name, e.uri, GENERIC_SCORE, e.departements, name,
                      f"désignation générique, précisée par le contexte ({where})")
            for e in sorted(entities, key=lambda e: -e.weight)[:MAX_CANDIDATES])
        verdict: Verdict = ("resolved" if len(entities) == 1 else
                            "ambiguous" if entities else "unknown")
        return Resolution(name, verdict, candidates)


def _code(code: str | None) -> str | None:
    if code is None:
        return None
    code = str(code).strip().upper()
    return code.zfill(2) if code.isdigit() and len(code) == 1 else code


def _inside(entity: Entity, dep: str | None, reg: str | None) -> bool:
    if dep is not None and entity.departements and dep not in entity.departements:
        return False
    return not (reg is not None and entity.regions and reg not in entity.regions)


def _prefer(hits: list[Hit], keep: Callable[[Form], bool]) -> list[Hit]:
    """Lower the hits whose form fails ``keep``, if some pass it and some do not."""
    passing = [keep(h[1]) for h in hits]
    if all(passing) or not any(passing):
        return hits
    return [h if ok else (h[0] - MISMATCH, h[1], h[2]) for h, ok in zip(hits, passing, strict=True)]


def _filter(forms: Sequence[Form], kinds: frozenset[str] | None, year: int | None,
            factor: float) -> list[Hit]:
    out: list[Hit] = []
    for f in forms:
        if kinds is not None and f.entity.kind not in kinds:
            continue
        if year is None:
            out.append((f.tier * factor, f, ""))
        elif f.years is None or year in f.years:
            dated = f.dated if f.main_years is not None and year in f.main_years else f.tier
            out.append((dated * factor, f, ""))
    return out


def _candidate(score: float, form: Form, extra: str) -> Candidate:
    if not extra and score == form.tier:
        if form.candidate is None:
            e = form.entity
            form.candidate = Candidate(e.kind, e.identifier, e.name, e.uri, form.tier,
                                       e.departements, form.matched, form.note)
        return form.candidate  # type: ignore[return-value]
    e = form.entity
    note = "; ".join(n for n in (form.note, extra) if n)
    return Candidate(e.kind, e.identifier, e.name, e.uri, round(score, 4), e.departements,
                     form.matched, note)


def _decide(name: str, hits: list[Hit]) -> Resolution:
    best: dict[int, Hit] = {}
    for hit in hits:
        key = id(hit[1].entity)
        if key not in best or hit[0] > best[key][0]:
            best[key] = hit
    if not best:
        return Resolution(name, "unknown", ())
    ranked = sorted(best.values(), key=lambda h: (-h[0], -h[1].entity.weight))
    top = ranked[0][0]
    tied = sum(1 for h in ranked if h[0] >= top - TIE)
    verdict: Verdict = ("unknown" if top < RESOLVE_AT else "resolved" if tied == 1 else "ambiguous")
    return Resolution(name, verdict, tuple(_candidate(*h) for h in ranked[:MAX_CANDIDATES]))


@functools.cache
def default_resolver() -> Resolver:
    """The resolver over the vendored geography (2026 and its history) and the registry."""
    return Resolver.build(read_geography())


__all__ = ["Candidate", "Kind", "Resolution", "Resolver", "default_resolver"]
