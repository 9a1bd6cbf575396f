"""``/api/facilities``: the facilities the texts name (crèches, relais petite enfance, LAEP,
centres sociaux, tiers-lieux…), by kind, place, convention and status — the named query
``queries/facilities.rq`` on the REST layer (:mod:`api.rest`): paged, in JSON, CSV and
JSON-LD, cached. The same list, for one territory or one convention, is also a sub-resource
of ``/api/territories/{code}`` and ``/api/conventions/{key}``.

With one place filter (``commune``, ``epci``, ``departement`` or ``region``), the rows come from
``queries/territory-facilities.rq`` instead: the same columns, found from the territory (its
communes, then their facilities) where ``facilities.rq`` reads and checks every facility."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from api import rest
from api.deps import StoreDep
from graph.named_queries import ParameterError, get_named_query

router = APIRouter(prefix="/api", tags=["facilities"])

QUERY, IN_TERRITORY = get_named_query("facilities"), get_named_query("territory-facilities")
# URL parameter → parameter of the named query.
FILTERS = {"kind": "facilityKind", "commune": "commune", "epci": "epci",
           "departement": "departement", "region": "region", "convention": "convention",
           "status": "status"}
_DECLARED = {p.name: p for p in QUERY.params}
Kind, Commune, Epci, Departement, Region, Convention, Status = (
    rest.param_annotation(_DECLARED[declared], name) for name, declared in FILTERS.items())


class FacilityPublic(BaseModel):
    """One facility. IRIs for ``facility``, ``kind`` (type-equipement concept),
    ``facilityStatus``, ``partOf``, ``operator``, ``document``; ``conventions``: the
    conventions it belongs to (through an action or a funding), ``funders``: its funders
    (space-separated); ``fundingCount`` the number of its fundings (the amounts are in
    ``/api/fundings``). A facility known only by its EPCI has no commune nor département."""

    facility: str
    facilityLabel: str
    kind: str
    facilityStatus: str | None = None
    communeCode: str | None = None
    communeLabel: str | None = None
    epciSiren: str | None = None
    epciLabel: str | None = None
    departementCode: str | None = None
    capacity: int | None = None
    newPlaces: int | None = None
    partOf: str | None = None
    operator: str | None = None
    operatorLabel: str | None = None
    conventions: str | None = None
    funders: str | None = None
    fundingCount: int
    document: str


class FacilitiesPublic(BaseModel):
    """One page of facilities."""

    total: int
    page: int
    page_size: int
    items: list[FacilityPublic]


def facility_rows(store: StoreDep, values: dict[str, str | None], page: rest.Page) -> rest.Rows:
    """One page of the facilities for URL ``values`` (named as the URL names them): from the
    territory when one place is given, else from ``facilities.rq``.

    :raises ParameterError: naming the URL parameter at fault (422).
    """
    given = {k: v for k, v in values.items() if v not in (None, "")}
    query, bound, names = (rest.in_territory(IN_TERRITORY, given, FILTERS)
                           or rest.filtered(QUERY, given, FILTERS))
    try:
        return rest.named_rows(store, query, bound, page)
    except ParameterError as exc:
        raise rest.url_named(exc, names) from None


@router.get("/facilities", response_model=FacilitiesPublic, responses=rest.responses(),
            summary="Facilities, by kind, commune, EPCI, département, région, convention, status")
def facilities(request: Request, store: StoreDep, page: rest.PageDep, fmt: rest.FormatDep,
               kind: Kind = None, commune: Commune = None, epci: Epci = None,
               departement: Departement = None, region: Region = None,
               convention: Convention = None, status: Status = None) -> Response:
    """Every filter is optional and they combine. ``kind``: a notation of the type-equipement
    scheme — narrower kinds match (``eaje`` finds crèches and micro-crèches, ``laep`` the
    itinerant ones); ``commune`` (INSEE code), ``epci`` (SIREN), ``departement``, ``region``
    (INSEE codes) — a facility known only by its EPCI lies in the départements and régions of
    the EPCI's communes; ``convention``: the key of a convention it belongs to (through an
    action or a funding); ``status``: ``projet`` or ``existant``."""
    rest.reject_unknown(request, FILTERS)
    if (unchanged := rest.not_modified(request, store)) is not None:
        return unchanged
    given = {"kind": kind, "commune": commune, "epci": epci, "departement": departement,
             "region": region, "convention": convention, "status": status}
    return rest.list_response(request, store, facility_rows(store, given, page), page,
                              id_field="facility")
