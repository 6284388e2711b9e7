"""Reads that apply SPEC §4 to one person or company: a hidden one is the same 404 as a
missing one (ARCHITECTURE.md)."""

from django.http import Http404

from accounts.models import User
from rainbow_portal.replicas import replica_read

from ..models import Company, VisibilityRequest
from . import rules


def _as_int(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404("No such person.") from None


@replica_read
def person_get_for_viewer(*, viewer, pk):
    """The profile `viewer` may see (SPEC §4.3), else 404."""
    target = User.objects.select_related("company").filter(pk=_as_int(pk)).first()
    if target is None:
        raise Http404("No such person.")
    if target.pk != viewer.pk and not rules.can_find(
        rules.person(viewer), rules.person(target), rules.DbWorld()
    ):
        raise Http404("No such person.")
    return target


@replica_read
def company_page_get_for_viewer(*, viewer, slug: str) -> Company:
    """A company's directory page, following its company mode (SPEC §4.3), else 404."""
    slug = str(slug)
    # A slug longer than the column (80) names no company: refused before any query.
    company = Company.objects.filter(slug=slug).first() if len(slug) <= 80 else None
    if company is None or not rules.can_find_company(
        rules.person(viewer), company, rules.DbWorld()
    ):
        raise Http404("No such company.")
    return company


def member_get(*, company: Company, pk):
    """A member of `company` (scoped), else 404."""
    member = User.objects.select_related("company").filter(pk=_as_int(pk), company=company).first()
    if member is None:
        raise Http404("No such member.")
    return member


def simulate(*, member, other) -> dict:
    """The simulator (issue 4): both directions between two people, each verdict with the
    rule that decided it."""
    world = rules.DbWorld()
    m, o = rules.person(member), rules.person(other)
    return {
        "member_finds": rules.explain_find(m, o, world),
        "finds_member": rules.explain_find(o, m, world),
        "member_invites_in_app": rules.explain_invite(m, o, world, rules.IN_APP),
        "invites_member_in_app": rules.explain_invite(o, m, world, rules.IN_APP),
        "member_invites_by_email": rules.explain_invite(m, o, world, rules.EMAIL),
        "invites_member_by_email": rules.explain_invite(o, m, world, rules.EMAIL),
    }


def who_statements(*, member) -> list[tuple[str, str]]:
    """A plain summary of who finds this member and whom they find, by SPEC section."""
    m = rules.person(member)
    mode = m.mode
    out = [
        (
            "§4.1",
            f"Effective mode: {mode}"
            + (" (member override)" if m.override else " (same as company)"),
        ),
        (
            "§4.2",
            "Always found by and finding: their own company, their network, companies"
            " granted visibility, and (unless private) their organization.",
        ),
    ]
    if mode == rules.PUBLIC:
        out.append(("§4.3", "Found by anyone outside the circle except closed or isolated users."))
    elif mode == rules.ORGANIZATION:
        out.append(("§4.5", "Outside the organization reads as private: not found from outside."))
    else:
        out.append(("§4.3", f"{mode.capitalize()}: not found from outside the circle."))
    if mode in rules.SEARCH_ONLY_INSIDE:
        out.append(("§4.3", "Finds only people inside the circle."))
    else:
        out.append(("§4.3", "Finds public people everywhere, plus the circle."))
    if mode == rules.ISOLATED:
        out.append(("§4.4", "Never invites or is invited outside the company and organization."))
    if m.in_china:
        out.append(("§2.3", "In China: never visible to or from another region."))
    else:
        out.append(("§2.3", "Never visible to or from China."))
    return out


def request_counterpart_get(*, company: Company, name: str) -> Company | None:
    """The company a mutual-visibility request names, by exact name (SPEC §4.6), when the
    requester's company can find it. Any other name (hidden, across the China boundary of
    SPEC §2.3, missing) answers None alike: never "exists but refused"."""
    if not name:
        return None
    name = " ".join(name.split())
    other = Company.objects.filter(name__iexact=name, is_default=False).first()
    if other is None or other.pk == company.pk:
        return other
    if not rules.can_find_company(rules.company_viewer(company), other, rules.DbWorld()):
        return None
    return other


def simulation_counterpart_get(*, viewer, email: str):
    """The person a company admin simulates against (by email): only someone they can find
    themselves, so the simulator reveals nobody; operations staff see everyone. None if not."""
    if len(email) > 254:  # longer than any address (the column): nobody, and no query
        return None
    other = User.objects.select_related("company").filter(email__iexact=email).first()
    if (
        other is not None
        and not viewer.is_operations
        and other.company_id != viewer.company_id
        and not rules.can_find(rules.person(viewer), rules.person(other), rules.DbWorld())
    ):
        return None
    return other


def visibility_request_get(*, company: Company, pk) -> VisibilityRequest:
    """A mutual-visibility request addressed to `company` (scoped), else 404."""
    found = VisibilityRequest.objects.filter(pk=_as_int(pk), to_company=company).first()
    if found is None:
        raise Http404("No such request.")
    return found


@replica_read
def visibility_requests_incoming(*, company: Company):
    return (
        VisibilityRequest.objects.filter(to_company=company, status="pending")
        .select_related("from_company")
        .order_by("-created_at")
    )


@replica_read
def visibility_requests_outgoing(*, company: Company, limit: int = 50):
    return (
        VisibilityRequest.objects.filter(from_company=company)
        .select_related("to_company")
        .order_by("-created_at")[:limit]
    )
