from django.db import models


class ActivityRecord(models.Model):
    """One request or one admin action (SPEC §10.1), pseudonymized (SPEC §10.2).

    `company_id` is a plain integer, not a foreign key: the log must outlive the rows it speaks
    of, and is removed only by the 12-month purge (SPEC §10.3).
    """

    class Kind(models.TextChoices):
        REQUEST = "request", "Request"
        ACTION = "action", "Action"

    occurred_at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    event = models.CharField(max_length=100)
    method = models.CharField(max_length=10, blank=True)
    route = models.CharField(max_length=200, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    actor_pseudonym = models.CharField(max_length=32, blank=True)
    ip_encrypted = models.TextField(blank=True)
    # A random reference bound into the IP's AES-GCM associated data (D10c.3): the row id is
    # not known before the insert, and the log is written on every request in one INSERT.
    ip_binding = models.CharField(max_length=32, blank=True, editable=False)
    company_id = models.BigIntegerField(null=True, blank=True)
    region = models.CharField(max_length=10)
    target_type = models.CharField(max_length=100, blank=True)
    target_ref = models.CharField(max_length=64, blank=True)
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [
            models.Index(fields=["company_id", "occurred_at"], name="activity_company_time"),
            models.Index(fields=["actor_pseudonym", "occurred_at"], name="activity_actor_time"),
            models.Index(fields=["event", "occurred_at"], name="activity_event_time"),
        ]
        permissions = [("operations", "Operations staff: read and extract the activity log")]

    def __str__(self):
        return f"{self.occurred_at:%Y-%m-%d %H:%M:%S} {self.event}"


class ActivityDrainBatch(models.Model):
    """A batch of queued request records moved into the log (activity.queue_services): its
    row commits with the batch's records, so a drain that dies after the commit and before
    clearing the batch from Redis is not inserted twice by the next one. Kept a few days."""

    batch_id = models.CharField(max_length=32, unique=True)
    rows = models.PositiveIntegerField()
    drained_at = models.DateTimeField(auto_now_add=True, db_index=True)

    def __str__(self):
        return f"{self.batch_id} ({self.rows})"
