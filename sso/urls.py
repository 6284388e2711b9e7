from django.urls import path

from . import views

app_name = "sso"

urlpatterns = [
    path("sso/<uuid:provider_id>/start/", views.start, name="start"),
    path("sso/saml/<uuid:provider_id>/acs/", views.saml_acs, name="saml-acs"),
    path("sso/saml/<uuid:provider_id>/metadata/", views.saml_metadata, name="saml-metadata"),
    path("sso/saml/<uuid:provider_id>/sls/", views.saml_sls, name="saml-sls"),
    path("sso/oidc/callback/", views.oidc_callback, name="oidc-callback"),
    path("sso/tests/<uuid:test_id>/", views.test_result, name="test-result"),
    path(
        "companies/<slug:slug>/security/identity-providers/",
        views.provider_list,
        name="providers",
    ),
    path(
        "companies/<slug:slug>/security/identity-providers/add/<str:kind>/",
        views.provider_add,
        name="provider-add",
    ),
    path(
        "companies/<slug:slug>/security/identity-providers/<uuid:provider_id>/",
        views.provider_edit,
        name="provider-edit",
    ),
    path(
        "companies/<slug:slug>/security/identity-providers/<uuid:provider_id>/delete/",
        views.provider_delete,
        name="provider-delete",
    ),
    path(
        "companies/<slug:slug>/security/identity-providers/<uuid:provider_id>/default/",
        views.provider_default,
        name="provider-default",
    ),
    path(
        "companies/<slug:slug>/security/identity-providers/<uuid:provider_id>/refresh/",
        views.provider_refresh,
        name="provider-refresh",
    ),
    path(
        "companies/<slug:slug>/security/identity-providers/<uuid:provider_id>/test/",
        views.test_start,
        name="test-start",
    ),
]
