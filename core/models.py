from django.db import models


class OutboundEmail(models.Model):
    """An email the portal must send (SPEC §9.3). Queued in the same transaction as the change
    that causes it, so a rollback sends nothing and a crashed worker loses nothing; the body is
    wiped once sent, since it may hold a one-time code."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    template = models.CharField(max_length=100)
    to = models.EmailField(max_length=254)
    subject = models.CharField(max_length=250)
    body_text = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    # An email that carries encrypted content (a bubble conversation, SPEC §9.1) keeps its
    # text and HTML here, sealed (core.mail_bodies), and the two columns above empty.
    body_sealed = models.BinaryField(blank=True, default=b"", editable=False)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # When the sweep (core.email_sweep) may hand it to a worker again: after a failed
    # attempt, with backoff; for a new email, if the send scheduled at commit never ran
    # (broker down). Null on rows queued before this field: due from created_at.
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "created_at"], name="core_email_status"),
            models.Index(fields=["status", "next_attempt_at"], name="core_email_due"),
        ]

    def __str__(self):
        return f"{self.template} → {self.to} ({self.status})"
