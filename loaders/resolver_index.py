"""The index behind :mod:`loaders.resolver`: every way of writing every territory and institution.

Built once from the geography millésimes and the institution registry:

- communes: current names; names of communes déléguées/associées; former names (2021-2025
  millésimes: renamed communes, communes merged into a commune nouvelle, communes absorbed —
  followed through ``anciensCodes``); the parts of a commune nouvelle's compound name
  ("Évry" for Évry-Courcouronnes); INSEE codes. All point at the *current* commune;
- EPCI: current and former names (a vanished SIREN → the EPCI holding most of its members), the
  name without its type words, acronyms (CAPG, CAESE, and those written in parentheses); SIREN;
- départements, régions: names, codes, "département de X", initials of régions (IDF, PACA);
- organisations of the registry: labels, alternative and former labels, MSA initials (MSA IDF,
  MSA MPS), "Caf 9"/"CD 9" for codes written without their zero, "Préfecture de X" → État.

Each :class:`Form` carries a tier (how good a match on it is), the years it was valid, a note;
the index maps the keys of :func:`loaders.normalize.analyse` to forms, plus a deletion
neighbourhood (symmetric delete, distance 1) for typos.
"""

from __future__ import annotations

import functools
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from loaders.geography import TERRITORY_ZONES, Geography, with_article
from loaders.history import Millesime
from loaders.institutions import RegistryEntry, organisation_uri
from loaders.normalize import SKELETON_DROP, analyse, initials, skeleton_of

ID = "https://maillage.fr/id/"
OFFICIAL, ALT, FORMER, REGION_CODE, PART = 1.0, 0.98, 0.9, 0.8, 0.75
DERIVED = 0.1  # an untyped name or an acronym is worth that much less than the name itself
FUZZY_MIN_LENGTH = 5
EPCI_LETTERS = {"cc": "cc", "ca": "ca", "cu": "cu", "metropole": "m"}
GENERIC = {  # a bare type word: resolved only by the context (kinds in order of preference)
    "caf": ("caf",), "msa": ("msa",), "cd": ("conseil-departemental",),
    "departement": ("conseil-departemental", "departement"), "cr": ("conseil-regional",),
    "region": ("conseil-regional", "region"), "cc": ("epci",), "ca": ("epci",), "cu": ("epci",),
    "metropole": ("epci",),
}
_PARENS = re.compile(r"\s*\(([^)]*)\)")
RegionsOf = Callable[[tuple[str, ...]], frozenset[str]]


@dataclass(slots=True, eq=False)
class Entity:
    """One thing a name can designate."""

    kind: str
    identifier: str
    name: str
    uri: str
    departements: tuple[str, ...]
    regions: frozenset[str]
    weight: int = 0  # population, to order homonyms for display


@dataclass(slots=True, eq=False)
class Form:
    """One way of writing an entity."""

    entity: Entity
    tier: float  # score of an exact match without date
    dated: float  # score of an exact match when the date falls in ``main_years``
    matched: str
    note: str
    article: str
    years: frozenset[int] | None  # millésimes in which the form named the entity (None: always)
    main_years: frozenset[int] | None
    candidate: object = None  # the resolver's cached Candidate


@dataclass
class Index:
    """Keys → forms. Built by :func:`build_index`."""

    exact: dict[str, list[Form]] = field(default_factory=dict)
    skeleton: dict[str, list[Form]] = field(default_factory=dict)
    deletions: dict[str, str | list[str]] = field(default_factory=dict)  # variant → key(s)
    by_kind: dict[str, list[Entity]] = field(default_factory=dict)
    years: tuple[int, int] = (2021, 2026)
    _seen: dict[tuple[str, int], Form] = field(default_factory=dict, repr=False)
    _fuzzy: set[str] = field(default_factory=set, repr=False)
    _sets: dict[frozenset[int], frozenset[int]] = field(default_factory=dict, repr=False)

    def add(self, text: str, entity: Entity, tier: float, note: str = "", *,
            years: frozenset[int] | None = None, main: frozenset[int] | None = None,
            dated: float | None = None, derived: bool = True, fuzzy: bool = True) -> None:
        """Index ``text`` as a form of ``entity``; if ``derived``, also its name without the EPCI
        type words and its acronym, a tier lower."""
        a = analyse(text)
        if not a.key:
            return
        dated = tier if dated is None else dated
        years, main = self._intern(years), self._intern(main)
        self._put(a.key, a.skeleton, Form(entity, tier, dated, text, note, a.article, years, main),
                  fuzzy)
        if not derived:
            return
        if a.untyped:
            self._put(a.untyped, skeleton_of(a.untyped.split()),
                      Form(entity, tier - DERIVED, dated - DERIVED, text, note, "", years, main),
                      fuzzy)
        acronym = _acronym(a.words)
        if acronym:
            self._put(acronym, acronym, Form(entity, tier - DERIVED, dated - DERIVED, text,
                                             note or f"sigle de {entity.name}", "", years, main),
                      False)

    def _intern(self, years: frozenset[int] | None) -> frozenset[int] | None:
        return None if years is None else self._sets.setdefault(years, years)

    def _put(self, key: str, skeleton: str, form: Form, fuzzy: bool) -> None:
        seen = self._seen.get((key, id(form.entity)))
        if seen is not None:  # one entity, one form per key: merge the years, keep the best
            seen.years = self._intern(_union(seen.years, form.years))
            seen.main_years = self._intern(_union(seen.main_years, form.main_years))
            seen.dated = max(seen.dated, form.dated)
            if form.tier > seen.tier:
                seen.tier, seen.note, seen.matched, seen.article = (
                    form.tier, form.note, form.matched, form.article)
            return
        self._seen[(key, id(form.entity))] = form
        self.exact.setdefault(key, []).append(form)
        self.skeleton.setdefault(skeleton, []).append(form)
        if fuzzy and len(key) >= FUZZY_MIN_LENGTH and key not in self._fuzzy:
            self._fuzzy.add(key)
            deletions = self.deletions
            for variant in {key, *(key[:i] + key[i + 1:] for i in range(len(key)))}:
                keys = deletions.get(variant)
                if keys is None:  # most variants lead to one key: a str, not a list (memory)
                    deletions[variant] = key
                elif isinstance(keys, str):
                    deletions[variant] = [keys, key]
                else:
                    keys.append(key)


def _union(a: frozenset[int] | None, b: frozenset[int] | None) -> frozenset[int] | None:
    return None if a is None or b is None else a | b


def _acronym(words: tuple[str, ...]) -> str:
    """CAPG for ``ca pays de grasse``; "" unless a type word and two more words make it."""
    if not any(w in EPCI_LETTERS for w in words):
        return ""
    rest = initials([w for w in words if w not in EPCI_LETTERS])
    if len(rest) < 2:
        return ""
    return "".join(EPCI_LETTERS.get(w, w[0]) for w in words
                   if w in EPCI_LETTERS or (w not in SKELETON_DROP and len(w) > 1 and w.isalpha()))


def _span(years: Iterable[int]) -> str:
    ys = sorted(years)
    return str(ys[0]) if ys[0] == ys[-1] else f"{ys[0]}-{ys[-1]}"


def build_index(geo: Geography, millesimes: Sequence[Millesime],
                organisations: Sequence[RegistryEntry]) -> Index:
    """Every form of every entity. ``millesimes`` oldest first, the current one last."""
    index = Index(years=(millesimes[0].year, millesimes[-1].year))
    dep_region = {d["code"]: d["region"] for d in geo.departements}

    @functools.cache
    def regions_of(deps: tuple[str, ...]) -> frozenset[str]:
        return frozenset(dep_region[d] for d in deps if d in dep_region)

    communes = _communes(index, geo, millesimes, regions_of)
    epci = _epci(index, geo, millesimes, communes, regions_of)
    deps = _territories(index, geo)
    _organisations(index, organisations, deps, epci, geo, regions_of)
    index._seen.clear()
    index._fuzzy.clear()
    index._sets.clear()
    for entity in {id(f.entity): f.entity for fs in index.exact.values() for f in fs}.values():
        index.by_kind.setdefault(entity.kind, []).append(entity)
    return index


def _communes(index: Index, geo: Geography, millesimes: Sequence[Millesime],
              regions_of: RegionsOf) -> dict[str, Entity]:
    now = millesimes[-1]
    actual = {c.code: c for c in now.communes if c.type == "commune-actuelle"}
    chef: dict[str, str] = {}  # déléguée/associée code → its commune (latest millésime wins)
    for m in millesimes:
        for c in m.communes:
            if c.type != "commune-actuelle" and c.chef_lieu:
                chef[c.code] = c.chef_lieu
    renumbered = {old: c["code"] for c in geo.communes for old in c.get("anciensCodes", ())
                  if c["type"] == "commune-actuelle"}
    population = {c["code"]: c.get("population", 0) for c in geo.communes
                  if c["type"] == "commune-actuelle"}

    def current(code: str | None, depth: int = 0) -> str | None:
        if code is None or depth > 5 or code in actual:
            return code
        nxt = renumbered.get(code) or chef.get(code)
        return current(nxt, depth + 1) if nxt and nxt != code else None

    entities = {code: Entity("commune", code, c.name, f"{ID}commune/{code}",
                             (c.departement,) if c.departement else (),
                             regions_of((c.departement,)), population.get(code, 0))
                for code, c in actual.items()}
    # (name, current code) → years named so, years as a commune, types, codes it was a commune under
    seen: dict[tuple[str, str], tuple[set[int], set[int], set[str], set[str]]] = defaultdict(
        lambda: (set(), set(), set(), set()))
    for m in millesimes:
        for c in m.communes:
            is_actual = c.type == "commune-actuelle"
            target = current(c.code if is_actual else (c.chef_lieu or c.code))
            if target is None:
                continue
            years, main, types, codes = seen[(c.name, target)]
            years.add(m.year)
            types.add(c.type)
            if is_actual:
                main.add(m.year)
                codes.add(c.code)
    for (name, target), (years, main, types, codes) in seen.items():
        entity, what = entities[target], "associée" if "commune-associee" in types else "déléguée"
        if name == entity.name and now.year in main:
            tier, note = OFFICIAL, ""
        elif now.year in years:  # a living commune déléguée/associée
            tier = ALT
            note = (f"ancienne commune ({_span(main)}), {what} de {entity.name}" if main
                    else f"commune {what} de {entity.name}")
        elif main and target in codes:
            tier, note = FORMER, f"ancien nom de {entity.name} ({_span(main)})"
        elif main:
            tier, note = FORMER, f"ancienne commune ({_span(main)}), fusionnée dans {entity.name}"
        else:
            tier, note = FORMER, f"ancienne commune {what} de {entity.name} ({_span(years)})"
        index.add(name, entity, tier, note, years=frozenset(years), main=frozenset(main),
                  dated=OFFICIAL if main else ALT, derived=False)
    for c in geo.communes:
        if c["type"] != "commune-actuelle":
            continue
        entity = entities[c["code"]]
        index.add(c["code"], entity, OFFICIAL, "code INSEE", derived=False, fuzzy=False)
        for old in c.get("anciensCodes", ()):
            index.add(old, entity, FORMER, f"ancien code INSEE de {entity.name}", derived=False,
                      fuzzy=False)
        parts = entity.name.split("-")
        if c.get("anciensCodes") and len(parts) == 2 and " " not in entity.name:
            years = frozenset(seen[(entity.name, entity.identifier)][0])
            for part in parts:
                key = analyse(part).key
                if len(key) >= 3 and key not in ("saint", "sainte"):
                    index.add(part, entity, PART, f"partie du nom de la commune nouvelle {entity.name}",
                              years=years, main=years, dated=PART, derived=False)
    return entities


def _epci(index: Index, geo: Geography, millesimes: Sequence[Millesime],
          communes: dict[str, Entity], regions_of: RegionsOf) -> dict[str, Entity]:
    now = millesimes[-1]
    population = {e["code"]: e.get("populationTotale", 0) for e in geo.epci}
    entities: dict[str, Entity] = {}
    for e in now.epci:
        deps = tuple(sorted({d for m in e.members if m in communes
                             for d in communes[m].departements}))
        entities[e.siren] = Entity("epci", e.siren, e.name, f"{ID}epci/{e.siren}", deps,
                                   regions_of(deps), population.get(e.siren, 0))
    members_now = {e.siren: set(e.members) for e in now.epci}
    successor: dict[str, str] = {}
    seen: dict[tuple[str, str], tuple[set[int], set[int]]] = defaultdict(lambda: (set(), set()))
    for m in millesimes:
        for e in m.epci:
            target = e.siren
            if target not in entities:
                if target not in successor:
                    overlap = Counter({s: len(members_now[s] & set(e.members)) for s in members_now})
                    successor[target] = overlap.most_common(1)[0][0]
                target = successor[target]
            years, main = seen[(e.name, target)]
            years.add(m.year)
            if target == e.siren:
                main.add(m.year)
    for (name, target), (years, main) in seen.items():
        entity = entities[target]
        if name == entity.name and now.year in years:
            tier, note = OFFICIAL, ""
        elif main:
            tier, note = FORMER, f"ancien nom ({_span(years)})"
        else:
            tier, note = FORMER, f"EPCI fusionné dans {entity.name} ({_span(years)})"
        for text in {name, _PARENS.sub("", name).strip()}:
            index.add(text, entity, tier, note, years=frozenset(years), main=frozenset(years),
                      dated=OFFICIAL)
        for inner in _PARENS.findall(name):
            if inner.isupper() and " " not in inner.strip():
                index.add(inner, entity, tier - DERIVED, note or f"sigle de {entity.name}",
                          years=frozenset(years), derived=False, fuzzy=False)
    for siren, entity in entities.items():
        index.add(siren, entity, OFFICIAL, "SIREN", derived=False, fuzzy=False)
    return entities


def _territories(index: Index, geo: Geography) -> dict[str, Entity]:
    deps: dict[str, Entity] = {}
    by_region: dict[str, list[str]] = defaultdict(list)
    for d in geo.departements:
        if d["zone"] not in TERRITORY_ZONES:
            continue
        code, name = d["code"], d["nom"]
        by_region[d["region"]].append(code)
        entity = Entity("departement", code, name, f"{ID}departement/{code}", (code,),
                        frozenset({d["region"]}))
        deps[code] = entity
        index.add(name, entity, OFFICIAL, derived=False)
        index.add(code, entity, OFFICIAL, "code du département", derived=False, fuzzy=False)
        if code.startswith("0"):
            index.add(code[1:], entity, FORMER, "code du département", derived=False, fuzzy=False)
        index.add(f"département {name}", entity, FORMER, derived=False)
        index.add(f"département {code}", entity, FORMER, derived=False, fuzzy=False)
    for r in geo.regions:
        if r["zone"] not in TERRITORY_ZONES:
            continue
        code, name = r["code"], r["nom"]
        entity = Entity("region", code, name, f"{ID}region/{code}", tuple(by_region[code]),
                        frozenset({code}))
        index.add(name, entity, OFFICIAL, derived=False)
        index.add(code, entity, REGION_CODE, "code de la région", derived=False, fuzzy=False)
        index.add(f"région {name}", entity, FORMER, derived=False)
        words = analyse(name).words
        for letters in {initials(words), "".join(w[0] for w in words)}:
            if len(letters) >= 3:
                index.add(letters, entity, FORMER, f"sigle de {name}", derived=False, fuzzy=False)
    return deps


def _organisations(index: Index, organisations: Sequence[RegistryEntry], deps: dict[str, Entity],
                   epci: dict[str, Entity], geo: Geography, regions_of: RegionsOf) -> None:
    region_deps: dict[str, list[str]] = defaultdict(list)
    for d in deps.values():
        region_deps[next(iter(d.regions))].append(d.identifier)
    for org in organisations:
        if org.kind == "epci":  # an EPCI's name resolves to the EPCI itself (kind "epci")
            continue
        served: list[str] = []
        for uri in org.serves:
            kind, _, code = uri.removeprefix(ID).partition("/")
            served += {"departement": [code], "region": region_deps.get(code, []),
                       "epci": list(epci[code].departements) if code in epci else []}.get(kind, [])
        served_t = tuple(dict.fromkeys(served))
        entity = Entity(org.kind, org.key, org.label, organisation_uri(org.key), served_t,
                        regions_of(served_t) | {u.rsplit("/", 1)[-1] for u in org.serves
                                                if "/region/" in u})
        index.add(org.label, entity, OFFICIAL, derived=False)
        for alt in org.alt_labels:
            index.add(alt, entity, ALT, derived=False, fuzzy=not analyse(alt).key[-1:].isdigit())
        for former in org.former_names:
            index.add(former, entity, FORMER, f"ancien nom de {org.label}", derived=False)
        if org.kind in ("caf", "conseil-departemental") and len(served_t) == 1:
            code = served_t[0]
            prefix = "Caf" if org.kind == "caf" else "CD"
            index.add(f"{prefix} {code}", entity, ALT, derived=False, fuzzy=False)
            if code.startswith("0"):
                index.add(f"{prefix} {code[1:]}", entity, FORMER, derived=False, fuzzy=False)
        if org.kind == "caf" and "64" in served_t:
            index.add("Caf 64", entity, ALT, derived=False, fuzzy=False)
        if org.kind == "msa":
            words = analyse(org.label).words[1:]
            for letters in {initials(words), "".join(w[0] for w in words)}:
                if len(letters) >= 2:
                    index.add(f"MSA {letters}", entity, FORMER, f"sigle de {org.label}",
                              derived=False, fuzzy=False)
        if org.kind == "caisse-securite-sociale":
            for code in served_t:
                note = "Mayotte n’a pas de Caf : la CSSM verse les prestations familiales."
                index.add(f"Caf {code}", entity, FORMER, note, derived=False, fuzzy=False)
                index.add(f"Caf {deps[code].name}", entity, FORMER, note, derived=False)
        if org.kind == "etat":
            for d in geo.departements:
                if d["code"] in deps:
                    index.add(f"Préfecture {with_article(d['nom'], d['typeLiaison'])}", entity,
                              FORMER, "services de l’État dans le département", derived=False)


__all__ = ["ALT", "FORMER", "GENERIC", "OFFICIAL", "PART", "Entity", "Form", "Index",
           "build_index"]
