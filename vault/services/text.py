"""Texts (message bodies) sealed for one object under the company's current key."""

from .. import envelope, keys
from .company_keys import company_key_current_or_create


def text_encrypt(*, company, purpose: str, object_id: str, plaintext: str) -> bytes:
    """Encrypt a text (a message body) for one object: a fresh data key wrapped by the
    company's current key; the blob is bound to company, purpose and object id (decrypting it
    under any other raises DecryptionError). Store the returned bytes in a BinaryField."""
    row = company_key_current_or_create(company=company)
    company_key = keys.unwrap_company_key(row)
    ctx = envelope.context(company_id=row.company_id, purpose=purpose, object_id=str(object_id))
    header, data_key = envelope.new_header(
        kind=envelope.KIND_TEXT,
        company_key=company_key,
        key_id=str(row.key_id),
        key_version=row.version,
        ctx=ctx,
    )
    return envelope.text_seal(
        header=header, data_key=data_key, ctx=ctx, plaintext=plaintext.encode("utf-8")
    )
