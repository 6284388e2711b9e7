"""The /api/v1/ root: each app contributes its routes from its own `api.py`."""

from django.urls import include, path

urlpatterns = [
    path("", include("accounts.api")),
    path("", include("subscriptions.api")),
    path("", include("companies.membership.api.urls")),
    path("", include("companies.visibility.network_api")),
    path("", include("companies.visibility.api")),
]
