"""Joining a company, roles, partners, domains and file sharing: the services, with their
activity records and their refusals (nothing half-written)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import User
from activity.models import ActivityRecord
from companies.membership import selectors, services
from companies.models import (
    Company,
    CompanyDomain,
    CompanyInvitation,
    FileSharingMode,
    JoinLink,
    JoinRequest,
    Role,
    RoleAssignment,
)
from companies.selectors import default_company
from companies.services import (
    company_for_signup,
    company_partner_set,
    company_update,
    domain_add,
    member_role_grant,
    member_role_remove,
)
from core.models import OutboundEmail
from rainbow_portal.exceptions import ApplicationError
from tests.factories import PASSWORD, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def company():
    return CompanyFactory(name="Acme")


@pytest.fixture
def admin(company):
    return UserFactory(company=company, roles=[Role.COMPANY_ADMIN])


def standalone(**kwargs):
    return UserFactory(company=default_company(), **kwargs)


def token_from_outbox(email: str) -> str:
    body = OutboundEmail.objects.filter(to=email).latest("pk").body_text
    return body.split("/invitations/")[1].split("/")[0]


# --- Invitations --------------------------------------------------------------------------


def test_invite_many_sends_one_email_and_one_record_each(
    company, admin, smtp_server, django_capture_on_commit_callbacks, assert_activity
):
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.invitations_create(
            company=company, emails=["A@new.test", "b@new.test", "a@new.test"], actor=admin
        )
    assert [i.email for i in sent] == ["a@new.test", "b@new.test"]
    assert_activity("invitation.created", count=2)
    assert len(smtp_server.messages) == 2
    assert "/invitations/" in smtp_server.text()
    assert "Acme" in smtp_server.parsed()["Subject"]
    # Only a hash of the emailed token is stored.
    token = smtp_server.text().split("/invitations/")[1].split("/")[0]
    assert not CompanyInvitation.objects.filter(token_hash=token).exists()
    assert CompanyInvitation.objects.filter(token_hash=selectors.token_hash(token)).count() == 1


@pytest.mark.parametrize(
    "existing, message",
    [
        ("member_here", "already a member of Acme"),
        ("pending", "already has a pending invitation"),
        ("bad", "is not an email address"),
    ],
)
def test_refused_invitations_write_nothing(company, admin, existing, message):
    if existing == "member_here":
        UserFactory(email="x@new.test", company=company)
    elif existing == "pending":
        services.invitations_create(company=company, emails=["x@new.test"], actor=admin)
    before = CompanyInvitation.objects.count(), ActivityRecord.objects.count()
    address = "not-an-address" if existing == "bad" else "X@new.test"
    with pytest.raises(ApplicationError, match=message):
        services.invitations_create(company=company, emails=["ok@new.test", address], actor=admin)
    # The good address in the same batch was not invited either.
    assert (CompanyInvitation.objects.count(), ActivityRecord.objects.count()) == before
    assert not CompanyInvitation.objects.filter(email="ok@new.test").exists()


def test_new_person_signs_up_through_the_link_and_lands_in_the_company(
    company, admin, assert_activity
):
    CompanyDomain.objects.create(company=CompanyFactory(), domain="new.test")
    services.invitations_create(company=company, emails=["nina@new.test"], actor=admin)
    token = token_from_outbox("nina@new.test")
    user = services.invitation_accept_signup(
        token=token, password=PASSWORD, first_name="Nina", last_name="N"
    )
    # SPEC §2.5 (1): the followed invitation wins over the domain match.
    assert user.company == company
    assert user.check_password(PASSWORD)
    invitation = CompanyInvitation.objects.get(email="nina@new.test")
    assert invitation.status == "accepted" and invitation.accepted_by == user
    assert_activity("invitation.accepted")
    with pytest.raises(ApplicationError, match="already used"):
        services.invitation_accept_signup(token=token, password=PASSWORD)


def test_invitation_with_role_grants_it_on_acceptance(company, admin):
    services.invitations_create(
        company=company, emails=["boss@new.test"], actor=admin, role=Role.COMPANY_ADMIN
    )
    user = services.invitation_accept_signup(
        token=token_from_outbox("boss@new.test"), password=PASSWORD
    )
    assert set(RoleAssignment.objects.filter(user=user).values_list("role", flat=True)) == {
        Role.COMPANY_ADMIN
    }


def test_expired_canceled_and_resent_links(company, admin, assert_activity):
    services.invitations_create(company=company, emails=["e@new.test"], actor=admin)
    invitation = CompanyInvitation.objects.get()
    old = token_from_outbox("e@new.test")
    CompanyInvitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    with pytest.raises(ApplicationError, match="expired"):
        services.invitation_accept_signup(token=old, password=PASSWORD)
    assert not User.objects.filter(email="e@new.test").exists()

    services.company_invitation_resend(invitation=invitation, actor=admin)
    new = token_from_outbox("e@new.test")
    assert new != old
    assert_activity("invitation.resent", actor=admin, target=invitation)
    with pytest.raises(ApplicationError, match="not valid"):
        services.invitation_accept_signup(token=old, password=PASSWORD)

    services.company_invitation_cancel(invitation=invitation, actor=admin)
    assert_activity("invitation.canceled", actor=admin, target=invitation)
    with pytest.raises(ApplicationError, match="canceled"):
        services.invitation_accept_signup(token=new, password=PASSWORD)
    with pytest.raises(ApplicationError, match="canceled"):
        services.company_invitation_resend(invitation=invitation, actor=admin)


def test_weak_password_at_signup_writes_nothing(company, admin):
    services.invitations_create(company=company, emails=["w@new.test"], actor=admin)
    with pytest.raises(ApplicationError):
        services.invitation_accept_signup(token=token_from_outbox("w@new.test"), password="short")
    assert not User.objects.filter(email="w@new.test").exists()
    assert CompanyInvitation.objects.get().status == "pending"


def test_existing_standalone_user_accepts_and_moves(company, admin, assert_activity):
    person = standalone(email="solo@free.test")
    services.invitations_create(company=company, emails=["solo@free.test"], actor=admin)
    token = token_from_outbox("solo@free.test")
    other = standalone(email="other@free.test")
    with pytest.raises(ApplicationError, match="another address"):
        services.invitation_accept_existing(token=token, user=other)
    services.invitation_accept_existing(token=token, user=person)
    person.refresh_from_db()
    assert person.company == company
    assert_activity("user.company.changed")


def test_signup_placement_pending_invitation_after_domain(company, admin):
    services.invitations_create(company=company, emails=["p@free.test"], actor=admin)
    # SPEC §2.5 (3): another pending invitation, when no domain matches.
    assert company_for_signup(email="p@free.test") == company
    owner = CompanyFactory()
    CompanyDomain.objects.create(company=owner, domain="free.test")
    # (2) the domain match comes first.
    assert company_for_signup(email="p@free.test") == owner
    user = UserFactory(email="q@other.test", company=company)
    services.invitations_create(company=company, emails=["q2@other.test"], actor=admin)
    assert services.invitation_claim_pending(user=user) is None


# --- Join requests, links, company creation -----------------------------------------------


def test_join_request_accept_and_decline(company, admin, assert_activity):
    person = standalone()
    jr = services.join_request_create(user=person, company=company)
    with pytest.raises(ApplicationError, match="already asked"):
        services.join_request_create(user=person, company=company)
    services.join_request_decide(join_request=jr, accept=True, actor=admin)
    person.refresh_from_db()
    assert person.company == company
    assert_activity("join_request.created")
    assert_activity("join_request.accepted")

    other = standalone()
    jr2 = services.join_request_create(user=other, company=company)
    services.join_request_decide(join_request=jr2, accept=False, actor=admin)
    other.refresh_from_db()
    assert other.company.is_default
    with pytest.raises(ApplicationError, match="already declined"):
        services.join_request_decide(join_request=jr2, accept=True, actor=admin)


def test_only_standalone_users_ask_to_join(company):
    member = UserFactory(company=CompanyFactory())
    with pytest.raises(ApplicationError, match="only standalone"):
        services.join_request_create(user=member, company=company)
    assert not JoinRequest.objects.exists()


def test_join_link_limits(company, admin, assert_activity):
    link = services.join_link_create(company=company, max_uses=1, valid_days=7, actor=admin)
    first, second = standalone(), standalone()
    services.join_link_use(token=link.token, user=first)
    first.refresh_from_db()
    assert first.company == company
    with pytest.raises(ApplicationError, match="maximum number of users"):
        services.join_link_use(token=link.token, user=second)
    second.refresh_from_db()
    assert second.company.is_default
    assert JoinLink.objects.get().use_count == 1

    expired = services.join_link_create(company=company, max_uses=5, valid_days=1, actor=admin)
    JoinLink.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
    with pytest.raises(ApplicationError, match="expired"):
        services.join_link_use(token=expired.token, user=second)

    off = services.join_link_create(company=company, max_uses=5, valid_days=1, actor=admin)
    services.join_link_set_enabled(link=off, enabled=False, actor=admin)
    with pytest.raises(ApplicationError, match="switched off"):
        services.join_link_use(token=off.token, user=second)
    services.join_link_set_enabled(link=off, enabled=True, actor=admin)
    services.join_link_use(token=off.token, user=second)
    assert_activity("join_link.used", count=2)
    assert_activity("join_link.disabled")
    assert_activity("join_link.enabled")


def test_standalone_user_creates_company_and_becomes_admin():
    person = standalone()
    company = services.company_create_by_user(user=person, name="Zeta Works")
    person.refresh_from_db()
    assert person.company == company
    assert set(RoleAssignment.objects.filter(user=person).values_list("role", flat=True)) == {
        Role.COMPANY_ADMIN
    }
    with pytest.raises(ApplicationError, match="Only standalone"):
        services.company_create_by_user(user=person, name="Another")
    assert not Company.objects.filter(name="Another").exists()


# --- Roles (SPEC §3.2) ---------------------------------------------------------------------


def test_role_changes_follow_spec_3_2(company, admin, assert_activity):
    member = UserFactory(company=company)
    member_role_grant(member=member, role=Role.COMPANY_ADMIN, actor=admin)
    assert_activity("role.granted", actor=admin, target=member, company=company)
    with pytest.raises(ApplicationError, match="own roles"):
        member_role_remove(member=admin, role=Role.COMPANY_ADMIN, actor=admin)
    member_role_remove(member=member, role=Role.COMPANY_ADMIN, actor=admin)
    assert_activity("role.revoked", actor=admin, target=member, company=company)
    # A non-holder cannot grant.
    plain = UserFactory(company=company)
    with pytest.raises(ApplicationError, match="holds the role"):
        member_role_grant(member=member, role=Role.COMPANY_ADMIN, actor=plain)
    assert not RoleAssignment.objects.filter(user=member).exists()


def test_partner_roles_need_a_holder_and_fit_the_company_kind():
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    finance = UserFactory(company=partner, roles=[Role.BP_FINANCE])
    colleague = UserFactory(company=partner)
    with pytest.raises(ApplicationError, match="holds the role Partner operation"):
        member_role_grant(member=colleague, role=Role.BP_OPERATION, actor=finance)
    member_role_grant(member=colleague, role=Role.BP_FINANCE, actor=finance)
    with pytest.raises(ApplicationError, match="does not exist"):
        member_role_grant(member=colleague, role=Role.COMPANY_ADMIN, actor=finance)
    root = UserFactory(is_superuser=True, is_staff=True)
    member_role_grant(member=colleague, role=Role.BP_OPERATION, actor=root)
    assert set(RoleAssignment.objects.filter(user=colleague).values_list("role", flat=True)) == {
        Role.BP_FINANCE,
        Role.BP_OPERATION,
    }


def test_partner_member_cannot_grant_customer_roles():
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    customer = CompanyFactory(business_partner=partner)
    op = UserFactory(company=partner, roles=[Role.BP_OPERATION, Role.BP_ADMIN])
    target = UserFactory(company=customer)
    with pytest.raises(ApplicationError, match="holds the role"):
        member_role_grant(member=target, role=Role.COMPANY_ADMIN, actor=op)


# --- Company rules (SPEC §2.3, §2.5, §2.8) ------------------------------------------------


def test_region_and_hds_are_immutable(company, assert_activity):
    for change in ({"region": "NA"}, {"is_hds": True}):
        with pytest.raises(ApplicationError, match="cannot be changed"):
            company_update(company=company, actor=None, **change)
    company.refresh_from_db()
    assert (company.region, company.is_hds) == ("EMEA", False)
    assert not ActivityRecord.objects.filter(event="company.updated").exists()
    company_update(company=company, name="Acme Two", actor=None)
    assert_activity("company.updated", actor=None, target=company)


def test_a_domain_belongs_to_one_company(company, assert_activity):
    domain_add(company=company, domain="@Acme.TEST", actor=None)
    assert CompanyDomain.objects.get().domain == "acme.test"
    with pytest.raises(ApplicationError, match="already belongs to “Acme”"):
        domain_add(company=CompanyFactory(), domain="acme.test", actor=None)
    with pytest.raises(ApplicationError, match="not a domain"):
        domain_add(company=company, domain="nodot", actor=None)
    assert CompanyDomain.objects.count() == 1
    assert_activity("company.domain.added")


def test_customer_created_by_partner_with_first_admin_invited():
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER, region="APAC")
    op = UserFactory(company=partner, roles=[Role.BP_OPERATION])
    customer = services.customer_create(
        partner=partner, name="Cobalt", admin_email="admin@cobalt.test", actor=op
    )
    assert customer.business_partner == partner and customer.region == "APAC"
    invitation = CompanyInvitation.objects.get(company=customer)
    assert invitation.role == Role.COMPANY_ADMIN
    # An address that already has an account elsewhere is invited like any other (SPEC §4.4);
    # its owner cannot accept while in another company.
    taken = UserFactory(email="taken@company.test")
    delta = services.customer_create(
        partner=partner, name="Delta", admin_email="taken@company.test", actor=op
    )
    with pytest.raises(ApplicationError, match="You already belong to a company"):
        services.invitation_accept_existing(
            token=token_from_outbox("taken@company.test"), user=taken
        )
    assert not RoleAssignment.objects.filter(user=taken, role=Role.COMPANY_ADMIN).exists()
    # A refused invitation leaves no company behind without its admin.
    with pytest.raises(ApplicationError, match="not an email address"):
        services.customer_create(partner=partner, name="Echo", admin_email="nope", actor=op)
    assert not Company.objects.filter(name="Echo").exists()
    assert delta.business_partner == partner


def test_partner_offer_accepted_by_customer_admin(company, admin, assert_activity):
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER, name="Bridge")
    op = UserFactory(company=partner, roles=[Role.BP_OPERATION])
    offer = services.partner_invitation_create(partner=partner, customer_name="acme", actor=op)
    with pytest.raises(ApplicationError, match="already pending"):
        services.partner_invitation_create(partner=partner, customer_name="Acme", actor=op)
    services.partner_invitation_decide(invitation=offer, accept=True, actor=admin)
    company.refresh_from_db()
    assert company.business_partner == partner
    assert_activity("company.partner.changed")
    assert_activity("partner_invitation.accepted")
    with pytest.raises(ApplicationError, match="already your customer"):
        services.partner_invitation_create(partner=partner, customer_name="Acme", actor=op)
    with pytest.raises(ApplicationError, match="No end-customer company"):
        services.partner_invitation_create(partner=partner, customer_name="Nobody", actor=op)


def test_default_company_never_gets_a_partner():
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    with pytest.raises(ApplicationError, match="default company"):
        company_partner_set(company=default_company(), partner=partner, actor=None)


# --- File sharing (SPEC §9.4) ---------------------------------------------------------------


def test_member_setting_overrides_company(company, admin, assert_activity):
    member = UserFactory(company=company)
    assert selectors.file_sharing_allowed(user=member)
    services.company_file_sharing_set(company=company, enabled=False, actor=admin)
    assert not selectors.file_sharing_allowed(user=member)
    services.member_file_sharing_set(member=member, mode=FileSharingMode.ENABLED, actor=admin)
    assert selectors.file_sharing_allowed(user=member)
    services.member_file_sharing_set(member=member, mode=FileSharingMode.DISABLED, actor=admin)
    services.company_file_sharing_set(company=company, enabled=True, actor=admin)
    assert not selectors.file_sharing_allowed(user=member)
    services.member_file_sharing_set(
        member=member, mode=FileSharingMode.SAME_AS_COMPANY, actor=admin
    )
    assert selectors.file_sharing_allowed(user=member)
    assert_activity("company.file_sharing.changed", count=2)
    assert_activity("member.file_sharing.changed", count=3)
    with pytest.raises(ApplicationError):
        services.member_file_sharing_set(member=member, mode="sometimes", actor=admin)


# --- Security review: what an invitation or a partner offer reveals -------------------------


@pytest.mark.parametrize("region", ["EMEA", "China"])
def test_invitation_does_not_reveal_whether_the_address_has_an_account(
    company, admin, region, assert_activity
):
    """SPEC §4.4: an email invitation never reveals whether the address has an account (nor
    where it is); the rules of SPEC §2.3 and §2.6 are enforced at acceptance instead."""
    invitee = UserFactory(email="x@new.test", company=CompanyFactory(region=region))
    sent = services.invitations_create(
        company=company, emails=["nobody@new.test", "X@new.test"], actor=admin
    )
    assert [i.email for i in sent] == ["nobody@new.test", "x@new.test"]
    assert_activity("invitation.created", count=2)
    with pytest.raises(ApplicationError, match="You already belong to a company"):
        services.invitation_accept_existing(token=token_from_outbox("x@new.test"), user=invitee)
    invitee.refresh_from_db()
    assert invitee.company != company
    assert CompanyInvitation.objects.get(email="x@new.test").status == "pending"


def test_only_own_members_are_named_in_a_refusal(company, admin):
    UserFactory(email="x@new.test", company=company)
    with pytest.raises(ApplicationError, match="already a member of Acme"):
        services.invitations_create(company=company, emails=["x@new.test"], actor=admin)


def test_standalone_user_across_the_china_boundary_cannot_accept(company, admin, assert_activity):
    china = CompanyFactory(name="Dragon", region="China")
    china_admin = UserFactory(company=china, roles=[Role.COMPANY_ADMIN])
    invitee = standalone(email="eu@new.test")
    services.invitations_create(company=china, emails=["eu@new.test"], actor=china_admin)
    with pytest.raises(ApplicationError, match="Dragon cannot be joined from your region"):
        services.invitation_accept_existing(token=token_from_outbox("eu@new.test"), user=invitee)
    invitee.refresh_from_db()
    assert invitee.company.is_default
    assert_activity("user.company.changed", count=0)


def test_partner_offer_never_reaches_across_the_china_boundary():
    """SPEC §2.3: a China company is never invitable from another region, and the answer is
    the same as for an unknown name, so the form does not reveal that it exists."""
    partner = CompanyFactory(name="BP", kind=Company.Kind.BUSINESS_PARTNER, region="EMEA")
    op = UserFactory(company=partner, roles=[Role.BP_OPERATION])
    CompanyFactory(name="Secret China Co", region="China", visibility="isolated")
    with pytest.raises(ApplicationError) as refused:
        services.partner_invitation_create(
            partner=partner, customer_name="secret china co", actor=op
        )
    assert refused.value.message == (
        "No end-customer company by that name can receive a partner offer."
    )
    cn_partner = CompanyFactory(name="BP China", kind=Company.Kind.BUSINESS_PARTNER, region="China")
    cn_op = UserFactory(company=cn_partner, roles=[Role.BP_OPERATION])
    CompanyFactory(name="Euro Co", region="EMEA")
    with pytest.raises(ApplicationError, match="No end-customer company by that name"):
        services.partner_invitation_create(partner=cn_partner, customer_name="Euro Co", actor=cn_op)
    from companies.models import PartnerInvitation

    assert not PartnerInvitation.objects.exists()


def test_partner_offer_decision_checks_the_china_boundary_again():
    from companies.models import PartnerInvitation

    partner = CompanyFactory(name="BP", kind=Company.Kind.BUSINESS_PARTNER, region="EMEA")
    op = UserFactory(company=partner, roles=[Role.BP_OPERATION])
    customer = CompanyFactory(name="Later China", region="China")
    customer_admin = UserFactory(company=customer, roles=[Role.COMPANY_ADMIN])
    # An offer written before the rule existed (or by a superadmin's data fix) stays refused.
    offer = PartnerInvitation.objects.create(partner=partner, customer=customer, invited_by=op)
    with pytest.raises(ApplicationError, match="No end-customer company"):
        services.partner_invitation_decide(invitation=offer, accept=True, actor=customer_admin)
    customer.refresh_from_db()
    assert customer.business_partner is None


# --- Security review: join-link tokens are stored hashed ------------------------------------


def test_join_link_token_is_stored_hashed_and_shown_once(company, admin):
    link = services.join_link_create(company=company, max_uses=5, valid_days=7, actor=admin)
    token = link.token  # handed back once, to show the link to the admin who made it
    stored = JoinLink.objects.get(pk=link.pk)
    assert stored.token_hash == selectors.token_hash(token)
    assert token not in {str(v) for v in JoinLink.objects.values_list(flat=True)}
    assert not hasattr(stored, "token")
    # The stored hash is not itself a working link.
    with pytest.raises(ApplicationError, match="not valid"):
        services.join_link_use(token=stored.token_hash, user=standalone())
    person = standalone()
    services.join_link_use(token=token, user=person)
    person.refresh_from_db()
    assert person.company == company


def test_join_link_regenerate_replaces_the_token(company, admin, assert_activity):
    link = services.join_link_create(company=company, max_uses=5, valid_days=7, actor=admin)
    old = link.token
    fresh = services.join_link_regenerate(link=link, actor=admin)
    assert fresh.token != old
    assert_activity("join_link.regenerated")
    with pytest.raises(ApplicationError, match="not valid"):
        services.join_link_use(token=old, user=standalone())
    services.join_link_use(token=fresh.token, user=standalone())
    assert JoinLink.objects.get().use_count == 1
