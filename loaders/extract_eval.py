"""Scoring drafts written by the extractor against hand-written records (docs/records.md).

A record — gold or draft — is turned into **document-level fact sets**, one per field; a draft is
scored by comparing its sets with the gold's: a fact in both is a true positive, a fact only in
the draft a false positive, a fact only in the gold a false negative. Conventions are not aligned
one to one (their keys differ, and a draft may split or merge them): each convention attribute
becomes a fact of the document. Record-local keys (of conventions, facilities, fundings, people,
actions) are never compared — fundings reach their facility through its key and are compared by
what the facility is — so renaming them changes nothing.

The fields (tuples; ``None`` where the record gives no value):

- ``convention_kind`` — ``(kind,)`` for every kind notation of every convention (``ctg``,
  ``charte-avec-les-familles``, ``pst``, ``convention-financement``…).
- ``signing_date`` — ``(when,)`` for every convention with a signing date: ``"YYYY-MM-DD"``, or
  ``"YYYY"`` when only the year is given. A year never matches a full date.
- ``period`` — ``(start, end, None)`` for every period with a bound, each bound a year or a date
  as given (``("2023", "2026-12-31", None)``); a period stated only as a duration is
  ``(None, None, duration)`` (``P3Y8M``). A duration given beside the bounds is not scored.
- ``territory`` — ``("epci", siren)``, ``("commune", insee)`` or ``("departement", code)`` for
  every territory of every convention.
- ``communes`` — ``(insee,)`` for every commune that is a signatory (``commune-{insee}``) or a
  territory of a convention: the 22 communes that sign a CTG beside their EPCI are counted here,
  not under ``signatories``, so that a long list of communes does not swamp the institutions.
- ``signatories`` — ``(organisation key,)`` for every signatory that is not a commune: registry
  keys (``caf-82``, ``msa-ile-de-france``, ``cd-91``, ``etat``, ``epci-{siren}``…) or the key
  of an organisation the record declares.
- ``people`` — ``(name, organisation key)`` for every role of every person and every
  representative of a convention; ``(name, None)`` for a person with neither. The name is folded
  (case, accents, punctuation; « Jérôme VIAUD » = « jerome viaud ») and a leading honorific
  dropped.
- ``domains`` — ``(domain,)`` for every domain notation of every convention (not of actions).
- ``facilities`` — ``(kind, place, capacity, new_places, n)`` for every facility; ``place`` is its
  commune's INSEE code, else its territory's SIREN; ``n`` numbers identical tuples (1, 2…) so that
  two LAEP in one commune are two facts.
- ``fundings`` — ``(funder key, facility kind, facility place, amount, n)`` for every funding:
  the funded facility is looked up by key in the same record (an action key gives
  ``("action", its first location)``); ``amount`` in euros as an int; co-funders, offer and
  status are not scored; ``n`` as for facilities.

Codes and keys are compared as given, with two spellings folded: a bare SIREN or INSEE code used
as an organisation means ``epci-{siren}`` / ``commune-{insee}``, and ``epci-{siren}`` or
``commune-{insee}`` used as a territory means the code. **Names** given where a code or key is
expected (« CC Arize-Lèze », « la Caf de Tarn et Garonne ») are resolved as the record loader
resolves them — :func:`loaders.resolver.default_resolver`, the record's ``context``, an
organisation tried as an institution, then an EPCI, then a commune — so a draft is not penalised
for a name the loader would accept. A name that does not resolve to exactly one entity
(ambiguous or unknown) is kept as ``"?{folded name}"``, which matches nothing in a gold record:
a miss, and a false positive. A key that is not in the registry (``caf-tarn-et-garonne``) is not
corrected: organisation keys become URIs in the shared graph, so a wrong key is a wrong fact.

Scores are micro-averaged: per field over all documents, and ``overall`` over every fact of
every field. A field with no fact in either record scores 1 (nothing to find, nothing invented).

>>> gold = {"conventions": [{"kinds": ["ctg"], "signing": {"date": 2024}}]}
>>> draft = {"conventions": [{"kinds": ["ctg", "pst"]}]}
>>> s = score(gold, draft, resolve=False)
>>> s["convention_kind"], s["signing_date"]
(Counts(tp=1, fp=1, fn=0), Counts(tp=0, fp=0, fn=1))
>>> round(aggregate([s])["overall"].f1, 3)
0.5
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

from loaders.normalize import fold

FIELDS = ("convention_kind", "signing_date", "period", "territory", "communes", "signatories",
          "people", "domains", "facilities", "fundings")
CRITICAL = ("fundings", "territory", "signing_date")
Facts = dict[str, set[tuple]]

_KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_INSEE = re.compile(r"^[0-9][0-9ABab][0-9]{3}$")
_SIREN = re.compile(r"^[0-9]{9}$")
_DEPT = re.compile(r"^([0-9]{1,2}|2[ABab]|97[1-6])$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}")
_HONORIFICS = frozenset({"madame", "monsieur", "mme", "mr", "m", "mlle", "mademoiselle", "dr",
                         "docteur", "me", "maitre"})


@dataclass(frozen=True)
class Counts:
    """True positives, false positives, false negatives of one field (or of all)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        if self.tp + self.fp:
            return self.tp / (self.tp + self.fp)
        return 1.0 if not self.fn else 0.0

    @property
    def recall(self) -> float:
        if self.tp + self.fn:
            return self.tp / (self.tp + self.fn)
        return 1.0 if not self.fp else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def facts(record: Mapping, *, resolve: bool = True) -> Facts:
    """The fact sets of a record (gold or draft), one per field of :data:`FIELDS` (see the
    module docstring). Names are resolved only when ``resolve`` is true (else scored as misses).
    Malformed parts of a draft (missing fields, wrong types) give no fact rather than an error."""
    refs = _Refs(record.get("context"), resolve)
    out: Facts = {f: set() for f in FIELDS}
    people = _items(record.get("people"))
    names = {p["key"]: _person_name(p) for p in people if isinstance(p.get("key"), str)}
    for p in people:
        out["people"].update((_person_name(p), refs.organisation(r.get("organisation")))
                             for r in _items(p.get("roles")))
    actions: dict[str, dict] = {}
    for conv in _items(record.get("conventions")):
        kinds = conv.get("kinds")
        kinds = [kinds] if isinstance(kinds, str) else kinds if isinstance(kinds, list) else []
        out["convention_kind"].update((_text(k),) for k in kinds if _text(k))
        signing = conv.get("signing")
        if isinstance(signing, Mapping) and signing.get("date") is not None:
            out["signing_date"].add((_when(signing["date"]),))
        period = conv.get("period")
        if isinstance(period, Mapping):
            start, end = _when(period.get("start")), _when(period.get("end"))
            if start or end:
                out["period"].add((start, end, None))
            elif period.get("duration"):
                out["period"].add((None, None, str(period["duration"])))
        for sig in _items(conv.get("signatories")):
            key = refs.organisation(sig.get("organisation"))
            if key is None:
                continue
            if key.startswith("commune-"):
                out["communes"].add((key[8:],))
            else:
                out["signatories"].add((key,))
        for rep in _items(conv.get("representatives")):
            if isinstance(rep.get("person"), str) and rep["person"] in names:
                out["people"].add((names[rep["person"]], refs.organisation(rep.get("organisation"))))
        for terr in _items(conv.get("territories")):
            for fact in refs.territory(terr):
                out["territory"].add(fact)
                if fact[0] == "commune":
                    out["communes"].add((fact[1],))
        domains = conv.get("domains")
        for dom in domains if isinstance(domains, list) else []:
            notation = _text(dom.get("domain") if isinstance(dom, Mapping) else dom)
            if notation:
                out["domains"].add((notation,))
        actions.update((a["key"], a) for a in _items(conv.get("actions"))
                       if isinstance(a.get("key"), str))
    named = {name for name, _ in out["people"]}
    out["people"].update((name, None) for name in map(_person_name, people) if name not in named)
    facilities = _items(record.get("facilities"))
    out["facilities"] = _numbered(
        (_text(f.get("kind")), refs.place(f), _int(f.get("capacity")), _int(f.get("new_places")))
        for f in facilities)
    by_key = {f["key"]: f for f in facilities if isinstance(f.get("key"), str)}
    out["fundings"] = _numbered(
        (refs.organisation(f.get("funder")), *_funded(refs, f.get("funded"), by_key, actions),
         _int(f.get("amount")))
        for f in _items(record.get("fundings")))
    return out


def score(gold: Mapping, draft: Mapping, *, resolve: bool = True) -> dict[str, Counts]:
    """Counts per field of :data:`FIELDS` of ``draft`` against ``gold``."""
    g, d = facts(gold, resolve=resolve), facts(draft, resolve=resolve)
    return {f: Counts(len(g[f] & d[f]), len(d[f] - g[f]), len(g[f] - d[f])) for f in FIELDS}


def differences(gold: Mapping, draft: Mapping, *, resolve: bool = True
                ) -> dict[str, tuple[set[tuple], set[tuple]]]:
    """Per field, the gold facts the draft misses and the draft facts the gold lacks."""
    g, d = facts(gold, resolve=resolve), facts(draft, resolve=resolve)
    return {f: (g[f] - d[f], d[f] - g[f]) for f in FIELDS}


def aggregate(scores: Iterable[Mapping[str, Counts]]) -> dict[str, Counts]:
    """Micro-averaged counts per field and ``overall`` (all facts of all fields): sum the counts
    of several documents, then read ``precision``, ``recall``, ``f1`` off the sums."""
    total = {f: Counts() for f in FIELDS}
    for s in scores:
        for f in FIELDS:
            total[f] = total[f] + s.get(f, Counts())
    total["overall"] = sum((total[f] for f in FIELDS), Counts())
    return total


def read_gold(folder: Path) -> dict[str, dict]:
    """The records of ``folder`` (``*.yaml``), by the file name of their document
    (``document.file`` without its folder).

    :raises LoadError: if a record does not parse.
    :raises ValueError: if two records name the same document file.
    """
    from loaders.yaml_safe import read_yaml  # imports graph: only when reading files

    gold: dict[str, dict] = {}
    for path in sorted(folder.glob("*.yaml")):
        record = read_yaml(path)
        if not isinstance(record, dict) or not isinstance(record.get("document"), dict):
            continue
        name = Path(str(record["document"].get("file", ""))).name
        if name in gold:
            raise ValueError(f"{path}: document {name} already has a record")
        gold[name] = record
    return gold


# -- helpers ---------------------------------------------------------------------------------
def _items(value: object) -> list[dict]:
    return [v for v in value if isinstance(v, Mapping)] if isinstance(value, list) else []


def _text(value: object) -> str | None:
    """A notation or key as text (None stays None): a malformed draft cannot make a fact
    unhashable."""
    return None if value is None else str(value).strip()


def _when(value: object) -> str | None:
    """A date or a year as text: ``YYYY-MM-DD`` or ``YYYY``; other text is kept as written."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text[:10] if _DAY.match(text) else text


def _int(value: object) -> int | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return round(value)
    text = re.sub(r"[\s\u00a0\u202f€]|eur(os)?", "", str(value).casefold()).replace(",", ".")
    if re.fullmatch(r"\d{1,3}(\.\d{3})+", text):  # 50.000 (thousands separator)
        text = text.replace(".", "")
    try:
        return round(float(text))
    except ValueError:
        return None


def _person_name(person: Mapping) -> str:
    name = person.get("name") or " ".join(
        str(person[k]) for k in ("given_name", "family_name") if person.get(k))
    words = fold(str(name)).split()
    while len(words) > 1 and words[0] in _HONORIFICS:
        words = words[1:]
    return " ".join(words)


def _numbered(tuples: Iterable[tuple]) -> set[tuple]:
    """Identical tuples told apart by an occurrence number (a multiset as a set)."""
    seen: Counter[tuple] = Counter()
    out = set()
    for t in tuples:
        seen[t] += 1
        out.add((*t, seen[t]))
    return out


def _funded(refs: _Refs, key: object, facilities: Mapping, actions: Mapping
            ) -> tuple[str | None, str | None]:
    if not isinstance(key, str):
        return None, None
    if key in facilities:
        facility = facilities[key]
        return _text(facility.get("kind")), refs.place(facility)
    if key in actions:
        locations = _items(actions[key].get("locations"))
        return "action", refs.place(locations[0]) if locations else None
    return None, None


@functools.lru_cache(maxsize=4096)
def _resolve(name: str, kind: str, departement: str | None, date: dt.date | None
             ) -> tuple[str, str | None]:
    """(verdict, identifier) of a name by the default resolver."""
    from loaders.resolver import default_resolver  # builds an index: only when a name needs it

    found = default_resolver().resolve(name, kind, departement=departement, date=date)
    return found.verdict, found.best.identifier if found.best else None


class _Refs:
    """Territory and organisation references of one record → codes and keys."""

    def __init__(self, context: object, resolve: bool) -> None:
        context = context if isinstance(context, Mapping) else {}
        self.dep = str(context["departement"]) if context.get("departement") else None
        date = context.get("date")
        if isinstance(date, str):
            try:
                date = dt.date.fromisoformat(date[:10])
            except ValueError:
                date = None
        self.date = date if isinstance(date, dt.date) else None
        self.enabled = resolve

    def _name(self, name: str, kind: str) -> tuple[str, str | None]:
        if not self.enabled:
            return "unknown", None
        return _resolve(name, kind, self.dep, self.date)

    def organisation(self, ref: object) -> str | None:
        """An organisation key: registry or record key as given, a bare SIREN or INSEE code as
        ``epci-``/``commune-``, a name resolved as institution, EPCI, then commune."""
        if ref is None:
            return None
        text = str(ref).strip()
        if _SIREN.match(text):
            return f"epci-{text}"
        if _INSEE.match(text):
            return f"commune-{text.upper()}"
        if text.startswith("commune-") and _INSEE.match(text[8:]):
            return f"commune-{text[8:].upper()}"
        if _KEY.match(text):
            return text
        for kind, prefix in (("institution", ""), ("epci", "epci-"), ("commune", "commune-")):
            verdict, identifier = self._name(text, kind)
            if verdict != "unknown":
                return prefix + identifier.lower() if identifier else _unresolved(text)
        return _unresolved(text)

    def commune(self, ref: object) -> str:
        text = str(ref).strip()
        if text.startswith("commune-"):
            text = text[8:]
        if _INSEE.match(text):
            return text.upper()
        return self._name(text, "commune")[1] or _unresolved(text)

    def epci(self, ref: object) -> str:
        text = str(ref).strip()
        if text.startswith("epci-"):
            text = text[5:]
        if _SIREN.match(text):
            return text
        return self._name(text, "epci")[1] or _unresolved(text)

    def departement(self, ref: object) -> str:
        text = str(ref).strip()
        if _DEPT.match(text):
            return text.upper().zfill(2)
        return self._name(text, "departement")[1] or _unresolved(text)

    def territory(self, item: Mapping) -> list[tuple[str, str]]:
        found = []
        for kind, read in (("epci", self.epci), ("commune", self.commune),
                           ("departement", self.departement)):
            if item.get(kind) is not None:
                found.append((kind, read(item[kind])))
        return found

    def place(self, item: Mapping) -> str | None:
        """Where a facility (or an action location) is: its commune, else its territory (an
        EPCI, or a commune when given by INSEE code)."""
        if item.get("commune") is not None:
            return self.commune(item["commune"])
        where = item.get("territory", item.get("epci"))
        if where is None:
            return None
        text = str(where).strip()
        return self.commune(text) if _INSEE.match(text) or text.startswith("commune-") else self.epci(text)


def _unresolved(name: str) -> str:
    return f"?{fold(name)}"


__all__ = ["CRITICAL", "FIELDS", "Counts", "aggregate", "differences", "facts", "read_gold",
           "score"]
