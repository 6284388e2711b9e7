"""The data-protection layer for message bodies and file contents (SPEC §9.1, §9.2).

Public entry points: `vault.services` (text_encrypt, file_store, file_delete,
company_key_rotate, company_key_shred, master_key_rewrap), `vault.selectors` (text_decrypt,
text_decrypt_many, file_open), `vault.files.safe_filename`, and `vault.DecryptionError`.
"""

from .errors import DecryptionError

__all__ = ["DecryptionError"]
