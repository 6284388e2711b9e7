"""The master-key rotation's second half (SPEC §9.1): the secrets other apps seal with the
DATA_MASTER_KEY ring itself (not through a company key) are sealed again under its current
key id, so a retired key can be dropped once nothing is left under it.

The sealing stays with each owner (`reseal_seed`, `client_secret_reseal`, `body_reseal`:
same purpose, same row binding); this module only walks the rows. One row per transaction,
locked (`select_for_update`) and read again inside it, so a concurrent writer either waits
or is waited for (a body the delivery wiped meanwhile is never written back): idempotent,
resumable, safe while the portal serves. A value written meanwhile by a process still on
the old settings stays under the retired id, which still opens; the count after the pass
(`sealed_on_retired`) shows it, and a re-run takes it."""

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from accounts.models import AuthenticatorDevice
from accounts.models.authenticator import SEALED_PREFIX, reseal_seed, seed_key_id
from activity.services import activity_record
from core.mail_bodies import body_reseal
from core.models import OutboundEmail
from rainbow_portal.crypto import DecryptionError, data_keyring, sealed_key_id
from sso.models import IdentityProvider
from sso.oidc import client_secret_reseal


@dataclass(frozen=True)
class _Kind:
    model: Any
    field: str
    rows: Any  # () -> the queryset of rows holding a sealed value
    reseal: Any  # (row) -> the new stored value, or None when already current
    key_id: Any  # (stored value) -> the ring key id it is sealed under


def _blob(value) -> bytes:
    return bytes(value or b"")


# Every kind of value sealed with data_keyring() that outlives a request. Data exports
# (retention) are sealed with it too, but live at most DATA_EXPORT_TTL_HOURS + 1 day: they
# are not re-sealed; the retired key is kept that long after the new one is deployed.
KINDS = {
    "totp_seeds": _Kind(
        model=AuthenticatorDevice,
        field="key",
        rows=lambda: AuthenticatorDevice.objects.filter(key__startswith=SEALED_PREFIX),
        reseal=lambda d: reseal_seed(d.key, device_id=d.pk),
        key_id=seed_key_id,
    ),
    "oidc_client_secrets": _Kind(
        model=IdentityProvider,
        field="oidc_client_secret_sealed",
        rows=lambda: IdentityProvider.objects.exclude(oidc_client_secret_sealed=b""),
        reseal=client_secret_reseal,
        key_id=lambda v: sealed_key_id(_blob(v)),
    ),
    "email_bodies": _Kind(
        model=OutboundEmail,
        field="body_sealed",
        rows=lambda: OutboundEmail.objects.exclude(body_sealed=b""),
        reseal=lambda e: body_reseal(email_id=e.pk, sealed=_blob(e.body_sealed)),
        key_id=lambda v: sealed_key_id(_blob(v)),
    ),
}


def _reseal_kind(name: str, kind: _Kind, *, batch_size: int) -> tuple[int, int, list]:
    resealed, failed, last_pk = 0, [], None
    while True:
        ids = kind.rows().order_by("pk")
        if last_pk is not None:
            ids = ids.filter(pk__gt=last_pk)
        batch = list(ids.values_list("pk", flat=True)[:batch_size])
        if not batch:
            break
        for pk in batch:
            last_pk = pk
            with transaction.atomic():
                row = kind.rows().select_for_update().filter(pk=pk).only("pk", kind.field)
                row = row.first()
                if row is None:  # deleted, or wiped (a sent email) since the batch was read
                    continue
                try:
                    new = kind.reseal(row)
                except (DecryptionError, ValueError) as exc:  # ValueError: bad base64
                    failed.append({"kind": name, "id": str(pk), "error": str(exc)})
                    continue
                if new is not None:
                    kind.model.objects.filter(pk=pk).update(**{kind.field: new})
                    resealed += 1
    current = data_keyring().current_id
    on_retired = sum(
        1
        for value in kind.rows().values_list(kind.field, flat=True).iterator()
        if kind.key_id(value) != current
    )
    return resealed, on_retired, failed


RECORD_NAMES = {
    "totp_seeds": "two_factor_devices",
    "oidc_client_secrets": "identity_providers",
    "email_bodies": "email_bodies",
}


def ring_secrets_reseal(*, actor=None, batch_size: int = 200) -> dict:
    """Re-seal every kind in KINDS under DATA_MASTER_KEY's current key id. Returns
    {"resealed": {kind: n}, "sealed_on_retired": {kind: n}, "failed": [...]} (a failure:
    a value that no longer opens, e.g. its key id is not configured); one activity record
    when anything was re-sealed."""
    resealed, on_retired, failed = {}, {}, []
    for name, kind in KINDS.items():
        resealed[name], on_retired[name], errors = _reseal_kind(name, kind, batch_size=batch_size)
        failed.extend(errors)
    if any(resealed.values()):
        activity_record(
            event="vault.secrets.resealed",
            actor=actor,
            # Named so that activity's scrub (which drops keys naming a key, secret or OTP)
            # keeps them: the record says what was re-sealed, and under which ring id.
            data={
                "to_ring_id": data_keyring().current_id,
                "resealed": {RECORD_NAMES[name]: n for name, n in resealed.items()},
            },
        )
    return {"resealed": resealed, "sealed_on_retired": on_retired, "failed": failed}
