# One module per concern; each capability adds its own file and one import line here.
from .authenticator import AuthenticatorDevice
from .network import Contact, Invitation, NetworkSettings
from .tokens import PersonalToken
from .user import PROFILE_FIELDS, User, UserManager, normalize_email

__all__ = [
    "PROFILE_FIELDS",
    "AuthenticatorDevice",
    "Contact",
    "Invitation",
    "NetworkSettings",
    "PersonalToken",
    "User",
    "UserManager",
    "normalize_email",
]
from .security import (
    CompanySecurityPolicy,
    EmailVerification,
    PasswordResetCode,
    RecoveryCode,
    TwoFactorPolicy,
    UserSecurity,
    UserSession,
)

__all__ += [
    "CompanySecurityPolicy",
    "EmailVerification",
    "PasswordResetCode",
    "RecoveryCode",
    "TwoFactorPolicy",
    "UserSecurity",
    "UserSession",
]
