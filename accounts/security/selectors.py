from django.contrib.sessions.models import Session
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from ..models import (
    PROFILE_FIELDS,
    CompanySecurityPolicy,
    TwoFactorPolicy,
    User,
    UserSecurity,
    UserSession,
)

# Whether a user holds an admin role (SPEC §3.1) is the companies layer's knowledge; accounts
# sits below it, so companies sets this in CompaniesConfig.ready() (policies.holds_admin_role).
# Unset, the "admins" policy refuses to guess.
admin_role_check = None

MIN_PASSWORD_LENGTH = 8


def company_policy(*, company) -> CompanySecurityPolicy:
    """The company's security policy; an unsaved default when it never set one."""
    if company is None or company.pk is None:
        return CompanySecurityPolicy()
    cached = getattr(company, "_security_policy_cache", None)
    if cached is None:
        cached = CompanySecurityPolicy.objects.filter(company=company).first()
        cached = cached or CompanySecurityPolicy(company=company)
        company._security_policy_cache = cached
    return cached


def password_min_length(*, company) -> int:
    return max(MIN_PASSWORD_LENGTH, company_policy(company=company).password_min_length)


def user_security(*, user) -> UserSecurity:
    """The user's security row; an unsaved default (verified, unlocked) if none exists."""
    row = UserSecurity.objects.filter(user=user).first()
    return row or UserSecurity(user=user)


def two_factor_required(*, user) -> bool:
    """SPEC §7.5: superadmins always; otherwise the company policy, where `admins` means
    every admin role of SPEC §3.1 (company admin and the three partner roles)."""
    if user.is_superuser:
        return True
    policy = company_policy(company=user.company).two_factor
    if policy == TwoFactorPolicy.ALWAYS:
        return True
    if policy == TwoFactorPolicy.ADMINS:
        if admin_role_check is None:
            raise ImproperlyConfigured("companies did not register its admin-role check.")
        return admin_role_check(user)
    return False


def totp_device(*, user, confirmed: bool = True):
    return TOTPDevice.objects.filter(user=user, confirmed=confirmed).order_by("-id").first()


def has_two_factor(*, user) -> bool:
    return totp_device(user=user) is not None


def profile_locked_fields(*, user) -> frozenset[str]:
    """SPEC §7.7: title, first and last name are locked by the company or for this user."""
    if (
        company_policy(company=user.company).lock_profiles
        or user_security(user=user).profile_locked
    ):
        return frozenset(PROFILE_FIELDS)
    return frozenset()


def user_session_list(*, user) -> list[UserSession]:
    """The user's live sessions, most recent first (expired ones are left out)."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return list(UserSession.objects.filter(user=user, session_key__in=live).order_by("-last_seen"))


def company_member_locks(*, company) -> list:
    """Members of a company with their profile lock, in one query."""
    return list(
        User.objects.filter(company=company)
        .select_related("security")
        .order_by("last_name", "first_name", "email")
    )
