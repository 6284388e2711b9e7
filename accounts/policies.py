"""Who may do what on accounts, beyond a company's rights (those are companies.policies)."""


def is_platform_actor(actor) -> bool:
    """The scheduled system (`actor=None`) or a platform superadmin (SPEC §1): the only ones
    who create organizations, grant visibility, or change platform status and permissions."""
    return actor is None or bool(getattr(actor, "is_superuser", False))


def is_superadmin(actor) -> bool:
    """A signed-in, active platform superadmin (SPEC §1): the operator endpoints' right."""
    return bool(
        getattr(actor, "is_authenticated", False) and actor.is_active and actor.is_superuser
    )
