from django.contrib import admin
from django.urls import include, path, re_path
from django.utils.translation import gettext_lazy
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.admin_site import PortalAdminSite
from core import monitoring as core_monitoring
from core import views as core_views

# django-otp's documented way to put the default admin site (with every app's registrations)
# behind OTP; PortalAdminSite also routes its login through the portal's lockout.
admin.site.__class__ = PortalAdminSite
admin.site.site_header = gettext_lazy("Rainbow Portal — operators")
admin.site.site_title = gettext_lazy("Rainbow Portal")

api_v1 = [
    path("", include(("rainbow_portal.api", "api"), namespace="api")),
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    re_path(r"^.*$", core_views.api_not_found),  # last: unknown API paths answer JSON
]

urlpatterns = [
    # First: the API and the probes are most of the calls, and Django tries the patterns in
    # order (the empty-prefix includes below would each be walked before reaching them).
    path("api/v1/", include(api_v1)),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_monitoring.metrics_view, name="metrics"),
    path("", include("core.urls")),
    path("accounts/", include("accounts.urls")),
    path("", include("sso.urls")),
    path("", include("companies.urls")),
    path("admin/", admin.site.urls),
    path("subscriptions/", include("subscriptions.urls")),
    path("systems/", include("subscriptions.urls_systems")),
    path("bubbles/", include("bubbles.urls")),
    path("", include("retention.urls")),
    # Browsers ask for /favicon.ico whatever the page says.
    path("favicon.ico", core_views.favicon),
]

handler400 = "core.views.error_400"
handler403 = "core.views.error_403"
handler404 = "core.views.error_404"
handler500 = "core.views.error_500"
