"""Sealed email bodies (SPEC §9.1): an email that carries content the portal keeps encrypted
(a bubble conversation) must not lie in clear in `OutboundEmail` while SMTP retries, nor for
good once it failed. Its text and HTML are sealed together with DATA_MASTER_KEY's ring (the
sealing of the portal's other secrets, rotatable by key id) and bound to the row, and opened
only by the delivery, in memory, for the SMTP session."""

import json

from rainbow_portal.crypto import associated_data, data_keyring

PURPOSE = "core.outbound_email.body"
TABLE = "core_outboundemail"


def _aad(email_id: int) -> bytes:
    return associated_data(PURPOSE, table=TABLE, row=email_id)


def bodies_seal(*, email_id: int, text: str, html: str) -> bytes:
    payload = json.dumps({"text": text, "html": html}).encode()
    return data_keyring().seal(PURPOSE, payload, aad=_aad(email_id))


def bodies_open(email) -> tuple[str, str]:
    """(text, html) of a queued email: the plain columns, or the sealed pair when there is
    one. Raises rainbow_portal.crypto.DecryptionError when the sealed pair does not open."""
    sealed = bytes(email.body_sealed or b"")
    if not sealed:
        return email.body_text, email.body_html
    data = json.loads(data_keyring().unseal(PURPOSE, sealed, aad=_aad(email.pk)))
    return data["text"], data["html"]


def body_reseal(*, email_id: int, sealed: bytes) -> bytes | None:
    """Master-key rotation (`rotate_keys`): the sealed pair sealed again under the ring's
    current key id, bound to the same row, or None when it already is. Raises
    DecryptionError when it does not open."""
    return data_keyring().reseal(PURPOSE, sealed, aad=_aad(email_id))
