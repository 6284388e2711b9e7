from django.apps import AppConfig


class SubscriptionsConfig(AppConfig):
    name = "subscriptions"
    verbose_name = "Subscriptions and systems"

    def ready(self):
        # Django: modules that reach models are imported once the registry is ready.
        from .dashboard import DASHBOARD_PANELS
        from .navigation import NAVIGATION

        self.navigation = NAVIGATION
        self.dashboard_panels = DASHBOARD_PANELS
