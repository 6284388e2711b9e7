"""Secrets at rest (ASVS V11, issue 10): codes and links are digested with DIGEST_KEY (so
rotating SECRET_KEY keeps them working), TOTP seeds are sealed and bound to their row."""

import binascii
import hashlib
import hmac
import importlib
from datetime import timedelta

import pytest
from django.apps import apps as global_apps
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import AuthenticatorDevice, EmailVerification, PasswordResetCode
from accounts.models.authenticator import SEALED_PREFIX, open_seed
from accounts.security.services import (
    authenticator_device_create,
    email_verify,
    password_reset_confirm,
    recovery_codes_regenerate,
)
from companies.membership.signup import signup
from rainbow_portal.crypto import keyed_digest
from tests.factories import PASSWORD, UserFactory

from .conftest import post_login
from .test_reset import NEW, request_code
from .test_two_factor import code_for

pytestmark = pytest.mark.django_db

ROTATED = "a-new-secret-key-" + "z" * 50


def test_a_reset_code_survives_a_secret_key_rotation(
    settings, smtp_server, django_capture_on_commit_callbacks
):
    user = UserFactory()
    code = request_code(user, smtp_server, django_capture_on_commit_callbacks)
    assert PasswordResetCode.objects.get(user=user).code_hash.startswith("v2:")
    settings.SECRET_KEY = ROTATED
    password_reset_confirm(email=user.email, code=code, new_password=NEW)
    user.refresh_from_db()
    assert user.check_password(NEW)


def test_a_verification_link_survives_a_secret_key_rotation(
    settings, smtp_server, django_capture_on_commit_callbacks
):
    import re

    with django_capture_on_commit_callbacks(execute=True):
        user = signup(email="new.person@example.org", password="Sign-Up-Pass-7?")
    token = re.search(r"/verify/([\w-]+)/", smtp_server.text()).group(1)
    assert EmailVerification.objects.get(user=user).token_hash.startswith("v2:")
    settings.SECRET_KEY = ROTATED
    assert email_verify(token=token, password="Sign-Up-Pass-7?").pk == user.pk


def test_a_recovery_code_survives_a_secret_key_rotation(client, settings):
    user = UserFactory()
    authenticator_device_create(user=user, name="app", confirmed=True)
    codes = recovery_codes_regenerate(user=user, actor=user)
    settings.SECRET_KEY = ROTATED
    post_login(client, user.email, PASSWORD)
    response = client.post(reverse("accounts:two-factor-verify"), {"token": codes[0]})
    assert response.status_code == 302
    assert client.get(reverse("core:dashboard")).status_code == 200


def test_a_reset_code_digested_the_old_way_works_until_the_window_ends(settings):
    user = UserFactory()
    old_hash = hmac.new(
        f"reset:{settings.SECRET_KEY}".encode(), f"{user.pk}:654321".encode(), hashlib.sha256
    ).hexdigest()
    PasswordResetCode.objects.create(
        user=user, code_hash=old_hash, expires_at=timezone.now() + timedelta(minutes=15)
    )
    settings.DIGEST_LEGACY_UNTIL = timezone.now().date() - timedelta(days=1)
    from rainbow_portal.exceptions import ApplicationError

    with pytest.raises(ApplicationError):
        password_reset_confirm(email=user.email, code="654321", new_password=NEW)
    settings.DIGEST_LEGACY_UNTIL = timezone.now().date()
    password_reset_confirm(email=user.email, code="654321", new_password=NEW)


def test_rate_limit_keys_do_not_use_secret_key(settings):
    from accounts.security import ratelimit

    ratelimit.hit("login-ip", "192.0.2.1", window=60)
    settings.SECRET_KEY = ROTATED
    assert ratelimit.count("login-ip", "192.0.2.1") == 1


def raw_key(device_id) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT key FROM otp_totp_totpdevice WHERE id = %s", [device_id])
        return cursor.fetchone()[0]


def test_a_totp_seed_is_sealed_in_the_database_and_still_verifies():
    user = UserFactory()
    device = authenticator_device_create(user=user, name="app", confirmed=True)
    stored = raw_key(device.pk)
    assert stored.startswith(SEALED_PREFIX)
    assert binascii.hexlify(device.bin_key).decode() not in stored
    assert len(device.bin_key) == 20
    assert AuthenticatorDevice.objects.get(pk=device.pk).verify_token(code_for(device))


def test_a_sealed_seed_copied_onto_another_device_does_not_open():
    mine = authenticator_device_create(user=UserFactory(), name="app", confirmed=True)
    theirs = authenticator_device_create(user=UserFactory(), name="app", confirmed=True)
    token = code_for(mine)
    TOTPDevice.objects.filter(pk=theirs.pk).update(key=raw_key(mine.pk))
    theirs = AuthenticatorDevice.objects.get(pk=theirs.pk)
    assert theirs.verify_token(token) is False  # refused, not a 500


def test_a_plain_seed_written_around_the_services_is_refused():
    user = UserFactory()
    plain = TOTPDevice.objects.create(user=user, name="raw", confirmed=True)
    device = AuthenticatorDevice.objects.get(pk=plain.pk)
    assert device.verify_token("123456") is False


def test_the_data_migration_seals_plain_seeds_and_reverses():
    migration = importlib.import_module("accounts.migrations.0007_seal_existing_totp_seeds")
    plain = TOTPDevice.objects.create(user=UserFactory(), name="old", confirmed=True)
    seed_hex = plain.key
    migration.seal_all(global_apps, None)
    assert raw_key(plain.pk).startswith(SEALED_PREFIX)
    assert open_seed(raw_key(plain.pk), device_id=plain.pk) == binascii.unhexlify(seed_hex)
    migration.seal_all(global_apps, None)  # idempotent: a sealed seed is left alone
    assert open_seed(raw_key(plain.pk), device_id=plain.pk) == binascii.unhexlify(seed_hex)
    migration.unseal_all(global_apps, None)
    assert raw_key(plain.pk) == seed_hex


def test_a_seed_opens_after_the_data_master_key_is_rotated(settings):
    import os

    device = authenticator_device_create(user=UserFactory(), name="app", confirmed=True)
    seed = device.bin_key
    settings.DATA_MASTER_KEY_RETIRED = {1: settings.DATA_MASTER_KEY}
    settings.DATA_MASTER_KEY_ID = 2
    settings.DATA_MASTER_KEY = os.urandom(32)
    assert AuthenticatorDevice.objects.get(pk=device.pk).bin_key == seed


def test_keyed_digest_is_what_is_stored_for_recovery_codes():
    from accounts.models import RecoveryCode

    user = UserFactory()
    authenticator_device_create(user=user, name="app", confirmed=True)
    codes = recovery_codes_regenerate(user=user, actor=user)
    stored = set(RecoveryCode.objects.filter(user=user).values_list("code_hash", flat=True))
    assert keyed_digest("recovery", f"{user.pk}:{codes[0]}") in stored
