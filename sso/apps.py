from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = "External sign-in (SSO)"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.conf import settings
        from onelogin.saml2.constants import OneLogin_Saml2_Constants

        from accounts.security import external

        from . import routing

        # python3-saml reads its clock skew from a class constant; the portal's setting is
        # the one source (SPEC §7.6: validity windows are checked with a bounded skew).
        OneLogin_Saml2_Constants.ALLOWED_CLOCK_DRIFT = settings.SSO_CLOCK_SKEW_SECONDS
        external.register(routing.ROUTER)
