from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        # Django: modules that reach models are imported once the registry is ready.
        from .navigation import NAVIGATION

        self.navigation = NAVIGATION
