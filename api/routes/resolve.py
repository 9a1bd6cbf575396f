"""``/api/resolve``: a name as written → ranked candidates and a verdict."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Query
from pydantic import BaseModel

from loaders.resolver import default_resolver

router = APIRouter(prefix="/api", tags=["resolve"])

KindParam = Literal["commune", "epci", "departement", "region", "caf", "msa",
                    "conseil-departemental", "conseil-regional", "institution"]


class CandidatePublic(BaseModel):
    kind: str
    identifier: str
    name: str
    uri: str
    score: float
    departements: list[str]
    matched: str
    note: str = ""


class ResolutionPublic(BaseModel):
    name: str
    verdict: Literal["resolved", "ambiguous", "unknown"]
    best: CandidatePublic | None
    candidates: list[CandidatePublic]


def _public(c) -> CandidatePublic:  # type: ignore[no-untyped-def]
    return CandidatePublic(kind=c.kind, identifier=c.identifier, name=c.name, uri=c.uri,
                           score=round(c.score, 4), departements=list(c.departements),
                           matched=c.matched, note=c.note)


@router.get("/resolve", response_model=ResolutionPublic,
            summary="Resolve a name as written to a territory or an institution")
def resolve(name: Annotated[str, Query(min_length=1, max_length=200)],
            kind: KindParam | None = None,
            departement: Annotated[str | None, Query(pattern=r"^([0-9]{2}|2[AaBb]|97[1-6])$")] = None,
            date: dt.date | None = None) -> ResolutionPublic:
    """Never guesses between homonyms: without context « Saint-Martin » is ambiguous."""
    result = default_resolver().resolve(name, kind, departement=departement.upper()
                                        if departement else None, date=date)
    best = result.best
    return ResolutionPublic(name=result.name, verdict=result.verdict,
                            best=_public(best) if best else None,
                            candidates=[_public(c) for c in result.candidates])
