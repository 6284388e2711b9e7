"""Company data keys (SPEC §9.1): the middle layer of the key hierarchy.

master key (environment) ──wraps──> CompanyKey (one row per version) ──wraps──> a data key per
object (stored inside the object's own ciphertext header).
"""

import uuid

from django.db import models
from django.db.models import Q


class CompanyKey(models.Model):
    """One version of a company's key. The raw key never touches the database: `wrapped_key`
    is AES-256-GCM under a key derived from the master key named by `master_key_id`, with the
    company, key id and version as associated data (a wrapped key copied to another row or
    company does not unwrap). New data uses the one current (unretired) version; retired
    versions still decrypt what they encrypted. Shredding empties `wrapped_key`."""

    company = models.ForeignKey(
        "companies.Company", on_delete=models.CASCADE, related_name="vault_keys"
    )
    key_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    version = models.PositiveIntegerField()
    wrapped_key = models.BinaryField()
    master_key_id = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    shredded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "version"], name="vault_key_version_unique"),
            models.UniqueConstraint(
                fields=["company"],
                condition=Q(retired_at__isnull=True),
                name="vault_key_one_current_per_company",
            ),
        ]
        indexes = [models.Index(fields=["master_key_id"], name="vault_key_master_idx")]

    def __str__(self) -> str:
        return f"key v{self.version} of company {self.company_id}"

    @property
    def is_shredded(self) -> bool:
        return self.shredded_at is not None
