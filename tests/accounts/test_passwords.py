"""SPEC §7.1 password policy and §7.4 storage."""

import pytest
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from accounts.models import CompanySecurityPolicy, User
from accounts.security.services import login_attempt
from companies.selectors import default_company
from companies.services import user_create
from rainbow_portal.exceptions import ApplicationError
from tests.factories import PASSWORD, CompanyFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("password", "expected"),
    [
        ("Ab1!xyz", "at least 8 characters (it has 7)"),
        ("Ab1!" + "x" * 61, "at most 64 characters (it has 65)"),
        ("ABCDEF1!", "a lower-case letter"),
        ("abcdef1!", "an upper-case letter"),
        ("Abcdefg!", "a digit"),
        ("Abcdefg1", "a special character"),
        ("abcdefgh", "an upper-case letter, a digit, a special character"),
    ],
)
def test_a_bad_password_is_refused_with_what_is_missing_and_nothing_is_created(password, expected):
    with pytest.raises(ApplicationError) as exc:
        user_create(
            email="new@example.test", company=default_company(), actor=None, password=password
        )
    assert expected in exc.value.message
    assert not User.objects.filter(email="new@example.test").exists()


def test_64_and_8_characters_are_accepted():
    for n, password in enumerate(["Ab1!" + "x" * 60, "Ab1!wxyz"]):
        user = user_create(
            email=f"ok{n}@example.test", company=default_company(), actor=None, password=password
        )
        assert user.check_password(password)


def test_a_company_may_raise_the_minimum_length():
    company = CompanyFactory()
    CompanySecurityPolicy.objects.create(company=company, password_min_length=14)
    with pytest.raises(ApplicationError) as exc:
        user_create(email="a@x.test", company=company, actor=None, password="Abcdef-12345!")
    assert "at least 14 characters (it has 13)" in exc.value.message
    # Another company keeps the minimum of 8.
    user_create(email="b@x.test", company=CompanyFactory(), actor=None, password="Abcdef-1")


@pytest.mark.real_hashers
def test_new_passwords_are_hashed_with_argon2id():
    user = UserFactory()
    assert user.password.startswith("argon2$argon2id$")


@pytest.mark.real_hashers
def test_a_pbkdf2_sha256_hash_is_accepted_and_upgraded_to_argon2id_at_login():
    user = UserFactory()
    old = PBKDF2PasswordHasher().encode(PASSWORD, PBKDF2PasswordHasher().salt())
    assert old.startswith("pbkdf2_sha256$")
    User.objects.filter(pk=user.pk).update(password=old)

    assert login_attempt(email=user.email, password=PASSWORD).pk == user.pk

    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)
