"""Demo data for visibility and the network (issue 4): the companies of
briefs/demo-names.md in every mode, an organization, a grant, an override, contacts and a
pending invitation. Idempotent; everything through services."""

from accounts.models import Contact, Invitation, User
from companies.models import Company, Organization, Role, VisibilityGrant
from companies.services import (
    company_create,
    company_organization_set,
    company_visibility_set,
    organization_create,
    role_grant,
)
from companies.visibility.network_services import (
    invitation_accept,
    invitation_send_email,
    invitation_send_in_app,
)
from companies.visibility.services import (
    user_visibility_override_set,
    visibility_grant_create,
)

from .base import person


def _company(name, *, mode, region="EMEA", organization=None):
    company = Company.objects.filter(name=name).first() or company_create(
        name=name, region=region, actor=None
    )
    if organization is not None and company.organization_id is None:
        company_organization_set(company=company, organization=organization, actor=None)
    if company.visibility != mode and company.visibility == "public":
        company_visibility_set(company=company, visibility=mode, actor=None)
    return company


def _admin(command, email, first, last, company):
    user = person(email, company=company, first=first, last=last)
    role_grant(user=user, role=Role.COMPANY_ADMIN, actor=None)
    return user


def seed(command):
    isolde = _company("Isolde Labs", mode="isolated")
    nordic = Organization.objects.filter(name="Nordic Group").first() or organization_create(
        name="Nordic Group", actor=None
    )
    hq = _company("Nordic HQ", mode="private", organization=nordic)
    north = _company("Nordic North", mode="organization", organization=nordic)
    south = _company("Nordic South", mode="organization", organization=nordic)
    _admin(command, "ivy@isolde.test", "Ivy", "Isolde", isolde)
    _admin(command, "hq@nordic.test", "Hanna", "Quist", hq)
    _admin(command, "north@nordic.test", "Nils", "North", north)
    _admin(command, "south@nordic.test", "Sofia", "South", south)

    acme = Company.objects.get(name="Acme Corp")
    globex = Company.objects.get(name="Globex")
    # A grant: Acme's members find Globex's (private) members, not the reverse (SPEC §4.6).
    if not VisibilityGrant.objects.filter(company=globex, visible_by=acme).exists():
        visibility_grant_create(company=globex, visible_by=acme, actor=None)
    # An override: Dave is public although Globex is private (SPEC §4.1).
    dave = User.objects.get(email="dave@globex.test")
    if not dave.visibility_override:
        user_visibility_override_set(user=dave, override="public", actor=None)

    alice = User.objects.get(email="alice@acme.test")
    sam = User.objects.get(email="sam@example.test")
    bob = User.objects.get(email="bob@acme.test")
    if not Contact.objects.filter(owner=alice, contact=sam).exists():
        invitation = invitation_send_in_app(inviter=sam, invitee=alice, actor=sam)
        if invitation.status == Invitation.Status.PENDING:
            invitation_accept(invitation=invitation, actor=alice)
    if not Contact.objects.filter(owner=alice, contact=bob).exists():
        invitation_send_in_app(inviter=alice, invitee=bob, actor=alice)  # same company: at once
    erin = User.objects.get(email="erin@initech.test")
    if not Invitation.objects.filter(inviter=bob, email=erin.email).exists():
        invitation_send_email(inviter=bob, email=erin.email, actor=bob)  # Initech is closed
    return [
        ("ivy@isolde.test", "company_admin of Isolde Labs (isolated)"),
        ("hq@nordic.test", "company_admin of Nordic HQ (private, Nordic Group)"),
        ("north@nordic.test", "company_admin of Nordic North (organization mode)"),
        ("south@nordic.test", "company_admin of Nordic South (organization mode)"),
    ]
