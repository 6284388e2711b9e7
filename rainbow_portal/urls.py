from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import views as core_views

admin.site.site_header = "Rainbow Portal — operators"
admin.site.site_title = "Rainbow Portal"

api_v1 = [
    path("", include(("rainbow_portal.api", "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
]

urlpatterns = [
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("companies/", include("companies.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("healthz", core_views.healthz, name="healthz"),
]

handler400 = "core.views.error_400"
handler403 = "core.views.error_403"
handler404 = "core.views.error_404"
handler500 = "core.views.error_500"
