import pytest
from django.db import IntegrityError

from accounts.models import User
from companies.models import Company
from companies.selectors import default_company

pytestmark = pytest.mark.django_db


def test_default_company_exists_from_migrations():
    company = default_company()
    assert company.name == "Rainbow" and company.region == "EMEA" and company.is_default
    assert Company.objects.filter(is_default=True).count() == 1


def test_email_is_the_login_and_case_insensitive():
    user = User.objects.create_user("Mixed.Case@Example.TEST", "Pass-word-1!")
    assert user.email == "mixed.case@example.test"
    assert user.company == default_company()  # a new user is standalone by default
    assert User.objects.get_by_natural_key("MIXED.case@example.test") == user
    with pytest.raises(IntegrityError):
        User.objects.bulk_create([User(email="MIXED.CASE@example.test", company=user.company)])
