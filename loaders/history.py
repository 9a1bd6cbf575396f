"""Millésimes of the official geography (2021 → today), in one compact shape.

A :class:`Millesime` lists, for one year, every commune (current, déléguée, associée) and
every EPCI with its members. 2021-2025 come from ``data/reference/cog-history/``; the current
year from the full vendored package.
"""

from __future__ import annotations

import gzip
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from graph.paths import REFERENCE
from loaders.geography import Geography

HISTORY = REFERENCE / "cog-history"
CURRENT_YEAR = 2026


@dataclass(frozen=True)
class CommuneEntry:
    code: str
    name: str
    type: str  # commune-actuelle | commune-deleguee | commune-associee
    departement: str | None
    chef_lieu: str | None  # for a déléguée/associée: the current commune it belongs to


@dataclass(frozen=True)
class EpciEntry:
    siren: str
    name: str
    type: str
    members: tuple[str, ...]


@dataclass(frozen=True)
class Millesime:
    """The geography of one year."""

    year: int
    version: str
    communes: tuple[CommuneEntry, ...]
    epci: tuple[EpciEntry, ...]

    @property
    def dataset(self) -> str:
        return f"https://maillage.fr/id/jeu-de-donnees/decoupage-administratif-{self.version}"


def _read(path: Path) -> Millesime:
    doc = json.loads(gzip.decompress(path.read_bytes()))
    return Millesime(
        int(doc["millesime"]), doc["version"],
        tuple(CommuneEntry(*row) for row in doc["communes"]),
        tuple(EpciEntry(s, n, t, tuple(m)) for s, n, t, m in doc["epci"]),
    )


def from_geography(geo: Geography, year: int = CURRENT_YEAR) -> Millesime:
    """The current millésime in the same shape as the historical ones."""
    return Millesime(
        year, geo.version,
        tuple(CommuneEntry(c["code"], c["nom"], c["type"], c.get("departement"), c.get("chefLieu"))
              for c in geo.communes if c["type"] != "arrondissement-municipal"),
        tuple(EpciEntry(e["code"], e["nom"], e["type"], tuple(m["code"] for m in e["membres"]))
              for e in geo.epci),
    )


@cache
def read_history(folder: Path = HISTORY) -> tuple[Millesime, ...]:
    """The vendored past millésimes, oldest first."""
    return tuple(_read(p) for p in sorted(folder.glob("*.json.gz")))


def all_millesimes(geo: Geography) -> tuple[Millesime, ...]:
    """Every millésime, oldest first, the current one last."""
    return (*read_history(), from_geography(geo))
