from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Retention"

    def ready(self):
        # Django: modules that reach models are imported once the registry is ready. The
        # tasks are registered in every process (services dispatch them by name).
        from . import tasks  # noqa: F401
        from .navigation import NAVIGATION

        self.navigation = NAVIGATION
