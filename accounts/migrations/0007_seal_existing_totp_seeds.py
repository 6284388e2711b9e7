"""Seal the TOTP seeds django-otp stored as plain hex (D10c.2)."""

import binascii

from django.db import migrations

from accounts.models.authenticator import SEALED_PREFIX, open_seed, seal_seed


def seal_all(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    for device in TOTPDevice.objects.exclude(key__startswith=SEALED_PREFIX).iterator():
        seed = binascii.unhexlify(device.key.encode())
        TOTPDevice.objects.filter(pk=device.pk).update(key=seal_seed(seed, device_id=device.pk))


def unseal_all(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    for device in TOTPDevice.objects.filter(key__startswith=SEALED_PREFIX).iterator():
        seed = open_seed(device.key, device_id=device.pk)
        TOTPDevice.objects.filter(pk=device.pk).update(key=binascii.hexlify(seed).decode())


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0006_sealed_authenticator_and_digest_v2"),
        ("otp_totp", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(seal_all, unseal_all)]
