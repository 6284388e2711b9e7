"""Who may do what on accounts, beyond a company's rights (those are companies.policies)."""


def is_platform_actor(actor) -> bool:
    """The scheduled system (`actor=None`) or a platform superadmin (SPEC §1): the only ones
    who create organizations, grant visibility, or change platform status and permissions."""
    return actor is None or bool(getattr(actor, "is_superuser", False))
