from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import activity
from accounts.models import UserSecurity
from companies.policies import require_actor_right
from companies.rights import ALLOCATE_LICENSES
from rainbow_portal.exceptions import ApplicationError

from ..models import License, Subscription


def _name(user) -> str:
    return user.get_full_name() or user.email


@transaction.atomic
def licenses_assign_bulk(*, subscription: Subscription, users, actor) -> list[License]:
    """Give each user a seat of the subscription, all or none (SPEC §3.7): every user in the
    subscription's company, an active subscription, enough free seats, no duplicate, at most
    one of Business/Enterprise per user.

    The subscription row is locked first, so two assignments running at once are serialized
    and cannot both take the last seat."""
    users = list({u.pk: u for u in users}.values())
    if not users:
        raise ApplicationError(_("Choose at least one member."), fields={"users": ["Required."]})
    subscription = (
        Subscription.objects.select_for_update()
        .select_related("offer", "company")
        .get(pk=subscription.pk)
    )
    require_actor_right(actor=actor, company=subscription.company, action=ALLOCATE_LICENSES)
    if subscription.status != Subscription.Status.ACTIVE:
        raise ApplicationError(
            _(
                "This subscription is %(get_status_display)s: licenses are "
                "assigned only from an active subscription."
            )
            % {"get_status_display": subscription.get_status_display().lower()}
        )
    for user in users:
        if user.company_id != subscription.company_id:
            raise ApplicationError(
                _(
                    "%(name)s is not a member of %(name2)s: a license goes only "
                    "to a member of the subscription's company."
                )
                % {"name": _name(user), "name2": subscription.company.name},
                fields={"users": ["Not a member of this company."]},
            )
        if not user.is_active:
            raise ApplicationError(
                _("%(name)s's account is closed: it cannot get a license.") % {"name": _name(user)}
            )
    # SPEC §7.1: an account holds no license until its address is verified.
    unverified = (
        UserSecurity.objects.filter(user_id__in=[u.pk for u in users], email_verified=False)
        .select_related("user")
        .first()
    )
    if unverified is not None:
        raise ApplicationError(
            _(
                "%(name)s has not verified their email address yet: a license "
                "can be assigned once they have."
            )
            % {"name": _name(unverified.user)},
            code="unverified",
            fields={"users": ["Email address not verified yet."]},
        )
    user_ids = [u.pk for u in users]
    active = License.objects.filter(released_at__isnull=True)
    duplicate = (
        active.filter(subscription=subscription, user_id__in=user_ids)
        .select_related("user")
        .first()
    )
    if duplicate is not None:
        raise ApplicationError(
            _("%(name)s already has a license of this subscription.")
            % {"name": _name(duplicate.user)},
            code="duplicate",
        )
    if subscription.offer.is_exclusive:
        holder = (
            active.filter(exclusive=True, user_id__in=user_ids)
            .select_related("user", "subscription__offer")
            .first()
        )
        if holder is not None:
            raise ApplicationError(
                _(
                    "%(name)s already holds a %(name2)s license: a member holds "
                    "at most one of Business or Enterprise."
                )
                % {"name": _name(holder.user), "name2": holder.subscription.offer.name},
                code="exclusive",
            )
    taken = active.filter(subscription=subscription).count()
    free = subscription.seats - taken
    if len(users) > free:
        raise ApplicationError(
            _(
                "Only %(free)s of %(seats)s seats are free on this "
                "subscription; you asked for %(len)s. Add seats first."
            )
            % {"free": free, "seats": subscription.seats, "len": len(users)},
            code="no_free_seat",
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            licenses = License.objects.bulk_create(
                [
                    License(
                        subscription=subscription,
                        user=user,
                        exclusive=subscription.offer.is_exclusive,
                        assigned_at=now,
                    )
                    for user in users
                ]
            )
    except IntegrityError:
        # Another subscription's assignment to the same user committed between our check and
        # our insert: the partial unique constraints said no.
        raise ApplicationError(
            _(
                "One of these members got a Business or Enterprise license at "
                "the same moment: reload and try again."
            ),
            code="exclusive",
        ) from None
    for license_ in licenses:
        activity.record(
            event="license.assigned",
            actor=actor,
            company=subscription.company,
            target=license_.user,
            data={"subscription": subscription.pk, "offer": subscription.offer.code},
        )
    return licenses


def license_assign(*, subscription: Subscription, user, actor) -> License:
    return licenses_assign_bulk(subscription=subscription, users=[user], actor=actor)[0]


@transaction.atomic
def license_release(*, license_: License, actor) -> License:
    license_ = (
        License.objects.select_for_update()
        .select_related("subscription__company", "user")
        .get(pk=license_.pk)
    )
    require_actor_right(
        actor=actor, company=license_.subscription.company, action=ALLOCATE_LICENSES
    )
    if license_.released_at is not None:
        raise ApplicationError(_("This license was already released."))
    license_.released_at = timezone.now()
    license_.save(update_fields=["released_at"])
    activity.record(
        event="license.released",
        actor=actor,
        company=license_.subscription.company_id,
        target=license_.user,
        data={"subscription": license_.subscription_id},
    )
    return license_


@transaction.atomic
def licenses_release_for_user(*, user, actor, reason: str = "account_closed") -> int:
    """Free every license a user holds (SPEC §3.7: closing an account frees its licenses).
    Idempotent: a second call releases nothing and records nothing. Returns how many."""
    now = timezone.now()
    held = list(
        License.objects.select_for_update()
        .filter(user=user, released_at__isnull=True)
        .select_related("subscription")
    )
    for license_ in held:
        license_.released_at = now
    License.objects.bulk_update(held, ["released_at"])
    for license_ in held:
        activity.record(
            event="license.released",
            actor=actor,
            company=license_.subscription.company_id,
            target=user,
            data={"subscription": license_.subscription_id, "reason": reason},
        )
    return len(held)
