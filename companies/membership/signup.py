"""Self-registration (SPEC §7.1): the account is placed in a company by SPEC §2.5, so sign-up
lives with the companies layer; its email confirmation is accounts' (`verification`)."""

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.urls import reverse

import activity
from accounts.models import EmailVerification, User, UserSecurity, normalize_email
from accounts.security import ratelimit
from accounts.security.password_policy import password_check
from accounts.security.services import IP_THROTTLED, verification_send
from core.services import email_send
from rainbow_portal.exceptions import ApplicationError

from ..services import company_for_signup, user_create
from .services import invitation_claim_pending


@transaction.atomic
def signup(
    *, email: str, password: str, first_name: str = "", last_name: str = "", ip: str = ""
) -> User | None:
    """Self-registration. The account is placed by SPEC §2.5 (domain match, else the default
    company) and stays unusable until its email is confirmed. An address that already has an
    account gets an email instead, and the caller answers the same way (no enumeration)."""
    email = normalize_email(email)
    company = company_for_signup(email=email)
    # Checked first, against the company the address would join: the answer is the same
    # whether or not the address already has an account.
    password_check(password, User(email=email, company=company))
    if ip and ratelimit.hit("signup-ip", ip, window=settings.ACCOUNT_IP_WINDOW) > (
        settings.ACCOUNT_IP_REQUEST_LIMIT
    ):
        raise ApplicationError(IP_THROTTLED, code="throttled")
    existing = User.objects.filter(email=email).first()
    if existing is not None:
        security = UserSecurity.objects.filter(user=existing).first()
        if security is not None and not security.email_verified:
            # Nobody proved this address yet: the latest sign-up wins, so a password chosen
            # by someone who pre-registered it (and the links it was sent) stops counting.
            EmailVerification.objects.filter(user=existing, used_at__isnull=True).delete()
            existing.set_password(password)
            existing.first_name = first_name
            existing.last_name = last_name
            existing.save(update_fields=["password", "first_name", "last_name"])
            activity.record(
                event="user.signup.repeated",
                company=existing.company_id,
                target=existing,
                ip=ip,
            )
            verification_send(user=existing)
        else:
            # One password hash on every branch: a taken address must not answer faster.
            make_password(password)
            email_send(
                to=existing.email,
                template="account_exists",
                context={
                    "link": settings.PORTAL_BASE_URL + reverse("accounts:login"),
                    "reset_link": settings.PORTAL_BASE_URL + reverse("accounts:password-reset"),
                },
            )
        return None
    user = user_create(
        email=email,
        company=company,
        actor=None,
        password=password,
        first_name=first_name,
        last_name=last_name,
    )
    UserSecurity.objects.create(user=user, email_verified=False)
    verification_send(user=user)
    return user


def claim_on_email_verified(sender, *, user, **kwargs) -> None:
    """SPEC §2.5 step 3: sign-up placed the user by a pending invitation for this address; it
    is claimed only once the address is proven, so its role cannot be had unverified.
    Connected to accounts.security.signals.email_verified in CompaniesConfig.ready()."""
    invitation_claim_pending(user=user)
