from django.urls import path

from . import views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("operations/", views.operations, name="operations"),
    path("dev/outbox/", views.dev_outbox, name="dev-outbox"),
]
