"""A signed-in user with what every request asks of them, in one hand-written query (issue 15):
the account, its company, the company's security policy (the 2FA and lock checks of every
request), the user's company roles (the menu, the rights) and whether they hold the
operations permission (the menu, SPEC §10.4). Read through the ORM that is five queries on
every page; here it is one, prepared (core.prepared), with the rows turned back into the
same instances and caches the ORM path fills (core.rows).

Both ways a request is signed in read it: the session (`PortalBackend.get_user`) and an API
token (the token lookup puts the token's own columns in front of these). Nothing is cached
across requests, so a role removed or a policy tightened applies to the very next one."""

import functools

from django.contrib.auth.models import Group, Permission
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ImproperlyConfigured
from django.db import connection

from activity.policies import OPERATIONS_APP, OPERATIONS_CODENAME, operations_prime
from core.rows import ModelColumns

from ..models import CompanySecurityPolicy, User

# ((connection, user id SQL) -> (column SQL, parse), (user, roles) -> None): the roles are the
# companies layer's knowledge and accounts sits below it, so CompaniesConfig.ready() sets it.
roles_column = None


def _operations_sql(quote, user_id_sql: str) -> str:
    """EXISTS: the user holds `activity.operations`, directly or through a group (the
    question activity.policies.holds_operations asks the ORM)."""
    user_perm = User.user_permissions.through
    user_group = User.groups.through
    group_perm = Group.permissions.through
    perm, ctype = Permission._meta, ContentType._meta

    def col(model, name):
        return quote(model._meta.get_field(name).column)

    content_type = col(Permission, "content_type")
    # Names from _meta, quoted; the two constants are ours.
    table = quote(perm.db_table)
    return (
        f"EXISTS (SELECT 1 FROM {table} op"  # noqa: S608  # nosec B608
        f" JOIN {quote(ctype.db_table)} oc ON oc.{quote('id')} = op.{content_type}"
        f" WHERE op.{col(Permission, 'codename')} = '{OPERATIONS_CODENAME}'"
        f" AND oc.{col(ContentType, 'app_label')} = '{OPERATIONS_APP}'"
        f" AND (op.{quote('id')} IN (SELECT up.{col(user_perm, 'permission')}"
        f" FROM {quote(user_perm._meta.db_table)} up"
        f" WHERE up.{col(user_perm, 'user')} = {user_id_sql})"
        f" OR op.{quote('id')} IN (SELECT gp.{col(group_perm, 'permission')}"
        f" FROM {quote(group_perm._meta.db_table)} gp"
        f" JOIN {quote(user_group._meta.db_table)} ug"
        f" ON ug.{col(user_group, 'group')} = gp.{col(group_perm, 'group')}"
        f" WHERE ug.{col(user_group, 'user')} = {user_id_sql})))"
    )


@functools.cache
def plan(vendor: str):
    """(select SQL, joins SQL from the user alias `u`, a function building the user from a
    row at an offset), built once per process. Every name comes from the models' _meta,
    quoted; the two constants of the EXISTS are ours, not input."""
    if roles_column is None:
        raise ImproperlyConfigured("companies must set accounts.security.user_rows.roles_column.")
    company_model = User._meta.get_field("company").related_model
    user, company, policy = (
        ModelColumns(User, "u"),
        ModelColumns(company_model, "c"),
        ModelColumns(CompanySecurityPolicy, "p"),
    )
    quote = connection.ops.quote_name
    user_id = f"u.{quote('id')}"
    roles_sql, parse_roles = roles_column[0](connection, user_id)
    select = (
        f"{user.sql}, {company.sql}, {policy.sql}, {roles_sql}, {_operations_sql(quote, user_id)}"
    )
    joins = (
        f" JOIN {company.table} c ON c.{quote('id')} = u.{quote('company_id')}"
        f" LEFT JOIN {policy.table} p ON p.{quote('company_id')} = c.{quote('id')}"
    )
    width = user.width + company.width + policy.width + 2

    def build(row, start: int = 0) -> User:
        built = user.build(row, start)
        start += user.width
        company_row = company.build(row, start)
        start += company.width
        policy_row = policy.build(row, start)
        start += policy.width
        roles_column[1](built, parse_roles(row[start]))
        operations_prime(built, bool(row[start + 1]))
        User.company.field.set_cached_value(built, company_row)
        # A company without a policy row has the defaults (CompanySecurityPolicy's docstring).
        if policy_row is None:
            policy_row = CompanySecurityPolicy(company=company_row)
        else:
            CompanySecurityPolicy.company.field.set_cached_value(policy_row, company_row)
        company_row._security_policy_cache = policy_row
        return built

    return select, joins, width, build
