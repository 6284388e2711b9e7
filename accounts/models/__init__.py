# One module per concern; each capability adds its own file and one import line here.
from .user import User, UserManager, normalize_email

__all__ = ["User", "UserManager", "normalize_email"]
