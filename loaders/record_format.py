"""The record format (docs/records.md) as pydantic models: a typo or a wrong type is caught with
the path of the field that is wrong."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, model_validator

Key = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
InseeCode = Annotated[str, StringConstraints(pattern=r"^[0-9][0-9AB][0-9]{3}$")]
Siren = Annotated[str, StringConstraints(pattern=r"^[0-9]{9}$")]
DeptCode = Annotated[str, StringConstraints(pattern=r"^([0-9]{2}|2A|2B|97[1-6])$")]
Duration = Annotated[str, StringConstraints(pattern=r"^P(\d+Y)?(\d+M)?(\d+D)?$")]
Excerpt = str | list[str]
DateOrYear = dt.date | Annotated[int, Field(ge=1900, le=2100)]
# A reference to a territory or an organisation: its code or key, or its name as written (then
# resolved by the name resolver with the record's context).
Ref = Annotated[str, StringConstraints(min_length=1, max_length=200, strip_whitespace=True)]


class Context(BaseModel):
    """Context for resolving names in the record: a département and a date."""

    model_config = ConfigDict(extra="forbid")
    departement: Annotated[str, StringConstraints(pattern=r"^([0-9]{2}|2A|2B|97[1-6])$")] | None = None
    date: dt.date | None = None


class Item(BaseModel):
    """Every item: evidence excerpt(s) and inferred fields with their basis."""

    model_config = ConfigDict(extra="forbid")
    excerpt: Excerpt
    inferred: dict[str, str] = Field(default_factory=dict)
    # Drafts written by `maillage extract` also carry these; the loader recomputes offsets.
    confidence: Annotated[float, Field(ge=0, le=1)] | None = None
    offsets: list[tuple[int, int]] | None = None


class Document(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: Key
    file: str
    title: str
    type: str
    creator: str | None = None
    issued: dt.date | None = None


class Address(BaseModel):
    model_config = ConfigDict(extra="forbid")
    street: str | None = None
    postal_code: str | None = None
    locality: str | None = None


class Organisation(Item):
    key: Key
    label: str | None = None
    kind: Key | None = None
    as_written: str | None = None
    address: Address | None = None


class Role(Item):
    organisation: Ref
    role: Key | None = None
    label: str


class Person(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: Key
    name: str
    given_name: str | None = None
    family_name: str | None = None
    honorific: str | None = None
    roles: list[Role] = Field(default_factory=list)


class Signing(Item):
    date: DateOrYear | None = None
    time: Annotated[str, StringConstraints(pattern=r"^\d{2}:\d{2}$")] | None = None
    commune: Ref | None = None
    venue: str | None = None
    as_written: str | None = None


class Period(Item):
    start: DateOrYear | None = None
    end: DateOrYear | None = None
    duration: Duration | None = None


class OrgRef(Item):
    organisation: Ref
    as_written: str | None = None


class Representative(Item):
    person: Key
    organisation: Ref


class TerritoryRef(Item):
    epci: Ref | None = None
    commune: Ref | None = None
    departement: Ref | None = None
    as_written: str | None = None

    @model_validator(mode="after")
    def _one_code(self) -> TerritoryRef:
        if sum(x is not None for x in (self.epci, self.commune, self.departement)) != 1:
            raise ValueError("give exactly one of epci, commune, departement")
        return self


class Location(BaseModel):
    model_config = ConfigDict(extra="forbid")
    epci: Ref | None = None
    commune: Ref | None = None


class DomainRef(Item):
    domain: Key
    as_written: str | None = None


class Labelled(Item):
    label: str
    rank: int | None = None


class Axis(Labelled):
    objectives: list[Labelled] = Field(default_factory=list)


class Action(Item):
    key: Key
    label: str
    domains: list[Key] = Field(default_factory=list)
    facilities: list[Key] = Field(default_factory=list)
    locations: list[Location] = Field(default_factory=list)
    actors: list[Ref] = Field(default_factory=list)


class Count(Item):
    value: int


class Seat(BaseModel):
    model_config = ConfigDict(extra="forbid")
    organisation: Ref
    count: int | None = None
    role_label: str | None = None


class Frequency(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str
    min: int | None = None
    max: int | None = None


class Governance(Item):
    key: Key
    kind: Key
    label: str
    missions: list[str] = Field(default_factory=list)
    seats: list[Seat] = Field(default_factory=list)
    composition_note: str | None = None
    frequency: Frequency | None = None


class Commitment(Item):
    parties: list[Ref] = Field(default_factory=list)
    label: str


class Phase(Item):
    rank: int
    label: str
    duration: Duration | None = None


class Diagnostic(Item):
    by: Ref | None = None
    horizon: int | None = None


class Predecessor(Item):
    convention: Key


class Text(Item):
    text: str


class Convention(Item):
    key: Key
    label: str
    title: str | None = None
    kinds: list[Key] = Field(min_length=1)
    offer: Key | None = None
    signing: Signing | None = None
    period: Period | None = None
    signatories: list[OrgRef] = Field(default_factory=list)
    representatives: list[Representative] = Field(default_factory=list)
    territories: list[TerritoryRef] = Field(default_factory=list)
    domains: list[DomainRef] = Field(default_factory=list)
    issues: list[Labelled] = Field(default_factory=list)
    objectives: list[Labelled] = Field(default_factory=list)
    axes: list[Axis] = Field(default_factory=list)
    actions: list[Action] = Field(default_factory=list)
    planned_action_count: Count | None = None
    governance: list[Governance] = Field(default_factory=list)
    commitments: list[Commitment] = Field(default_factory=list)
    phases: list[Phase] = Field(default_factory=list)
    partners: list[OrgRef] = Field(default_factory=list)
    diagnostic: Diagnostic | None = None
    predecessor: Predecessor | None = None
    amendment_provision: Text | None = None
    evaluation: Text | None = None


class Facility(Item):
    key: Key
    label: str
    kind: Key
    commune: Ref | None = None
    territory: Ref | None = None
    capacity: Annotated[int, Field(ge=0)] | None = None
    new_places: Annotated[int, Field(ge=0)] | None = None
    part_of: Key | None = None
    operator: Ref | None = None
    status: Key | None = None
    as_written: str | None = None

    @model_validator(mode="after")
    def _somewhere(self) -> Facility:
        if self.commune is None and self.territory is None:
            raise ValueError("give commune (INSEE code) or territory (EPCI SIREN)")
        return self


class Funding(Item):
    key: Key
    label: str
    funder: Ref
    funded: Key
    amount: Annotated[float, Field(ge=0)] | None = None
    convention: Key | None = None
    offer: Key | None = None
    status: Key | None = None
    co_funders: list[Ref] = Field(default_factory=list)


class Record(BaseModel):
    """One record file."""

    model_config = ConfigDict(extra="forbid")
    record: Key
    context: Context | None = None
    document: Document
    organisations: list[Organisation] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    conventions: list[Convention] = Field(default_factory=list)
    facilities: list[Facility] = Field(default_factory=list)
    fundings: list[Funding] = Field(default_factory=list)
