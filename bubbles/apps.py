from django.apps import AppConfig


class BubblesConfig(AppConfig):
    name = "bubbles"
    verbose_name = "Bubbles"

    def ready(self):
        # Django: modules that reach models are imported once the registry is ready.
        from .navigation import NAVIGATION

        self.navigation = NAVIGATION
