"""Review findings of 2026-12-04: no email address in activity records (SPEC §10.2), the
default company is not a circle (SPEC §2.2), a file-sharing override does not travel with a
move (SPEC §9.4)."""

import pytest
from django.urls import reverse

from activity.models import ActivityRecord
from activity.services import scrub
from bubbles import services as bubble_services
from bubbles.models import BubbleMember
from companies.membership import services as membership_services
from companies.membership.selectors import member_file_sharing_mode
from companies.membership.services import company_file_sharing_set, member_file_sharing_set
from companies.models import MemberFileSharing, Organization, Role
from companies.selectors import default_company
from companies.services import (
    company_organization_set,
    company_visibility_set,
    user_move_to_company,
)
from core.models import OutboundEmail
from rainbow_portal.exceptions import ApplicationError
from tests.factories import CompanyFactory, UserFactory, login_with_second_factor

pytestmark = pytest.mark.django_db


# --- 1. No email address in a record (SPEC §10.2) ------------------------------------------


@pytest.mark.parametrize(
    "value",
    [
        "old@acme-sso.test",
        "The domain of carol@elsewhere.test is not one of the company's.",
        "No account for First.Last+tag@sub.example.co.uk in this company.",
        "jörg@exämple.de belongs to an account of another company.",
        "/accounts/reset/?email=bob%40acme.test&page=2",
    ],
)
def test_scrub_replaces_email_addresses_in_values(value):
    cleaned = scrub({"detail": value, "items": [value], "nested": {"why": value}})
    assert "@" not in str(cleaned) and "%40" not in str(cleaned)
    assert "[email]" in cleaned["detail"]
    assert cleaned["items"][0] == cleaned["detail"] == cleaned["nested"]["why"]


def test_scrub_keeps_values_without_an_address():
    data = {"reason": "foreign_domain", "count": 3, "at": "acme.test", "note": "a @ b", "ok": True}
    assert scrub(data) == data


def test_scrub_keeps_url_credential_removal():
    # The URL-credential cut (SPEC §10.2) runs first; its marker is not taken for an address.
    assert scrub({"url": "https://bob:pw@idp.test/x"}) == {"url": "https://[removed]@idp.test/x"}


def test_a_record_never_stores_an_address_whatever_the_caller_passes():
    from activity.services import activity_record

    activity_record(event="sso.signin.refused", data={"detail": "No account for a@b.test."})
    record = ActivityRecord.objects.filter(event="sso.signin.refused").latest("id")
    assert "a@b.test" not in str(record.data)


# --- 2. The default company is not a circle (SPEC §2.2) ------------------------------------


@pytest.mark.parametrize("mode", ["private", "closed", "isolated"])
def test_default_company_visibility_cannot_change(mode):
    company = default_company()
    before = company.visibility
    with pytest.raises(ApplicationError, match="default company") as refused:
        company_visibility_set(company=company, visibility=mode, actor=None)
    assert refused.value.code == "default_company"
    company.refresh_from_db()
    assert company.visibility == before
    assert not ActivityRecord.objects.filter(event="company.visibility.changed").exists()


def test_default_company_set_elsewhere_before_the_rule_goes_back_to_public():
    """A mode set before the refusal existed can be repaired, never changed to another one."""
    company = default_company()
    type(company).objects.filter(pk=company.pk).update(visibility="private")
    company.refresh_from_db()
    company_visibility_set(company=company, visibility="public", actor=None)
    company.refresh_from_db()
    assert company.visibility == "public"
    with pytest.raises(ApplicationError):
        company_visibility_set(company=company, visibility="closed", actor=None)


def test_default_company_cannot_join_an_organization():
    company = default_company()
    organization = Organization.objects.create(name="Nordic")
    with pytest.raises(ApplicationError, match="default company") as refused:
        company_organization_set(company=company, organization=organization, actor=None)
    assert refused.value.code == "default_company"
    company.refresh_from_db()
    assert company.organization_id is None
    assert not ActivityRecord.objects.filter(event="company.organization.changed").exists()


def test_other_companies_still_change():
    company = CompanyFactory()
    organization = Organization.objects.create(name="Nordic")
    company_organization_set(company=company, organization=organization, actor=None)
    company_visibility_set(company=company, visibility="organization", actor=None)
    company.refresh_from_db()
    assert (company.organization_id, company.visibility) == (organization.pk, "organization")


def _default_company_form(company, **overrides):
    data = {
        "name": company.name,
        "kind": company.kind,
        "region": company.region,
        "is_hds": "on" if company.is_hds else None,
        "visibility": company.visibility,
        "status": company.status,
        "organization": "",
        "business_partner": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.mark.parametrize("field", ["visibility", "organization"])
def test_admin_shows_the_refusal_as_a_message(client, field):
    root = UserFactory(is_staff=True, is_superuser=True)
    login_with_second_factor(client, root)
    company = default_company()
    value = "private" if field == "visibility" else Organization.objects.create(name="N").pk
    response = client.post(
        reverse("admin:companies_company_change", args=[company.pk]),
        _default_company_form(company, **{field: value}),
        follow=True,
    )
    assert response.status_code == 200  # the change page again, with the message: no 500
    assert "The default company" in response.content.decode()
    company.refresh_from_db()
    assert company.visibility == "public" and company.organization_id is None


# --- 3. A file-sharing override does not travel (SPEC §9.4) --------------------------------


def test_move_drops_the_file_sharing_override():
    user = UserFactory(company=default_company(), email="solo@free.test")
    member_file_sharing_set(member=user, mode="enabled", actor=None)
    target = CompanyFactory()
    user_move_to_company(user=user, company=target, actor=user)
    assert not MemberFileSharing.objects.filter(user=user).exists()
    assert member_file_sharing_mode(user=user) == "same"
    record = ActivityRecord.objects.filter(event="user.company.changed").latest("id")
    assert record.data["file_sharing_from"] == "enabled"


def test_move_without_an_override_notes_nothing():
    user = UserFactory(company=default_company())
    user_move_to_company(user=user, company=CompanyFactory(), actor=user)
    record = ActivityRecord.objects.filter(event="user.company.changed").latest("id")
    assert "file_sharing_from" not in record.data


def test_override_from_before_the_invitation_does_not_open_sharing_in_the_new_company():
    solo = UserFactory(company=default_company(), email="solo@free.test")
    member_file_sharing_set(member=solo, mode="enabled", actor=None)
    company = CompanyFactory()
    company_file_sharing_set(company=company, enabled=False, actor=None)
    admin = UserFactory(company=company, roles=[Role.COMPANY_ADMIN])
    membership_services.invitations_create(company=company, emails=[solo.email], actor=admin)
    body = OutboundEmail.objects.filter(to=solo.email).latest("pk").body_text
    token = body.split("/invitations/")[1].split("/")[0]
    membership_services.invitation_accept_existing(token=token, user=solo)
    solo.refresh_from_db()
    assert solo.company == company

    bubble = bubble_services.bubble_create(name="Launch", topic="Q3", actor=admin)
    bubble_services.bubble_member_add(bubble=bubble, user=solo, actor=admin)
    bubble_services.bubble_invitation_accept(bubble=bubble, actor=solo)
    member = BubbleMember.objects.select_related("user", "bubble", "bubble__company").get(
        bubble=bubble, user=solo
    )
    with pytest.raises(ApplicationError) as refused:
        bubble_services.bubble_file_upload(member=member, upload=None, actor=solo)
    assert refused.value.code == "file_sharing_off"
