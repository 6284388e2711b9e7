"""Bubbles (SPEC §6): members and roles, guests, conferences, messages and files.

Message bodies and file contents are never stored in clear (SPEC §9.1): they go through
`vault`, bound to the row's UUID, which is therefore assigned before the first save.
"""

import uuid

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class BubbleStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    ARCHIVED = "archived", _("Archived")
    DELETED = "deleted", _("Deleted")


class MemberRole(models.TextChoices):
    ORGANIZER = "organizer", _("Organizer")
    CO_ORGANIZER = "co_organizer", _("Co-organizer")
    MEMBER = "member", _("Member")
    GUEST = "guest", _("Guest")


class MemberStatus(models.TextChoices):
    INVITED = "invited", _("Invited")
    ACCEPTED = "accepted", _("Accepted")
    LEFT = "left", _("Left")
    REMOVED = "removed", _("Removed")


# Statuses in which a participant still belongs to the bubble (SPEC §6.1).
CURRENT_STATUSES = (MemberStatus.INVITED, MemberStatus.ACCEPTED)


class Bubble(models.Model):
    company = models.ForeignKey(
        "companies.Company", on_delete=models.PROTECT, related_name="bubbles"
    )
    name = models.CharField(max_length=100)
    topic = models.CharField(max_length=500, blank=True)
    status = models.CharField(
        max_length=10, choices=BubbleStatus.choices, default=BubbleStatus.ACTIVE
    )
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    archived_at = models.DateTimeField(null=True, blank=True)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["company", "status"], name="bubbles_company_status")]

    def __str__(self):
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == BubbleStatus.ACTIVE


class BubbleMember(models.Model):
    """A participant: a user of the portal, or a guest known only by an email address."""

    bubble = models.ForeignKey(Bubble, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(
        "accounts.User",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="bubble_memberships",
    )
    guest_email = models.EmailField(max_length=254, blank=True)
    role = models.CharField(max_length=15, choices=MemberRole.choices, default=MemberRole.MEMBER)
    status = models.CharField(
        max_length=10, choices=MemberStatus.choices, default=MemberStatus.INVITED
    )
    invited_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            # SPEC §6.1: exactly one organizer. The index holds "at most one" at every moment;
            # the services hold "at least one" (a transfer swaps both rows in one transaction).
            models.UniqueConstraint(
                fields=["bubble"],
                condition=Q(role="organizer", status__in=["invited", "accepted"]),
                name="bubbles_one_organizer",
            ),
            models.UniqueConstraint(
                fields=["bubble", "user"],
                condition=Q(user__isnull=False),
                name="bubbles_member_once",
            ),
            # A guest is an address, never an account; anyone else is an account.
            models.CheckConstraint(
                condition=(Q(role="guest", user__isnull=True) & ~Q(guest_email=""))
                | (~Q(role="guest") & Q(user__isnull=False)),
                name="bubbles_member_guest_xor_user",
            ),
            models.CheckConstraint(
                condition=~Q(role="organizer") | Q(status="accepted"),
                name="bubbles_organizer_accepted",
            ),
        ]
        indexes = [models.Index(fields=["user", "status"], name="bubbles_member_user_status")]

    def __str__(self):
        return f"{self.display_name} in {self.bubble_id} ({self.role})"

    @property
    def is_current(self) -> bool:
        return self.status in CURRENT_STATUSES

    @property
    def is_guest(self) -> bool:
        return self.role == MemberRole.GUEST

    @property
    def display_name(self) -> str:
        if self.user_id is None:
            return member_display_name(guest_email=self.guest_email)
        user = self.user
        return member_display_name(
            email=user.email, first_name=user.first_name, last_name=user.last_name
        )


def member_display_name(*, guest_email="", email=None, first_name="", last_name="") -> str:
    """A participant's name as pages show it: the account's full name or address, or a
    guest's address marked as such (`email` is None for a guest: no account)."""
    if email is None:
        return f"{guest_email} (guest)"
    return f"{first_name} {last_name}".strip() or email


class GuestInvitation(models.Model):
    """SPEC §6.2: a single-use, expiring link for one address and one bubble. Only a hash of
    the emailed token is kept (like company invitations and join links)."""

    bubble = models.ForeignKey(Bubble, on_delete=models.CASCADE, related_name="guest_invitations")
    member = models.OneToOneField(
        BubbleMember, on_delete=models.CASCADE, related_name="guest_invitation"
    )
    email = models.EmailField(max_length=254)
    token_hash = models.CharField(max_length=64, unique=True)
    invited_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return f"guest invitation {self.pk} to bubble {self.bubble_id}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class ConferenceState(models.TextChoices):
    STARTED = "started", _("Started")
    ENDED = "ended", _("Ended")


class Conference(models.Model):
    bubble = models.ForeignKey(Bubble, on_delete=models.CASCADE, related_name="conferences")
    state = models.CharField(
        max_length=10, choices=ConferenceState.choices, default=ConferenceState.STARTED
    )
    started_by = models.ForeignKey(
        BubbleMember, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    started_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["bubble"],
                condition=Q(state="started"),
                name="bubbles_one_running_conference",
            )
        ]

    def __str__(self):
        return f"conference {self.pk} ({self.state})"

    @property
    def is_running(self) -> bool:
        return self.state == ConferenceState.STARTED


class LobbyState(models.TextChoices):
    WAITING = "waiting", _("Waiting")
    ADMITTED = "admitted", _("Admitted")


class ConferenceEntry(models.Model):
    """One participant's place in a conference: waiting in the lobby, or admitted (and then
    present until they leave)."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="entries")
    member = models.ForeignKey(BubbleMember, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=10, choices=LobbyState.choices, default=LobbyState.WAITING)
    present = models.BooleanField(default=False)
    admitted_by = models.ForeignKey(
        BubbleMember, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    admitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["joined_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "member"], name="bubbles_entry_once")
        ]

    def __str__(self):
        return f"{self.member_id} in conference {self.conference_id}: {self.state}"


class Message(models.Model):
    # Assigned before save: the ciphertext's associated data names this id (SPEC §9.1).
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bubble = models.ForeignKey(Bubble, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(BubbleMember, on_delete=models.PROTECT, related_name="messages")
    body_sealed = models.BinaryField(editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # The keyset of the message list: newest first, id as the tie-breaker.
            models.Index(fields=["bubble", "-created_at", "-id"], name="bubbles_message_keyset"),
        ]

    def __str__(self):
        return f"message {self.pk}"


class BubbleFile(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    bubble = models.ForeignKey(Bubble, on_delete=models.CASCADE, related_name="files")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="files"
    )
    uploader = models.ForeignKey(BubbleMember, on_delete=models.PROTECT, related_name="files")
    # The stored object (vault): where the ciphertext lives and how it was sealed. The
    # storage name is random, never derived from the file's name.
    storage_name = models.CharField(max_length=100, editable=False)
    sha256 = models.CharField(max_length=64, editable=False)
    key_id = models.CharField(max_length=64, blank=True, editable=False)
    key_version = models.PositiveIntegerField(default=0, editable=False)
    # safe_filename(): no path, no control characters, at most 200 characters.
    display_name = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    content_type = models.CharField(max_length=100)
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["bubble", "deleted_at"], name="bubbles_file_bubble")]

    def __str__(self):
        return f"file {self.pk}"


class ConversationExport(models.Model):
    """One "email me this conversation" request (SPEC §6.6). The task sends it once: a task
    delivered twice finds `email` set and does nothing more."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    member = models.ForeignKey(BubbleMember, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    email = models.ForeignKey(
        "core.OutboundEmail", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self):
        return f"conversation export {self.pk}"
