"""Writing protected data and managing keys (SPEC §9.1, §9.2). The only writers of the vault.

Public API (used by bubbles and retention):
    text_encrypt(company=, purpose=, object_id=, plaintext=) -> bytes
    file_store(company=, object_id=, upload=, actor=) -> StoredFile
    file_delete(stored=, actor=) -> bool
    company_key_rotate(company=, actor=) -> CompanyKey
    company_key_shred(company=, actor=) -> int
    master_key_rewrap(actor=) -> dict
    ring_secrets_reseal(actor=) -> dict
"""

from .company_keys import (
    company_key_current_or_create,
    company_key_rotate,
    company_key_shred,
    master_key_rewrap,
)
from .ring_secrets import ring_secrets_reseal
from .text import text_encrypt
from .uploads import MESSAGES, file_delete, file_store

__all__ = [
    "MESSAGES",
    "company_key_current_or_create",
    "company_key_rotate",
    "company_key_shred",
    "file_delete",
    "file_store",
    "master_key_rewrap",
    "ring_secrets_reseal",
    "text_encrypt",
]
