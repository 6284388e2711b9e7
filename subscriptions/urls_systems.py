from django.urls import path

from . import views_systems as views

app_name = "systems"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/", views.company, name="company"),
    path("<slug:slug>/<int:pk>/", views.system, name="system"),
    path(
        "<slug:slug>/<int:pk>/extensions/<int:extension_pk>/member/",
        views.associate,
        name="associate",
    ),
]
