from django.urls import path

from .membership.urls import urlpatterns as membership_urlpatterns
from .visibility import views as visibility_views

app_name = "companies"

# Visibility first: "companies/directory/" must not be read as the company slug "directory"
# (the slug is reserved too).
visibility_urlpatterns = [
    path("companies/directory/", visibility_views.directory, name="directory"),
    path("companies/directory/people/<int:pk>/", visibility_views.person, name="person"),
    path("companies/directory/<slug:slug>/", visibility_views.company_page, name="company-page"),
    path(
        "companies/<slug:slug>/members/<int:pk>/visibility/",
        visibility_views.member_visibility,
        name="member-visibility",
    ),
    path(
        "companies/<slug:slug>/visibility/",
        visibility_views.company_visibility,
        name="company-visibility",
    ),
    path(
        "companies/<slug:slug>/visibility/requests/<int:pk>/<str:action>/",
        visibility_views.visibility_request_answer,
        name="visibility-request-answer",
    ),
]

urlpatterns = [*visibility_urlpatterns, *membership_urlpatterns]
