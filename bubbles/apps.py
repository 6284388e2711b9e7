from django.apps import AppConfig


class BubblesConfig(AppConfig):
    name = "bubbles"
    verbose_name = "Bubbles"
