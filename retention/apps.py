from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Retention"

    def ready(self):
        # Register the tasks in every process (web, worker, commands): services dispatch them
        # by name from Celery's registry, since the tasks module imports the services.
        from . import tasks  # noqa: F401
