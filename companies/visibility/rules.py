"""SPEC §4 stated readably: the pure-Python face of visibility.

Every verdict comes with the rule that decided it, so the simulator can say why. This face
reads the source of truth (the company's mode, organization and region, and the member's
override); the SQL face in `search.py` reads the copies on the user row. The property test
(tests/companies/test_visibility_faces.py) asserts that both faces agree on random worlds.
"""

from dataclasses import dataclass
from typing import Protocol

from accounts.models import Contact

from ..models import Region, VisibilityGrant, VisibilityMode

PUBLIC = VisibilityMode.PUBLIC
PRIVATE = VisibilityMode.PRIVATE
CLOSED = VisibilityMode.CLOSED
ISOLATED = VisibilityMode.ISOLATED
ORGANIZATION = VisibilityMode.ORGANIZATION

IN_APP = "in_app"
EMAIL = "email"

# SPEC §4.4, by mode as seen (§4.5): the channels a user may invite through, and be invited
# through, when the other person is outside their circle.
MAY_INVITE = {
    PUBLIC: {IN_APP, EMAIL},
    PRIVATE: {IN_APP, EMAIL},
    ORGANIZATION: {IN_APP, EMAIL},
    CLOSED: {EMAIL},
    ISOLATED: set(),
}
MAY_BE_INVITED = {
    PUBLIC: {IN_APP, EMAIL},
    PRIVATE: {EMAIL},
    ORGANIZATION: {EMAIL},  # from outside the organization; inside it reads `public` (§4.5)
    CLOSED: {EMAIL},
    ISOLATED: set(),
}
# SPEC §4.3: closed and isolated users search only inside their circle.
SEARCH_ONLY_INSIDE = {CLOSED, ISOLATED}


@dataclass(frozen=True)
class Person:
    id: int
    company_id: int
    company_mode: str
    override: str
    org_id: int | None
    region: str

    @property
    def mode(self) -> str:
        """SPEC §4.1: the override, else the company's mode."""
        return self.override or self.company_mode

    @property
    def in_china(self) -> bool:
        return self.region == Region.CHINA


def person(user) -> Person:
    company = user.company
    return Person(
        id=user.pk,
        company_id=company.pk,
        company_mode=company.visibility,
        override=user.visibility_override,
        org_id=company.organization_id,
        region=company.region,
    )


class World(Protocol):
    def are_contacts(self, a_id: int, b_id: int) -> bool: ...

    def grants(self, company_id: int, visible_by_id: int) -> bool: ...


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    reason: str
    section: str

    def __bool__(self):
        return self.allowed


def same_org(a: Person, b: Person) -> bool:
    return a.org_id is not None and a.org_id == b.org_id


def mode_as_seen(target: Person, viewer: Person) -> str:
    """SPEC §4.5: from the same organization a mode reads `public` unless it is `private`;
    from outside, `organization` reads `private`."""
    if same_org(target, viewer):
        return PRIVATE if target.mode == PRIVATE else PUBLIC
    if target.mode == ORGANIZATION:
        return PRIVATE
    return target.mode


def region_barrier(v: Person, t: Person) -> Verdict | None:
    if v.in_china != t.in_china:
        return Verdict(False, "China is never visible to or from another region", "§2.3")
    return None


def inside_circle(v: Person, t: Person, world: World) -> Verdict | None:
    """SPEC §4.2: why T is inside V's circle, or None."""
    if v.company_id == t.company_id:
        return Verdict(True, "same company", "§4.2")
    if world.are_contacts(v.id, t.id):
        return Verdict(True, "in each other's network", "§4.2, §5.2")
    if world.grants(t.company_id, v.company_id):
        return Verdict(
            True, "a visibility grant lets the viewer's company see the target's", "§4.6"
        )
    if same_org(v, t) and t.mode != PRIVATE:
        return Verdict(True, "same organization, target not private", "§4.5")
    return None


def explain_find(v: Person, t: Person, world: World) -> Verdict:
    """SPEC §4.3: does V find T (search, profile, company page)?"""
    barrier = region_barrier(v, t)
    if barrier is not None:
        return barrier
    inside = inside_circle(v, t, world)
    if inside:
        return inside
    seen_v, seen_t = mode_as_seen(v, t), mode_as_seen(t, v)
    if seen_v in SEARCH_ONLY_INSIDE:
        return Verdict(False, f"the viewer is {seen_v}: searches only inside the circle", "§4.3")
    if seen_t != PUBLIC:
        return Verdict(
            False, f"the target reads {seen_t} to the viewer, outside the circle", "§4.3"
        )
    return Verdict(True, "the target is public", "§4.3")


def explain_invite(v: Person, t: Person, world: World, channel: str) -> Verdict:
    """SPEC §4.4: may V invite T into their network through `channel`?"""
    barrier = region_barrier(v, t)
    if barrier is not None:
        return barrier
    if channel == IN_APP:
        found = explain_find(v, t, world)
        if not found:
            return Verdict(
                False,
                f"an in-app invitation needs the viewer to find the target ({found.reason})",
                "§4.4",
            )
    seen_v, seen_t = mode_as_seen(v, t), mode_as_seen(t, v)
    # The isolated row holds even inside the circle, except within the same company and the
    # same organization (where it reads `public`, §4.5).
    if ISOLATED in (seen_v, seen_t) and v.company_id != t.company_id:
        who = "the viewer" if seen_v == ISOLATED else "the target"
        return Verdict(False, f"{who} is isolated: never invites or is invited", "§4.4")
    inside = inside_circle(v, t, world)
    if inside:
        return Verdict(True, f"inside the circle ({inside.reason})", "§4.2, §4.4")
    if channel not in MAY_INVITE[seen_v]:
        return Verdict(False, f"a {seen_v} user invites by email only", "§4.4")
    if channel not in MAY_BE_INVITED[seen_t]:
        return Verdict(False, f"the target reads {seen_t}: invited by email only", "§4.4")
    return Verdict(True, f"{seen_v} may invite a {seen_t} user this way", "§4.4")


def can_find(v: Person, t: Person, world: World) -> bool:
    return v.id != t.id and explain_find(v, t, world).allowed


def can_invite_in_app(v: Person, t: Person, world: World) -> bool:
    return v.id != t.id and explain_invite(v, t, world, IN_APP).allowed


def can_invite_by_email(v: Person, t: Person, world: World) -> bool:
    return v.id != t.id and explain_invite(v, t, world, EMAIL).allowed


def can_find_company(v: Person, company, world: World) -> Verdict:
    """SPEC §4.3: a company's page follows its company mode the same way as a member."""
    t = Person(
        id=0,
        company_id=company.pk,
        company_mode=company.visibility,
        override="",
        org_id=company.organization_id,
        region=company.region,
    )
    barrier = region_barrier(v, t)
    if barrier is not None:
        return barrier
    if v.company_id == t.company_id:
        return Verdict(True, "own company", "§4.2")
    if world.grants(t.company_id, v.company_id):
        return Verdict(True, "a visibility grant", "§4.6")
    if same_org(v, t) and t.mode != PRIVATE:
        return Verdict(True, "same organization", "§4.5")
    seen_v, seen_t = mode_as_seen(v, t), mode_as_seen(t, v)
    if seen_t == PUBLIC and seen_v not in SEARCH_ONLY_INSIDE:
        return Verdict(True, "public company", "§4.3")
    return Verdict(False, "not visible to the viewer", "§4.3")


@dataclass
class MemoryWorld:
    """Contacts and grants held in memory (tests, the simulator's what-ifs)."""

    contacts: set[frozenset[int]]
    grant_pairs: set[tuple[int, int]]  # (company_id, visible_by_id)

    def are_contacts(self, a_id, b_id):
        return frozenset((a_id, b_id)) in self.contacts

    def grants(self, company_id, visible_by_id):
        return (company_id, visible_by_id) in self.grant_pairs


class DbWorld:
    """Contacts and grants read from the database, one small query per question."""

    def are_contacts(self, a_id, b_id):
        return Contact.objects.filter(owner_id=a_id, contact_id=b_id).exists()

    def grants(self, company_id, visible_by_id):
        return VisibilityGrant.objects.filter(
            company_id=company_id, visible_by_id=visible_by_id
        ).exists()
