from django.apps import AppConfig


class CompaniesConfig(AppConfig):
    name = "companies"
    verbose_name = "Companies"

    def ready(self):
        # Django: modules that reach models are imported once the registry is ready.
        from accounts.security import selectors as security_selectors
        from accounts.security import user_rows as security_user_rows
        from accounts.security.services import company_policy as security_services
        from accounts.security.services import tokens as security_tokens
        from accounts.security.signals import email_verified

        from .dashboard import DASHBOARD_PANELS
        from .membership.signup import claim_on_email_verified
        from .navigation import NAVIGATION
        from .policies import admin_roles_held, can_manage_security, holds_admin_role
        from .selectors import user_roles_column, user_roles_prime

        self.navigation = NAVIGATION
        self.dashboard_panels = DASHBOARD_PANELS
        # accounts sits below companies: it asks through these what only companies knows.
        email_verified.connect(claim_on_email_verified, dispatch_uid="companies.claim")
        security_selectors.admin_role_check = holds_admin_role
        security_services.security_rights_check = can_manage_security
        security_tokens.admin_roles_of = admin_roles_held
        security_user_rows.roles_column = (user_roles_column, user_roles_prime)
