"""``/api/fundings``: who funds which facility, where, how much, under which convention, says
who — the named query ``queries/fundings.rq`` on the REST layer (:mod:`api.rest`): paged, in
JSON, CSV and JSON-LD, cached.

With one place filter (``commune``, ``epci``, ``departement`` or ``region``), the rows come
from ``queries/territory-fundings.rq`` instead: the same rows, found from the territory (its
facilities, then their fundings) where ``fundings.rq`` reads and checks every funding (on the
scaled benchmark graph, p50 22 ms over 22 territories, 10-80 ms with a funder kind from a
commune to a département, against seconds for fundings.rq). With a ``convention`` and no
place, they come from ``queries/convention-fundings.rq``, which starts from the convention."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel

from api import rest
from api.deps import StoreDep
from graph.named_queries import ParameterError, get_named_query

router = APIRouter(prefix="/api", tags=["fundings"])

QUERY, IN_TERRITORY, UNDER_CONVENTION = map(get_named_query, (
    "fundings", "territory-fundings", "convention-fundings"))
# URL parameter → parameter of the named query.
FILTERS = {"funder": "funder", "funder_kind": "funderKind", "facility_kind": "facilityKind",
           "commune": "commune", "epci": "epci", "departement": "departement", "region": "region",
           "year": "year", "convention": "convention"}
_DECLARED = {p.name: p for p in QUERY.params}
Funder, FunderKind, FacilityKind, Commune, Epci, Departement, Region, Year, Convention = (
    rest.param_annotation(_DECLARED[declared], name) for name, declared in FILTERS.items())


def chosen_query(values: dict[str, str | None]) -> rest.Choice:
    """The named query for URL ``values`` (named as the URL names them), its parameter values,
    and the URL name → parameter name mapping used: ``convention-fundings`` when a convention
    and no place are given, ``territory-fundings`` when exactly one place is, else
    ``fundings``.

    >>> query, bound, _ = chosen_query({"epci": "200066223", "facility_kind": "creche", "year": None})
    >>> query.name, bound
    ('territory-fundings', {'code': '200066223', 'facilityKind': 'creche', 'level': 'epci'})
    >>> chosen_query({"epci": "200066223", "departement": "09"})[0].name
    'fundings'
    >>> chosen_query({"epci": "200066223", "funder_kind": "msa"})[0].name
    'territory-fundings'
    >>> chosen_query({"convention": "ctg-cc-terres-des-confluences-2023-2027", "year": "2024"})[0].name
    'convention-fundings'
    """
    given = {k: v for k, v in values.items() if v not in (None, "")}
    if "convention" in given and not any(k in given for k in rest.PLACES):
        return rest.filtered(UNDER_CONVENTION, given, FILTERS)
    if choice := rest.in_territory(IN_TERRITORY, given, FILTERS):
        return choice
    return rest.filtered(QUERY, given, FILTERS)


class FundingPublic(BaseModel):
    """One funding, flattened, with its source. IRIs for ``funding``, ``funder``,
    ``funderKind``, ``facility``, ``kind`` (the facility's), ``status``, ``convention`` and
    ``document``; codes and labels as text; ``amount`` in EUR."""

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
    regionCode: str | None = None
    amount: float | None = None
    status: str | None = None
    convention: str | None = None
    conventionLabel: str | None = None
    validFrom: str | None = None
    validUntil: str | None = None
    signingDate: str | None = None
    document: str
    documentTitle: str
    excerpts: str


class FundingsPublic(BaseModel):
    """One page of fundings."""

    total: int
    page: int
    page_size: int
    items: list[FundingPublic]


@router.get("/fundings", response_model=FundingsPublic, responses=rest.responses(),
            summary="Fundings of facilities, by funder, kinds, territory, year or convention")
async def fundings(request: Request, store: StoreDep, page: rest.PageDep, fmt: rest.FormatDep,
             funder: Funder = None, funder_kind: FunderKind = None,
             facility_kind: FacilityKind = None, commune: Commune = None, epci: Epci = None,
             departement: Departement = None, region: Region = None, year: Year = None,
             convention: Convention = None) -> Response:
    """Every filter is optional and they combine. ``funder_kind``: a notation of the
    type-institution scheme (``msa``, ``caf``…); ``facility_kind``: of the type-equipement scheme
    (``creche``; narrower kinds match); territory at any level: ``commune`` (INSEE code), ``epci``
    (SIREN), ``departement``, ``region`` (INSEE codes) — a facility known only by its EPCI lies in
    the départements of its member communes; ``year``: a year the funding's convention is in
    force (or, for a convention with no period, the year it was signed); ``convention``: the key
    of the convention the funding is granted under."""
    rest.reject_unknown(request, FILTERS)
    if (unchanged := rest.not_modified(request, store)) is not None:
        return unchanged
    given = {"funder": funder, "funder_kind": funder_kind, "facility_kind": facility_kind,
             "commune": commune, "epci": epci, "departement": departement, "region": region,
             "year": year, "convention": convention}
    query, bound, names = chosen_query(given)
    try:
        rows = await rest.fetch_rows(store, query, bound, page)
    except ParameterError as exc:
        raise rest.url_named(exc, names) from None
    return rest.list_response(request, store, rows, page, id_field="funding")
