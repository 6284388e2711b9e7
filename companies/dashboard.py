"""The companies app's dashboard panels (collected by core.dashboard): the company admin's
members, invitations, join requests and two-factor adoption; the user's network; the
operations staff's sign-in failures, locks and activity volume. Reads only, each panel a
fixed number of queries whatever the company's size (tests/core/test_dashboard.py)."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncDate
from django.utils import timezone

from accounts.models import AuthenticatorDevice, Contact, TwoFactorPolicy, User, UserSecurity
from accounts.security import selectors as security_selectors
from activity.models import ActivityRecord
from core.charts import day_columns

from .membership import selectors as membership_selectors
from .models import ADMIN_ROLES, RoleAssignment
from .policies import OWN_ADMIN_ROLES
from .selectors import user_roles
from .visibility.network_selectors import invitations_incoming

SHOWN = 5  # rows of each list on a dashboard; the full list is one link away
OPS_DAYS = 14


def is_own_admin(user) -> bool:
    """A company admin (or a partner's bp_admin) of a real company: the settings hub's owner."""
    return (
        user.is_authenticated
        and not user.company.is_default
        and bool(user_roles(user=user) & OWN_ADMIN_ROLES)
    )


def member_counts(*, company) -> dict:
    """Active, inactive and unverified members, and who has a second factor: one query."""
    device = AuthenticatorDevice.objects.filter(user=OuterRef("pk"), confirmed=True)
    admin = RoleAssignment.objects.filter(user=OuterRef("pk"), role__in=ADMIN_ROLES)
    return User.objects.filter(company=company).aggregate(
        total=Count("pk"),
        active=Count("pk", filter=Q(is_active=True, visibility_verified=True)),
        inactive=Count("pk", filter=Q(is_active=False)),
        unverified=Count("pk", filter=Q(is_active=True, visibility_verified=False)),
        enrolled=Count("pk", filter=Q(Exists(device), is_active=True)),
        admins=Count("pk", filter=Q(Exists(admin), is_active=True)),
        admins_enrolled=Count("pk", filter=Q(Exists(admin), Exists(device), is_active=True)),
    )


def two_factor_adoption(*, policy: str, counts: dict) -> dict:
    """Who must enroll under the policy, and how many of them did."""
    if policy == TwoFactorPolicy.ALWAYS:
        required, done = counts["active"] + counts["unverified"], counts["enrolled"]
    elif policy == TwoFactorPolicy.ADMINS:
        required, done = counts["admins"], counts["admins_enrolled"]
    else:
        required, done = 0, counts["enrolled"]
    return {
        "policy": policy,
        "required": required,
        "done": min(done, required) if required else done,
        "missing": max(required - done, 0),
    }


def company_admin_panel(user) -> dict | None:
    if not is_own_admin(user):
        return None
    company = user.company
    counts = member_counts(company=company)
    policy = security_selectors.company_policy(company=company)
    invitations = membership_selectors.invitation_list(company=company).order_by("-sent_at")
    requests = membership_selectors.join_request_list(company=company).order_by("created_at")
    return {
        "company": company,
        "counts": counts,
        "two_factor": two_factor_adoption(policy=policy.two_factor, counts=counts),
        "invitations": list(invitations[:SHOWN]),
        "invitation_count": invitations.count(),
        "join_requests": list(requests[:SHOWN]),
        "join_request_count": requests.count(),
    }


def user_panel(user) -> dict | None:
    """Everyone's own corner: their network and the invitations waiting for them."""
    if not user.is_authenticated:
        return None
    contacts = Contact.objects.filter(owner=user).select_related("contact__company")
    return {
        "contacts": list(
            contacts.order_by("-is_favorite", "contact__last_name", "contact_id")[:SHOWN]
        ),
        "contact_count": contacts.count(),
        "invitations": invitations_incoming(user=user)[:SHOWN],
    }


def operations_panel(user) -> dict | None:
    """Sign-in failures and locks per day, accounts locked now, activity volume per day (the
    region's log, SPEC §10.3): four queries."""
    if not (user.is_authenticated and user.is_operations):
        return None
    now = timezone.now()
    today = timezone.localdate(now)
    days = [today - dt.timedelta(days=n) for n in range(OPS_DAYS - 1, -1, -1)]
    since = timezone.make_aware(dt.datetime.combine(days[0], dt.time.min))
    recent = ActivityRecord.objects.filter(occurred_at__gte=since).annotate(
        day=TruncDate("occurred_at")
    )
    signins = {
        (row["day"], row["event"]): row["n"]
        for row in recent.filter(event__in=["user.login.failed", "user.locked"])
        .values("day", "event")
        .annotate(n=Count("id"))
    }
    volume = {
        row["day"]: row["n"] for row in recent.values("day").annotate(n=Count("id")).order_by()
    }
    failures = [signins.get((d, "user.login.failed"), 0) for d in days]
    locks = [signins.get((d, "user.locked"), 0) for d in days]
    locked = UserSecurity.objects.filter(locked_until__gt=now).select_related("user__company")
    return {
        "days": days,
        "signin_chart": day_columns(days, {"bar-failures": failures, "bar-locks": locks}),
        "signin_rows": list(zip(days, failures, locks, strict=True)),
        "failures_total": sum(failures),
        "locks_total": sum(locks),
        "volume_chart": day_columns(days, {"bar-volume": [volume.get(d, 0) for d in days]}),
        "volume_rows": [(d, volume.get(d, 0)) for d in days],
        "locked": list(locked.order_by("locked_until")[:20]),
        "locked_count": locked.count(),
    }


DASHBOARD_PANELS = [
    (20, "core/dashboard/company_admin.html", company_admin_panel, "home"),
    (80, "core/dashboard/user.html", user_panel, "home"),
    (10, "core/dashboard/operations.html", operations_panel, "operations"),
]
