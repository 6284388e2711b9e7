"""Sealing message bodies (SPEC §9.1). Interim: AES-256-GCM under a key derived from the
master key, bound to the company and the message id; replaced by the vault's envelope
encryption once it lands."""

from django.conf import settings

from rainbow_portal.crypto import derive_key, seal, unseal


def _aad(message) -> bytes:
    return f"bubbles.message:{message.bubble.company_id}:{message.pk}".encode()


def seal_body(*, message, body: str) -> bytes:
    key = derive_key(settings.DATA_MASTER_KEY, "bubbles.message.interim")
    return seal(key, body.encode(), aad=_aad(message))


def open_body(*, message) -> str:
    key = derive_key(settings.DATA_MASTER_KEY, "bubbles.message.interim")
    return unseal(key, bytes(message.body_sealed), aad=_aad(message)).decode()
