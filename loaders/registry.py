"""What records may refer to: territory codes, organisation keys, concept notations."""

from __future__ import annotations

from dataclasses import dataclass, field

from graph.named_queries import scheme_notations
from loaders.geography import Geography
from loaders.institutions import institutions_keys


@dataclass(frozen=True)
class Registry:
    """Known identifiers, built once from the geography, the institutions and the schemes."""

    communes: dict[str, tuple[str, str | None]]  # INSEE code → (name, SIREN)
    epci: dict[str, str]                          # SIREN → name
    departements: dict[str, str]
    organisations: frozenset[str]
    concepts: dict[str, frozenset[str]] = field(default_factory=dict)  # scheme → notations
    geography_dataset: str = ""


def build_registry(geo: Geography, schemes: dict[str, frozenset[str]] | None = None) -> Registry:
    """The registry for one millésime of the geography."""
    return Registry(
        communes={c["code"]: (c["nom"], c.get("siren")) for c in geo.communes
                  if c["type"] == "commune-actuelle"},
        epci={e["code"]: e["nom"] for e in geo.epci},
        departements={d["code"]: d["nom"] for d in geo.departements},
        organisations=frozenset(institutions_keys(geo)),
        concepts=scheme_notations() if schemes is None else schemes,
        geography_dataset=geo.dataset,
    )
