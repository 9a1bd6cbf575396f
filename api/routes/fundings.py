"""``/api/fundings``: who funds which facility, where, how much, under which convention, says
who — built on the named query ``queries/fundings.rq``."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from api.deps import StoreDep
from api.results import plain_rows
from graph.named_queries import get_named_query

router = APIRouter(prefix="/api", tags=["fundings"])

Key = Annotated[str | None, Query(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=80)]
Code = Annotated[str | None, Query(pattern=r"^[0-9A-Za-z]{1,12}$")]


class FundingPublic(BaseModel):
    """One funding, flattened, with its source."""

    funding: str
    funder: str
    funderLabel: str
    funderKind: str
    facility: str
    facilityLabel: str
    kind: str
    communeCode: str | None = None
    communeLabel: str | None = None
    epciSiren: str | None = None
    epciLabel: str | None = None
    departementCode: str | None = None
    amount: float | None = None
    status: str | None = None
    convention: str | None = None
    conventionLabel: str | None = None
    document: str
    documentTitle: str
    excerpts: str


class FundingsPublic(BaseModel):
    total: int
    items: list[FundingPublic]


@router.get("/fundings", response_model=FundingsPublic,
            summary="Fundings of facilities, filtered by funder, kinds, EPCI, département")
def fundings(store: StoreDep, funder: Key = None, funder_kind: Key = None,
             facility_kind: Key = None, epci: Code = None,
             departement: Code = None) -> FundingsPublic:
    """Every filter is optional. ``funder_kind``: a notation of the type-institution scheme
    (``msa``, ``caf``…); ``facility_kind``: of the type-equipement scheme (``creche``; narrower
    kinds match); ``epci``: a SIREN; ``departement``: an INSEE code."""
    params = {"funder": funder, "funderKind": funder_kind, "facilityKind": facility_kind,
              "epci": epci, "departement": departement}
    rows = plain_rows(get_named_query("fundings").run(
        store, {k: v for k, v in params.items() if v}).rows())
    return FundingsPublic(total=len(rows), items=[FundingPublic(**r) for r in rows])
