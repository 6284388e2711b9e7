from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "retention"
    verbose_name = "Retention"

    def ready(self):
        # Django: modules that reach models are imported once the registry is ready. The
        # tasks are registered in every process (services dispatch them by name).
        from accounts import services as account_services

        from . import tasks  # noqa: F401
        from .navigation import NAVIGATION
        from .selectors import closure_stage

        # accounts sits below retention: the admin asks through this hook whether an
        # account is closed before it lets "active" be ticked (SPEC §8.2).
        account_services.closure_stage_check = closure_stage

        self.navigation = NAVIGATION
