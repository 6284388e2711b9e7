"""State of the closure pipeline (SPEC §8): one row per closure, holds, runs, the file outbox,
restore links and GDPR exports.

A closure row outlives its user (SPEC §8.4 deletes the standalone user's row): it then keeps
only ids and dates, never a name or an address, so the pipeline stays auditable.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    CLOSED = "closed", _("Closed (restorable)")
    ANONYMIZED = "anonymized", _("Anonymized")
    DELETED = "deleted", _("Deleted")
    RESTORED = "restored", _("Restored")


class AccountClosure(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="closures",
    )
    # Kept when the user row is gone (standalone users at T+60): a plain integer, no FK.
    user_ref = models.BigIntegerField(db_index=True)
    company_id = models.BigIntegerField(null=True, blank=True)
    standalone = models.BooleanField()
    stage = models.CharField(max_length=12, choices=Stage.choices, default=Stage.CLOSED)
    closed_at = models.DateTimeField()
    anonymize_due_at = models.DateTimeField()
    delete_due_at = models.DateTimeField()
    anonymized_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)
    restored_at = models.DateTimeField(null=True, blank=True)
    # Who closed it: "self", "company_admin", "partner", "superadmin", "command".
    closed_by_kind = models.CharField(max_length=20)

    class Meta:
        constraints = [
            # At most one closure in progress per user; restored ones stay as history.
            models.UniqueConstraint(
                fields=["user_ref"],
                condition=Q(stage__in=["closed", "anonymized", "deleted"]),
                name="retention_one_open_closure_per_user",
            ),
        ]
        indexes = [
            models.Index(fields=["stage", "anonymize_due_at"], name="retention_anon_due"),
            models.Index(fields=["stage", "delete_due_at"], name="retention_delete_due"),
        ]

    def __str__(self):
        return f"Closure {self.pk} of user {self.user_ref} ({self.stage})"


class RestoreToken(models.Model):
    """The emailed restore link of a standalone user (SPEC §8.2): only its SHA-256 is stored;
    single use; expires with the closure's T+30."""

    closure = models.ForeignKey(AccountClosure, on_delete=models.CASCADE, related_name="tokens")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Restore link of closure {self.closure_id}"


class LegalHold(models.Model):
    """An operator's legal hold on an account or a whole company: held accounts pass through
    no pipeline step until released."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    company = models.ForeignKey(
        "companies.Company", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    reason = models.CharField(max_length=500)
    placed_at = models.DateTimeField()
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(user__isnull=False) & Q(company__isnull=True))
                | (Q(user__isnull=True) & Q(company__isnull=False)),
                name="retention_hold_user_xor_company",
            )
        ]

    def __str__(self):
        return f"Hold {self.pk}"


class RetentionRun(models.Model):
    """One run of the pipeline at a logical moment (`now`): beat, a task, or retention_run."""

    now = models.DateTimeField(db_index=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    dry_run = models.BooleanField(default=False)
    trigger = models.CharField(max_length=20)  # beat, command, task
    # Counters: "closed" and "held" are read at the start (accounts waiting in their 30
    # days, due accounts under hold); the two steps add to theirs inside each batch.
    closed = models.PositiveIntegerField(default=0)
    anonymized = models.PositiveIntegerField(default=0)
    deleted = models.PositiveIntegerField(default=0)
    held = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)
    # The beat's fan-out: how many step tasks it dispatched, and the ids of those that ended
    # (a task delivered again keeps its id, so it is counted once); the last completes the run.
    workers = models.PositiveSmallIntegerField(default=0)
    workers_done = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"Run at {self.now:%Y-%m-%d %H:%M}"

    def as_counts(self) -> dict[str, int]:
        return {
            "closed": self.closed,
            "anonymized": self.anonymized,
            "deleted": self.deleted,
            "held": self.held,
        }


class FileDeletion(models.Model):
    """The file outbox: the row commits with the state change, the blob is deleted after,
    retried until gone (SPEC §8.4)."""

    storage_name = models.CharField(max_length=500)
    # The STORAGES alias that holds the blob ("default" for exports, the vault for bubbles).
    storage_alias = models.CharField(max_length=50, default="default")
    reason = models.CharField(max_length=50)
    created_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["done_at", "id"], name="retention_outbox_pending")]

    def __str__(self):
        return f"Delete {self.storage_name}"


class DataExport(models.Model):
    """A user's own data as a zip of JSON (GDPR Art. 20), offered by an expiring link."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Being prepared")
        READY = "ready", _("Ready")
        EXPIRED = "expired", _("Expired")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="data_exports"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    storage_name = models.CharField(max_length=500, blank=True)
    # The stored zip is sealed (AES-256-GCM, DATA_MASTER_KEY ring, bound to this row). Rows
    # built before sealing (False) hold a plain zip until they expire (at most TTL + 1 day).
    sealed = models.BooleanField(default=False)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    ready_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    downloaded_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"Export {self.pk}"
