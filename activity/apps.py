from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "activity"
    verbose_name = "Activity log"

    def ready(self):
        # Django: every app's events.py and models are importable only once the registry is.
        from .events import register_app_events
        from .navigation import NAVIGATION

        register_app_events()
        self.navigation = NAVIGATION
