"""``/api/coverage``: how far the conventions in force cover a département — its EPCI with and
without a convention in force at a date, the population they hold, and the conventions that
end within a number of months.

``GET /api/coverage?departement=&date=&months=`` is one summary with two embedded lists (both
bounded by the département: a few dozen EPCI, the conventions of its territories):

- ``epcis``: every EPCI with a commune in the département (``queries/api-coverage.rq``), its
  coverage — ``full`` when a convention in force has the EPCI, the département or the région
  as its territory; ``partial`` when only some of its communes; ``none`` —, the conventions
  concerned and those expiring;
- ``expiring``: the conventions in force at ``date`` in the département that end by ``until``
  (``date`` + ``months``), from ``conventions-in-force.rq``.

The EPCI list is also a paged sub-resource, ``/api/coverage/epcis`` (CSV, JSON-LD). ``date``
defaults to today: the answer names the day, and its links and ETag carry it (see
:func:`api.routes.territories.with_defaults`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from api import rest
from api.deps import StoreDep
from api.routes.territories import NOT_FOUND, find, link, shaped, with_defaults
from graph import named_queries as nq
from graph.errors import NotFoundError
from graph.named_queries import ParameterError, get_named_query
from graph.store import GraphStore

router = APIRouter(prefix="/api/coverage", tags=["coverage"])

EPCIS, IN_FORCE = get_named_query("api-coverage"), get_named_query("conventions-in-force")
DEFAULT_MONTHS, MAX_MONTHS = 6, 120
Departement = Annotated[str, Query(pattern=nq.TOKEN, max_length=20, examples=["82"],
                                   description="INSEE code of the département")]
Date = rest.param_annotation(next(p for p in IN_FORCE.params if p.name == "date"))
Months = Annotated[int, Query(ge=0, le=MAX_MONTHS, examples=[12],
                              description="a convention in force that ends within this many "
                                          "months after `date` is expiring")]


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus ``months`` calendar months (the day of the month kept, or the month's last).

    >>> add_months(dt.date(2024, 8, 31), 6), add_months(dt.date(2024, 6, 1), 0)
    (datetime.date(2025, 2, 28), datetime.date(2024, 6, 1))
    """
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class EpciCoveragePublic(BaseModel):
    """An EPCI with a commune in the département: ``communeCount`` of its communes lie there;
    ``coverage`` full, partial or none; ``conventions`` (IRIs, space-separated),
    ``conventionLabels`` (`` ; ``) in force at ``date``; ``expiring``: those ending by
    ``until`` (empty strings when none)."""

    epci: str
    epciSiren: str
    epciLabel: str
    population: int | None = None
    communeCount: int
    coverage: str
    conventionCount: int
    conventions: str
    conventionLabels: str
    expiring: str


class EpciCoveragesPublic(BaseModel):
    total: int
    page: int
    page_size: int
    items: list[EpciCoveragePublic]


class ExpiringPublic(BaseModel):
    """A convention in force at ``date`` in the département that ends by ``until``."""

    convention: str
    conventionLabel: str
    territory: str
    territoryLabel: str
    validFrom: str
    validUntil: str
    document: str


class CoveragePublic(BaseModel):
    """The coverage of a département at ``date``: its EPCI counted by coverage, their
    populations (population totale of each EPCI, whole even when it crosses the border) and the
    share of it in EPCI fully covered; ``epcis`` embedded (also paged at ``epcisUrl``), and the
    conventions ``expiring`` by ``until`` = ``date`` + ``months``."""

    departement: str
    departementCode: str
    departementLabel: str
    date: str
    months: int
    until: str
    epciTotal: int
    epciFull: int
    epciPartial: int
    epciNone: int
    population: int
    populationFull: int
    populationPartial: int
    coveredShare: float | None = None
    epcis: list[EpciCoveragePublic]
    epcisUrl: str
    expiring: list[ExpiringPublic]


def _departement(store: GraphStore, code: str) -> dict[str, object]:
    """The ``territory.rq`` row of département ``code``.

    :raises NotFoundError: if there is no such département (404).
    """
    rows = find(store, code, "departement")
    if not rows:
        raise NotFoundError(f"no département with code {code!r}")
    return rows[0]


def _window(date: str | None, months: int) -> tuple[str, str]:
    """The day (``date`` or today) and the day ``months`` later, as ``YYYY-MM-DD``.

    :raises ParameterError: for a ``date`` that is no day of the calendar (422).
    """
    try:
        day = dt.date.fromisoformat(date) if date else dt.date.today()
    except ValueError:
        raise ParameterError("date", f"parameter 'date': {date!r} is not a date YYYY-MM-DD") from None
    return day.isoformat(), add_months(day, months).isoformat()


RESPONSES = {**rest.responses(item=True)}
RESPONSES[404] = {**RESPONSES[404], "description": "No such département"}


@router.get("", response_model=CoveragePublic, responses=RESPONSES,
            summary="Coverage of a département: EPCI with and without a convention in force, "
                    "population covered, conventions expiring")
def coverage(request: Request, store: StoreDep, departement: Departement, fmt: rest.FormatDep,
             date: Date = None, months: Months = DEFAULT_MONTHS) -> Response:
    """``departement``: INSEE code (required); ``date``: the day (default today); ``months``
    (default 6): the conventions in force that end within that many months are expiring."""
    rest.reject_unknown(request, {"departement", "date", "months"})
    found = _departement(store, departement)
    day, until = _window(date, months)
    request = with_defaults(request, date=day)
    if (unchanged := rest.not_modified(request, store)) is not None:
        return unchanged
    epcis = rest.named_rows(store, EPCIS, {"departement": departement, "date": day, "until": until})
    rows = epcis.items
    by = {kind: [r for r in rows if r["coverage"] == kind] for kind in ("full", "partial", "none")}
    population = {kind: sum(int(r["population"] or 0) for r in by[kind]) for kind in by}
    total = sum(population.values())
    in_force = rest.named_rows(store, IN_FORCE, {"date": day, "departementCode": departement}).items
    item: dict[str, object] = {
        "departement": found["territory"], "departementCode": found["territoryCode"],
        "departementLabel": found["territoryLabel"], "date": day, "months": months,
        "until": until, "epciTotal": len(rows), "epciFull": len(by["full"]),
        "epciPartial": len(by["partial"]), "epciNone": len(by["none"]), "population": total,
        "populationFull": population["full"], "populationPartial": population["partial"],
        "coveredShare": round(population["full"] / total, 4) if total else None,
        "epcis": rows,
        "epcisUrl": link(request, "api/coverage/epcis", departement=departement, date=day,
                         months=months),
        "expiring": [c for c in in_force if str(c["validUntil"]) <= until],
    }
    return rest.item_response(request, store, shaped(request, item, ("epcis", "expiring")),
                              id_field="departement")


@router.get("/epcis", response_model=EpciCoveragesPublic,
            responses={**rest.responses(), **NOT_FOUND},
            summary="The EPCI of a département, with the conventions in force that cover them")
def epcis(request: Request, store: StoreDep, departement: Departement, page: rest.PageDep,
          fmt: rest.FormatDep, date: Date = None, months: Months = DEFAULT_MONTHS) -> Response:
    """The ``epcis`` of ``/api/coverage``, paged, by SIREN."""
    rest.reject_unknown(request, {"departement", "date", "months"})
    _departement(store, departement)
    day, until = _window(date, months)
    request = with_defaults(request, date=day)
    if (unchanged := rest.not_modified(request, store)) is not None:
        return unchanged
    rows = rest.named_rows(store, EPCIS, {"departement": departement, "date": day, "until": until},
                           page)
    return rest.list_response(request, store, rows, page, id_field="epci")
