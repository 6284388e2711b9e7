from django.apps import AppConfig


class ActivityConfig(AppConfig):
    name = "activity"
    verbose_name = "Activity log"

    def ready(self):
        from .events import register_app_events

        register_app_events()
