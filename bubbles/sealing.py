"""Message bodies through the vault (SPEC §9.1): envelope encryption under the bubble
company's key, bound to the message's id, so a body moved to another row fails to open."""

from vault import selectors as vault_selectors
from vault import services as vault_services

PURPOSE = "bubble.message"


def seal_body(*, message, body: str) -> bytes:
    return vault_services.text_encrypt(
        company=message.bubble.company_id,
        purpose=PURPOSE,
        object_id=str(message.pk),
        plaintext=body,
    )


def open_body(*, message) -> str:
    return vault_selectors.text_decrypt(
        company=message.bubble.company_id,
        purpose=PURPOSE,
        object_id=str(message.pk),
        blob=bytes(message.body_sealed),
    )


def open_bodies(messages) -> list[str]:
    """One query for a whole page (the company's keys), whatever its length."""
    if not messages:
        return []
    return vault_selectors.text_decrypt_many(
        company=messages[0].bubble.company_id,
        purpose=PURPOSE,
        items=[(str(m.pk), bytes(m.body_sealed)) for m in messages],
    )
