"""The authenticator-app device (SPEC §7.5) with its TOTP seed sealed at rest (D10c.2).

django-otp keeps `TOTPDevice.key` as plain hex. This proxy keeps the same table and the same
verification code, but the column holds `sealed:<base64>`, AES-256-GCM under a key derived from
DATA_MASTER_KEY, bound to the device row (ASVS V11.3.3): a copied seed opens nowhere else.
"""

import base64
import logging

from django_otp.plugins.otp_totp.models import TOTPDevice

from rainbow_portal.crypto import DecryptionError, associated_data, data_keyring, sealed_key_id

logger = logging.getLogger(__name__)

SEALED_PREFIX = "sealed:"
PURPOSE = "otp.totp.key"
TABLE = "otp_totp_totpdevice"
SEED_BYTES = 20  # django-otp's default (160 bits, RFC 4226)


def seal_seed(seed: bytes, *, device_id: int) -> str:
    aad = associated_data(PURPOSE, table=TABLE, row=device_id)
    return SEALED_PREFIX + base64.b64encode(data_keyring().seal(PURPOSE, seed, aad=aad)).decode()


def open_seed(stored: str, *, device_id: int) -> bytes:
    if not stored.startswith(SEALED_PREFIX):
        # Fail closed: a plain seed here was written around the portal (not by its services).
        raise DecryptionError("This authenticator's secret is not sealed.")
    blob = base64.b64decode(stored[len(SEALED_PREFIX) :])
    aad = associated_data(PURPOSE, table=TABLE, row=device_id)
    return data_keyring().unseal(PURPOSE, blob, aad=aad)


def reseal_seed(stored: str, *, device_id: int) -> str | None:
    """Master-key rotation: the seed sealed again under the ring's current key id, or None
    when it already is. Raises DecryptionError when it does not open (or is not sealed)."""
    if not stored.startswith(SEALED_PREFIX):
        raise DecryptionError("This authenticator's secret is not sealed.")
    blob = base64.b64decode(stored[len(SEALED_PREFIX) :])
    aad = associated_data(PURPOSE, table=TABLE, row=device_id)
    resealed = data_keyring().reseal(PURPOSE, blob, aad=aad)
    return None if resealed is None else SEALED_PREFIX + base64.b64encode(resealed).decode()


def seed_key_id(stored: str) -> int | None:
    """The ring key id a stored seed is sealed under (None: not sealed)."""
    if not stored.startswith(SEALED_PREFIX):
        return None
    try:
        blob = base64.b64decode(stored[len(SEALED_PREFIX) :])
    except ValueError:  # binascii.Error: a damaged row, reported by the re-seal as failed
        return None
    return sealed_key_id(blob)


class AuthenticatorDevice(TOTPDevice):
    class Meta:
        proxy = True
        app_label = "accounts"
        verbose_name = "authenticator app"

    @property
    def bin_key(self) -> bytes:
        return open_seed(self.key, device_id=self.pk)

    def verify_token(self, token) -> bool:
        try:
            self.bin_key  # noqa: B018 - opened first so a bad seed refuses instead of failing
        except DecryptionError:
            logger.error("The authenticator secret of device %s cannot be opened.", self.pk)
            return False
        return super().verify_token(token)
