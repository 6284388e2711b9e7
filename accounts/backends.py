"""The portal's authentication backend: Django's ModelBackend (password sign-in is unchanged),
except that the user a session names is read with its company, security policy, roles and
operations flag in one query (accounts.security.user_rows) instead of the five the first
checks of every page would otherwise run, one by one."""

from django.contrib.auth.backends import ModelBackend
from django.db import connection

from core.prepared import execute_prepared

from .models import User
from .security import user_rows


class PortalBackend(ModelBackend):
    def get_user(self, user_id):
        try:
            user_id = int(user_id)
        except (TypeError, ValueError):
            return None
        if not 0 < user_id < 2**63:  # beyond the column: no such user, not a database error
            return None
        select, joins, _width, build = user_rows.plan(connection.vendor)
        quote = connection.ops.quote_name
        # Names from the models' _meta, quoted; the id is the one parameter.
        table, where = quote(User._meta.db_table), f"u.{quote('id')} = %(id)s"
        sql = f"SELECT {select} FROM {table} u{joins} WHERE {where}"  # noqa: S608  # nosec B608
        with connection.cursor() as cursor:
            execute_prepared(cursor, sql, {"id": user_id}, prefix="rp_session_user")
            row = cursor.fetchone()
        if row is None:
            return None
        user = build(row)
        return user if self.user_can_authenticate(user) else None
