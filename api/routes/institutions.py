"""``/api/institutions``: the organisations (Caf, MSA caisses, conseils départementaux and
régionaux, EPCI and communes as authorities, associations…) and, for one of them, who it works
with.

``GET /api/institutions`` lists them (``institutions.rq``, or ``institutions-departement.rq``
when ``departement`` is given). ``GET /api/institutions/{key}`` is one of them
(``institution.rq``) with the territories it serves embedded (``institution-territories.rq``:
a few at most) and the totals and URLs of three paged sub-resources: ``/partners`` (who
co-signs with it, in which convention: ``partners.rq``), ``/conventions`` (the conventions it
takes part in, and as what: ``institution-conventions.rq``) and ``/fundings`` (the fundings it
gives: ``fundings.rq`` with ``funder``). Sub-resources rather than embedded lists: a Caf signs
with every commune of every CTG of its département, so those lists have no bound, and a list of
its own is paged, cached and offered in CSV and JSON-LD like any other.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import Response
from pydantic import BaseModel

from api import rest
from api.deps import StoreDep
from api.routes.fundings import FundingsPublic
from api.routes.territories import NOT_FOUND, count, link, shaped
from graph import named_queries as nq
from graph.errors import NotFoundError
from graph.named_queries import get_named_query
from graph.store import GraphStore

router = APIRouter(prefix="/api/institutions", tags=["institutions"])

LIST, IN_DEPARTEMENT, ONE, TERRITORIES, PARTNERS, CONVENTIONS, FUNDINGS, FUNDINGS_TOTAL = map(
    get_named_query, ("institutions", "institutions-departement", "institution",
                      "institution-territories", "partners", "institution-conventions",
                      "fundings", "institution-fundings-total"))
_DECLARED = {p.name: p for p in IN_DEPARTEMENT.params}
Kind, Q = (rest.param_annotation(_DECLARED[name]) for name in ("kind", "q"))
# optional here: without it, the institutions of every département (institutions.rq)
Departement = rest.param_annotation(replace(_DECLARED["departement"], required=False))
Date = rest.param_annotation(next(p for p in CONVENTIONS.params if p.name == "date"))
Key = Annotated[str, Path(pattern=nq.SLUG, max_length=120, examples=["msa-midi-pyrenees-sud"],
                          description="key of the institution (caf-82, msa-midi-pyrenees-sud, "
                                      "cd-91, epci-200066223, commune-82112…)")]


# -- models ------------------------------------------------------------------------------------

class InstitutionRowPublic(BaseModel):
    """One institution: ``kind`` is the IRI of its type-institution concept, ``serves`` the
    names of the territories it serves (`` ; ``-separated)."""

    organisation: str
    organisationLabel: str
    kind: str
    kindLabel: str
    siren: str | None = None
    serves: str | None = None


class InstitutionsPublic(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[InstitutionRowPublic]


class ServedPublic(BaseModel):
    """A territory the institution serves (``mlg:serves``)."""

    territory: str
    territoryLevel: str
    territoryCode: str
    territoryLabel: str


class InstitutionPublic(BaseModel):
    """One institution. ``territories``: those it serves, embedded (a few at most); its
    partners, conventions and fundings are paged sub-resources (``…Url``) and ``…Total`` their
    numbers of items (``partnersTotal``: rows of ``partnersUrl``, one per partner and convention)."""

    organisation: str
    organisationLabel: str
    kind: str
    kindLabel: str
    siren: str | None = None
    altLabels: str | None = None
    notes: str | None = None
    streetAddress: str | None = None
    postalCode: str | None = None
    addressLocality: str | None = None
    serves: str | None = None
    servesBasis: str | None = None
    territories: list[ServedPublic]
    partnersTotal: int
    partnersUrl: str
    conventionsTotal: int
    conventionsUrl: str
    fundingsTotal: int
    fundingsUrl: str


class PartnerPublic(BaseModel):
    """A co-signatory and the convention they both sign (one row per partner and convention)."""

    partner: str
    partnerLabel: str
    partnerKind: str
    convention: str
    conventionLabel: str
    validFrom: str | None = None
    validUntil: str | None = None
    document: str


class PartnersPublic(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[PartnerPublic]


class RoleConventionPublic(BaseModel):
    """A convention the institution takes part in; ``roles``: signatory, partner, diagnostic,
    actor, commitment, governance, funder, co-funder (space-separated)."""

    convention: str
    conventionLabel: str
    roles: str
    kinds: str | None = None
    validFrom: str | None = None
    validUntil: str | None = None
    document: str | None = None


class RoleConventionsPublic(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[RoleConventionPublic]


# -- routes ------------------------------------------------------------------------------------

@router.get("", response_model=InstitutionsPublic, responses=rest.responses(),
            summary="Institutions, by kind, département served or name")
def institutions(request: Request, store: StoreDep, page: rest.PageDep, fmt: rest.FormatDep,
                 kind: Kind = None, departement: Departement = None, q: Q = None) -> Response:
    """``kind``: a type-institution notation (``caf``, ``msa``, ``conseil-departemental``,
    ``epci``…); ``departement``: the institutions serving it, its région, one of its communes
    or an EPCI with communes in it; ``q``: a word of the name or another name, case and accents
    aside."""
    rest.reject_unknown(request, {"kind", "departement", "q"})
    if (unchanged := rest.not_modified(request, store)) is not None:
        return unchanged
    if departement:
        rows = rest.named_rows(store, IN_DEPARTEMENT,
                               {"departement": departement, "kind": kind, "q": q}, page)
    else:
        rows = rest.named_rows(store, LIST, {"kind": kind, "q": q}, page)
    return rest.list_response(request, store, rows, page, id_field="organisation")


def find(store: GraphStore, key: str) -> dict[str, object]:
    """The row of ``institution.rq`` for ``key``.

    :raises NotFoundError: if there is no institution of that key (404).
    """
    rows = rest.named_rows(store, ONE, {"organisation": key}).items
    if not rows:
        raise NotFoundError(f"no institution {key!r}")
    return rows[0]


@router.get("/{key}", response_model=InstitutionPublic, responses=rest.responses(item=True),
            summary="An institution: kind, territories served, partners, conventions, fundings")
def institution(request: Request, store: StoreDep, key: Key, fmt: rest.FormatDep) -> Response:
    """The institution of key ``key``, with the territories it serves, and the URLs and totals
    of its partners, conventions and fundings."""
    rest.reject_unknown(request, ())
    found = find(store, key)
    if (unchanged := rest.not_modified(request, store)) is not None:
        return unchanged
    who = {"organisation": key}
    base = f"api/institutions/{key}"
    item = {**found, "territories": rest.named_rows(store, TERRITORIES, who).items,
            "partnersTotal": count(store, PARTNERS, who),
            "partnersUrl": link(request, f"{base}/partners"),
            "conventionsTotal": count(store, CONVENTIONS, who),
            "conventionsUrl": link(request, f"{base}/conventions"),
            "fundingsTotal": next(iter(rest.named_rows(store, FUNDINGS_TOTAL, who).items),
                                  {"fundings": 0})["fundings"],
            "fundingsUrl": link(request, f"{base}/fundings")}
    return rest.item_response(request, store, shaped(request, item, ["territories"]),
                              id_field="organisation")


SUB = {**rest.responses(), **NOT_FOUND}


@router.get("/{key}/partners", response_model=PartnersPublic, responses=SUB,
            summary="The partners of an institution: who co-signs with it, in which convention")
def partners(request: Request, store: StoreDep, key: Key, page: rest.PageDep,
             fmt: rest.FormatDep) -> Response:
    """Every organisation that signs a convention together with this one, one row per partner
    and convention, with the convention's period and source document."""
    rest.reject_unknown(request, ())
    find(store, key)
    if (unchanged := rest.not_modified(request, store)) is not None:
        return unchanged
    rows = rest.named_rows(store, PARTNERS, {"organisation": key}, page)
    return rest.list_response(request, store, rows, page)


@router.get("/{key}/conventions", response_model=RoleConventionsPublic, responses=SUB,
            summary="The conventions an institution takes part in, and as what")
def conventions(request: Request, store: StoreDep, key: Key, page: rest.PageDep,
                fmt: rest.FormatDep, date: Date = None) -> Response:
    """One row per convention where the institution is a signatory, a named partner, the
    author of the diagnostic, an actor of an action, a party to a commitment, a member of a
    governance body, a funder or co-funder (``roles``); ``date``: only those in force that
    day."""
    rest.reject_unknown(request, {"date"})
    find(store, key)
    if (unchanged := rest.not_modified(request, store)) is not None:
        return unchanged
    rows = rest.named_rows(store, CONVENTIONS, {"organisation": key, "date": date}, page)
    return rest.list_response(request, store, rows, page, id_field="convention")


@router.get("/{key}/fundings", response_model=FundingsPublic, responses=SUB,
            summary="The fundings an institution gives")
def fundings(request: Request, store: StoreDep, key: Key, page: rest.PageDep,
             fmt: rest.FormatDep) -> Response:
    """``/api/fundings?funder={key}``: the facilities it funds, how much, under which
    convention, says who."""
    rest.reject_unknown(request, ())
    find(store, key)
    if (unchanged := rest.not_modified(request, store)) is not None:
        return unchanged
    rows = rest.named_rows(store, FUNDINGS, {"funder": key}, page)
    return rest.list_response(request, store, rows, page, id_field="funding")
