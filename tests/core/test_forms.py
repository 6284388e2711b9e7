"""Forms (issue 14): server-side messages only (every form is `novalidate`), a wrong type gets
its own message, and an email's local part is at most 64 characters in forms, the API and the
services."""

import re
from pathlib import Path

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext_lazy
from rest_framework.test import APIClient

from bubbles import forms as bubble_forms
from companies.models import Company, Role
from companies.services import user_create
from core.forms import form_fields_html
from rainbow_portal.emails import validate_email_address
from rainbow_portal.exceptions import ApplicationError
from tests.factories import CompanyFactory, UserFactory, login_with_second_factor

ROOT = Path(__file__).resolve().parents[2]
LONG_LOCAL = "a" * 65 + "@example.test"


def test_every_form_leaves_validation_to_the_server():
    missing = [
        f"{path.relative_to(ROOT)}: {tag[:80]}"
        for path in (ROOT / "templates").rglob("*.html")
        for tag in re.findall(r"<form\b[^>]*>", path.read_text())
        if "novalidate" not in tag
    ]
    assert missing == []


def test_email_limits():
    validate_email_address("a" * 64 + "@example.test")
    with pytest.raises(ValidationError, match="before the @ has at most 64"):
        validate_email_address(LONG_LOCAL)
    with pytest.raises(ValidationError, match="at most 254"):
        validate_email_address("a@" + "b" * 250 + ".test")
    with pytest.raises(ValidationError):
        validate_email_address("not an address")


@pytest.mark.django_db
def test_the_service_refuses_a_long_local_part():
    with pytest.raises(ApplicationError, match="before the @") as caught:
        user_create(email=LONG_LOCAL, company=CompanyFactory(), actor=None, password=None)
    assert caught.value.fields["email"]


@pytest.fixture
def acme_admin(db):
    acme = CompanyFactory(name="Acme")
    return UserFactory(company=acme, roles=[Role.COMPANY_ADMIN])


@pytest.mark.django_db
def test_a_wrong_number_says_so_next_to_the_field(client, acme_admin):
    client.force_login(acme_admin)
    url = reverse("companies:join-links", args=[acme_admin.company.slug])
    page = client.get(url).content.decode()
    # Text with a numeric keyboard: the browser sends what was typed, never "" for "abc".
    assert re.search(r'<input type="text" inputmode="numeric" name="max_uses"', page)
    response = client.post(url, {"max_uses": "abc", "valid_days": "7"})
    html = response.content.decode()
    assert 'id="id_max_uses_error"' in html
    error = re.search(r'id="id_max_uses_error">(.*?)</ul>', html, re.S).group(1)
    assert "Enter a whole number." in error and "required" not in error


@pytest.mark.django_db
def test_invitation_form_and_api_refuse_a_long_local_part(client, acme_admin):
    client.force_login(acme_admin)
    slug = acme_admin.company.slug
    response = client.post(reverse("companies:invitations", args=[slug]), {"emails": LONG_LOCAL})
    html = response.content.decode()
    assert response.status_code == 200 and "before the @ has at most 64" in html
    assert 'id="id_emails_error"' in html


@pytest.mark.django_db
def test_api_strict_email_field_refuses_a_long_local_part(client):
    partner = CompanyFactory(kind=Company.Kind.BUSINESS_PARTNER)
    operator = UserFactory(company=partner, roles=[Role.BP_OPERATION])
    api = APIClient()
    login_with_second_factor(api, operator)
    answer = api.post(
        reverse("api:partner-customers"),
        {"name": "Beta Clinic", "admin_email": LONG_LOCAL},
        format="json",
    )
    assert answer.status_code == 400
    assert "before the @" in str(answer.json()["error"]["fields"]["admin_email"])


# --- form_fields_html: empty forms rendered once per process (issue 11) -----------------


class _Static(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email"))


class _Dynamic(forms.Form):
    choice = forms.ChoiceField(choices=[])

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"].choices = choices


def _included(form) -> str:
    return render_to_string("core/form_fields.html", {"form": form})


def test_form_fields_html_is_what_the_include_renders():
    assert form_fields_html(_Static()) == _included(_Static())
    assert form_fields_html(_Static(auto_id="x_%s")) == _included(_Static(auto_id="x_%s"))
    assert 'id="x_email"' in form_fields_html(_Static(auto_id="x_%s"))


def test_form_fields_html_keeps_nothing_that_varies_per_form():
    bound = _Static(data={"email": "not an address"})
    assert "errorlist" in form_fields_html(bound)  # errors of this form, not a kept copy
    assert 'value="a@b.test"' in form_fields_html(_Static(initial={"email": "a@b.test"}))
    assert "first" in form_fields_html(_Dynamic(choices=[("1", "first")]))
    assert "second" in form_fields_html(_Dynamic(choices=[("2", "second")]))
    assert 'value="a@b.test"' not in form_fields_html(_Static())


def test_form_fields_html_follows_the_language():
    from django.utils import translation

    with translation.override("fr"):
        french = form_fields_html(bubble_forms.GuestInviteForm())
    english = form_fields_html(bubble_forms.GuestInviteForm())
    assert "invité" in french and "Guest&#x27;s email address" in english
