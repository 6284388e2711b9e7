"""Reads for the user's network (SPEC §5)."""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from accounts.models import Contact, Invitation, NetworkSettings, User
from companies.models import VisibilityGrant

from . import rules
from .network_services import PRESENCE_WINDOW


def contact_list(*, user: User):
    """The network, favorites first; two queries whatever its size."""
    return list(
        Contact.objects.filter(owner=user)
        .select_related("contact__company")
        .order_by("-is_favorite", "contact__last_name", "contact__first_name", "contact_id")
    )


def presence_for(*, viewer: User, target: User) -> str | None:
    """SPEC §4.7: "online"/"offline" for a contact; None (unknown) for anybody else."""
    if viewer.pk == target.pk:
        return "online"
    if not Contact.objects.filter(owner=viewer, contact=target).exists():
        return None
    return presence_of(target)


def presence_of(target: User) -> str:
    seen = target.last_seen_at
    return "online" if seen and timezone.now() - seen <= PRESENCE_WINDOW else "offline"


def invitations_incoming(*, user: User) -> list[Invitation]:
    """Pending invitations for the user: in-app ones naming them, and email ones to their
    address whose inviter the rules allow (SPEC §4.4)."""
    rows = (
        Invitation.objects.filter(status=Invitation.Status.PENDING)
        .filter(Q(invitee=user, kind=Invitation.Kind.IN_APP) | Q(kind="email", email=user.email))
        # Someone already in the network is shown once, as a contact (issue 14).
        .exclude(Exists(Contact.objects.filter(owner=user, contact_id=OuterRef("inviter_id"))))
        .select_related("inviter__company", "inviter__security")
        .order_by("-created_at")
    )
    me = rules.person(user)
    rows = list(rows)
    if all(inv.kind == Invitation.Kind.IN_APP for inv in rows):
        return rows
    # Two queries for the whole list rather than two per email invitation: only the
    # user's own contacts and the grants on the user's company can matter here.
    world = rules.MemoryWorld(
        contacts={
            frozenset((user.pk, pk))
            for pk in Contact.objects.filter(owner=user).values_list("contact_id", flat=True)
        },
        grant_pairs={
            (user.company_id, by)
            for by in VisibilityGrant.objects.filter(company_id=user.company_id).values_list(
                "visible_by_id", flat=True
            )
        },
    )
    return [
        inv
        for inv in rows
        if inv.kind == Invitation.Kind.IN_APP
        or rules.can_invite_by_email(rules.person(inv.inviter), me, world)
    ]


def invitations_outgoing(*, user: User) -> list[Invitation]:
    """What the user sent and is still open, declined ones shown as pending (SPEC §5.4).
    An invitation to someone already in the network (they joined it another way) is left
    out: the person is shown once, as a contact (issue 14)."""
    mine = Contact.objects.filter(owner=user)
    rows = (
        Invitation.objects.filter(
            inviter=user, status__in=[Invitation.Status.PENDING, Invitation.Status.DECLINED]
        )
        .exclude(Exists(mine.filter(contact_id=OuterRef("invitee_id"))))
        .exclude(Exists(mine.filter(contact__email=OuterRef("email"))))
        .select_related("invitee")
        .order_by("-created_at")
    )
    out = list(rows)
    for inv in out:
        inv.shown_status = inv.status_for(user)
    return out


def invitation_get(*, user: User, pk) -> Invitation:
    """An invitation the user sent or may answer; anything else is the same 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise Http404("No such invitation.") from None
    inv = Invitation.objects.select_related("inviter__company", "invitee").filter(pk=pk).first()
    if inv is None:
        raise Http404("No such invitation.")
    if inv.inviter_id == user.pk:
        return inv
    if inv.status == Invitation.Status.PENDING and inv in invitations_incoming(user=user):
        return inv
    raise Http404("No such invitation.")


def network_states(*, viewer: User, user_ids: list[int]) -> dict[int, str]:
    """For a page of people: "contact" for those in the viewer's network, "invited" for those
    the viewer invited in-app and who have not answered — a declined invitation still reads
    as pending to its inviter (SPEC §5.4). Two queries, whatever the page holds."""
    if not user_ids:
        return {}
    states = {
        pk: "invited"
        for pk in Invitation.objects.filter(
            inviter=viewer,
            invitee_id__in=user_ids,
            status__in=[Invitation.Status.PENDING, Invitation.Status.DECLINED],
        ).values_list("invitee_id", flat=True)
    }
    for pk in Contact.objects.filter(owner=viewer, contact_id__in=user_ids).values_list(
        "contact_id", flat=True
    ):
        states[pk] = "contact"
    return states


def network_settings_get(*, company) -> NetworkSettings | None:
    """The company's network setting (SPEC §5.1); None when it never set one."""
    return NetworkSettings.objects.filter(company=company).first()


def contact_get(*, user: User, pk) -> Contact:
    """The user's own contact row for `pk` (the contact's user id), else 404."""
    row = (
        Contact.objects.select_related("contact__company")
        .filter(owner=user, contact_id=pk if str(pk).isdigit() else None)
        .first()
    )
    if row is None:
        raise Http404("Not in your network.")
    return row


def is_contact(*, owner: User, contact: User) -> bool:
    return Contact.objects.filter(owner=owner, contact=contact).exists()


def invitation_outstanding(*, inviter: User, invitee: User) -> bool:
    """An in-app invitation from `inviter` that is pending, or declined (shown as pending to
    the inviter, SPEC §5.4)."""
    return Invitation.objects.filter(
        inviter=inviter,
        invitee=invitee,
        status__in=[Invitation.Status.PENDING, Invitation.Status.DECLINED],
    ).exists()
