from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        # Django: modules that reach views and urls are imported once the registry is ready.
        from .navigation import NAVIGATION

        self.navigation = NAVIGATION
