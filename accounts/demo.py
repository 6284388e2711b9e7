"""Demo of account security (issue 5): company policies and a profile lock, via services."""

from accounts.models import User
from accounts.security.services import company_security_policy_set, user_profile_lock_set


def seed(command) -> list[tuple[str, str]]:
    logins = []
    carol = User.objects.select_related("company").filter(email="carol@globex.test").first()
    globex = carol.company if carol is not None else None
    if globex is not None:
        # Admins of Globex must enroll an authenticator at their next sign-in (SPEC §7.5).
        company_security_policy_set(
            company=globex,
            actor=None,
            password_min_length=12,
            two_factor="admins",
            lock_profiles=False,
        )
        logins.append(("carol@globex.test", "two-factor enrollment at sign-in (Globex: admins)"))
        dave = User.objects.filter(email="dave@globex.test").first()
        if dave is not None:
            user_profile_lock_set(user=dave, locked=True, actor=None)
            logins.append(("dave@globex.test", "profile locked by his company (SPEC §7.7)"))
    erin = User.objects.select_related("company").filter(email="erin@initech.test").first()
    initech = erin.company if erin is not None else None
    if initech is not None:
        company_security_policy_set(
            company=initech,
            actor=None,
            password_min_length=8,
            two_factor="never",
            lock_profiles=True,
        )
    logins.append(("admin@rainbow.test", "superadmin: enrolls two-factor at first sign-in"))
    return logins
