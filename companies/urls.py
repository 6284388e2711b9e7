from django.urls import path

from .visibility import views as visibility_views

app_name = "companies"

urlpatterns = [
    # Visibility and directory (issue 4)
    path("directory/", visibility_views.directory, name="directory"),
    path("directory/people/<int:pk>/", visibility_views.person, name="person"),
    path("directory/<slug:slug>/", visibility_views.company_page, name="company-page"),
    path(
        "<slug:slug>/members/<int:pk>/visibility/",
        visibility_views.member_visibility,
        name="member-visibility",
    ),
    path("<slug:slug>/visibility/", visibility_views.company_visibility, name="company-visibility"),
    path(
        "<slug:slug>/visibility/requests/<int:pk>/<str:action>/",
        visibility_views.visibility_request_answer,
        name="visibility-request-answer",
    ),
]
