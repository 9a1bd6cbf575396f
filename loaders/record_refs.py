"""Resolving a record's references to territories and organisations: codes and keys as given,
names as written through the name resolver (with the record's context), each resolution of a
name recorded as an inference."""

from __future__ import annotations

import re

from rdflib import URIRef

from loaders.geography import commune_uri, departement_uri, epci_uri
from loaders.institutions import organisation_uri
from loaders.resolver import Candidate, default_resolver

On = tuple[URIRef, URIRef] | None  # (node, property) a resolved name is the value of
_KEY = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_INSEE = re.compile(r"^[0-9][0-9AB][0-9]{3}$")
_SIREN = re.compile(r"^[0-9]{9}$")
_DEPT = re.compile(r"^([0-9]{2}|2[AaBb]|97[1-6])$")


class ReferenceMixin:
    """Methods of the record builder that turn references into IRIs. The builder provides
    ``rec``, ``registry``, ``local_orgs``, ``fail()``, ``_inference()`` and
    ``_commune_authority()``."""

    def org(self, key: str, where: str, on: On = None) -> URIRef:
        """An organisation by key (registry, record, ``commune-{insee}``) or by name as written,
        resolved by the name resolver (the resolution is recorded as an inference on ``on``)."""
        return URIRef(organisation_uri(self.org_key(key, where, on)))

    def org_key(self, key: str, where: str, on: On = None) -> str:
        """The registry or record key of an organisation given by key or by name."""
        if not _KEY.match(key):
            key = self._resolve_organisation(key, where, on)
        if key in self.local_orgs or key in self.registry.organisations:
            return key
        if key.startswith("commune-") and key[8:].upper() in self.registry.communes:
            self._commune_authority(key[8:].upper())
            return key
        raise self.fail(where, f"unknown organisation key {key!r} (not in the registry nor "
                               "declared in `organisations:`)")

    def commune(self, value: str, where: str, on: On = None) -> URIRef:
        """A current commune by INSEE code, or by name as written (resolved)."""
        code = value if _INSEE.match(value) else self._resolve(value, "commune", where, on).identifier
        if code not in self.registry.communes:
            raise self.fail(where, f"no current commune with INSEE code {code!r}")
        return URIRef(commune_uri(code))

    def epci(self, value: str, where: str, on: On = None) -> URIRef:
        """An EPCI by SIREN, or by name as written (resolved)."""
        siren = value if _SIREN.match(value) else self._resolve(value, "epci", where, on).identifier
        if siren not in self.registry.epci:
            raise self.fail(where, f"no EPCI with SIREN {siren!r}")
        return URIRef(epci_uri(siren))

    def departement(self, value: str, where: str, on: On = None) -> URIRef:
        """A département by code, or by name as written (resolved)."""
        code = value.upper() if _DEPT.match(value) else self._resolve(
            value, "departement", where, on).identifier
        if code not in self.registry.departements:
            raise self.fail(where, f"no département {code!r}")
        return URIRef(departement_uri(code))

    def _resolve_organisation(self, name: str, where: str, on: On) -> str:
        """An organisation by name: an institution of the registry, else an EPCI or a commune
        as an authority (``epci-{siren}``, ``commune-{insee}``): the first kind under which the
        name is not unknown decides."""
        ctx = self.rec.context
        for kind, prefix in (("institution", ""), ("epci", "epci-"), ("commune", "commune-")):
            found = default_resolver().resolve(name, kind,
                                               departement=ctx.departement if ctx else None,
                                               date=ctx.date if ctx else None)
            if found.verdict != "unknown":
                return prefix + self._resolve(name, kind, where, on).identifier.lower()
        return self._resolve(name, "institution", where, on).identifier  # raises: unknown

    def _resolve(self, name: str, kind: str, where: str, on: On) -> Candidate:
        """Resolve a name with the record's context; refuse anything but a clear answer."""
        ctx = self.rec.context
        result = default_resolver().resolve(name, kind, departement=ctx.departement if ctx else None,
                                            date=ctx.date if ctx else None)
        if result.verdict != "resolved" or result.best is None:
            listed = "; ".join(f"{c.identifier} {c.name} ({'/'.join(c.departements)}, "
                               f"{c.score:.2f})" for c in result.candidates[:8])
            hint = " — give the code, or a context département" if result.candidates else ""
            raise self.fail(where, f"{result.verdict} {kind} name {name!r}"
                                   f"{': ' + listed if listed else ''}{hint}")
        best = result.best
        if on is not None:
            node, prop = on
            context = f", contexte département {ctx.departement}" if ctx and ctx.departement else ""
            basis = (f"« {name} » résolu en {best.name} ({best.identifier}) par le résolveur de "
                     f"noms (score {best.score:.2f}{context}{'; ' + best.note if best.note else ''})")
            self._inference(node, prop, basis)
        return best

