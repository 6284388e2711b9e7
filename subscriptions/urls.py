from django.urls import path

from . import views

app_name = "subscriptions"

urlpatterns = [
    path("", views.home, name="home"),
    path("<slug:slug>/", views.company, name="company"),
    path("<slug:slug>/consumption/", views.consumption, name="consumption"),
    path("<slug:slug>/delegation/", views.delegation, name="delegation"),
    path("<slug:slug>/<int:pk>/seats/", views.seats, name="seats"),
    path("<slug:slug>/<int:pk>/status/", views.status, name="status"),
    path("<slug:slug>/<int:pk>/licenses/", views.licenses, name="licenses"),
    path(
        "<slug:slug>/<int:pk>/licenses/<int:license_pk>/release/",
        views.license_release,
        name="license-release",
    ),
    path("<slug:slug>/invoices/", views.invoices, name="invoices"),
    path("<slug:slug>/billing/", views.billing, name="billing"),
    path("<slug:slug>/invoices/<str:number>.csv", views.invoice_csv, name="invoice-csv"),
    path("<slug:slug>/invoices/<str:number>.pdf", views.invoice_pdf, name="invoice-pdf"),
]
