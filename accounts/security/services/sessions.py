"""Sessions: start, end, touch, and ending them all (SPEC §7.2, §7.4)."""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone

import activity

from ...models import (
    User,
    UserSession,
)
from ..selectors import has_two_factor, two_factor_required
from .common import (
    SESSION_IDENTITY_PROVIDER,
    SESSION_LAST_ACTIVITY,
    SESSION_TWO_FACTOR_PENDING,
)


@transaction.atomic
def session_start(
    *,
    request,
    user: User,
    ip: str = "",
    second_factor_satisfied: bool = False,
    identity_provider: str = "",
) -> bool:
    """Sign the user in: a new session key (rotated), registered for the session list.
    Returns True when a second factor is still needed before anything else.
    `second_factor_satisfied`: an SSO sign-in through an IdP the company marked as
    enforcing multi-factor (SPEC §7.6) is not asked for the portal's own second factor.
    `identity_provider`: the IdP's id for an SSO sign-in, empty for a password one."""
    user.backend = settings.AUTHENTICATION_BACKENDS[0]
    auth_login(request, user)  # cycles the session key (no fixation)
    request.session[SESSION_LAST_ACTIVITY] = int(timezone.now().timestamp())
    # auth_login keeps the data of a session already the user's: a password sign-in over an
    # SSO one must not inherit its mark (the password rules would stop applying to it).
    if identity_provider:
        request.session[SESSION_IDENTITY_PROVIDER] = identity_provider
    else:
        request.session.pop(SESSION_IDENTITY_PROVIDER, None)
    pending = not second_factor_satisfied and (
        two_factor_required(user=user) or has_two_factor(user=user)
    )
    if pending:
        request.session[SESSION_TWO_FACTOR_PENDING] = True
    request.session.save()
    UserSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={
            "user": user,
            "last_seen": timezone.now(),
            "user_agent": request.META.get("HTTP_USER_AGENT", "")[:200],
        },
    )
    activity.record(
        event="user.login.succeeded",
        actor=user,
        target=user,
        ip=ip,
        data={"second_factor_pending": pending, "second_factor_by_idp": second_factor_satisfied},
    )
    return pending


@transaction.atomic
def session_end(*, request, reason: str = "logout") -> None:
    user = request.user
    if user.is_authenticated:
        key = request.session.session_key
        if key:
            UserSession.objects.filter(session_key=key).delete()
        activity.record(event="user.logout", actor=user, target=user, data={"reason": reason})
    auth_logout(request)


def session_touch(*, request) -> None:
    """Keep `last_seen` of the session list roughly current (at most one write a minute)."""
    key = request.session.session_key
    if key:
        UserSession.objects.filter(
            session_key=key, last_seen__lt=timezone.now() - timedelta(minutes=1)
        ).update(last_seen=timezone.now())


@transaction.atomic
def sessions_end(*, user: User, actor, keep_session_key: str | None = None) -> int:
    """End every session of the user (but `keep_session_key`): "sign out everywhere", and
    what a password reset or change does to the other sessions (SPEC §7.2)."""
    rows = UserSession.objects.filter(user=user)
    if keep_session_key:
        rows = rows.exclude(session_key=keep_session_key)
    keys = list(rows.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    rows.delete()
    activity.record(
        event="user.sessions.ended",
        actor=actor,
        company=user.company_id,
        target=user,
        data={"count": len(keys), "kept_current": bool(keep_session_key)},
    )
    return len(keys)
