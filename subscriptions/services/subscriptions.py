import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

import activity
from companies import policies as company_policies
from companies.models import Company, SubscriptionDelegation
from companies.rights import CREATE_SUBSCRIPTION, MANAGE_SUBSCRIPTIONS
from core.validation import validate_date_range
from rainbow_portal.exceptions import ApplicationError

from ..models import BillingModel, License, Offer, SeatChange, Subscription
from ..policies import can_set_delegation


def _start_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def _increase_only(*, actor, company: Company) -> bool:
    """The actor acts only through the partner's "increase only" delegation (SPEC §3.4)."""
    if actor is None:  # the system (scheduled jobs, demo data)
        return False
    return company_policies.subscription_increase_only(actor=actor, company=company)


def _locked(subscription: Subscription, *, actor) -> Subscription:
    """The subscription under lock, once the actor's right to manage it is checked
    (SPEC §3.4; `actor=None` is the system)."""
    subscription = (
        Subscription.objects.select_for_update()
        .select_related("company", "offer")
        .get(pk=subscription.pk)
    )
    company_policies.require_actor_right(
        actor=actor, company=subscription.company, action=MANAGE_SUBSCRIPTIONS
    )
    return subscription


MAX_DAYS_AHEAD = 366


PAST_START = "A subscription starts today or later."


def subscription_start_validate(*, start_date: dt.date, by_person: bool) -> None:
    """One rule for the page and the API: a person orders from today on (a start in the past
    would bill months nobody agreed to). The system (`actor=None`: data imports, demo data,
    tests of billing) may record an earlier start, within the sane date range."""
    try:
        validate_date_range(start_date, field="start_date")
    except ValidationError as exc:
        raise ApplicationError(exc.messages[0], fields={"start_date": exc.messages}) from None
    if by_person and start_date < timezone.now().date():
        raise ApplicationError(PAST_START, fields={"start_date": [PAST_START]})


@transaction.atomic
def subscription_create(
    *,
    company: Company,
    offer: Offer,
    billing: str,
    seats: int,
    start_date: dt.date,
    actor,
) -> Subscription:
    if offer.is_essential:
        raise ApplicationError(
            _("Essential is included for every company and member: it needs no subscription."),
            fields={"offer": ["Choose Business or Enterprise."]},
        )
    if billing not in BillingModel.values:
        raise ApplicationError(
            _("“%(billing)s” is not a billing model.") % {"billing": billing},
            fields={"billing": ["Invalid."]},
        )
    if seats is None or int(seats) < 1:
        raise ApplicationError(
            _("A subscription has at least one seat."), fields={"seats": ["At least 1."]}
        )
    company_policies.require_actor_right(actor=actor, company=company, action=CREATE_SUBSCRIPTION)
    latest_start = timezone.now().date() + dt.timedelta(days=MAX_DAYS_AHEAD)
    if start_date > latest_start:
        # Found by fuzzing: a start in year 9999 was stored, and every page computing its term
        # end then failed. An order starts within a year, like any real one.
        raise ApplicationError(
            f"A subscription starts within a year: on {latest_start:%Y-%m-%d} at the latest.",
            fields={"start_date": ["Too far ahead."]},
        )
    subscription_start_validate(start_date=start_date, by_person=actor is not None)
    if company.status == Company.Status.TERMINATED:
        raise ApplicationError(
            _("%(name)s is terminated: it cannot subscribe.") % {"name": company.name}
        )
    if company.is_default:
        raise ApplicationError(
            _("Standalone users keep Essential; the default company has no subscriptions.")
        )
    subscription = Subscription(
        company=company, offer=offer, billing=billing, seats=int(seats), start_date=start_date
    )
    subscription.full_clean()
    subscription.save()
    SeatChange.objects.create(
        subscription=subscription, effective_at=_start_of_day(start_date), seats=subscription.seats
    )
    activity.record(
        event="subscription.created",
        actor=actor,
        company=company,
        target=subscription,
        data={
            "offer": offer.code,
            "billing": billing,
            "seats": subscription.seats,
            "start_date": start_date.isoformat(),
        },
    )
    return subscription


@transaction.atomic
def subscription_seats_set(*, subscription: Subscription, seats: int, actor) -> Subscription:
    """Grow or shrink the seats. Refused: a decrease of a prepaid term (SPEC §3.7), a decrease
    by a customer admin under "increase only" delegation (SPEC §3.4), fewer seats than
    licenses assigned, and any change to a terminated subscription."""
    subscription = _locked(subscription, actor=actor)
    seats = int(seats)
    if subscription.status == Subscription.Status.TERMINATED:
        raise ApplicationError(_("This subscription is terminated: its seats cannot change."))
    if seats < 1:
        raise ApplicationError(
            _("A subscription has at least one seat."), fields={"seats": ["At least 1."]}
        )
    if seats == subscription.seats:
        return subscription
    if seats < subscription.seats:
        if subscription.is_prepaid:
            raise ApplicationError(
                f"Seats of a prepaid subscription can only grow during its term "
                f"(it ends on {subscription.term_end:%d %B %Y}); it has {subscription.seats}.",
                fields={"seats": [f"At least {subscription.seats}."]},
            )
        if _increase_only(actor=actor, company=subscription.company):
            raise ApplicationError(
                _("Your partner lets you increase seats only: ask them to decrease them."),
                code="increase_only",
                fields={"seats": [f"At least {subscription.seats}."]},
            )
        assigned = License.objects.filter(
            subscription=subscription, released_at__isnull=True
        ).count()
        if seats < assigned:
            raise ApplicationError(
                _(
                    "%(assigned)s licenses are assigned on this subscription: "
                    "release some before going down to %(seats)s seats."
                )
                % {"assigned": assigned, "seats": seats},
                fields={"seats": [f"At least {assigned}."]},
            )
    previous = subscription.seats
    subscription.seats = seats
    subscription.save(update_fields=["seats"])
    SeatChange.objects.create(subscription=subscription, effective_at=timezone.now(), seats=seats)
    activity.record(
        event="subscription.seats.changed",
        actor=actor,
        company=subscription.company,
        target=subscription,
        data={"from": previous, "to": seats},
    )
    return subscription


def _refuse_if_increase_only(*, subscription: Subscription, actor, what: str) -> None:
    if _increase_only(actor=actor, company=subscription.company):
        raise ApplicationError(
            _("Your partner lets you increase seats only: ask them to %(what)s this subscription.")
            % {"what": what},
            code="increase_only",
        )


@transaction.atomic
def subscription_suspend(*, subscription: Subscription, actor) -> Subscription:
    subscription = _locked(subscription, actor=actor)
    _refuse_if_increase_only(subscription=subscription, actor=actor, what="suspend")
    if subscription.status != Subscription.Status.ACTIVE:
        raise ApplicationError(
            _("Only an active subscription can be suspended; this one is %(get_status_display)s.")
            % {"get_status_display": subscription.get_status_display().lower()}
        )
    subscription.status = Subscription.Status.SUSPENDED
    subscription.save(update_fields=["status"])
    activity.record(
        event="subscription.suspended",
        actor=actor,
        company=subscription.company,
        target=subscription,
    )
    return subscription


@transaction.atomic
def subscription_resume(*, subscription: Subscription, actor) -> Subscription:
    subscription = _locked(subscription, actor=actor)
    _refuse_if_increase_only(subscription=subscription, actor=actor, what="resume")
    if subscription.status != Subscription.Status.SUSPENDED:
        raise ApplicationError(_("Only a suspended subscription can be resumed."))
    subscription.status = Subscription.Status.ACTIVE
    subscription.save(update_fields=["status"])
    activity.record(
        event="subscription.resumed", actor=actor, company=subscription.company, target=subscription
    )
    return subscription


@transaction.atomic
def subscription_terminate(
    *, subscription: Subscription, actor, on: dt.date | None = None
) -> Subscription:
    """End a subscription for good: its licenses are released; the month of termination is
    still billed in full (SPEC §3.7)."""
    subscription = _locked(subscription, actor=actor)
    _refuse_if_increase_only(subscription=subscription, actor=actor, what="terminate")
    if subscription.status == Subscription.Status.TERMINATED:
        raise ApplicationError(_("This subscription is already terminated."))
    now = timezone.now()
    released = License.objects.filter(subscription=subscription, released_at__isnull=True).update(
        released_at=now
    )
    subscription.status = Subscription.Status.TERMINATED
    subscription.ended_on = on or now.date()
    subscription.save(update_fields=["status", "ended_on"])
    activity.record(
        event="subscription.terminated",
        actor=actor,
        company=subscription.company,
        target=subscription,
        data={"licenses_released": released, "ended_on": subscription.ended_on.isoformat()},
    )
    return subscription


@transaction.atomic
def subscription_delegation_set(*, company: Company, delegation: str, actor) -> Company:
    """What the customer's admins may do with their subscriptions (SPEC §3.4): set by the
    partner's Finance member."""
    if delegation not in SubscriptionDelegation.values:
        raise ApplicationError(
            _("“%(delegation)s” is not a delegation mode.") % {"delegation": delegation},
            fields={"delegation": ["Invalid."]},
        )
    if company.business_partner_id is None:
        raise ApplicationError(
            _("%(name)s has no business partner to delegate from.") % {"name": company.name}
        )
    if actor is not None and not can_set_delegation(actor=actor, company=company):
        raise PermissionDenied("Only the partner's Finance members set this delegation.")
    company = Company.objects.select_for_update().get(pk=company.pk)
    if company.subscription_delegation == delegation:
        return company
    previous = company.subscription_delegation
    company.subscription_delegation = delegation
    company.save(update_fields=["subscription_delegation"])
    activity.record(
        event="subscription.delegation.changed",
        actor=actor,
        company=company,
        target=company,
        data={"from": previous, "to": delegation},
    )
    return company
