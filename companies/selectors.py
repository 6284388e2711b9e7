import json

from django.http import Http404
from django.utils import timezone

from .models import Company, CompanyDomain, CompanyInvitation, RoleAssignment


def default_company() -> Company:
    """The default company "Rainbow" (SPEC §2.2), created by a data migration."""
    return Company.objects.get(is_default=True)


def user_roles(*, user) -> frozenset[str]:
    """The company roles a user holds. Cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        cached = frozenset(RoleAssignment.objects.filter(user=user).values_list("role", flat=True))
        user._role_cache = cached
    return cached


def user_roles_column(connection, user_id_sql: str) -> tuple[str, object]:
    """The roles of the user whose id is the SQL `user_id_sql`, as one column of a hand-written
    query (the API token lookup reads a user and their roles at once, issue 15): the column's
    SQL and the function that turns its value into the roles."""
    table = connection.ops.quote_name(RoleAssignment._meta.db_table)
    role = connection.ops.quote_name(RoleAssignment._meta.get_field("role").column)
    user = connection.ops.quote_name(RoleAssignment._meta.get_field("user").column)
    # Names from the model's _meta, quoted; user_id_sql is the caller's column reference.
    where = f"r.{user} = {user_id_sql}"
    if connection.vendor == "postgresql":
        return f"ARRAY(SELECT r.{role} FROM {table} r WHERE {where})", list  # noqa: S608  # nosec B608
    return f"(SELECT json_group_array(r.{role}) FROM {table} r WHERE {where})", json.loads  # noqa: S608  # nosec B608


def user_roles_prime(user, roles) -> None:
    """Put roles read by `user_roles_column` where `user_roles` looks for them."""
    user._role_cache = frozenset(roles or ())


def company_for_email_domain(*, email: str) -> Company | None:
    """The company owning the email's domain (SPEC §2.5), if any."""
    domain = email.rsplit("@", 1)[-1].strip().lower()
    if not domain:
        return None
    match = CompanyDomain.objects.select_related("company").filter(domain__iexact=domain).first()
    return match.company if match else None


def company_get_for_actor(*, actor, slug: str) -> Company:
    """The company of a company-scoped URL, if the actor is related to it: its member, its
    business partner's member, or a superadmin. Anything else is the same 404 as a missing
    company, so ids and slugs cannot be probed (ARCHITECTURE.md)."""
    company = (
        Company.objects.select_related("business_partner", "organization").filter(slug=slug).first()
    )
    if company is None or not getattr(actor, "is_authenticated", False):
        raise Http404("No such company.")
    if actor.is_superuser or company.pk == actor.company_id:
        return company
    if company.business_partner_id is not None and company.business_partner_id == actor.company_id:
        return company
    raise Http404("No such company.")


def company_for_pending_invitation(*, email: str) -> Company | None:
    """The company of the oldest open invitation for this address (SPEC §2.5 step 3)."""
    invitation = (
        CompanyInvitation.objects.select_related("company")
        .filter(
            email__iexact=(email or "").strip(),
            status=CompanyInvitation.Status.PENDING,
            expires_at__gt=timezone.now(),
        )
        .order_by("created_at")
        .first()
    )
    return invitation.company if invitation else None


def company_get_for_platform(*, slug: str) -> Company:
    """Any company, for a platform superadmin's page (the caller checked the superadmin)."""
    company = Company.objects.filter(slug=slug).first()
    if company is None:
        raise Http404("No such company.")
    return company


def company_get_for_visibility_page(*, actor, slug: str) -> Company:
    """A member-visibility page's company: operations staff simulate on any company (read
    only); everyone else as `company_get_for_actor`."""
    if getattr(actor, "is_operations", False) and not actor.is_superuser:
        return company_get_for_platform(slug=slug)
    return company_get_for_actor(actor=actor, slug=slug)


def domain_list(*, company: Company):
    """The company's email domains (SPEC §2.5), by name."""
    return company.domains.order_by("domain")
