from django.urls import path

from . import views

app_name = "retention"

urlpatterns = [
    path("account/close/", views.self_close, name="self-close"),
    path("account/closed/", views.closed_done, name="closed-done"),
    path("account/restore/<str:token>/", views.restore_by_link, name="restore"),
    path("account/export/", views.export_page, name="export"),
    path("account/export/<str:token>/", views.export_download, name="export-download"),
    path("retention/accounts/<int:user_id>/close/", views.admin_close, name="admin-close"),
    path("retention/accounts/<int:user_id>/restore/", views.admin_restore, name="admin-restore"),
    path("operations/retention/", views.dashboard, name="dashboard"),
    path("operations/retention/holds/", views.hold_create, name="hold-create"),
    path(
        "operations/retention/holds/<int:hold_id>/release/", views.hold_release, name="hold-release"
    ),
    path("operations/activity/", views.activity_search_page, name="activity-search"),
    path("operations/activity/extract/", views.activity_extract_page, name="activity-extract"),
]
