"""Email backends: SMTP with DKIM signing, and the development file outbox."""

from pathlib import Path
from uuid import uuid4

import dkim
from django.conf import settings
from django.core.mail.backends.filebased import EmailBackend as FileBackend
from django.core.mail.backends.smtp import EmailBackend as SmtpBackend
from django.core.mail.message import sanitize_address
from django.utils import timezone

SIGNED_HEADERS = [b"from", b"to", b"subject", b"date", b"message-id", b"mime-version"]


def dkim_sign(message: bytes) -> bytes:
    """Prepend a DKIM-Signature header when a key is configured (SPEC §9.3)."""
    if not settings.DKIM_PRIVATE_KEY_FILE:
        return message
    key = Path(settings.DKIM_PRIVATE_KEY_FILE).read_bytes()
    signature = dkim.sign(
        message,
        selector=settings.DKIM_SELECTOR.encode(),
        domain=settings.DKIM_DOMAIN.encode(),
        privkey=key,
        include_headers=SIGNED_HEADERS,
        canonicalize=(b"relaxed", b"simple"),
    )
    return signature + message


class DkimSmtpBackend(SmtpBackend):
    def _send(self, email_message):
        if not email_message.recipients():
            return False
        encoding = email_message.encoding or settings.DEFAULT_CHARSET
        from_email = sanitize_address(email_message.from_email, encoding)
        recipients = [sanitize_address(a, encoding) for a in email_message.recipients()]
        raw = dkim_sign(email_message.message().as_bytes(linesep="\r\n"))
        # Errors propagate: the sending task decides whether to retry.
        self.connection.sendmail(from_email, recipients, raw)
        return True


class OutboxBackend(FileBackend):
    """One .eml file per message in var/outbox/, listed at /dev/outbox/ while DEBUG is on."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("file_path", str(settings.EMAIL_FILE_PATH))
        super().__init__(*args, **kwargs)

    def _get_filename(self):
        if self._fname is None:
            name = f"{timezone.now():%Y%m%d-%H%M%S}-{uuid4().hex[:8]}.eml"
            self._fname = str(Path(self.file_path) / name)
        return self._fname

    def write_message(self, message):
        self.stream.write(message.message().as_bytes(linesep="\n"))
