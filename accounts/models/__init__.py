# One module per concern; each capability adds its own file and one import line here.
from .network import Contact, Invitation, NetworkSettings
from .user import PROFILE_FIELDS, User, UserManager, normalize_email

__all__ = [
    "PROFILE_FIELDS",
    "Contact",
    "Invitation",
    "NetworkSettings",
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
