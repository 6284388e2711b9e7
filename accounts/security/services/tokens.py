"""Personal API tokens (SPEC §7.8): the writes (create, revoke, touch) and the check a
request's token goes through. The DRF side is accounts.security.authentication."""

import functools
import hashlib
import hmac
import secrets
from datetime import timedelta

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

import activity
from core.prepared import execute_prepared
from core.rows import ModelColumns
from rainbow_portal.exceptions import ApplicationError

from ...models import PersonalToken, User
from .. import user_rows

TOKEN_PREFIX = "rbp"  # nosec B105 - the public prefix of every token, not a secret
MAX_DAYS = 90  # SPEC §7.8
DEFAULT_DAYS = 30
MAX_LIVE_TOKENS = 20
TOUCH_EVERY = timedelta(minutes=1)

# The admin roles a user holds (SPEC §3.1) are the companies layer's knowledge; accounts sits
# below it, so companies sets this in CompaniesConfig.ready() (policies.admin_roles_held).
admin_roles_of = None

REASONS = {
    "user": "revoked by its owner",
    "operator": "revoked by an operator",
    # nosec B105 (three lines) - revocation reasons shown to people, not passwords
    "password_reset": "the password was reset",  # nosec B105
    "password_change": "the password was changed",  # nosec B105
    "password_set_by_admin": "the password was set by an operator",  # nosec B105
    "account_closed": "the account was closed",
    "role_lost": "a role it was made with was removed",
    "company_changed": "the account moved to another company",
}


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _needs(user: User) -> tuple[int | None, list[str]]:
    """What a token's use needs (D10a.7): the user's company and admin roles."""
    if admin_roles_of is None:
        raise ImproperlyConfigured(
            "companies must set accounts.security.services.tokens.admin_roles_of."
        )
    roles = sorted(str(r) for r in admin_roles_of(user))
    if user.is_superuser:
        roles.append("superadmin")
    if user.is_staff:
        roles.append("staff")
    return user.company_id, roles


@transaction.atomic
def token_create(*, user: User, actor, name: str, scope: str, days: int = DEFAULT_DAYS):
    """A new token; returns (row, secret). The secret is shown once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ApplicationError(_("Give the token a name."), fields={"name": ["Required."]})
    if len(name) > 100:
        raise ApplicationError(_("At most 100 characters."), fields={"name": ["Too long."]})
    if scope not in PersonalToken.Scope.values:
        raise ApplicationError(
            _("The scope is read or read-write."), fields={"scope": ["Choose read or read-write."]}
        )
    if not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        message = f"A token lives 1 to {MAX_DAYS} days."
        raise ApplicationError(message, fields={"days": [message]})
    User.objects.select_for_update().filter(pk=user.pk).first()  # one creation at a time
    live = PersonalToken.objects.filter(
        user=user, revoked_at__isnull=True, expires_at__gt=timezone.now()
    ).count()
    if live >= MAX_LIVE_TOKENS:
        raise ApplicationError(
            _("You have %(MAX_LIVE_TOKENS)s live tokens: revoke one you no longer use first.")
            % {"MAX_LIVE_TOKENS": MAX_LIVE_TOKENS}
        )
    prefix = secrets.token_hex(6)
    secret = f"{TOKEN_PREFIX}_{prefix}_{secrets.token_urlsafe(32)}"
    company_id, roles = _needs(user)
    token = PersonalToken.objects.create(
        user=user,
        name=name,
        scope=scope,
        prefix=prefix,
        secret_hash=_digest(secret),
        expires_at=timezone.now() + timedelta(days=days),
        company_at_creation_id=company_id,
        roles_at_creation=roles,
    )
    activity.record(
        event="user.api_token.created",
        actor=actor,
        company=user.company_id,
        target=user,
        data={"credential_id": token.pk, "name": name, "scope": scope, "days": days},
    )
    return token, secret


def _revoke(token: PersonalToken, *, actor, reason: str) -> None:
    token.revoked_at = timezone.now()
    token.revoked_reason = reason
    token.save(update_fields=["revoked_at", "revoked_reason"])
    activity.record(
        event="user.api_token.revoked",
        actor=actor,
        company=token.user.company_id,
        target=token.user,
        data={"credential_id": token.pk, "name": token.name, "reason": reason},
    )


@transaction.atomic
def token_revoke(*, token: PersonalToken, actor, reason: str = "user") -> bool:
    """Revoke one token; False when it was already revoked (nothing recorded)."""
    token = PersonalToken.objects.select_for_update().select_related("user").get(pk=token.pk)
    if token.revoked_at is not None:
        return False
    _revoke(token, actor=actor, reason=reason)
    return True


@transaction.atomic
def tokens_revoke_for_user(*, user: User, actor, reason: str) -> int:
    """Revoke every unrevoked token of the user (a password reset or change, account
    closure, SPEC §7.8). One record per token; returns how many. Idempotent."""
    if reason not in REASONS:
        raise ValueError(f"Unknown revocation reason {reason!r}.")
    rows = list(
        PersonalToken.objects.select_for_update()
        .select_related("user")
        .filter(user=user, revoked_at__isnull=True)
    )
    for token in rows:
        _revoke(token, actor=actor, reason=reason)
    return len(rows)


def token_for_secret(secret: str) -> PersonalToken | None:
    """The live token this secret belongs to, or None (unknown, wrong, expired, revoked).
    A token whose user lost what its use needs is revoked here, at its first use after."""
    parts = (secret or "").split("_", 2)  # the random part may hold "_" itself
    if len(parts) != 3 or parts[0] != TOKEN_PREFIX or len(secret) > 100:
        return None
    token = _token_by_prefix(parts[1])
    if token is None or not hmac.compare_digest(token.secret_hash, _digest(secret)):
        return None
    if not token.is_live or not token.user.is_active:
        return None
    company_id, roles = _needs(token.user)
    if company_id != token.company_at_creation_id:
        token_revoke(token=token, actor=None, reason="company_changed")
        return None
    if not set(token.roles_at_creation) <= set(roles):
        token_revoke(token=token, actor=None, reason="role_lost")
        return None
    return token


@functools.cache
def _lookup_plan(vendor: str):
    """The token lookup's SQL and its row layout, built once per process: the token's
    columns in front of the signed-in user's (accounts.security.user_rows)."""
    token = ModelColumns(PersonalToken, "t")
    user_select, user_joins, _width, build_user = user_rows.plan(vendor)
    quote = connection.ops.quote_name
    # Every name comes from the models' _meta, quoted; the prefix is the one parameter.
    joins = f" JOIN {quote(User._meta.db_table)} u ON u.{quote('id')} = t.{quote('user_id')}"
    where = f"t.{quote('prefix')} = %(prefix)s"
    sql = f"SELECT {token.sql}, {user_select} FROM {token.table} t{joins}{user_joins} WHERE {where}"  # noqa: S608  # nosec B608
    return sql, token, build_user


def _token_by_prefix(prefix: str) -> PersonalToken | None:
    """The token with this prefix with its user, the user's company, the company's security
    policy and the user's roles, in one query: nothing cached across requests, so a
    revocation or a changed policy applies to the very next call (issue 15). Written as SQL
    rather than `select_related` because compiling that ORM query cost ~1 ms of CPU per call,
    more than the rest of the lookup (core.rows), and prepared because planning its joins
    cost PostgreSQL fifty times running it (core.prepared)."""
    sql, token_cols, build_user = _lookup_plan(connection.vendor)
    with connection.cursor() as cursor:
        execute_prepared(cursor, sql, {"prefix": prefix}, prefix="rp_token")
        row = cursor.fetchone()
    if row is None:
        return None
    token = token_cols.build(row, 0)
    PersonalToken.user.field.set_cached_value(token, build_user(row, token_cols.width))
    return token


def token_touch(*, token: PersonalToken) -> None:
    """Last use, written at most once a minute (one UPDATE that usually matches nothing)."""
    now = timezone.now()
    if token.last_used_at and now - token.last_used_at < TOUCH_EVERY:
        return
    stale = Q(last_used_at__isnull=True) | Q(last_used_at__lt=now - TOUCH_EVERY)
    PersonalToken.objects.filter(stale, pk=token.pk).update(last_used_at=now)
    token.last_used_at = now


def token_get(*, user: User, token_id) -> PersonalToken:
    """One of the user's own tokens; another's, or a malformed id, is the same 404."""
    try:
        pk = int(str(token_id))
    except ValueError:
        raise Http404("No such token.") from None
    token = PersonalToken.objects.filter(pk=pk, user=user).first() if 0 < pk < 2**63 else None
    if token is None:
        raise Http404("No such token.")
    return token


def token_list(*, user: User) -> list[PersonalToken]:
    """The user's tokens, newest first (revoked and expired ones too, marked so)."""
    return list(PersonalToken.objects.filter(user=user).order_by("-created_at"))
