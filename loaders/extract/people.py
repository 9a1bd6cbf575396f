"""People and their roles: « Madame Laurence Carles, Présidente du Conseil d’administration de
la Caisse d’Allocations Familiales de Tarn et Garonne », « Jérôme VIAUD, Président de la
Communauté d’Agglomération du Pays de Grasse », « représentée par Monsieur Guillaume LACROIX,
son Directeur Général », « …, maire de La Ville Dieu du Temple ».

A person is recognised with an honorific (Madame, Monsieur, M., Mme…), or without one when a
role follows the name. A role's organisation is the organisation named after it; « son
Président » is the organisation the paragraph is about (the party that « représenté par »
introduces); « maire de X » is the commune X as an authority.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from loaders.extract.names import name_at, of_phrase
from loaders.extract.orgs import OrgMention
from loaders.extract.spans import Doc
from loaders.extract.territories import Names
from loaders.institutions import slugify

_UP = "A-ZÀ-ÖØ-Þ"
_LOW = "a-zß-öø-ÿ"
HONORIFIC = r"Madame|Monsieur|Mme|Mlle|Mademoiselle|M\.|MM\.|Mr\.?|Docteur|Dr\.?"
NOT_GIVEN = (r"(?!(?:Pour|Par|Selon|Avec|Et|Le|La|Les|Des|Du|De|En|Sur|Dans|Chez|Entre|Vers|Ainsi|Mais"
             r"|Donc|Car|Or|Pendant|Depuis|Lors|Après|Avant|Comme|Quand|Si|Pour|Merci|Bravo|Voici"
             r"|Madame|Monsieur|Mesdames|Messieurs|Mme|Mmes|Mlle|Mr|Dr|Me|Docteur|Contact|Signé|Fait|Communauté|Caisse|Conseil"
             r"|Convention|Charte|Commune|Ville|Région|Département|Président|Présidente|Directeur"
             r"|Directrice|Maire|Axe|Article)\b)")
GIVEN = rf"{NOT_GIVEN}[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?"
FAMILY = (rf"(?:(?:de|du|d['’]|de la|Le|La|Van|van|von|Ben|El|Di|Da)\s+)?[{_UP}][{_UP}{_LOW}'’]+"
          rf"(?:-[{_UP}][{_UP}{_LOW}'’]+)*(?:\s+[{_UP}]{{2}}[{_UP}'’-]*)*")
SHORT_PERSON = re.compile(rf"\b(?P<hon>{HONORIFIC})\s+(?P<family>{FAMILY})(?=\s*,)")  # « Mme Dupont, maire »
PERSON = re.compile(rf"(?:\b(?P<hon>{HONORIFIC})\s+)?(?<![{_UP}{_LOW}-])(?P<given>{GIVEN})\s+"
                    rf"(?P<family>{FAMILY})\b")
ROLES: tuple[tuple[str | None, str], ...] = (
    ("president-conseil-administration", r"presidente? du conseil d'administration"),
    ("vice-president", r"(?:(?:1e?re?|premiere?|\d+e|deuxieme|troisieme)\s+)?vice-presidente?"),
    ("directeur-general", r"directeur general(?: adjoint)?|directrice generale(?: adjointe)?"),
    ("president", r"presidente?"),
    ("directeur", r"directeur|directrice"),
    ("elu", r"adjointe? au maire|maire adjointe?|conseill(?:er|ere)s? (?:municipale?|communautaire"
            r"|departementale?|regionale?|deleguee?)|elue?|deleguee?"),
    ("maire", r"maire"),
    ("responsable", r"responsable|chef(?:fe)? de (?:service|projet|pole)|coordinat(?:eur|rice)"
                    r"|referente?"),
    ("agent", r"charge(?:e)? de mission|travailleu(?:r|se) sociale?|animat(?:eur|rice)"),
    ("journaliste", r"journaliste"),
    (None, r"(?:sous-)?prefete?|secretaire generale?"),
)
ROLE = re.compile(r"[ \u00a0]*,?[ \u00a0]*(?:(?P<poss>son|sa|leur)\s+)?(?P<role>"
                  + "|".join(f"(?P<r{i}>{p})" for i, (_, p) in enumerate(ROLES)) + r")\b")
OF = re.compile(r"\s+(?:de la |de l'|des |du |de |d')")
REPRESENTED = re.compile(r"represente(?:e|s|es)?\s+par\s*$")


@dataclass
class RoleMatch:
    """A role of a person in an organisation."""
    organisation: str | None  # key
    role: str | None  # concept of the role scheme
    label: str
    span: tuple[int, int]  # from the person's name to the end of the role
    basis: str = ""
    org_span: tuple[int, int] | None = None  # the organisation as written after the role


@dataclass
class PersonMatch:
    """A person named in the text, with their roles."""
    key: str
    name: str
    given_name: str | None
    family_name: str
    honorific: str | None
    start: int
    end: int
    roles: list[RoleMatch] = field(default_factory=list)
    represented_at: int | None = None  # « représenté(e) par » introduces this person


def _family(written: str) -> str:
    """« MITTELHAUSSER » → « Mittelhausser », « HUBERT-BOYER » → « Hubert-Boyer »."""
    if not written.isupper():
        return written
    return re.sub(r"[^\W\d_]+", lambda m: m.group().capitalize(), written.lower())


def find_people(doc: Doc, orgs: list[OrgMention], names: Names) -> list[PersonMatch]:
    """People named in the text, with their roles (merged by person)."""
    text, folded = doc.text, doc.folded
    found: dict[str, PersonMatch] = {}
    full = list(PERSON.finditer(text))
    spans = [(m.start(), m.end()) for m in full]
    short = [m for m in SHORT_PERSON.finditer(text) if not any(s <= m.start() < e for s, e in spans)]
    for m in sorted([*full, *short], key=lambda m: m.start()):
        roles = _roles(doc, m.end(), m.start(), orgs, names)
        given = m.groupdict().get("given")
        if (not m["hon"] or not given) and not roles:
            continue
        family = _family(m["family"])
        name = f"{given} {family}" if given else family
        key = slugify(name)
        person = found.get(key)
        if person is None:
            person = PersonMatch(key, name, given, family, m["hon"], m.start(), m.end())
            found[key] = person
        elif person.honorific is None:
            person.honorific = m["hon"]
        rep = REPRESENTED.search(folded, max(0, m.start() - 30), m.start())
        if rep and person.represented_at is None:
            person.represented_at = rep.start()
        for r in roles:
            if not any(x.organisation == r.organisation and x.role == r.role for x in person.roles):
                person.roles.append(r)
    return list(found.values())


def _roles(doc: Doc, pos: int, name_start: int, orgs: list[OrgMention], names: Names
           ) -> list[RoleMatch]:
    text, folded = doc.text, doc.folded
    out: list[RoleMatch] = []
    for _ in range(3):
        m = ROLE.match(folded, pos)
        if m is None or (out and "," not in folded[pos:m.start("role")] and not m["poss"]):
            break
        if not out and "," not in folded[pos:m.start("role")]:
            break
        i = next(int(k[1:]) for k, v in m.groupdict().items() if v and k.startswith("r") and k[1:].isdigit())
        concept = ROLES[i][0]
        role_start, end = m.start("role"), m.end("role")
        key, basis, label_end, org_span = None, "", end, None
        of = OF.match(folded, end)
        org = None
        if of:
            org = next((o for o in orgs if of.start() <= o.start <= of.end() + 1 and o.key), None)
        if org is not None:
            key, basis, label_end, org_span = org.key, org.basis, org.end, (org.start, org.end)
        elif of:  # « maire de Moissac », « président de Grand Cahors »: a commune or an EPCI
            span = name_at(text, of.end(), skip_links=False)
            if span and span[0] == of.end():
                kinds = ("commune",) if concept in {"maire", "elu"} else ("epci",)
                for kind in kinds:
                    place = names.resolve(text[span[0]:span[1]], kind)
                    if place:
                        key, basis, label_end, org_span = place.key, place.basis, span[1], span
                        break
        label = text[role_start:label_end]
        if m["poss"] and key is None:
            party = _paragraph_party(doc, name_start, orgs)
            if party is not None:
                key = party.key
                written = text[party.start:party.end]
                label = f"{label} {of_phrase(written)}"
                basis = (f"« {m['poss']} {text[role_start:end]} » : de l’organisme que la personne "
                         f"représente, « {written} » ({key})" + (f" ; {party.basis}" if party.basis else ""))
        out.append(RoleMatch(key, concept, label, (name_start, label_end), basis, org_span))
        pos = label_end
    return out


def _paragraph_party(doc: Doc, pos: int, orgs: list[OrgMention]) -> OrgMention | None:
    """The organisation a paragraph opens with (the party « représentée par » speaks for)."""
    start = max(doc.text.rfind("\n\n", 0, pos), 0)
    line = doc.line_at(pos)
    candidates = [o for o in orgs if start <= o.start < pos and o.key and o.type != "local"]
    in_line = [o for o in candidates if o.start >= line.start]
    chosen = in_line or candidates
    return chosen[0] if chosen else None


__all__ = ["PersonMatch", "RoleMatch", "find_people"]
