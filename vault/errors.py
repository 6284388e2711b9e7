"""The vault's one exception type for unreadable data (kept free of model imports so that
`vault.DecryptionError` can be imported anywhere, even before the app registry is ready)."""

from rainbow_portal.crypto import DecryptionError as _BaseDecryptionError


class DecryptionError(_BaseDecryptionError):
    """A ciphertext could not be authenticated: it was altered, truncated, reordered, moved to
    another row or company, or its key is wrong, missing or destroyed. Nothing of the plaintext
    is returned when this is raised (SPEC §9.1)."""
