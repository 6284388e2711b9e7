"""Issue 10: names refuse control and invisible characters — one validator
(core.validation.validate_name) in models, forms and serializers — while scripts that need
ZWJ/ZWNJ keep them; dates outside a sane range are refused."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from companies.models import Role
from companies.services import company_create, organization_create
from core.validation import name_refusal, validate_date_range
from rainbow_portal.exceptions import ApplicationError
from tests.factories import CompanyFactory, UserFactory

REFUSED = [
    "Ann\x00",
    "Ann\x07Smith",
    "Ann\x7f",
    "Ann\x85",
    "Ann\u202eevil",
    "\u2066Ann\u2069",
    "Ann\u200bSmith",
    "Ann\u2060",
    "\ufeffAnn",
    "Ann\u200dSmith",  # ZWJ between Latin letters: no script needs it
    "\u200cAnn",
    "Ann\u200f",
]
ALLOWED = [
    "Ann Smith",
    "Zoë O’Brien-Łukasz",
    "می\u200cخواهم",  # Persian: ZWNJ between two Arabic-script letters
    "क्\u200dष",  # Devanagari: ZWJ after a virama
    "👩\u200d💻",  # an emoji ZWJ sequence
    "李小龍",
]


@pytest.mark.parametrize("value", REFUSED)
def test_control_and_invisible_characters_are_refused(value):
    assert name_refusal(value) is not None
    assert "control or invisible characters" in name_refusal(value)


@pytest.mark.parametrize("value", ALLOWED)
def test_real_names_pass(value):
    assert name_refusal(value) is None


@pytest.mark.django_db
def test_models_services_forms_and_serializers_refuse_them(client, api_client):
    with pytest.raises(ValidationError, match="invisible"):
        company_create(name="Evil\u202eCorp", region="EMEA", actor=None)
    with pytest.raises(ApplicationError, match="invisible"):
        organization_create(name="Group\u200b", actor=None)
    user = UserFactory(company=CompanyFactory())
    client.force_login(user)
    response = client.post(
        reverse("accounts:profile"), {"first_name": "Ann\u202e", "last_name": "S", "title": ""}
    )
    assert response.status_code == 200 and "invisible characters" in response.content.decode()
    user.refresh_from_db()
    assert "\u202e" not in user.first_name
    api_client.force_authenticate(user)
    api = api_client.patch(reverse("api:me"), {"title": "Boss\u2066"}, format="json")
    assert api.status_code == 400 and "invisible characters" in api.json()["error"]["message"]
    admin = UserFactory(company=user.company, roles=[Role.COMPANY_ADMIN])
    api_client.force_authenticate(admin)
    api = api_client.post(
        reverse("api:visibility-request-create", args=[user.company.slug]),
        {"company_name": "X\x00"},
        format="json",
    )
    assert api.status_code == 400


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        (dt.date(1999, 12, 31), False),
        (dt.date(2000, 1, 1), True),
        (dt.date(2099, 12, 31), True),
        (dt.date(2100, 1, 1), False),
        (dt.date(9999, 1, 1), False),
    ],
)
def test_dates_outside_the_sane_range_are_refused(value, ok):
    if ok:
        validate_date_range(value)
    else:
        with pytest.raises(ValidationError, match="between 2000-01-01 and 2099-12-31"):
            validate_date_range(value)
