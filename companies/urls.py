from .membership.urls import urlpatterns as membership_urlpatterns

app_name = "companies"

urlpatterns = [*membership_urlpatterns]
